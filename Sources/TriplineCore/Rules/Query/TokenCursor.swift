/// Walks a token list for the recursive-descent parsers.
struct TokenCursor {
    let tokens: [QueryToken]
    var index = 0
    /// How deep the parser has recursed: hostile text (50,000 parentheses) must be an error,
    /// not a stack overflow.
    private(set) var depth = 0
    static let maxDepth = 100

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

    /// Called on each recursion of an expression parser, with `leave` deferred.
    mutating func enter() throws(QueryError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw QueryError(.syntax, "expression nested deeper than \(Self.maxDepth) levels", at: current.location)
        }
    }

    mutating func leave() { depth -= 1 }

    /// Arithmetic chains nest to the left (`a - b - c`): each link counts as a level.
    mutating func checkChain(_ expression: Expression) throws(QueryError) {
        var links = 0
        var node = expression
        while case .arithmetic(let lhs, _, _, _) = node { links += 1; node = lhs }
        guard depth + links <= Self.maxDepth * 10 else {
            throw QueryError(.syntax, "arithmetic chain longer than \(Self.maxDepth * 10) operands", at: current.location)
        }
    }

    func unexpected(expecting what: String) -> QueryError {
        let found = current.kind == .end ? "end of query" : "'\(current.text)'"
        return QueryError(.syntax, "expected \(what), found \(found)", at: current.location)
    }
}
