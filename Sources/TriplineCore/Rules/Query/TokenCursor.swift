/// Walks a token list for the recursive-descent parsers.
struct TokenCursor {
    let tokens: [QueryToken]
    var index = 0

    init(_ tokens: [QueryToken]) { self.tokens = tokens }

    var current: QueryToken { tokens[index] }
    var atEnd: Bool { current.kind == .end }

    func peek(_ ahead: Int = 1) -> QueryToken { tokens[min(index + ahead, tokens.count - 1)] }

    mutating func advance() -> QueryToken {
        let token = current
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    mutating func accept(keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        _ = advance()
        return true
    }

    mutating func accept(symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        _ = advance()
        return true
    }

    mutating func expect(symbol: String, _ what: String) throws(QueryError) {
        guard accept(symbol: symbol) else { throw unexpected(expecting: what) }
    }

    mutating func expect(keyword: String) throws(QueryError) {
        guard accept(keyword: keyword) else { throw unexpected(expecting: "'\(keyword)'") }
    }

    func unexpected(expecting what: String) -> QueryError {
        let found = current.kind == .end ? "end of query" : "'\(current.text)'"
        return QueryError(.syntax, "expected \(what), found \(found)", at: current.location)
    }
}
