// Regular expressions in java.util.regex syntax, as ES|QL's REPLACE reads them (and, close enough,
// the Oniguruma patterns of GROK), with capture groups. Matching runs a Pike VM
// (CaptureMatcher.swift): every thread of the NFA advances in lock step, one code point at a
// time, so time is linear in the input times the program and nothing backtracks; thread
// priority gives Java's leftmost-first answer (`a|ab` on "ab" matches "a").
//
// Not supported, each refused with a `RegexError`: backreferences; lookarounds other than
// around fixed characters (`(?![0-9])`, `(?<=ab)`); possessive quantifiers and atomic groups
// where they could give something back (`\d++\]` is fine, `a*+a` is not); `\G`, `\X`, `(?U)`.

/// A compiled java.util.regex pattern with capture groups. Equal (and hashed) by pattern, flag
/// and dialect.
public struct CaptureRegex: Sendable, Hashable {
    public let pattern: String
    public let caseInsensitive: Bool
    let syntax: CaptureSyntax
    let program: CaptureProgram
    private let names: [String?]

    /// - Parameter caseInsensitive: Java's `CASE_INSENSITIVE` flag, as a leading `(?i)`: ASCII
    ///   letters match either case; with `(?u)` (UNICODE_CASE) too, all of Unicode's simple
    ///   case folding.
    public init(java pattern: String, caseInsensitive: Bool = false) throws(RegexError) {
        try self.init(pattern, syntax: .java, caseInsensitive: caseInsensitive, limits: CaptureLimits())
    }

    init(_ pattern: String, syntax: CaptureSyntax, caseInsensitive: Bool = false, limits: CaptureLimits) throws(RegexError) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        self.syntax = syntax
        var parser = CaptureRegexParser(pattern, syntax: syntax, caseInsensitive: caseInsensitive)
        let root = try parser.parse()
        names = parser.groupNames
        program = try CaptureProgram(root, groupCount: names.count - 1, syntax: syntax, limits: limits)
    }

    /// Group names in order of their opening parenthesis; index 0 unused (the whole match); nil
    /// for unnamed groups.
    public var groupNames: [String?] { names }

    /// The number of capturing groups (not counting the whole match).
    public var groupCount: Int { names.count - 1 }

    /// The leftmost-first match starting at or after `from` (byte offset): one byte range per
    /// group (index 0 = whole match), nil for a group that did not take part. Code points before
    /// `from` are still seen by `\b` and lookbehind, as with Java's `find(from)`.
    public func firstMatch(in input: UnsafeRawBufferPointer, from: Int) -> [Range<Int>?]? {
        var matcher = CaptureMatcher(program)
        return matcher.search(input, from: from).map(Self.ranges)
    }

    public func firstMatch(in input: [UInt8], from: Int = 0) -> [Range<Int>?]? {
        input.withUnsafeBytes { firstMatch(in: $0, from: from) }
    }

    /// Whether the pattern matches somewhere in `input`.
    public func contains(_ input: UnsafeRawBufferPointer) -> Bool {
        var matcher = CaptureMatcher(program)
        return matcher.search(input, from: 0) != nil
    }

    /// Every match, left to right, as Java's repeated `find()` sees them: after an empty match
    /// the next search starts one code point further.
    func forEachMatch(in input: UnsafeRawBufferPointer, _ body: ([Range<Int>?]) -> Void) {
        var matcher = CaptureMatcher(program)
        var from = 0
        while from <= input.count, let slots = matcher.search(input, from: from) {
            let groups = Self.ranges(slots)
            body(groups)
            guard let whole = groups[0] else { return }
            if whole.isEmpty {
                guard whole.upperBound < input.count else { return }
                from = whole.upperBound + CaptureMatcher.decode(input, at: whole.upperBound).1
            } else {
                from = whole.upperBound
            }
        }
    }

    private static func ranges(_ slots: [Int]) -> [Range<Int>?] {
        stride(from: 0, to: slots.count, by: 2).map { k in
            slots[k] >= 0 && slots[k + 1] >= slots[k] ? slots[k]..<slots[k + 1] : nil
        }
    }

    public static func == (a: CaptureRegex, b: CaptureRegex) -> Bool {
        a.pattern == b.pattern && a.caseInsensitive == b.caseInsensitive && a.syntax == b.syntax
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(caseInsensitive)
        hasher.combine(syntax)
    }
}
