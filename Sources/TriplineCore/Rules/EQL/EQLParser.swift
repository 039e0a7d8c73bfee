/// Reads EQL text into an `EQLQuery`, following Elasticsearch's EQL grammar.
public struct EQLParser {
    private var cursor: TokenCursor

    public static func parse(_ text: String) throws(QueryError) -> EQLQuery {
        var parser = EQLParser(cursor: TokenCursor(try QueryLexer.tokenize(text)))
        return try parser.query()
    }

    private static let reserved: Set<String> = [
        "and", "or", "not", "in", "like", "regex", "where", "sequence", "sample", "by", "with",
        "until", "true", "false", "null", "of", "join",
    ]

    private mutating func query() throws(QueryError) -> EQLQuery {
        let body: EQLQuery.Body
        if cursor.accept(keyword: "sequence") {
            body = .sequence(try sequence())
        } else if cursor.accept(keyword: "sample") {
            body = .sample(try sample())
        } else if cursor.current.isKeyword("join") {
            throw QueryError(.unsupported, "join queries are not supported", at: cursor.current.location)
        } else {
            body = .event(try eventQuery())
        }
        var pipes: [EQLPipe] = []
        while cursor.accept(symbol: "|") {
            let nameToken = cursor.advance()
            guard nameToken.kind == .identifier else { throw QueryError(.syntax, "expected a pipe name", at: nameToken.location) }
            var arguments: [Expression] = []
            while !cursor.atEnd && !cursor.current.isSymbol("|") {
                arguments.append(try expression())
                _ = cursor.accept(symbol: ",")
            }
            pipes.append(EQLPipe(name: nameToken.text.lowercased(), arguments: arguments, location: nameToken.location))
        }
        guard cursor.atEnd else { throw cursor.unexpected(expecting: "end of query") }
        return EQLQuery(body: body, pipes: pipes)
    }

    private mutating func eventQuery() throws(QueryError) -> EQLEventQuery {
        let start = cursor.current
        let category: String?
        switch start.kind {
        case .identifier where !Self.reserved.contains(start.text.lowercased()), .string, .quotedIdentifier:
            _ = cursor.advance()
            category = start.text.lowercased() == "any" && start.kind == .identifier ? nil : start.text
        default:
            throw cursor.unexpected(expecting: "an event category")
        }
        try cursor.expect(keyword: "where")
        let condition = try expression()
        return EQLEventQuery(category: category, condition: condition, location: start.location)
    }

    private mutating func sequence() throws(QueryError) -> EQLSequence {
        let location = cursor.tokens[cursor.index - 1].location
        var by: [Expression] = []
        var maxspan: EQLTimeSpan?
        // `by` and `with maxspan=` may come in either order.
        for _ in 0..<2 {
            if cursor.accept(keyword: "by") { by = try fieldList() }
            if cursor.current.isKeyword("with"), cursor.peek().isKeyword("maxspan") {
                _ = cursor.advance(); _ = cursor.advance()
                try cursor.expect(symbol: "=", "'='")
                maxspan = try timeSpan()
            }
        }
        var steps: [EQLSequenceStep] = []
        var until: EQLSequenceStep?
        while cursor.current.isSymbol("[") || (cursor.current.isSymbol("!") && cursor.peek().isSymbol("[")) {
            let missing = cursor.accept(symbol: "!")
            var step = try sequenceStep()
            step.missing = missing
            steps.append(step)
        }
        if cursor.accept(keyword: "until") {
            until = try sequenceStep()
        }
        guard !steps.isEmpty else { throw cursor.unexpected(expecting: "'[' starting a sequence step") }
        return EQLSequence(by: by, maxspan: maxspan, steps: steps, until: until, location: location)
    }

    private mutating func sample() throws(QueryError) -> EQLSample {
        let location = cursor.tokens[cursor.index - 1].location
        var by: [Expression] = []
        if cursor.accept(keyword: "by") { by = try fieldList() }
        var steps: [EQLSequenceStep] = []
        while cursor.current.isSymbol("[") { steps.append(try sequenceStep()) }
        guard !steps.isEmpty else { throw cursor.unexpected(expecting: "'[' starting a sample step") }
        return EQLSample(by: by, steps: steps, location: location)
    }

    private mutating func sequenceStep() throws(QueryError) -> EQLSequenceStep {
        try cursor.expect(symbol: "[", "'['")
        let query = try eventQuery()
        try cursor.expect(symbol: "]", "']'")
        var by: [Expression] = []
        var runs: Int?
        if cursor.accept(keyword: "by") { by = try fieldList() }
        if cursor.current.isKeyword("with"), cursor.peek().isKeyword("runs") {
            _ = cursor.advance(); _ = cursor.advance()
            try cursor.expect(symbol: "=", "'='")
            let count = cursor.advance()
            guard count.kind == .integer, let value = Int(count.text) else { throw QueryError(.syntax, "expected a run count", at: count.location) }
            runs = value
        }
        return EQLSequenceStep(query: query, by: by, runs: runs)
    }

    private mutating func fieldList() throws(QueryError) -> [Expression] {
        var fields = [try additive()]
        while cursor.accept(symbol: ",") { fields.append(try additive()) }
        return fields
    }

    private mutating func timeSpan() throws(QueryError) -> EQLTimeSpan {
        let number = cursor.advance()
        guard number.kind == .integer, let value = Int64(number.text) else {
            throw QueryError(.syntax, "expected a time span such as 5m", at: number.location)
        }
        let unit = cursor.current.kind == .identifier ? cursor.advance().text.lowercased() : "ms"
        let factor: Int64
        switch unit {
        case "ms": factor = 1
        case "s": factor = 1000
        case "m": factor = 60_000
        case "h": factor = 3_600_000
        case "d": factor = 86_400_000
        default: throw QueryError(.syntax, "unknown time unit '\(unit)'", at: number.location)
        }
        let (milliseconds, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw QueryError(.syntax, "time span \(number.text)\(unit) is too long", at: number.location) }
        return EQLTimeSpan(milliseconds: milliseconds)
    }

    // MARK: Expressions (precedence: or < and < not < predicate < additive < multiplicative < unary)

    private mutating func expression() throws(QueryError) -> Expression {
        try cursor.enter()
        defer { cursor.leave() }
        var operands = [try conjunction()]
        while cursor.accept(keyword: "or") { operands.append(try conjunction()) }
        return Expression.balanced(operands[...]) { .or($0, $1) }
    }

    private mutating func conjunction() throws(QueryError) -> Expression {
        var operands = [try negation()]
        while cursor.accept(keyword: "and") { operands.append(try negation()) }
        return Expression.balanced(operands[...]) { .and($0, $1) }
    }

    private mutating func negation() throws(QueryError) -> Expression {
        let token = cursor.current
        if cursor.accept(keyword: "not") {
            try cursor.enter()
            defer { cursor.leave() }
            return .not(try negation(), at: token.location)
        }
        return try predicate()
    }

    private mutating func predicate() throws(QueryError) -> Expression {
        let lhs = try additive()
        let token = cursor.current
        if token.kind == .symbol, let op = Expression.Comparison(rawValue: token.text) {
            _ = cursor.advance()
            return .compare(lhs, op, try additive(), at: token.location)
        }
        if cursor.accept(symbol: ":") {
            return .insensitiveMatch(lhs, try valueOrList(), at: token.location)
        }
        if cursor.accept(symbol: "!:") {
            return .not(.insensitiveMatch(lhs, try valueOrList(), at: token.location), at: token.location)
        }
        var negated = false
        if token.isKeyword("not"), ["in", "like", "regex"].contains(where: { cursor.peek().isKeyword($0) }) {
            _ = cursor.advance()
            negated = true
        }
        let op = cursor.current
        if cursor.accept(keyword: "in") {
            let insensitive = cursor.accept(symbol: "~")
            try cursor.expect(symbol: "(", "'(' after in")
            let list = try expressionList(closing: ")")
            return .inList(lhs, list, caseInsensitive: insensitive, negated: negated, at: op.location)
        }
        if cursor.accept(keyword: "like") {
            let insensitive = cursor.accept(symbol: "~")
            return .like(lhs, try valueOrList(), caseInsensitive: insensitive, negated: negated, at: op.location)
        }
        if cursor.accept(keyword: "regex") {
            let insensitive = cursor.accept(symbol: "~")
            return .regex(lhs, try valueOrList(), caseInsensitive: insensitive, negated: negated, at: op.location)
        }
        return lhs
    }

    /// A field name continued by `.` and backquoted or plain parts: ``a.`0`.b`` is `a.0.b`.
    private mutating func dottedName(_ first: String) -> String {
        var name = first
        while cursor.current.isSymbol("."), [.identifier, .quotedIdentifier].contains(cursor.peek().kind) {
            _ = cursor.advance()
            name += "." + cursor.advance().text
        }
        return name
    }

    private mutating func valueOrList() throws(QueryError) -> [Expression] {
        if cursor.accept(symbol: "(") { return try expressionList(closing: ")") }
        return [try additive()]
    }

    private mutating func expressionList(closing: String) throws(QueryError) -> [Expression] {
        var items: [Expression] = []
        if cursor.accept(symbol: closing) { return items }
        repeat { items.append(try expression()) } while cursor.accept(symbol: ",")
        try cursor.expect(symbol: closing, "'\(closing)'")
        return items
    }

    private mutating func additive() throws(QueryError) -> Expression {
        var lhs = try multiplicative()
        while cursor.current.kind == .symbol, ["+", "-"].contains(cursor.current.text) {
            let op = cursor.advance()
            lhs = .arithmetic(lhs, Expression.Arithmetic(rawValue: op.text)!, try multiplicative(), at: op.location)
            try cursor.checkChain(lhs)
        }
        return lhs
    }

    private mutating func multiplicative() throws(QueryError) -> Expression {
        var lhs = try unary()
        while cursor.current.kind == .symbol, ["*", "/", "%"].contains(cursor.current.text) {
            let op = cursor.advance()
            lhs = .arithmetic(lhs, Expression.Arithmetic(rawValue: op.text)!, try unary(), at: op.location)
            try cursor.checkChain(lhs)
        }
        return lhs
    }

    private mutating func unary() throws(QueryError) -> Expression {
        let token = cursor.current
        if cursor.accept(symbol: "-") {
            try cursor.enter()
            defer { cursor.leave() }
            return .negate(try unary(), at: token.location)
        }
        return try primary()
    }

    private mutating func primary() throws(QueryError) -> Expression {
        let token = cursor.current
        switch token.kind {
        case .string:
            _ = cursor.advance()
            return .literal(.string(token.text), at: token.location)
        case .integer:
            _ = cursor.advance()
            guard let value = Int64(token.text) else { throw QueryError(.syntax, "integer out of range", at: token.location) }
            return .literal(.integer(value), at: token.location)
        case .decimal:
            _ = cursor.advance()
            return .literal(.decimal(Double(token.text) ?? 0), at: token.location)
        case .quotedIdentifier:
            _ = cursor.advance()
            return .field(dottedName(token.text), optional: false, at: token.location)
        case .symbol where token.text == "(":
            _ = cursor.advance()
            let inner = try expression()
            try cursor.expect(symbol: ")", "')'")
            return inner
        case .symbol where token.text == "?":
            _ = cursor.advance()
            let name = cursor.advance()
            guard name.kind == .identifier || name.kind == .quotedIdentifier else {
                throw QueryError(.syntax, "expected a field name after '?'", at: name.location)
            }
            return .field(dottedName(name.text), optional: true, at: token.location)
        case .identifier:
            let word = token.text.lowercased()
            if word == "true" || word == "false" {
                _ = cursor.advance()
                return .literal(.bool(word == "true"), at: token.location)
            }
            if word == "null" {
                _ = cursor.advance()
                return .literal(.null, at: token.location)
            }
            if Self.reserved.contains(word) { throw cursor.unexpected(expecting: "a value") }
            _ = cursor.advance()
            // A function call: name(args) or name~(args) for the case-insensitive variant.
            if cursor.current.isSymbol("(") || (cursor.current.isSymbol("~") && cursor.peek().isSymbol("(")) {
                let insensitive = cursor.accept(symbol: "~")
                _ = cursor.advance()
                let args = try expressionList(closing: ")")
                return .call(insensitive ? token.text + "~" : token.text, args, at: token.location)
            }
            return .field(dottedName(token.text), optional: false, at: token.location)
        default:
            throw cursor.unexpected(expecting: "a value")
        }
    }
}
