// ES|QL's `DISSECT input "pattern" [APPEND_SEPARATOR="sep"]`, with the semantics of
// Elasticsearch's dissect library (libs/dissect): the pattern is keys `%{...}` and the literal
// delimiters between them; the input is walked left to right, each key taking the text up to
// the next occurrence of its delimiter. Modifiers: `%{}` and `%{?name}` skip, `%{+name}` and
// `%{+name/n}` append (joined by the separator, in `/n` order), `%{name->}` skips repeated
// delimiters after the key. ES|QL refuses reference keys (`%{*name}`, `%{&name}`).

public struct DissectPattern: Sendable, Hashable {
    public let pattern: String
    public let appendSeparator: String
    /// Output columns: every key that is not a skip, in order of first appearance.
    public let columns: [String]

    enum Modifier: Hashable, Sendable {
        case none, append, appendWithOrder, fieldName, fieldValue, namedSkip
    }

    struct Key: Hashable, Sendable {
        var name: String
        var modifier: Modifier
        var skip: Bool
        var skipRightPadding: Bool
        var appendPosition = 0
    }

    struct Pair: Hashable, Sendable {
        var key: Key
        var delimiter: [UInt8]
    }

    private let leadingDelimiter: [UInt8]
    private let pairs: [Pair]
    /// Distinct names of the keys that are not skipped (a match must fill them all).
    private let resultCount: Int

    public init(_ pattern: String, appendSeparator: String = "") throws(RegexError) {
        self.pattern = pattern
        self.appendSeparator = appendSeparator
        let invalid = RegexError(message: "Invalid pattern for dissect: [\(pattern)]", offset: 0)
        let text = Array(pattern.unicodeScalars)

        // Leading text: Java's `^(.*?)%\{` (without DOTALL: not across a line terminator).
        var leading: [Unicode.Scalar] = []
        if let first = Self.find(text, from: 0, closed: false),
           !text[..<first].contains(where: { CaptureCharClasses.isLineTerminator($0.value) }) {
            leading = Array(text[..<first])
        }
        // Pairs: Java's `%\{([^}]*?)}(.+?(?=%\{)|.*$)` (DOTALL), found one after another.
        var pairs: [Pair] = []
        var i = leading.count
        while let open = Self.find(text, from: i, closed: true) {
            guard let close = text[(open + 2)...].firstIndex(of: "}") else { break }
            let key = try Self.key(String(String.UnicodeScalarView(text[(open + 2)..<close])), invalid)
            var end = text.count
            if close + 1 < text.count, let next = Self.find(text, from: close + 2, closed: false) { end = next }
            pairs.append(Pair(key: key, delimiter: Array(String(String.UnicodeScalarView(text[(close + 1)..<end])).utf8)))
            i = end
        }
        let names = pairs.filter { !$0.key.skip }.map(\.key.name)
        var distinct: [String] = []
        for name in names where !distinct.contains(name) { distinct.append(name) }
        guard !pairs.isEmpty, !distinct.isEmpty else { throw invalid }
        // A plain key sharing its name with an append key appends too.
        let appended = Set(pairs.filter { $0.key.modifier == .append || $0.key.modifier == .appendWithOrder }.map(\.key.name))
        for k in pairs.indices where pairs[k].key.modifier == .none && appended.contains(pairs[k].key.name) {
            pairs[k].key.modifier = .append
        }
        if let reference = pairs.first(where: { $0.key.modifier == .fieldName || $0.key.modifier == .fieldValue }) {
            throw RegexError(message: "Reference keys not supported in dissect patterns: [%{*\(reference.key.name)}]", offset: 0)
        }
        leadingDelimiter = Array(String(String.UnicodeScalarView(leading)).utf8)
        self.pairs = pairs
        resultCount = distinct.count
        columns = pairs.filter { $0.key.modifier != .namedSkip && !$0.key.skip }.map(\.key.name)
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// The index of the next `%{` at or after `from`; when `closed`, only one that a `}`
    /// follows (a key), as the key regex needs.
    private static func find(_ text: [Unicode.Scalar], from: Int, closed: Bool) -> Int? {
        var i = from
        while i + 1 < text.count {
            if text[i] == "%" && text[i + 1] == "{" { return !closed || text[(i + 2)...].contains("}") ? i : nil }
            i += 1
        }
        return nil
    }

    /// A key's name and modifiers, as Elasticsearch's DissectKey parses them: the modifier is
    /// any of `+ * & ? /` anywhere in the key (two only as `+` then `/`).
    private static func key(_ raw: String, _ invalid: RegexError) throws(RegexError) -> Key {
        var modifier = Modifier.none
        var count = 0
        for c in raw {
            let found: Modifier
            switch c {
            case "/": found = .appendWithOrder
            case "+": found = .append
            case "*": found = .fieldName
            case "&": found = .fieldValue
            case "?": found = .namedSkip
            default: continue
            }
            count += 1
            if count > 1 && !(modifier == .append && found == .appendWithOrder) { throw invalid }
            modifier = found
        }
        var body = Substring(raw)
        let padding = body.hasSuffix("->")
        if padding { body = body.dropLast(2) }
        switch modifier {
        case .none:
            return Key(name: String(body), modifier: .none, skip: body.isEmpty, skipRightPadding: padding)
        case .appendWithOrder:
            // `+name/digits`
            guard let plus = body.firstIndex(of: "+"), let slash = body.lastIndex(of: "/"), plus < slash else { throw invalid }
            let digits = body[body.index(after: slash)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let order = Int16(digits) else { throw invalid }
            let name = String(body[body.index(after: plus)..<slash])
            guard !name.isEmpty else { throw invalid }
            return Key(name: name, modifier: modifier, skip: false, skipRightPadding: padding, appendPosition: Int(order))
        default:
            // The name follows the first modifier character.
            guard let at = body.firstIndex(where: { "+*&?".contains($0) }) else { throw invalid }
            let name = String(body[body.index(after: at)...])
            let skip = modifier == .namedSkip
            if name.isEmpty && !skip { throw invalid }
            return Key(name: name, modifier: modifier, skip: skip, skipRightPadding: padding)
        }
    }

    /// Each column's value (`.keyword`), or nil when the input does not match the pattern.
    public func match(_ input: [UInt8]) -> [Value]? {
        guard input.count > leadingDelimiter.count, input.starts(with: leadingDelimiter) else { return nil }
        var simple: [String: [UInt8]] = [:]
        var appended: [String: [(order: Int, value: [UInt8])]] = [:]
        var implicitOrder = -1000
        var matches = 0
        func add(_ key: Key, _ value: ArraySlice<UInt8>) {
            matches += 1
            if key.skip { return }
            switch key.modifier {
            case .append:
                appended[key.name, default: []].append((implicitOrder, Array(value)))
                implicitOrder += 1
            case .appendWithOrder:
                appended[key.name, default: []].append((key.appendPosition, Array(value)))
            default:
                simple[key.name] = Array(value)
            }
        }
        func delimiterAt(_ delimiter: [UInt8], _ i: Int) -> Bool {
            !delimiter.isEmpty && i + delimiter.count <= input.count && input[i..<(i + delimiter.count)].elementsEqual(delimiter)
        }

        var index = 0
        var key = pairs[0].key
        var delimiter = pairs[0].delimiter
        var i = leadingDelimiter.count
        var valueStart = i
        walk: while i < input.count {
            guard delimiterAt(delimiter, i) else { i += 1; continue }
            add(key, input[valueStart..<i])
            i += delimiter.count
            // Consecutive delimiters: empty values for the next keys, or skipped with `->`.
            while i < input.count && delimiterAt(delimiter, i) {
                i += delimiter.count
                if !key.skipRightPadding {
                    guard index + 1 < pairs.count else { break walk }
                    index += 1
                    key = pairs[index].key
                    add(key, [])
                }
            }
            guard index + 1 < pairs.count else { break }
            index += 1
            key = pairs[index].key
            delimiter = pairs[index].delimiter
            valueStart = i
        }
        // The last key takes the rest, when it has no delimiter of its own.
        if matches != pairs.count && delimiter.isEmpty {
            add(key, input[valueStart...])
        }
        var results = simple
        for (name, values) in appended {
            let sorted = values.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }
            results[name] = Array(sorted.map(\.element.value).joined(separator: Array(appendSeparator.utf8)))
        }
        guard matches == pairs.count, results.count == resultCount else { return nil }
        return columns.map { results[$0].map(Value.keyword) ?? .null }
    }

    public static func == (a: DissectPattern, b: DissectPattern) -> Bool {
        a.pattern == b.pattern && a.appendSeparator == b.appendSeparator
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(appendSeparator)
    }
}
