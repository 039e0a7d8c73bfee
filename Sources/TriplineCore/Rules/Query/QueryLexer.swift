/// A token of EQL or ES|QL text.
public struct QueryToken: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case identifier      // a field or keyword; `text` holds it (backquotes removed)
        case quotedIdentifier
        case string          // `text` holds the decoded value
        case integer
        case decimal
        case symbol          // == != : !: < <= > >= ( ) [ ] { } , | ~ + - * / % . ? =
        case end
    }

    public var kind: Kind
    public var text: String
    public var location: SourceLocation
    /// Offset of the token's first character in the query text (in UTF-8 bytes).
    public var offset: Int
    /// Offset just past its last character.
    public var end: Int

    func isKeyword(_ word: String) -> Bool {
        kind == .identifier && text.lowercased() == word
    }

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}

/// Splits EQL and ES|QL text into tokens. Both languages share strings, numbers, comments and
/// operators closely enough for one lexer; each parser gives keywords their meaning.
public struct QueryLexer {
    public static func tokenize(_ text: String) throws(QueryError) -> [QueryToken] {
        let bytes = Array(text.utf8)
        var tokens: [QueryToken] = []
        var at = 0
        var line = 1
        var lineStart = 0

        // Columns count characters; counted on from the last location asked for, since tokens
        // come in order (counting from the line's start each time made a long query quadratic).
        var counted = (lineStart: 0, offset: 0, column: 1)
        func location(_ offset: Int) -> SourceLocation {
            if counted.lineStart != lineStart || offset < counted.offset { counted = (lineStart, lineStart, 1) }
            // UTF-8 continuation bytes start no character.
            for byte in bytes[counted.offset..<offset] where byte & 0xC0 != 0x80 { counted.column += 1 }
            counted.offset = offset
            return SourceLocation(line: line, column: counted.column)
        }

        while at < bytes.count {
            let byte = bytes[at]
            if byte == 0x0A { at += 1; line += 1; lineStart = at; continue }
            if byte == 0x20 || byte == 0x09 || byte == 0x0D { at += 1; continue }
            if byte == UInt8(ascii: "/"), at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: "/") {
                while at < bytes.count, bytes[at] != 0x0A { at += 1 }
                continue
            }
            if byte == UInt8(ascii: "/"), at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: "*") {
                let start = location(at)
                at += 2
                while at + 1 < bytes.count, !(bytes[at] == UInt8(ascii: "*") && bytes[at + 1] == UInt8(ascii: "/")) {
                    if bytes[at] == 0x0A { line += 1; lineStart = at + 1 }
                    at += 1
                }
                guard at + 1 < bytes.count else { throw QueryError(.syntax, "unterminated comment", at: start) }
                at += 2
                continue
            }
            let start = at
            let here = location(at)
            if byte == UInt8(ascii: "\"") {
                // Triple-quoted strings are raw: no escapes.
                if at + 2 < bytes.count, bytes[at + 1] == 0x22, bytes[at + 2] == 0x22 {
                    at += 3
                    let contentStart = at
                    while at + 2 < bytes.count, !(bytes[at] == 0x22 && bytes[at + 1] == 0x22 && bytes[at + 2] == 0x22) {
                        if bytes[at] == 0x0A { line += 1; lineStart = at + 1 }
                        at += 1
                    }
                    guard at + 2 < bytes.count else { throw QueryError(.syntax, "unterminated string", at: here) }
                    let content = String(decoding: bytes[contentStart..<at], as: UTF8.self)
                    at += 3
                    tokens.append(QueryToken(kind: .string, text: content, location: here, offset: start, end: at))
                    continue
                }
                at += 1
                var value: [UInt8] = []
                var closed = false
                while at < bytes.count {
                    let c = bytes[at]
                    if c == 0x22 { closed = true; at += 1; break }
                    if c == 0x0A { break }
                    if c == 0x5C {
                        guard at + 1 < bytes.count else { break }
                        let e = bytes[at + 1]
                        switch e {
                        case UInt8(ascii: "n"): value.append(0x0A)
                        case UInt8(ascii: "t"): value.append(0x09)
                        case UInt8(ascii: "r"): value.append(0x0D)
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "/"): value.append(e)
                        case UInt8(ascii: "u"):
                            // EQL writes \u{XXXX}; ES|QL writes \uXXXX.
                            var hexStart = at + 2
                            var hexEnd = hexStart
                            var braced = false
                            if hexStart < bytes.count, bytes[hexStart] == UInt8(ascii: "{") {
                                braced = true
                                hexStart += 1
                                hexEnd = hexStart
                                while hexEnd < bytes.count, bytes[hexEnd] != UInt8(ascii: "}") { hexEnd += 1 }
                            } else {
                                hexEnd = min(bytes.count, hexStart + 4)
                            }
                            guard let scalarValue = UInt32(String(decoding: bytes[hexStart..<hexEnd], as: UTF8.self), radix: 16),
                                  let scalar = Unicode.Scalar(scalarValue) else {
                                throw QueryError(.syntax, "invalid unicode escape", at: location(at))
                            }
                            value.append(contentsOf: Array(String(Character(scalar)).utf8))
                            at = braced ? hexEnd + 1 : hexEnd
                            continue
                        default:
                            throw QueryError(.syntax, "invalid escape sequence \\\(Character(Unicode.Scalar(e)))", at: location(at))
                        }
                        at += 2
                        continue
                    }
                    value.append(c)
                    at += 1
                }
                guard closed else { throw QueryError(.syntax, "unterminated string", at: here) }
                tokens.append(QueryToken(kind: .string, text: String(decoding: value, as: UTF8.self), location: here, offset: start, end: at))
                continue
            }
            if byte == UInt8(ascii: "`") {
                at += 1
                var name: [UInt8] = []
                var closed = false
                while at < bytes.count {
                    if bytes[at] == UInt8(ascii: "`") {
                        if at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: "`") { name.append(bytes[at]); at += 2; continue }
                        closed = true; at += 1; break
                    }
                    name.append(bytes[at]); at += 1
                }
                guard closed else { throw QueryError(.syntax, "unterminated quoted identifier", at: here) }
                tokens.append(QueryToken(kind: .quotedIdentifier, text: String(decoding: name, as: UTF8.self), location: here, offset: start, end: at))
                continue
            }
            if isDigit(byte) {
                while at < bytes.count, isDigit(bytes[at]) { at += 1 }
                var kind = QueryToken.Kind.integer
                if at + 1 < bytes.count, bytes[at] == UInt8(ascii: "."), isDigit(bytes[at + 1]) {
                    kind = .decimal
                    at += 1
                    while at < bytes.count, isDigit(bytes[at]) { at += 1 }
                }
                if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "e") {
                    var probe = at + 1
                    if probe < bytes.count, bytes[probe] == UInt8(ascii: "+") || bytes[probe] == UInt8(ascii: "-") { probe += 1 }
                    if probe < bytes.count, isDigit(bytes[probe]) {
                        kind = .decimal
                        at = probe
                        while at < bytes.count, isDigit(bytes[at]) { at += 1 }
                    }
                }
                tokens.append(QueryToken(kind: kind, text: String(decoding: bytes[start..<at], as: UTF8.self), location: here, offset: start, end: at))
                continue
            }
            if isIdentifierStart(byte) {
                while at < bytes.count, isIdentifierPart(bytes[at]) { at += 1 }
                // Dotted field names are one token; a trailing '.' is not part of it.
                while at > start + 1, bytes[at - 1] == UInt8(ascii: ".") { at -= 1 }
                tokens.append(QueryToken(kind: .identifier, text: String(decoding: bytes[start..<at], as: UTF8.self), location: here, offset: start, end: at))
                continue
            }
            let two = at + 1 < bytes.count ? String(decoding: bytes[at...(at + 1)], as: UTF8.self) : ""
            if ["==", "!=", "<=", ">=", "=~", ":=", "!:"].contains(two) {
                tokens.append(QueryToken(kind: .symbol, text: two, location: here, offset: start, end: start + 2))
                at += 2
                continue
            }
            let one = String(decoding: [byte], as: UTF8.self)
            // Braces only so that ES|QL's `COMPLETION ... WITH { ... }` reaches the parser, which names
            // the command it cannot run.
            if ":<>()[]{},|~+-*/%.?=!".contains(one) {
                tokens.append(QueryToken(kind: .symbol, text: one, location: here, offset: start, end: start + 1))
                at += 1
                continue
            }
            throw QueryError(.syntax, "unexpected character '\(String(decoding: [byte], as: UTF8.self))'", at: here)
        }
        tokens.append(QueryToken(kind: .end, text: "", location: location(at), offset: at, end: at))
        return tokens
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == UInt8(ascii: "_") || b == UInt8(ascii: "@") || b >= 0x80
    }
    static func isIdentifierPart(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || isDigit(b) || b == UInt8(ascii: ".")
    }
}
