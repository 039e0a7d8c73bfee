// ES|QL's `GROK input "pattern"`: `%{SYNTAX}`, `%{SYNTAX:name}` and `%{SYNTAX:name:type}` expand
// to the bundled pattern library (GrokPatterns.swift) and the whole is one capture regex in
// Oniguruma syntax, searched (not anchored) in the input, as Elasticsearch's grok library
// (libs/grok, Joni) does. Named groups `(?<name>...)` written in the pattern are columns too.

/// A GROK column's type, from the `:type` suffix (`int`, `long`, `float`, `double`, `boolean`;
/// anything else, or none, is keyword).
public enum GrokType: Sendable, Hashable {
    case keyword, integer, long, double, float, boolean

    init(suffix: String?) {
        switch suffix {
        case "int": self = .integer
        case "long": self = .long
        case "float": self = .float
        case "double": self = .double
        case "boolean": self = .boolean
        default: self = .keyword
        }
    }
}

public struct GrokColumn: Sendable, Hashable {
    public let name: String
    public let type: GrokType
}

/// A compiled GROK pattern. Equal (and hashed) by its text.
public struct GrokPattern: Sendable, Hashable {
    public let pattern: String
    /// The output columns, sorted by name (as ES|QL lists them); a name used by several groups
    /// is one column (multi-valued when more than one of them matches).
    public let columns: [GrokColumn]
    let regex: CaptureRegex
    /// For each capture group, the column it feeds (nil for groups that are not columns).
    private let columnOfGroup: [Int?]

    /// Grok patterns expand to large programs (`%{IPV6}` alone is thousands of instructions).
    static let limits = CaptureLimits(maxInstructions: 60_000)
    /// Expansion bounds: nesting of pattern references, and the regex's length.
    static let maxReferenceDepth = 64
    static let maxExpandedLength = 1 << 20

    public init(_ pattern: String) throws(RegexError) {
        try self.init(pattern, library: GrokPatterns.ecsV1)
    }

    init(_ pattern: String, library: [String: String]) throws(RegexError) {
        self.pattern = pattern
        var path: [String] = []
        let expanded = try Self.expand(pattern, library: library, path: &path)
        regex = try CaptureRegex(expanded, syntax: .oniguruma, limits: Self.limits)
        // Joni's named groups, read as Elasticsearch's GrokCaptureConfig reads them:
        // "SYNTAX:name:type" (or a plain "name"), split at ':'.
        var columns: [GrokColumn] = []
        var indexByName: [String: Int] = [:]
        var columnOfGroup: [Int?] = [nil]
        for groupName in regex.groupNames.dropFirst() {
            guard let groupName else { columnOfGroup.append(nil); continue }
            let parts = groupName.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let trimmed = Array(parts.reversed().drop(while: \.isEmpty).reversed())  // Java's split drops trailing ""
            let name = trimmed.count >= 2 ? trimmed[1] : (trimmed.first ?? "")
            let type = GrokType(suffix: trimmed.count == 3 ? trimmed[2] : nil)
            if let index = indexByName[name] {
                columnOfGroup.append(index)
            } else {
                indexByName[name] = columns.count
                columnOfGroup.append(columns.count)
                columns.append(GrokColumn(name: name, type: type))
            }
        }
        // Sort by name, keeping the group-to-column map in step.
        let order = columns.indices.sorted { columns[$0].name < columns[$1].name }
        var position = [Int](repeating: 0, count: columns.count)
        for (new, old) in order.enumerated() { position[old] = new }
        self.columns = order.map { columns[$0] }
        self.columnOfGroup = columnOfGroup.map { $0.map { position[$0] } }
    }

    /// Each column's value for `input`: nil when the pattern does not match. A column whose
    /// groups did not take part is `.null`; several matching groups make a `.multi` (in group
    /// order). A typed value that does not convert (`%{NUMBER:n:int}` on "1.5") fails the whole
    /// row, as Elasticsearch does (it warns and emits nulls): nil here too.
    public func match(_ input: [UInt8]) -> [Value]? {
        guard let groups = regex.firstMatch(in: input) else { return nil }
        var values = [[Value]](repeating: [], count: columns.count)
        for (group, range) in groups.enumerated() {
            guard let range, let column = columnOfGroup[group] else { continue }
            guard let value = Self.convert(Array(input[range]), to: columns[column].type) else { return nil }
            values[column].append(value)
        }
        return values.map { $0.isEmpty ? .null : $0.count == 1 ? $0[0] : .multi($0) }
    }

    public static func == (a: GrokPattern, b: GrokPattern) -> Bool { a.pattern == b.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    // MARK: Expansion

    /// Replaces every `%{NAME}`, `%{NAME:sub}` and `%{NAME:sub=definition}` (the definition is
    /// ignored, as Elasticsearch does) with `(?:def)` or `(?<NAME:sub>def)`, recursively.
    static func expand(_ text: String, library: [String: String], path: inout [String]) throws(RegexError) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var length = 0
        while i < scalars.count {
            guard scalars[i] == "%", i + 1 < scalars.count, scalars[i + 1] == "{",
                  let reference = Self.reference(scalars, at: i) else {
                out.append(scalars[i])
                i += 1
                continue
            }
            guard let definition = library[reference.name] else {
                throw RegexError(message: "Unable to find pattern [\(reference.name)] in Grok's pattern dictionary", offset: i)
            }
            if path.contains(reference.name) {
                throw RegexError(message: "circular reference in pattern [\(reference.name)] via [\(path.joined(separator: "=>"))]", offset: i)
            }
            if path.count >= maxReferenceDepth {
                throw RegexError(message: "grok patterns nest deeper than \(maxReferenceDepth) references", offset: i)
            }
            path.append(reference.name)
            let inner = try expand(definition, library: library, path: &path)
            path.removeLast()
            let group = reference.subname.map { "(?<\(reference.name):\($0)>" } ?? "(?:"
            out.append(contentsOf: (group + inner + ")").unicodeScalars)
            length += inner.utf8.count
            if length > maxExpandedLength {
                throw RegexError(message: "grok pattern expands to more than \(maxExpandedLength) bytes", offset: i)
            }
            i = reference.end
        }
        return String(out)
    }

    /// `%{pattern(:subname)?(=definition)?}` at `start`, as Elasticsearch's GROK_PATTERN regex
    /// reads it: pattern `[A-z0-9]+`, subname `[[:alnum:]@\[\]_:.-]+`, definition `[^{}]+`.
    private static func reference(_ s: [Unicode.Scalar], at start: Int) -> (name: String, subname: String?, end: Int)? {
        var i = start + 2
        let nameStart = i
        while i < s.count, (0x41...0x7A).contains(s[i].value) || ("0"..."9").contains(s[i]) { i += 1 }
        guard i > nameStart else { return nil }
        let name = String(String.UnicodeScalarView(s[nameStart..<i]))
        var subname: String?
        if i < s.count, s[i] == ":" {
            let from = i + 1
            var j = from
            while j < s.count, s[j].properties.isAlphabetic || s[j].properties.numericType == .decimal
                    || "@[]_:.-".unicodeScalars.contains(s[j]) { j += 1 }
            if j > from {
                subname = String(String.UnicodeScalarView(s[from..<j]))
                i = j
            }
        }
        if i < s.count, s[i] == "=" {
            var j = i + 1
            while j < s.count, s[j] != "{", s[j] != "}" { j += 1 }
            if j > i + 1 { i = j }
        }
        guard i < s.count, s[i] == "}" else { return nil }
        return (name, subname, i + 1)
    }

    // MARK: Types

    /// Java's `Integer.parseInt`, `Long.parseLong`, `Float.parseFloat`, `Double.parseDouble`
    /// and `Boolean.parseBoolean` on the captured text; nil where Java throws.
    static func convert(_ bytes: [UInt8], to type: GrokType) -> Value? {
        let text = String(decoding: bytes, as: UTF8.self)
        switch type {
        case .keyword:
            return .keyword(bytes)
        case .boolean:
            return .bool(text.lowercased() == "true")
        case .integer:
            guard let n = javaInteger(text), let small = Int32(exactly: n) else { return nil }
            return .long(Int64(small))
        case .long:
            return javaInteger(text).map(Value.long)
        case .float:
            return javaDouble(text).map { .double(Double(Float($0))) }
        case .double:
            return javaDouble(text).map(Value.double)
        }
    }

    private static func javaInteger(_ text: String) -> Int64? {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64((negative ? "-" : "") + digits)
    }

    /// Java's floating-point grammar: surrounding whitespace trimmed, an optional sign, then
    /// `NaN`, `Infinity`, or digits with an optional fraction and exponent and an optional
    /// `f`/`d` suffix (hexadecimal floats are not produced by the grok patterns; refused).
    private static func javaDouble(_ text: String) -> Double? {
        var s = Substring(text.unicodeScalars.drop { $0.value <= 0x20 }.reversed().drop { $0.value <= 0x20 }.reversed()
            .map(Character.init))
        var sign = ""
        if let first = s.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            s = s.dropFirst()
        }
        if s == "NaN" { return .nan }
        if s == "Infinity" { return sign == "-" ? -.infinity : .infinity }
        if let last = s.last, "fFdD".contains(last) { s = s.dropLast() }
        var sawDigit = false, i = s.startIndex
        while i < s.endIndex, s[i].isASCII, s[i].isNumber { sawDigit = true; i = s.index(after: i) }
        if i < s.endIndex, s[i] == "." {
            i = s.index(after: i)
            while i < s.endIndex, s[i].isASCII, s[i].isNumber { sawDigit = true; i = s.index(after: i) }
        }
        guard sawDigit else { return nil }
        if i < s.endIndex, s[i] == "e" || s[i] == "E" {
            i = s.index(after: i)
            if i < s.endIndex, s[i] == "+" || s[i] == "-" { i = s.index(after: i) }
            let exponentStart = i
            while i < s.endIndex, s[i].isASCII, s[i].isNumber { i = s.index(after: i) }
            guard i > exponentStart else { return nil }
        }
        guard i == s.endIndex else { return nil }
        return Double(sign + s)
    }
}

/// `GROK input "p1", "p2"...`: the first pattern that matches gives its columns; every pattern's
/// columns are columns of the result (by name), null where the matching pattern lacks them.
public struct GrokAlternatives: Sendable, Hashable {
    public let patterns: [GrokPattern]
    /// The union of the patterns' columns, by name.
    public let columns: [String]

    public init(_ texts: [String]) throws(RegexError) {
        var patterns: [GrokPattern] = []
        for text in texts { patterns.append(try GrokPattern(text)) }
        self.patterns = patterns
        columns = Array(Set(patterns.flatMap { $0.columns.map(\.name) })).sorted()
    }

    public func match(_ input: [UInt8]) -> [Value]? {
        for pattern in patterns {
            guard let values = pattern.match(input) else { continue }
            var row = [Value](repeating: .null, count: columns.count)
            for (column, value) in zip(pattern.columns, values) {
                if let at = columns.firstIndex(of: column.name) { row[at] = value }
            }
            return row
        }
        return nil
    }
}
