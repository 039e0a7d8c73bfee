/// Reads KQL text into a `KQLQuery`.
///
/// The grammar is Kibana's (`kbn-es-query/src/kuery/grammar/grammar.peggy`), read character by
/// character as its PEG reads it, since KQL's words are not tokens: an unquoted value runs on
/// over spaces (`process.name: foo bar` is the one value `foo bar`) and stops only before a
/// special character (`( ) : < > " { }`), the end, or whitespace followed by `and`, `or` or `not`
/// and whitespace. So `and`/`or` join queries only with whitespace around them; `a:b and` at the
/// very end is the value `b and`, as in Kibana and Elasticsearch, while `a:b and ` is a dangling
/// `and`. A `\` in an unquoted value must escape one of `\ ( ) : < > " * { }`, a space, a keyword
/// (`\and`, `\or`, `\not`), or be `\t`, `\n`, `\r`, `\uXXXX`; inside quotes only `\"`, `\\`,
/// `\t`, `\n`, `\r` and `\uXXXX` are escapes and any other backslash is kept.
///
/// Where Kibana refuses text that Elasticsearch's KQL (which runs ES|QL's `KQL()`) accepts, the
/// parser accepts it as Elasticsearch does: `not(...)`, `not not x`, `x:not y`, a connective
/// right after `)`, `}` or `"` or right before `(` or `"` (`(a)and(b)`), an escaped space `\ `,
/// and `\not` read as the word `not` (Kibana's grammar tries `\n` first). Text both refuse is an
/// error with its line and column. Nesting past `TokenCursor.maxDepth` levels is an error too.
public struct KQLParser {
    /// How `and` and `or` group when mixed without parentheses.
    public enum Dialect: Sendable, Hashable {
        /// Kibana's: `not` binds tightest, then `and`, then `or` (`a or b and c` is
        /// `a or (b and c)`), in queries and in value lists alike.
        case kibana
        /// Elasticsearch's KQL plugin (`KqlBase.g4`): `and` and `or` bind alike, to the right
        /// between queries (`a and b or c` is `a and (b or c)`) and to the left in a value list
        /// (`f:(a or b and c)` is `f:((a or b) and c)`).
        case elasticsearch
    }

    /// Parses `text`. `origin` is where the text's first character sits in the enclosing query
    /// (the ES|QL string literal's content), so errors and nodes point into the rule; columns
    /// after an escape in a single-quoted ES|QL string are then approximate.
    public static func parse(
        _ text: String, origin: SourceLocation = SourceLocation(line: 1, column: 1), dialect: Dialect = .kibana
    ) throws(QueryError) -> KQLQuery {
        var parser = KQLParser(text, origin: origin, dialect: dialect)
        return try parser.parseTop()
    }

    private enum Connective: String { case and, or }
    private enum Keyword { case and, or, not }
    private enum Grouping { case precedence, right, left }

    private let chars: [Unicode.Scalar]
    private let lineStarts: [Int]
    private let origin: SourceLocation
    private let dialect: Dialect
    private var at = 0
    private var depth = 0

    private init(_ text: String, origin: SourceLocation, dialect: Dialect) {
        chars = Array(text.unicodeScalars)
        var starts = [0]
        for (i, c) in chars.enumerated() where c == "\n" { starts.append(i + 1) }
        lineStarts = starts
        self.origin = origin
        self.dialect = dialect
    }

    // MARK: Queries

    private mutating func parseTop() throws(QueryError) -> KQLQuery {
        skipSpaces()
        if at == chars.count { return .matchAll(at: location(at)) }
        let query = try parseOrQuery(context: "")
        skipSpaces()
        guard at == chars.count else { throw leftover(expecting: "'and', 'or' or end of query") }
        return query
    }

    /// `q (and|or q)*`, grouped by the dialect.
    private mutating func parseOrQuery(context: String) throws(QueryError) -> KQLQuery {
        var operands = [try parseNotQuery(context: context)]
        var connectives: [Connective] = []
        while let connective = acceptConnective() {
            connectives.append(connective)
            operands.append(try parseNotQuery(context: " after '\(connective.rawValue)'"))
        }
        return fold(operands, connectives, dialect == .kibana ? .precedence : .right)
    }

    private mutating func parseNotQuery(context: String) throws(QueryError) -> KQLQuery {
        if let notAt = acceptNot() {
            try enter(at: notAt)
            defer { leave() }
            return .not(try parseNotQuery(context: " after 'not'"), at: notAt)
        }
        if peek == "(" { return try bracketed(closing: ")") }
        return try parseExpression(context: context)
    }

    /// The query inside `( )` or `{ }`, the cursor on the opening bracket.
    private mutating func bracketed(closing: Unicode.Scalar) throws(QueryError) -> KQLQuery {
        let open = location(at)
        let opening = chars[at]
        try enter(at: open)
        defer { leave() }
        at += 1
        skipSpaces()
        let inner = try parseOrQuery(context: " after '\(opening)'")
        skipSpaces()
        try close(closing, openedAt: open)
        return inner
    }

    /// A field's test (`f:v`, `f:(list)`, `f:*`, `f < v`, `f:{ q }`) or free text.
    private mutating func parseExpression(context: String) throws(QueryError) -> KQLQuery {
        guard let literal = try parseLiteral() else { throw expected("a query" + context) }
        var next = at
        while next < chars.count, Self.isSpace(chars[next]) { next += 1 }
        if next < chars.count {
            switch chars[next] {
            case ":":
                let field = Self.field(literal)
                at = next + 1
                skipSpaces()
                if peek == "{" { return .nested(field, try bracketed(closing: "}")) }
                return try parseValues(of: field, context: " after ':'")
            case "<", ">":
                let field = Self.field(literal)
                let isLess = chars[next] == "<"
                at = next + 1
                var op: KQLRangeOperator = isLess ? .less : .greater
                if peek == "=" {
                    at += 1
                    op = isLess ? .lessOrEqual : .greaterOrEqual
                }
                skipSpaces()
                guard let value = try parseLiteral() else { throw expected("a value after '\(op.rawValue)'") }
                return .range(field, op, value)
            default:
                break
            }
        }
        return literal.isLoneWildcard ? .matchAll(at: literal.location) : .freeText(literal)
    }

    // MARK: Values of a field

    /// After `field:`: a value, `not` values, or a parenthesized list joined by `and`/`or`.
    private mutating func parseValues(of field: KQLField, context: String) throws(QueryError) -> KQLQuery {
        if let notAt = acceptNot() {
            try enter(at: notAt)
            defer { leave() }
            return .not(try parseValues(of: field, context: " after 'not'"), at: notAt)
        }
        if peek == "(" {
            let open = location(at)
            try enter(at: open)
            defer { leave() }
            at += 1
            skipSpaces()
            var operands = [try parseValues(of: field, context: " after '('")]
            var connectives: [Connective] = []
            while let connective = acceptConnective() {
                connectives.append(connective)
                operands.append(try parseValues(of: field, context: " after '\(connective.rawValue)'"))
            }
            skipSpaces()
            try close(")", openedAt: open)
            return fold(operands, connectives, dialect == .kibana ? .precedence : .left)
        }
        guard let value = try parseLiteral() else { throw expected("a value" + context) }
        if value.isLoneWildcard {
            return field.isPattern && field.name == "*" ? .matchAll(at: field.location) : .exists(field)
        }
        return .match(field, value)
    }

    private static func field(_ literal: KQLValue) -> KQLField {
        KQLField(literal.text, isPattern: !literal.quoted && literal.hasWildcards, quoted: literal.quoted, at: literal.location)
    }

    private func fold(_ operands: [KQLQuery], _ connectives: [Connective], _ grouping: Grouping) -> KQLQuery {
        func join(_ connective: Connective, _ parts: [KQLQuery]) -> KQLQuery {
            connective == .and ? .and(parts) : .or(parts)
        }
        switch grouping {
        case .precedence:
            var groups: [[KQLQuery]] = [[operands[0]]]
            for (i, connective) in connectives.enumerated() {
                if connective == .or { groups.append([operands[i + 1]]) } else { groups[groups.count - 1].append(operands[i + 1]) }
            }
            let conjunctions = groups.map { $0.count == 1 ? $0[0] : .and($0) }
            return conjunctions.count == 1 ? conjunctions[0] : .or(conjunctions)
        case .right:
            // Elasticsearch flattens a chain of one connective into one bool query; a
            // parenthesized operand stays a clause of its own.
            var result = operands[operands.count - 1]
            var folded: Connective?
            for i in stride(from: connectives.count - 1, through: 0, by: -1) {
                let connective = connectives[i]
                if folded == connective, case .and(let parts) = result { result = .and([operands[i]] + parts) }
                else if folded == connective, case .or(let parts) = result { result = .or([operands[i]] + parts) }
                else { result = join(connective, [operands[i], result]) }
                folded = connective
            }
            return result
        case .left:
            var result = operands[0]
            var folded: Connective?
            for (i, connective) in connectives.enumerated() {
                if folded == connective, case .and(let parts) = result { result = .and(parts + [operands[i + 1]]) }
                else if folded == connective, case .or(let parts) = result { result = .or(parts + [operands[i + 1]]) }
                else { result = join(connective, [result, operands[i + 1]]) }
                folded = connective
            }
            return result
        }
    }

    // MARK: Keywords

    private var peek: Unicode.Scalar? { at < chars.count ? chars[at] : nil }

    private mutating func skipSpaces() {
        while at < chars.count, Self.isSpace(chars[at]) { at += 1 }
    }

    /// `and`, `or` or `not` (any case) at `index`, followed by whitespace, `(` or `"`.
    private func keyword(at index: Int) -> Keyword? {
        for (word, keyword) in [("and", Keyword.and), ("or", .or), ("not", .not)] where matchesWord(word, at: index) {
            let end = index + word.unicodeScalars.count
            guard end < chars.count else { return nil }
            let next = chars[end]
            return Self.isSpace(next) || next == "(" || next == "\"" ? keyword : nil
        }
        return nil
    }

    private func matchesWord(_ word: String, at index: Int) -> Bool {
        var i = index
        for letter in word.unicodeScalars {
            guard i < chars.count, chars[i].isASCII, chars[i].value | 0x20 == letter.value else { return false }
            i += 1
        }
        return true
    }

    /// ` and ` / ` or ` after an operand: whitespace before it (or the operand's closing `)`,
    /// `}` or `"`), and whitespace or `(` or `"` after it.
    private mutating func acceptConnective() -> Connective? {
        var i = at
        while i < chars.count, Self.isSpace(chars[i]) { i += 1 }
        let separated = i > at || (at > 0 && [")", "}", "\""].contains(chars[at - 1]))
        guard separated, let keyword = keyword(at: i), keyword != .not else { return nil }
        at = i + (keyword == .and ? 3 : 2)
        skipSpaces()
        return keyword == .and ? .and : .or
    }

    private mutating func acceptNot() -> SourceLocation? {
        guard keyword(at: at) == .not else { return nil }
        let notAt = location(at)
        at += 3
        skipSpaces()
        return notAt
    }

    // MARK: Literals

    private mutating func parseLiteral() throws(QueryError) -> KQLValue? {
        guard let first = peek else { return nil }
        return first == "\"" ? try parseQuoted() : try parseUnquoted()
    }

    private mutating func parseQuoted() throws(QueryError) -> KQLValue {
        let start = location(at)
        at += 1
        var text = String.UnicodeScalarView()
        while at < chars.count {
            let c = chars[at]
            if c == "\"" {
                at += 1
                return .quoted(String(text), at: start)
            }
            if c == "\\", at + 1 < chars.count {
                switch chars[at + 1] {
                case "t": text.append("\t"); at += 2; continue
                case "n": text.append("\n"); at += 2; continue
                case "r": text.append("\r"); at += 2; continue
                case "\"", "\\": text.append(chars[at + 1]); at += 2; continue
                case "u":
                    // Not four hex digits: Kibana keeps the backslash as it is.
                    if let escape = try unicodeEscape(at: at) {
                        text.append(escape.scalar)
                        at += escape.length
                        continue
                    }
                default: break
                }
            }
            text.append(c)
            at += 1
        }
        throw QueryError(.syntax, "unterminated quoted string", at: start)
    }

    private mutating func parseUnquoted() throws(QueryError) -> KQLValue? {
        let start = location(at)
        // `not ` starts a negation (Kibana's keyword rule applies at any character).
        if keyword(at: at) == .not { return nil }
        var pieces: [KQLValue.Piece] = []
        var text = String.UnicodeScalarView()
        func flush() {
            if !text.isEmpty { pieces.append(.text(String(text))); text.removeAll() }
        }
        while at < chars.count {
            let c = chars[at]
            if c == "\\" {
                guard at + 1 < chars.count else {
                    throw QueryError(.syntax, "'\\' at the end of the query escapes nothing", at: location(at))
                }
                let escaped = chars[at + 1]
                if let word = ["and", "or", "not"].first(where: { matchesWord($0, at: at + 1) }) {
                    let length = word.unicodeScalars.count
                    text.append(contentsOf: chars[(at + 1)..<(at + 1 + length)])
                    at += 1 + length
                    continue
                }
                switch escaped {
                case "t": text.append("\t"); at += 2
                case "n": text.append("\n"); at += 2
                case "r": text.append("\r"); at += 2
                case "u":
                    guard let escape = try unicodeEscape(at: at) else {
                        throw QueryError(.syntax, "invalid unicode escape: '\\u' takes four hex digits", at: location(at))
                    }
                    text.append(escape.scalar)
                    at += escape.length
                default:
                    guard Self.isEscapable(escaped) else {
                        throw QueryError(
                            .syntax,
                            "invalid escape '\\\(escaped)' in an unquoted value: escape only \\ ( ) : < > \" * { }, a space or "
                                + "a keyword, or quote the value",
                            at: location(at))
                    }
                    text.append(escaped)
                    at += 2
                }
                continue
            }
            if c == "*" {
                flush()
                pieces.append(.wildcard)
                at += 1
                continue
            }
            if Self.isStop(c) { break }
            if Self.isSpace(c) {
                // Spaces belong to the value only if more of it follows.
                var next = at
                while next < chars.count, Self.isSpace(chars[next]) { next += 1 }
                if next == chars.count || Self.isStop(chars[next]) || keyword(at: next) != nil { break }
                text.append(contentsOf: chars[at..<next])
                at = next
                continue
            }
            text.append(c)
            at += 1
        }
        flush()
        return pieces.isEmpty ? nil : KQLValue(pieces, quoted: false, at: start)
    }

    /// `\uXXXX` at `index` (the backslash): the scalar and the escape's length, nil if the four
    /// hex digits are not there. A surrogate pair written as two escapes is one scalar.
    private func unicodeEscape(at index: Int) throws(QueryError) -> (scalar: Unicode.Scalar, length: Int)? {
        func hex(_ from: Int) -> UInt32? {
            guard from + 4 <= chars.count else { return nil }
            var value: UInt32 = 0
            for c in chars[from..<(from + 4)] {
                let digit: UInt32
                switch c.value {
                case 0x30...0x39: digit = c.value - 0x30
                case 0x41...0x46, 0x61...0x66: digit = (c.value | 0x20) - 0x61 + 10
                default: return nil
                }
                value = value * 16 + digit
            }
            return value
        }
        guard let high = hex(index + 2) else { return nil }
        if let scalar = Unicode.Scalar(high) { return (scalar, 6) }
        if (0xD800...0xDBFF).contains(high), index + 7 < chars.count, chars[index + 6] == "\\", chars[index + 7] == "u",
           let low = hex(index + 8), (0xDC00...0xDFFF).contains(low),
           let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) {
            return (scalar, 12)
        }
        throw QueryError(.syntax, "invalid unicode escape: a lone surrogate", at: location(index))
    }

    // MARK: Characters and errors

    /// KQL's whitespace: Kibana's (with the no-break space) and Elasticsearch's ideographic space.
    private static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\u{A0}" || c == "\u{3000}"
    }

    /// Characters that end an unquoted value.
    private static func isStop(_ c: Unicode.Scalar) -> Bool {
        c == "(" || c == ")" || c == ":" || c == "<" || c == ">" || c == "\"" || c == "{" || c == "}"
    }

    private static func isEscapable(_ c: Unicode.Scalar) -> Bool {
        isStop(c) || c == "\\" || c == "*" || c == " "
    }

    /// Called at each `(`, `{` and `not`, with `leave` deferred: hostile text (50,000
    /// parentheses) must be an error, not a stack overflow.
    private mutating func enter(at place: SourceLocation) throws(QueryError) {
        depth += 1
        guard depth <= TokenCursor.maxDepth else {
            throw QueryError(.syntax, "query nested deeper than \(TokenCursor.maxDepth) levels", at: place)
        }
    }

    private mutating func leave() { depth -= 1 }

    private mutating func close(_ bracket: Unicode.Scalar, openedAt open: SourceLocation) throws(QueryError) {
        guard peek == bracket else {
            let opening = bracket == ")" ? "(" : "{"
            throw expected("'\(bracket)' to close the '\(opening)' at \(open)", hint: true)
        }
        at += 1
    }

    private func location(_ index: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= index { low = middle } else { high = middle - 1 }
        }
        let column = index - lineStarts[low] + 1
        if low == 0 { return SourceLocation(line: origin.line, column: origin.column + column - 1) }
        return SourceLocation(line: origin.line + low, column: column)
    }

    private var found: String {
        guard at < chars.count else { return "end of query" }
        let c = chars[at]
        if Self.isStop(c) || c == "\\" || c == "*" { return "'\(Character(c))'" }
        var end = at
        while end < chars.count, end - at < 24, !Self.isSpace(chars[end]), !Self.isStop(chars[end]) { end += 1 }
        return "'\(String(String.UnicodeScalarView(chars[at..<end])))'"
    }

    /// `hint`: after a complete operand, where a value that ran on is the likely cause.
    private func expected(_ what: String, hint: Bool = false) -> QueryError {
        var message = "expected \(what), found \(found)"
        if hint, peek == ":" {
            message += " (an unquoted value runs on over spaces: quote it, or escape the ':' as '\\:')"
        } else if hint, keyword(at: at) == .not {
            message += " (to match the word, quote the value or escape it as '\\not')"
        }
        return QueryError(.syntax, message, at: location(at))
    }

    private func leftover(expecting what: String) -> QueryError {
        switch peek {
        case ")"?: QueryError(.syntax, "unmatched ')'", at: location(at))
        case "}"?: QueryError(.syntax, "unmatched '}'", at: location(at))
        default: expected(what, hint: true)
        }
    }
}
