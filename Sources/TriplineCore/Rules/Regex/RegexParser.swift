// Lucene `RegExp` syntax (org.apache.lucene.util.automaton.RegExp, Lucene 10), with the syntax flags
// Elasticsearch's `regexp` query and EQL's `regex` pass: ALL plus the deprecated complement, so
// `&` intersection, `~` complement, `#` empty language, `@` any string and `<n-m>` numeric intervals
// are operators. Named automata (`<name>`) parse but are refused, as Elasticsearch supplies none.

/// A parsed pattern. Code points are `UInt32`; character sets are sorted, disjoint, closed ranges.
indirect enum RegexNode: Sendable {
    /// The empty string: `()` or an empty pattern.
    case empty
    /// No string at all: `#`.
    case emptyLanguage
    /// One code point: `.`
    case anyChar
    /// Every string: `@`.
    case anyString
    /// One code point of the pattern, folded at compile time when case-insensitive (Lucene folds
    /// single characters and quoted strings, never ranges or predefined classes).
    case char(UInt32)
    /// One code point out of a set already resolved (classes, `\d`, folded class members).
    case set([ClosedRange<UInt32>])
    case concat([RegexNode])
    case union([RegexNode])
    case intersection([RegexNode], at: Int)
    case complement(RegexNode, at: Int)
    /// `max == nil` is unbounded. `at` is the operator's offset, for "too complex" errors.
    case repeating(RegexNode, min: Int, max: Int?, at: Int)
}

extension RegexNode {
    var children: [RegexNode] {
        switch self {
        case .empty, .emptyLanguage, .anyChar, .anyString, .char, .set: []
        case .concat(let items), .union(let items), .intersection(let items, _): items
        case .complement(let child, _), .repeating(let child, _, _, _): [child]
        }
    }

    /// Depth of the tree, computed with an explicit stack.
    var depth: Int {
        var deepest = 0
        var stack: [(RegexNode, Int)] = [(self, 1)]
        while let (node, level) = stack.popLast() {
            deepest = max(deepest, level)
            for child in node.children { stack.append((child, level + 1)) }
        }
        return deepest
    }
}

/// Recursive descent over Lucene's grammar:
/// union := inter ('|' inter)* ; inter := concat ('&' concat)* ; concat := repeat+ ;
/// repeat := compl ('?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}')* ; compl := '~' compl | class ;
/// class := '[' '^'? items ']' | simple. Offsets are in code points of the pattern.
struct RegexParser {
    static let maxCodePoint: UInt32 = 0x10FFFF
    /// Parentheses, chained quantifiers and chained `~` nest the tree. Bounds keep a hostile
    /// pattern from exhausting a small thread's stack while parsing (parentheses are the parser's
    /// only recursion) or compiling (the tree's depth, measured without recursion).
    static let maxDepth = 300
    static let maxParentheses = 100

    private let text: [UInt32]
    private let caseInsensitive: Bool
    private var pos = 0
    private var depth = 0

    static func parse(_ pattern: String, caseInsensitive: Bool) throws(RegexError) -> RegexNode {
        var parser = RegexParser(text: pattern.unicodeScalars.map(\.value), caseInsensitive: caseInsensitive)
        // Lucene: an empty pattern is the empty string.
        if parser.text.isEmpty { return .empty }
        let node = try parser.parseUnion()
        if parser.pos < parser.text.count {
            throw RegexError(message: "end-of-string expected at position \(parser.pos)", offset: parser.pos)
        }
        if node.depth > Self.maxDepth {
            throw RegexError(message: "pattern nests deeper than \(Self.maxDepth) levels", offset: 0)
        }
        return node
    }

    private init(text: [UInt32], caseInsensitive: Bool) {
        self.text = text
        self.caseInsensitive = caseInsensitive
    }

    // MARK: Scanning

    private var more: Bool { pos < text.count }

    private func peek(_ chars: String) -> Bool {
        more && chars.unicodeScalars.contains { $0.value == text[pos] }
    }

    private mutating func match(_ c: Unicode.Scalar) -> Bool {
        if more && text[pos] == c.value { pos += 1; return true }
        return false
    }

    private mutating func next() throws(RegexError) -> UInt32 {
        guard more else { throw RegexError(message: "unexpected end-of-string", offset: pos) }
        pos += 1
        return text[pos - 1]
    }

    private mutating func enter(at: Int) throws(RegexError) {
        depth += 1
        if depth > Self.maxParentheses {
            throw RegexError(message: "parentheses nest deeper than \(Self.maxParentheses) levels", offset: at)
        }
    }

    // MARK: Grammar

    private mutating func parseUnion() throws(RegexError) -> RegexNode {
        var branches = [try parseIntersection()]
        while match("|") { branches.append(try parseIntersection()) }
        return branches.count == 1 ? branches[0] : .union(branches)
    }

    private mutating func parseIntersection() throws(RegexError) -> RegexNode {
        var operands = [try parseConcat()]
        let at = pos  // the first `&`, if any
        while match("&") { operands.append(try parseConcat()) }
        return operands.count == 1 ? operands[0] : .intersection(operands, at: at)
    }

    private mutating func parseConcat() throws(RegexError) -> RegexNode {
        var items = [try parseRepeat()]
        // As in Lucene, the first item is taken whatever it is: a leading `|`, `&`, `*`, `?`, `+`
        // or `)`... is a literal there, so `|a` is the string "|a".
        while more && !peek(")|&") { items.append(try parseRepeat()) }
        return items.count == 1 ? items[0] : .concat(items)
    }

    private mutating func parseRepeat() throws(RegexError) -> RegexNode {
        var node = try parseComplement()
        while peek("?*+{") {
            let at = pos
            if match("?") {
                node = .repeating(node, min: 0, max: 1, at: at)
            } else if match("*") {
                node = .repeating(node, min: 0, max: nil, at: at)
            } else if match("+") {
                node = .repeating(node, min: 1, max: nil, at: at)
            } else {
                pos += 1  // `{`
                let n = try parseCount()
                var m: Int? = n
                if match(",") { m = peek("0123456789") ? try parseCount() : nil }
                if !match("}") { throw RegexError(message: "expected '}' at position \(pos)", offset: pos) }
                if let m, n > m {
                    throw RegexError(message: "invalid repetition range(out of order): \(n)..\(m)", offset: at)
                }
                node = .repeating(node, min: n, max: m, at: at)
            }
        }
        return node
    }

    private mutating func parseCount() throws(RegexError) -> Int {
        let start = pos
        var value = 0
        while peek("0123456789") {
            value = value * 10 + Int(text[pos] - 0x30)
            // Lucene parses an int; past that it fails, and so does anything this large here.
            if value > Int(Int32.max) { throw RegexError(message: "repetition count too large at position \(start)", offset: start) }
            pos += 1
        }
        if start == pos { throw RegexError(message: "integer expected at position \(pos)", offset: pos) }
        return value
    }

    private mutating func parseComplement() throws(RegexError) -> RegexNode {
        // Iterative, so a run of `~` cannot recurse deeply.
        var tildes: [Int] = []
        while more && text[pos] == 0x7E {
            tildes.append(pos)
            pos += 1
        }
        var node = try parseCharClassExp()
        for at in tildes.reversed() { node = .complement(node, at: at) }
        return node
    }

    private mutating func parseCharClassExp() throws(RegexError) -> RegexNode {
        guard match("[") else { return try parseSimple() }
        let negate = match("^")
        var set = try parseCharClassItems()
        if negate { set = RegexCharSet.complement(set) }
        if !match("]") { throw RegexError(message: "expected ']' at position \(pos)", offset: pos) }
        return .set(set)
    }

    /// Class items up to (not including) `]`; at least one is read, so `[]a]` holds `]` and `a`.
    private mutating func parseCharClassItems() throws(RegexError) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        repeat {
            let itemStart = pos
            if match("\\") {
                if peek(Self.predefinedLead) {
                    ranges += try parsePredefined()
                } else {
                    // An escaped character stands for itself: no range, no case folding (Lucene 10).
                    let c = try next()
                    ranges.append(c...c)
                }
            } else {
                let c = try parseCharExp()
                if match("-") {
                    let end = try parseCharExp()
                    if c > end {
                        throw RegexError(message: "invalid range: from (\(c)) cannot be > to (\(end))", offset: itemStart)
                    }
                    // Ranges are never case-folded: Lucene folds only single characters.
                    ranges.append(c...end)
                } else if caseInsensitive {
                    for v in RegexCaseFolding.variants(of: c) { ranges.append(v...v) }
                } else {
                    ranges.append(c...c)
                }
            }
        } while more && !peek("]")
        return RegexCharSet.normalize(ranges)
    }

    private static let predefinedLead = "\\ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    /// After a backslash that precedes `\` or a letter: `\\`, `\d \D \s \S \w \W`; other letters
    /// are errors, as java.util.regex makes them.
    private mutating func parsePredefined() throws(RegexError) -> [ClosedRange<UInt32>] {
        let at = pos - 1
        let c = try next()
        let digit: [ClosedRange<UInt32>] = [0x30...0x39]
        let space: [ClosedRange<UInt32>] = [0x09...0x0A, 0x0D...0x0D, 0x20...0x20]
        let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
        switch c {
        case 0x5C: return [c...c]  // \\
        case 0x64: return digit  // d
        case 0x44: return RegexCharSet.complement(digit)  // D
        case 0x73: return space  // s
        case 0x53: return RegexCharSet.complement(space)  // S
        case 0x77: return word  // w
        case 0x57: return RegexCharSet.complement(word)  // W
        default:
            let shown = Unicode.Scalar(c).map { String(Character($0)) } ?? "?"
            throw RegexError(message: "invalid character class \\\(shown)", offset: at)
        }
    }

    private mutating func parseCharExp() throws(RegexError) -> UInt32 {
        _ = match("\\")
        return try next()
    }

    private mutating func parseSimple() throws(RegexError) -> RegexNode {
        let start = pos
        if match(".") { return .anyChar }
        if match("#") { return .emptyLanguage }
        if match("@") { return .anyString }
        if match("\"") {
            // A quoted string: everything up to the next `"`, backslashes included, literally.
            let from = pos
            while more && text[pos] != 0x22 { pos += 1 }
            if !match("\"") { throw RegexError(message: "expected '\"' at position \(pos)", offset: pos) }
            let chars = text[from..<(pos - 1)].map { RegexNode.char($0) }
            return chars.count == 1 ? chars[0] : chars.isEmpty ? .empty : .concat(chars)
        }
        if match("(") {
            if match(")") { return .empty }
            try enter(at: start)
            defer { depth -= 1 }
            let node = try parseUnion()
            if !match(")") { throw RegexError(message: "expected ')' at position \(pos)", offset: pos) }
            return node
        }
        if match("<") { return try parseAngle(start: start) }
        if match("\\") {
            if peek(Self.predefinedLead) { return .set(RegexCharSet.normalize(try parsePredefined())) }
            return .char(try next())
        }
        return .char(try next())
    }

    /// `<n-m>`: decimal numbers from n to m. Same-length bounds fix the length (zero-padded);
    /// otherwise any number of leading zeros is allowed. `<name>` is a named automaton.
    private mutating func parseAngle(start: Int) throws(RegexError) -> RegexNode {
        let from = pos
        while more && text[pos] != 0x3E { pos += 1 }
        if !match(">") { throw RegexError(message: "expected '>' at position \(pos)", offset: pos) }
        let body = Array(text[from..<(pos - 1)])
        let dashes = body.indices.filter { body[$0] == 0x2D }
        guard let dash = dashes.first else {
            let name = String(String.UnicodeScalarView(body.compactMap(Unicode.Scalar.init)))
            throw RegexError(message: "named automaton <\(name)> is not supported ('\(name)' not found)", offset: start)
        }
        let syntaxError = RegexError(message: "interval syntax error at position \(pos - 1)", offset: pos - 1)
        guard dash > 0, dash < body.count - 1, dashes.count == 1 else { throw syntaxError }
        let low = Array(body[..<dash]), high = Array(body[(dash + 1)...])
        guard var a = Self.decimal(low), var b = Self.decimal(high) else { throw syntaxError }
        let digits = low.count == high.count ? low.count : 0
        if a > b { swap(&a, &b) }
        return RegexInterval.node(min: a, max: b, digits: digits)
    }

    /// Java's Integer.parseInt, non-negative: an optional `+`, then digits, within Int32.
    private static func decimal(_ s: [UInt32]) -> Int? {
        var digits = s[...]
        if digits.first == 0x2B { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for c in digits {
            guard (0x30...0x39).contains(c) else { return nil }
            value = value * 10 + Int(c - 0x30)
            if value > Int(Int32.max) { return nil }
        }
        return value
    }
}

/// Sorted, disjoint code-point ranges.
enum RegexCharSet {
    static func normalize(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        for r in sorted {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in normalize(ranges) {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound + 1
        }
        if next <= RegexParser.maxCodePoint { out.append(next...RegexParser.maxCodePoint) }
        return out
    }
}

/// Lucene's decimal intervals, spelled as a tree of digit sets.
enum RegexInterval {
    static func node(min: Int, max: Int, digits: Int) -> RegexNode {
        if digits > 0 {
            // Both bounds had `digits` characters, so max fits: exactly `digits` digits.
            return fixedLength(pad(min, digits), pad(max, digits))
        }
        // Any number of leading zeros, then the number's own digits (0 is "0").
        var byLength: [RegexNode] = []
        let minLength = String(min).count, maxLength = String(max).count
        for length in minLength...maxLength {
            let low = length == minLength ? min : pow10(length - 1)
            let high = length == maxLength ? max : pow10(length) - 1
            byLength.append(fixedLength(pad(low, length), pad(high, length)))
        }
        let zeros = RegexNode.repeating(.char(0x30), min: 0, max: nil, at: 0)
        return .concat([zeros, byLength.count == 1 ? byLength[0] : .union(byLength)])
    }

    private static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    private static func pad(_ value: Int, _ length: Int) -> [UInt32] {
        let s = Array(String(value).unicodeScalars.map(\.value))
        return Array(repeating: 0x30, count: Swift.max(0, length - s.count)) + s
    }

    private static func digit(_ from: UInt32, _ to: UInt32) -> RegexNode {
        from == to ? .char(from) : .set([from...to])
    }

    /// Strings of the same length as `low` and `high` between them (digit strings of one length
    /// order like their values).
    private static func fixedLength(_ low: [UInt32], _ high: [UInt32]) -> RegexNode {
        guard let l = low.first, let h = high.first else { return .empty }
        let restLow = Array(low.dropFirst()), restHigh = Array(high.dropFirst())
        if l == h { return .concat([.char(l), fixedLength(restLow, restHigh)]) }
        let nines = [UInt32](repeating: 0x39, count: restLow.count)
        let zeros = [UInt32](repeating: 0x30, count: restLow.count)
        var branches: [RegexNode] = [.concat([.char(l), fixedLength(restLow, nines)])]
        if h > l + 1 {
            branches.append(.concat([digit(l + 1, h - 1), .repeating(.set([0x30...0x39]), min: restLow.count, max: restLow.count, at: 0)]))
        }
        branches.append(.concat([.char(h), fixedLength(zeros, restHigh)]))
        return .union(branches)
    }
}

/// Case-insensitive matching folds a character to every code point that shares its case class:
/// the closure of Unicode's one-to-one lower/upper/title mappings (so k, K and KELVIN SIGN; s, S
/// and LONG S; σ, ς and Σ), i.e. simple case folding. This follows Lucene 10's CASE_INSENSITIVE
/// (CaseFolding.expand), which Elasticsearch's case-insensitive regexp now gets: its
/// ASCII_CASE_INSENSITIVE became an alias of it. Older Lucene (Elasticsearch 8) folded ASCII only.
enum RegexCaseFolding {
    static func variants(of c: UInt32) -> [UInt32] {
        classes[c] ?? [c]
    }

    /// Built once, on first use: about 3,000 cased code points, a few milliseconds.
    private static let classes: [UInt32: [UInt32]] = {
        var parent: [UInt32: UInt32] = [:]
        func find(_ x: UInt32) -> UInt32 {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        func union(_ a: UInt32, _ b: UInt32) {
            if parent[a] == nil { parent[a] = a }
            if parent[b] == nil { parent[b] = b }
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        // Cased letters all lie below U+1F000. Dotted capital I and dotless small i map to
        // plain i and I only in Turkic folding; simple folding keeps them apart.
        for v in UInt32(0)..<0x1F000 where v != 0x130 && v != 0x131 {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let p = scalar.properties
            guard p.changesWhenCaseMapped else { continue }
            for mapping in [p.lowercaseMapping, p.uppercaseMapping, p.titlecaseMapping] {
                let scalars = mapping.unicodeScalars
                if scalars.count == 1, let m = scalars.first, m.value != v, m.value != 0x130, m.value != 0x131 {
                    union(v, m.value)
                }
            }
        }
        var members: [UInt32: [UInt32]] = [:]
        for x in parent.keys { members[find(x), default: []].append(x) }
        var result: [UInt32: [UInt32]] = [:]
        for group in members.values where group.count > 1 {
            let sorted = group.sorted()
            for x in sorted { result[x] = sorted }
        }
        return result
    }()
}
