/// Reads ES|QL text into an `ESQLQuery`, following Elasticsearch's ES|QL grammar.
public struct ESQLParser {
    private var cursor: TokenCursor
    private let text: [UInt8]

    public static func parse(_ text: String) throws(QueryError) -> ESQLQuery {
        var parser = ESQLParser(cursor: TokenCursor(try QueryLexer.tokenize(text)), text: Array(text.utf8))
        return try parser.query()
    }

    /// Commands Elasticsearch knows that this engine cannot run yet: reported, never ignored.
    private static let knownUnsupported: Set<String> = [
        "change_point", "rerank", "sample", "fuse", "rrf", "insist",
    ]

    /// Commands that need what a stream of events does not have: said so, so the rule is skipped
    /// and counted with a reason that does not promise them.
    private static let streamImpossible: [String: String] = [
        "completion": "COMPLETION calls an inference endpoint per row; a rule with it cannot run on a stream",
        "enrich": "ENRICH reads an enrich policy's index, which Tripline does not hold",
        "lookup": "LOOKUP JOIN reads a lookup index, which Tripline does not hold",
        "fork": "FORK runs branches over a whole result set; a rule with it cannot run on a stream",
    ]

    private mutating func query() throws(QueryError) -> ESQLQuery {
        let first = cursor.current
        let source: ESQLSource
        if cursor.accept(keyword: "row") {
            source = ESQLSource(indices: [], row: try assignments(), metadata: [], location: first.location)
        } else {
            guard cursor.accept(keyword: "from") else {
                if first.isKeyword("show") || first.isKeyword("ts") {
                    throw QueryError(.unsupported, "source command \(first.text.uppercased()) is not supported; queries read FROM indices or a ROW", at: first.location)
                }
                throw cursor.unexpected(expecting: "FROM or ROW")
            }
            source = try from(at: first.location)
        }
        var commands: [ESQLCommand] = []
        while cursor.accept(symbol: "|") {
            commands.append(try command())
        }
        guard cursor.atEnd else { throw cursor.unexpected(expecting: "'|' or end of query") }
        return ESQLQuery(source: source, commands: commands)
    }

    /// Index patterns are read from the tokens' raw text: they hold '-', '*' and ':', which the
    /// lexer splits them at.
    private mutating func from(at location: SourceLocation) throws(QueryError) -> ESQLSource {
        var scan = cursor.index
        while cursor.tokens[scan].kind != .end, !cursor.tokens[scan].isSymbol("|"), !cursor.tokens[scan].isKeyword("metadata") {
            scan += 1
        }
        // The tokens' own text, joined: a comment between them (`FROM logs-* // why`) is no pattern.
        var rawBytes: [UInt8] = []
        for index in cursor.index..<scan {
            let token = cursor.tokens[index]
            if index > cursor.index, cursor.tokens[index - 1].end < token.offset { rawBytes.append(0x20) }
            rawBytes += text[token.offset..<token.end]
        }
        let raw = String(decoding: rawBytes, as: UTF8.self)
        let indices = raw.split(separator: ",").map { $0.trimmingCharacters(in: " \t\r\n\"") }.filter { !$0.isEmpty }
        guard !indices.isEmpty else { throw cursor.unexpected(expecting: "an index pattern") }
        cursor.index = scan
        var metadata: [String] = []
        if cursor.accept(keyword: "metadata") {
            repeat {
                let field = cursor.advance()
                guard field.kind == .identifier else { throw QueryError(.syntax, "expected a metadata field", at: field.location) }
                metadata.append(field.text)
            } while cursor.accept(symbol: ",")
        }
        return ESQLSource(indices: indices, metadata: metadata, location: location)
    }

    private mutating func command() throws(QueryError) -> ESQLCommand {
        let token = cursor.advance()
        guard token.kind == .identifier else { throw QueryError(.syntax, "expected a command after '|'", at: token.location) }
        let word = token.text.lowercased()
        switch word {
        case "where":
            return .where(try expression(), at: token.location)
        case "keep":
            return .keep(try columnPatterns(), at: token.location)
        case "drop":
            return .drop(try columnPatterns(), at: token.location)
        case "eval":
            return .eval(try assignments(), at: token.location)
        case "limit":
            let count = cursor.advance()
            guard count.kind == .integer, let value = Int(count.text) else { throw QueryError(.syntax, "expected a row count", at: count.location) }
            return .limit(value, at: token.location)
        case "sort":
            var keys: [ESQLSortKey] = []
            repeat {
                let key = try expression()
                var ascending = true
                if cursor.accept(keyword: "desc") { ascending = false } else { _ = cursor.accept(keyword: "asc") }
                var nullsFirst: Bool?
                if cursor.accept(keyword: "nulls") {
                    if cursor.accept(keyword: "first") { nullsFirst = true } else { try cursor.expect(keyword: "last"); nullsFirst = false }
                }
                keys.append(ESQLSortKey(key: key, ascending: ascending, nullsFirst: nullsFirst))
            } while cursor.accept(symbol: ",")
            return .sort(keys, at: token.location)
        case "rename":
            var pairs: [(from: String, to: String)] = []
            repeat {
                let from = try columnName()
                if cursor.accept(keyword: "as") {
                    pairs.append((from, try columnName()))
                } else {
                    // The newer `RENAME new = old` form.
                    try cursor.expect(symbol: "=", "AS or '='")
                    pairs.append((try columnName(), from))
                }
            } while cursor.accept(symbol: ",")
            return .rename(pairs, at: token.location)
        case "stats", "inlinestats", "inline":
            if word == "inline" { try cursor.expect(keyword: "stats") }
            var aggregates: [ESQLAssignment] = []
            if !cursor.current.isKeyword("by") { aggregates = try assignments(filtered: true) }
            var groups: [ESQLAssignment] = []
            if cursor.accept(keyword: "by") { groups = try assignments() }
            guard !aggregates.isEmpty || !groups.isEmpty else { throw cursor.unexpected(expecting: "an aggregate or BY") }
            return .stats(aggregates, by: groups, inline: word != "stats", at: token.location)
        case "mv_expand":
            return .mvExpand(try columnName(), at: token.location)
        case "dissect":
            let input = try primary()
            let pattern = try stringLiteral("a dissect pattern in quotes")
            var separator = ""
            if cursor.accept(keyword: "append_separator") {
                try cursor.expect(symbol: "=", "'=' after APPEND_SEPARATOR")
                separator = try stringLiteral("a separator in quotes")
            }
            return .dissect(input, pattern: pattern, appendSeparator: separator, at: token.location)
        case "grok":
            let input = try primary()
            var patterns = [try stringLiteral("a grok pattern in quotes")]
            while cursor.accept(symbol: ",") { patterns.append(try stringLiteral("a grok pattern in quotes")) }
            return .grok(input, patterns: patterns, at: token.location)
        default:
            if let reason = Self.streamImpossible[word] {
                throw QueryError(.unsupported, reason, at: token.location)
            }
            if Self.knownUnsupported.contains(word) {
                throw QueryError(.unsupported, "command \(token.text.uppercased()) is not supported yet", at: token.location)
            }
            throw QueryError(.syntax, "unknown command '\(token.text)'", at: token.location)
        }
    }

    private mutating func stringLiteral(_ expecting: String) throws(QueryError) -> String {
        let token = cursor.current
        guard token.kind == .string else { throw cursor.unexpected(expecting: expecting) }
        _ = cursor.advance()
        return token.text
    }

    private mutating func columnName() throws(QueryError) -> String {
        let token = cursor.advance()
        guard token.kind == .identifier || token.kind == .quotedIdentifier else {
            throw QueryError(.syntax, "expected a column name", at: token.location)
        }
        return qualifiedName(after: token)
    }

    /// A name continued by `.segment`s written right after it, any of them backquoted
    /// (`source.`as`.organization.name`, as `as` is a keyword).
    private mutating func qualifiedName(after first: QueryToken) -> String {
        var name = first.text
        var end = self.end(of: first)
        while cursor.current.isSymbol("."), cursor.current.offset == end,
              cursor.peek().kind == .identifier || cursor.peek().kind == .quotedIdentifier, cursor.peek().offset == end + 1 {
            _ = cursor.advance()
            let segment = cursor.advance()
            name += "." + segment.text
            end = self.end(of: segment)
        }
        return name
    }

    /// The offset just past a name token in the text (a backquoted one may hold doubled backquotes).
    private func end(of token: QueryToken) -> Int {
        guard token.kind == .quotedIdentifier else { return token.offset + token.text.utf8.count }
        var at = token.offset + 1
        while at < text.count {
            if text[at] == UInt8(ascii: "`") {
                if at + 1 < text.count, text[at + 1] == UInt8(ascii: "`") { at += 2; continue }
                return at + 1
            }
            at += 1
        }
        return at
    }

    /// Column names that may hold `*` wildcards, written as adjacent tokens (`source.geo.*`).
    private mutating func columnPatterns() throws(QueryError) -> [String] {
        var patterns: [String] = []
        repeat {
            var pattern = ""
            var lastEnd = -1
            // `*2bool`: digits lex as a number, yet belong to the name they touch.
            while cursor.current.kind == .identifier || cursor.current.kind == .quotedIdentifier || cursor.current.kind == .integer
                    || cursor.current.isSymbol("*") || cursor.current.isSymbol(".") {
                let token = cursor.current
                if lastEnd >= 0 && token.offset != lastEnd { break }
                pattern += token.text
                lastEnd = token.offset + (token.kind == .quotedIdentifier ? token.text.utf8.count + 2 : token.text.utf8.count)
                _ = cursor.advance()
            }
            guard !pattern.isEmpty else { throw cursor.unexpected(expecting: "a column name") }
            patterns.append(pattern)
        } while cursor.accept(symbol: ",")
        return patterns
    }

    /// `filtered`: STATS aggregates, each of which may read only the rows of a `WHERE`.
    private mutating func assignments(filtered: Bool = false) throws(QueryError) -> [ESQLAssignment] {
        var result: [ESQLAssignment] = []
        repeat {
            var name: String?
            if (cursor.current.kind == .identifier || cursor.current.kind == .quotedIdentifier), cursor.peek().isSymbol("=") {
                name = cursor.advance().text
                _ = cursor.advance()
            }
            let startOffset = cursor.current.offset
            let value = try expression()
            // The text ends with the expression's last token: a comment after it is not part of it.
            let endOffset = cursor.index > 0 ? cursor.tokens[cursor.index - 1].end : cursor.current.offset
            let written = String(decoding: text[startOffset..<max(startOffset, endOffset)], as: UTF8.self)
                .trimmingCharacters(in: " \t\r\n")
            let filter = filtered && cursor.accept(keyword: "where") ? try expression() : nil
            result.append(ESQLAssignment(name: name, value: value, text: written, filter: filter))
        } while cursor.accept(symbol: ",")
        return result
    }

    // MARK: Expressions (precedence: OR < AND < NOT < predicate < + - < * / % < unary)

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
        if token.isSymbol(":") {
            // `field : "text"`, the MATCH operator (full-text search).
            _ = cursor.advance()
            return .call("match", [lhs, try additive()], at: token.location)
        }
        if cursor.accept(keyword: "is") {
            let negated = cursor.accept(keyword: "not")
            try cursor.expect(keyword: "null")
            return .isNull(lhs, negated: negated, at: token.location)
        }
        var negated = false
        if token.isKeyword("not"), ["in", "like", "rlike"].contains(where: { cursor.peek().isKeyword($0) }) {
            _ = cursor.advance()
            negated = true
        }
        let op = cursor.current
        if cursor.accept(keyword: "in") {
            try cursor.expect(symbol: "(", "'(' after IN")
            var items: [Expression] = []
            repeat { items.append(try additive()) } while cursor.accept(symbol: ",")
            try cursor.expect(symbol: ")", "')'")
            return .inList(lhs, items, caseInsensitive: false, negated: negated, at: op.location)
        }
        if cursor.accept(keyword: "like") {
            return .like(lhs, try patternList(), caseInsensitive: false, negated: negated, at: op.location)
        }
        if cursor.accept(keyword: "rlike") {
            return .regex(lhs, try patternList(), caseInsensitive: false, negated: negated, at: op.location)
        }
        return lhs
    }

    private mutating func patternList() throws(QueryError) -> [Expression] {
        if cursor.accept(symbol: "(") {
            var items: [Expression] = []
            repeat { items.append(try additive()) } while cursor.accept(symbol: ",")
            try cursor.expect(symbol: ")", "')'")
            return items
        }
        return [try additive()]
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
        var value = try primary()
        // `value::type` casts.
        while cursor.current.isSymbol(":"), cursor.peek().isSymbol(":") {
            _ = cursor.advance(); _ = cursor.advance()
            let type = cursor.advance()
            guard type.kind == .identifier else { throw QueryError(.syntax, "expected a type after '::'", at: type.location) }
            value = .call("to_" + type.text.lowercased(), [value], at: type.location)
        }
        return value
    }

    private mutating func primary() throws(QueryError) -> Expression {
        let token = cursor.current
        switch token.kind {
        case .string:
            _ = cursor.advance()
            return .literal(.string(token.text), at: token.location)
        case .integer:
            _ = cursor.advance()
            guard let value = Int64(token.text) else {
                // Past a long: an unsigned_long constant, as ES|QL types it.
                guard UInt64(token.text) != nil else { throw QueryError(.syntax, "integer out of range", at: token.location) }
                return .call("to_unsigned_long", [.literal(.string(token.text), at: token.location)], at: token.location)
            }
            // `5 minutes` or `5m`: a time span.
            if cursor.current.kind == .identifier, let unit = TimeSpanUnit(spelling: cursor.current.text) {
                _ = cursor.advance()
                return .literal(.timeSpan(value, unit), at: token.location)
            }
            return .literal(.integer(value), at: token.location)
        case .decimal:
            _ = cursor.advance()
            return .literal(.decimal(Double(token.text) ?? 0), at: token.location)
        case .quotedIdentifier:
            _ = cursor.advance()
            return .field(qualifiedName(after: token), optional: false, at: token.location)
        case .symbol where token.text == "(":
            _ = cursor.advance()
            let inner = try expression()
            try cursor.expect(symbol: ")", "')'")
            return inner
        case .symbol where token.text == "[":
            // `[1, 2, 3]`: a multi-valued constant, a call of `[]` on its elements.
            _ = cursor.advance()
            try cursor.enter()
            defer { cursor.leave() }
            var items: [Expression] = []
            if !cursor.current.isSymbol("]") {
                repeat { items.append(try unary()) } while cursor.accept(symbol: ",")
            }
            try cursor.expect(symbol: "]", "']'")
            return .call("[]", items, at: token.location)
        case .symbol where token.text == "{":
            // A function's named options, `MATCH(f, "x", {"fuzziness": 1})`: a call of `{}` with
            // the names and values alternating.
            _ = cursor.advance()
            var entries: [Expression] = []
            if !cursor.current.isSymbol("}") {
                repeat {
                    let key = cursor.advance()
                    guard key.kind == .string else { throw QueryError(.syntax, "expected an option name in quotes", at: key.location) }
                    try cursor.expect(symbol: ":", "':' after an option name")
                    entries += [.literal(.string(key.text), at: key.location), try additive()]
                } while cursor.accept(symbol: ",")
            }
            try cursor.expect(symbol: "}", "'}'")
            return .call("{}", entries, at: token.location)
        case .identifier:
            let word = token.text.lowercased()
            _ = cursor.advance()
            if word == "true" || word == "false" { return .literal(.bool(word == "true"), at: token.location) }
            if word == "null" { return .literal(.null, at: token.location) }
            if cursor.accept(symbol: "(") {
                var args: [Expression] = []
                if cursor.accept(symbol: "*") {
                    args = [.literal(.string("*"), at: token.location)]
                } else if !cursor.current.isSymbol(")") {
                    repeat { args.append(try expression()) } while cursor.accept(symbol: ",")
                }
                try cursor.expect(symbol: ")", "')'")
                return .call(word, args, at: token.location)
            }
            return .field(qualifiedName(after: token), optional: false, at: token.location)
        default:
            throw cursor.unexpected(expecting: "a value")
        }
    }
}
