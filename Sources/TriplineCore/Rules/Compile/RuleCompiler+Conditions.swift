/// Conditions and values, with each language's semantics.
///
/// A field tested against literals compiles to a `ValueTest` (Elasticsearch's term, range and
/// wildcard queries: any value of a multi-valued field may match, literals converted once to
/// the field's mapped type); anything computed compiles to a `ValueExpression` (ES's scripts).
/// EQL's `not` is `must_not` (an event without the field matches `not f == "x"`); ES|QL's is
/// three-valued (not null is null, and the row is dropped).
extension RuleCompiler {
    typealias Language = RuleDefinition.Language

    /// How a literal in a match is read.
    enum MatchKind {
        /// `==`, `in`: the literal as a value.
        case equality
        /// `:`, `like`: `*` and `?` are wildcards.
        case wildcard
        /// ES|QL's `LIKE`: wildcards, and `\` escaping the next character.
        case escapedWildcard
        /// `regex`: Lucene's regular expression syntax.
        case regex
    }

    /// `:`, `in`, `like` and `regex` read alike: a value, a list, how to read the list's literals.
    struct Match {
        var lhs: Expression, list: [Expression], kind: MatchKind, caseInsensitive: Bool, negated: Bool, at: SourceLocation

        init?(_ expression: Expression) {
            switch expression {
            case .insensitiveMatch(let lhs, let list, let at):
                self.init(lhs: lhs, list: list, kind: .wildcard, caseInsensitive: true, negated: false, at: at)
            case .inList(let lhs, let list, let insensitive, let negated, let at):
                self.init(lhs: lhs, list: list, kind: .equality, caseInsensitive: insensitive, negated: negated, at: at)
            case .like(let lhs, let list, let insensitive, let negated, let at):
                self.init(lhs: lhs, list: list, kind: .wildcard, caseInsensitive: insensitive, negated: negated, at: at)
            case .regex(let lhs, let list, let insensitive, let negated, let at):
                self.init(lhs: lhs, list: list, kind: .regex, caseInsensitive: insensitive, negated: negated, at: at)
            default:
                return nil
            }
        }

        init(lhs: Expression, list: [Expression], kind: MatchKind, caseInsensitive: Bool, negated: Bool, at: SourceLocation) {
            self.lhs = lhs; self.list = list; self.kind = kind; self.caseInsensitive = caseInsensitive; self.negated = negated; self.at = at
        }
    }

    mutating func compileCondition(_ expression: Expression, language: Language) throws(QueryError) -> Predicate {
        if let match = Match(expression) {
            return try compileMatch(match.lhs, match.list, kind: match.kind, caseInsensitive: match.caseInsensitive, negated: match.negated,
                                    at: match.at, language: language)
        }
        switch expression {
        case .and(let a, let b):
            return .all(flatten(try compileCondition(a, language: language), try compileCondition(b, language: language), all: true))
        case .or(let a, let b):
            return .any(flatten(try compileCondition(a, language: language), try compileCondition(b, language: language), all: false))
        case .not(let inner, _):
            return negation(of: try compileCondition(inner, language: language), language: language)
        case .literal(.bool(let value), _):
            return .constant(value ? .true : .false)
        case .literal(.null, _):
            return .constant(.unknown)
        case .compare(let lhs, let op, let rhs, let at):
            return try compileComparison(lhs, op, rhs, at: at, language: language)
        case .isNull(let inner, let negated, _):
            if case .field(let name, _, _) = inner {
                let field = types.resolve(name)
                return .isNull(field: registry.index(of: field), type: types.type(of: name), negated: negated)
            }
            return .test(.isNull(try compileValue(inner, language: language), negated: negated))
        case .call(let name, let args, let at):
            if language == .esql && name == "kql" { return try compileKQL(args, at: at) }
            if language == .esql && name == "match" { return try compileFullTextMatch(args, at: at) }
            if let test = try cidrTest(name, args, language: language) { return .value(test) }
            return .test(try compileValue(expression, language: language))
        case .field:
            return .test(try compileValue(expression, language: language))
        default:
            throw QueryError(.type, "this expression is a value, not a condition", at: expression.location)
        }
    }

    private func negation(of predicate: Predicate, language: Language) -> Predicate {
        if language == .eql {
            if case .complement(let inner) = predicate { return inner }
            return .complement(predicate)
        }
        return .not(predicate)
    }

    func flatten(_ a: Predicate, _ b: Predicate, all: Bool) -> [Predicate] {
        func parts(_ p: Predicate) -> [Predicate] {
            switch (p, all) {
            case (.all(let inner), true), (.any(let inner), false): return inner
            default: return [p]
            }
        }
        return parts(a) + parts(b)
    }

    // MARK: Comparisons and matches

    private mutating func compileComparison(
        _ lhs: Expression, _ op: Expression.Comparison, _ rhs: Expression, at: SourceLocation, language: Language
    ) throws(QueryError) -> Predicate {
        // EQL reads `x == null` as a missing-value test; in ES|QL any comparison with null is null.
        for (value, other) in [(rhs, lhs), (lhs, rhs)] {
            guard case .literal(.null, _) = value else { continue }
            guard language == .eql, op == .equal || op == .notEqual else { return .constant(.unknown) }
            return try compileCondition(.isNull(other, negated: op == .notEqual, at: at), language: language)
        }
        let fieldAndLiteral: (String, Expression.Comparison, Literal)?
        switch (lhs, rhs) {
        case (.field(let name, _, _), .literal(let literal, _)): fieldAndLiteral = (name, op, literal)
        case (.literal(let literal, _), .field(let name, _, _)): fieldAndLiteral = (name, op.flipped, literal)
        default: fieldAndLiteral = nil
        }
        if language == .eql, case .field = lhs, case .field(let other, _, _) = rhs {
            // Elasticsearch translates a comparison to a query on one field and a constant.
            throw QueryError(.type, "comparisons against fields are not supported; offender [\(other)]", at: at)
        }
        guard let (name, op, literal) = fieldAndLiteral else {
            return .test(.compare(op, try compileValue(lhs, language: language), try compileValue(rhs, language: language)))
        }
        let field = types.resolve(name)
        let type = types.type(of: name)
        let positive = op == .notEqual ? Expression.Comparison.equal : op
        // A normalized field lowers the query's term as its values (a term query on `.caseless`).
        let insensitive = type.lowercases
        let matchers = try fieldMatchers(literal, type: type, field: field, op: positive, kind: .equality, caseInsensitive: insensitive, at: at)
        let test = ValueTest(field: registry.index(of: field), type: type, matchers: matchers, caseInsensitive: insensitive,
                             negated: op == .notEqual && language == .esql, multiValue: language.multiValueMode)
        return op == .notEqual && language == .eql ? .complement(.value(test)) : .value(test)
    }

    private mutating func compileMatch(
        _ lhs: Expression, _ list: [Expression], kind: MatchKind, caseInsensitive: Bool, negated: Bool,
        at: SourceLocation, language: Language
    ) throws(QueryError) -> Predicate {
        // EQL: `x : null`, `null : x` and `x in (null)` test for a missing value, as `x == null` does.
        if language == .eql, list.count == 1, case .literal(.null, _) = list[0] {
            return try compileComparison(lhs, negated ? .notEqual : .equal, list[0], at: at, language: language)
        }
        if language == .eql, list.count == 1, case .literal(.null, _) = lhs {
            return try compileComparison(list[0], negated ? .notEqual : .equal, lhs, at: at, language: language)
        }
        let kind = language == .esql && kind == .wildcard ? MatchKind.escapedWildcard : kind
        // ES|QL rewrites `x LIKE "*"` and `x RLIKE ".*"` (also in a list) to `x IS NOT NULL`, so
        // `NOT LIKE ("*")` keeps the rows where x is null (csv-spec `notLikeListAllWildcard`).
        if language == .esql, Self.matchesAnything(list, kind) {
            return try compileCondition(.isNull(lhs, negated: !negated, at: at), language: language)
        }
        var literals: [Literal] = []
        for item in list {
            let folded = try foldedLiteral(item, language: language)
            if language == .esql, folded == nil || folded == .null {
                // A null or a per-row value in the list: ES|QL's three-valued IN, or a pattern refused.
                return .test(try valueMatch(lhs, list, kind: kind, caseInsensitive: caseInsensitive, negated: negated, at: at,
                                            language: language))
            }
            guard let literal = folded, literal != .null else {
                // Values computed per event: compared one by one, as a script would.
                let value = try compileValue(lhs, language: language)
                var any: ValueExpression?
                for item in list {
                    let equal = ValueExpression.compare(.equal, value, try compileValue(item, language: language))
                    any = any.map { .or($0, equal) } ?? equal
                }
                guard let any else { return .constant(.false) }
                return negated ? negation(of: .test(any), language: language) : .test(any)
            }
            literals.append(literal)
        }
        guard case .field(let name, _, _) = lhs else {
            var matchers: [ValueMatcher] = []
            for literal in literals {
                matchers += try computedMatchers(literal, kind: kind, caseInsensitive: caseInsensitive, at: at)
            }
            let test = ValueExpression.matches(try compileValue(lhs, language: language), matchers, caseInsensitive: caseInsensitive)
            return negated ? negation(of: .test(test), language: language) : .test(test)
        }
        let field = types.resolve(name)
        let type = types.type(of: name)
        let caseInsensitive = caseInsensitive || type.lowercases
        var matchers: [ValueMatcher] = []
        for literal in literals {
            matchers += try fieldMatchers(literal, type: type, field: field, op: .equal, kind: kind, caseInsensitive: caseInsensitive, at: at)
        }
        let test = ValueTest(field: registry.index(of: field), type: type, matchers: matchers, caseInsensitive: caseInsensitive,
                             negated: negated && language == .esql, multiValue: language.multiValueMode)
        return negated && language == .eql ? .complement(.value(test)) : .value(test)
    }

    /// ES|QL's `MATCH(field, "text")` and `field : "text"`: a full-text match query. On a `text`
    /// field, any of the text's words among the value's (the default `OR` operator); on any
    /// other field, a term query for the whole text. Either way any value of the field may match.
    private mutating func compileFullTextMatch(_ args: [Expression], at: SourceLocation) throws(QueryError) -> Predicate {
        // A query, so true or false, never null: `NOT MATCH(...)` holds for an event without the field.
        let test = try fullTextTest(args, at: at)
        return .complement(.complement(test))
    }

    private mutating func fullTextTest(_ args: [Expression], at: SourceLocation) throws(QueryError) -> Predicate {
        guard args.count == 2 || args.count == 3 else { throw QueryError(.type, "MATCH takes a field, a text and options", at: at) }
        var target = args[0]
        // `MATCH(f::STRING, ...)`: the cast only states the type; the query runs on the field.
        if case .call(let cast, let inner, _) = target, ["to_string", "to_keyword", "to_text"].contains(cast), inner.count == 1 {
            target = inner[0]
        }
        guard case .field(let name, _, _) = target else {
            throw QueryError(.type, "MATCH searches a field of the index, not a computed value", at: args[0].location)
        }
        guard case .literal(.string(let text), _) = args[1] else { throw QueryError(.type, "MATCH takes the text to search as a string", at: args[1].location) }
        let field = types.resolve(name)
        let type = types.type(of: name)
        var fuzziness: Int?
        var transpositions = true
        if args.count == 3 {
            guard case .call("{}", let entries, _) = args[2] else { throw QueryError(.type, "MATCH options are a {...} map", at: args[2].location) }
            for pair in stride(from: 0, to: entries.count - 1, by: 2) {
                guard case .literal(.string(let key), let keyAt) = entries[pair], case .literal(let value, _) = entries[pair + 1] else {
                    throw QueryError(.type, "MATCH options take constant values", at: entries[pair].location)
                }
                switch (key, value) {
                case ("fuzziness", .integer(let n)) where (0...2).contains(n): fuzziness = Int(n)
                case ("fuzziness", .string(let text)) where text.uppercased() == "AUTO":
                    // AUTO: no edit for 1-2 characters, one for 3-5, two for more (Elasticsearch's AUTO:3,6).
                    fuzziness = -1
                case ("fuzzy_transpositions", .bool(let b)): transpositions = b
                case ("operator", .string(let op)) where op.lowercased() == "or": continue
                // Scoring and how many index terms a fuzzy query expands to: nothing a per-event test reads.
                case ("max_expansions", .integer), ("boost", .integer), ("boost", .decimal), ("lenient", .bool): continue
                default:
                    throw QueryError(.unsupported, "MATCH option \(key) = \(value) is not supported yet", at: keyAt)
                }
            }
        }
        if let edits = fuzziness {
            guard type.isKeyword && !types.isAnalyzed(name) else {
                throw QueryError(.unsupported, "fuzzy MATCH on a full-text or non-keyword field is not supported yet", at: at)
            }
            let term = Array(text.unicodeScalars)
            let allowed = edits >= 0 ? edits : (term.count <= 2 ? 0 : term.count <= 5 ? 1 : 2)
            return .value(ValueTest(field: registry.index(of: field), type: type,
                                    matchers: [.fuzzy(Array(text.utf8), maxEdits: allowed, transpositions: transpositions)],
                                    caseInsensitive: false, negated: false, multiValue: .anyValue))
        }
        guard type.isKeyword || type == .dynamic else {
            return .value(ValueTest(field: registry.index(of: field), type: type,
                                    matchers: try fieldMatchers(.string(text), type: type, field: field, op: .equal, kind: .equality,
                                                                caseInsensitive: false, at: at),
                                    caseInsensitive: false, negated: false, multiValue: .anyValue))
        }
        guard types.isAnalyzed(name) else {
            return .value(ValueTest(field: registry.index(of: field), type: type, matchers: [.keyword(.equal, Array(text.utf8))],
                                    caseInsensitive: false, negated: false, multiValue: .anyValue))
        }
        let words = Set(StandardAnalyzer.tokens(text))
        guard !words.isEmpty else { return .constant(.false) }
        return .value(ValueTest(field: registry.index(of: field), type: type, matchers: [.anyWord(words)], caseInsensitive: true,
                                negated: false, multiValue: .anyValue))
    }

    /// `cidrMatch(ip_field, "10.0.0.0/8", ...)` runs as a query on the field (any value).
    private mutating func cidrTest(_ name: String, _ args: [Expression], language: Language) throws(QueryError) -> ValueTest? {
        guard language == .eql, ScalarFunction(eqlName: name) == .cidrMatch, args.count >= 2,
              case .field(let fieldName, _, _) = args[0] else { return nil }
        let field = types.resolve(fieldName)
        guard types.type(of: fieldName) == .ip else { return nil }
        var networks: [ValueMatcher] = []
        for arg in args.dropFirst() {
            guard case .literal(.string(let text), let at) = arg else { return nil }
            guard let network = IPNetwork(text) else { throw QueryError(.type, "[\(text)] is not an address block", at: at) }
            networks.append(.network(network))
        }
        return ValueTest(field: registry.index(of: field), type: .ip, matchers: networks, caseInsensitive: false, negated: false,
                         multiValue: .anyValue)
    }

    /// A literal as matchers of a field of `type`: converted once, as Elasticsearch converts a
    /// query's term to the field's type (`"443"` on a long field is 443; `10.0.0.0/8` on an ip
    /// field is a block). Dynamic fields get both forms, used by each value's JSON kind.
    func fieldMatchers(
        _ literal: Literal, type: FieldType, field: String, op: Expression.Comparison, kind: MatchKind,
        caseInsensitive: Bool, at: SourceLocation
    ) throws(QueryError) -> [ValueMatcher] {
        func mismatch() -> QueryError {
            QueryError(.type, "cannot compare field [\(field)] of type [\(type.name)] with \(literal.description)", at: at)
        }
        if kind != .equality, case .string(let text) = literal {
            let pattern = try patternMatcher(text, kind: kind, caseInsensitive: caseInsensitive, at: at)
            if let pattern {
                guard type.isKeyword || type == .dynamic else {
                    throw QueryError(.type, "field [\(field)] of type [\(type.name)] cannot be matched with a pattern", at: at)
                }
                return [pattern]
            }
        }
        switch type {
        case .keyword:
            return [.keyword(op, Self.keywordBytes(literal, caseInsensitive: caseInsensitive))]
        case .dynamic:
            var matchers: [ValueMatcher] = [.keyword(op, Self.keywordBytes(literal, caseInsensitive: caseInsensitive))]
            if let typed = Self.numberOrBool(literal) { matchers.append(.typed(op, typed)) }
            return matchers
        case .long, .unsignedLong, .double:
            guard let number = Self.numberOrBool(literal), number.isNumber else { throw mismatch() }
            // A fraction is compared at the field's precision, as ES converts a query's value.
            if case .double(let storage) = type, case .double(let d) = number { return [.typed(op, .double(storage.stored(d)))] }
            return [.typed(op, number)]
        case .boolean:
            guard let value = Self.numberOrBool(literal), case .bool = value else { throw mismatch() }
            return [.typed(op, value)]
        case .date:
            switch literal {
            case .integer(let n): return [.typed(op, .date(n))]
            case .string(let text):
                guard let ms = Timestamp.milliseconds(iso8601: text) else { throw mismatch() }
                return [.typed(op, .date(ms))]
            default: throw mismatch()
            }
        case .ip:
            guard case .string(let text) = literal else { throw mismatch() }
            if text.contains("/") {
                guard op == .equal, let network = IPNetwork(text) else { throw mismatch() }
                return [.network(network)]
            }
            guard let address = IPAddress(text) else { throw mismatch() }
            return [.typed(op, .ip(address))]
        case .unqueryable(let name):
            throw QueryError(.type, "field [\(field)] is mapped as [\(name)] and holds no comparable value", at: at)
        }
    }

    /// Matchers for a computed value, whose type is known only per event.
    private func computedMatchers(_ literal: Literal, kind: MatchKind, caseInsensitive: Bool, at: SourceLocation) throws(QueryError) -> [ValueMatcher] {
        if kind != .equality, case .string(let text) = literal,
           let pattern = try patternMatcher(text, kind: kind, caseInsensitive: caseInsensitive, at: at) {
            return [pattern]
        }
        if case .string = literal { return [.keyword(.equal, Self.keywordBytes(literal, caseInsensitive: caseInsensitive))] }
        guard let value = Self.numberOrBool(literal) else { throw QueryError(.type, "cannot match with \(literal.description)", at: at) }
        return [.typed(.equal, value)]
    }

    /// A wildcard or regex matcher, or nil when a `:`/`like` text has no wildcard (an equality).
    private func patternMatcher(_ text: String, kind: MatchKind, caseInsensitive: Bool, at: SourceLocation) throws(QueryError) -> ValueMatcher? {
        switch kind {
        case .equality:
            return nil
        case .wildcard:
            let pattern = WildcardPattern(text, caseInsensitive: caseInsensitive)
            return pattern.hasWildcards ? .wildcard(pattern) : nil
        case .escapedWildcard:
            let pattern = WildcardPattern(text, caseInsensitive: caseInsensitive, backslashEscapes: true)
            if pattern.hasWildcards { return .wildcard(pattern) }
            // No wildcard left once escapes are read: the unescaped text, as an equality.
            return .keyword(.equal, Self.keywordBytes(.string(pattern.literalText), caseInsensitive: caseInsensitive))
        case .regex:
            do {
                return .regex(try regexes.regex(text, caseInsensitive: caseInsensitive))
            } catch {
                throw QueryError(.unsupported, "invalid regular expression: \(error.message) at offset \(error.offset)", at: at)
            }
        }
    }

    static func keywordBytes(_ literal: Literal, caseInsensitive: Bool) -> [UInt8] {
        let bytes: [UInt8]
        switch literal {
        case .string(let s): bytes = Array(s.utf8)
        case .integer(let n): bytes = Array(String(n).utf8)
        case .decimal(let d): bytes = Value.double(d).text ?? []
        case .bool(let b): bytes = Array((b ? "true" : "false").utf8)
        case .null: bytes = []
        case .timeSpan: bytes = Array(literal.description.utf8)
        }
        return caseInsensitive ? CaseFolding.fold(bytes) : bytes
    }

    /// A literal's number or boolean, a numeric string read as a number.
    static func numberOrBool(_ literal: Literal) -> Value? {
        switch literal {
        case .integer(let n): return .long(n)
        case .decimal(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .null, .timeSpan: return nil
        case .string(let text):
            if text == "true" || text == "false" { return .bool(text == "true") }
            return Array(text.utf8).withUnsafeBytes { raw in
                FieldValue.long(raw, coerce: false).map(Value.long) ?? FieldValue.double(raw).map(Value.double)
            }
        }
    }

    // MARK: Values

    mutating func compileValue(_ expression: Expression, language: Language) throws(QueryError) -> ValueExpression {
        if let match = Match(expression) {
            return try valueMatch(match.lhs, match.list, kind: match.kind, caseInsensitive: match.caseInsensitive, negated: match.negated,
                                  at: match.at, language: language)
        }
        switch expression {
        case .literal(let literal, let at):
            switch literal {
            case .null: return .constant(.null)
            case .bool(let b): return .constant(.bool(b))
            case .integer(let n): return .constant(.long(n))
            case .decimal(let d): return .constant(.double(d))
            case .string(let s): return .constant(.keyword(s))
            case .timeSpan(let count, let unit):
                // ES|QL's functions read a span as its text ("5 minute"), the form ESQLCall parses.
                guard language == .esql else { throw QueryError(.syntax, "time spans are ES|QL, not EQL", at: at) }
                return .constant(.keyword("\(count) \(unit.rawValue)"))
            }
        case .field(var name, _, let at):
            if language == .esql, let column = esqlColumn(name) {
                switch column {
                case .slot(let slot): return esqlConstants[slot].map(ValueExpression.constant) ?? .column(slot)
                case .field(let path): name = path
                case .metadataIndex:
                    return .indexName(IndexNameFields(registering: &registry))
                case .dropped: throw QueryError(.type, "Unknown column [\(name)]", at: at)
                }
            }
            let field = types.resolve(name)
            let type = types.type(of: name)
            if case .unqueryable(let kind) = type {
                throw QueryError(.type, "field [\(field)] is mapped as [\(kind)] and holds no comparable value", at: at)
            }
            return .field(registry.index(of: field), type, language.multiValueMode)
        case .arithmetic(let a, let op, let b, _):
            return .arithmetic(op, try compileValue(a, language: language), try compileValue(b, language: language))
        case .negate(let inner, _):
            switch try compileValue(inner, language: language) {
            case .constant(.long(let n)) where n != .min: return .constant(.long(-n))
            case .constant(.double(let d)): return .constant(.double(-d))
            case let value: return .negate(value)
            }
        case .call(let name, let args, let at):
            guard language == .eql else { return try esqlCall(name, args, at: at) }
            let insensitive = name.hasSuffix("~")
            guard let function = ScalarFunction(eqlName: insensitive ? String(name.dropLast()) : name) else {
                throw QueryError(.unsupported, "unknown function [\(name)]", at: at)
            }
            guard function.arity.contains(args.count) else {
                throw QueryError(.type, "function [\(function.rawValue)] takes \(Self.describe(function.arity)) arguments, not \(args.count)", at: at)
            }
            if insensitive && !function.allowsInsensitive {
                throw QueryError(.type, "function [\(function.rawValue)] has no case-insensitive (~) form", at: at)
            }
            var compiled: [ValueExpression] = []
            for arg in args { compiled.append(try compileValue(arg, language: language)) }
            return .call(function, caseInsensitive: insensitive, compiled)
        case .compare(let lhs, let op, let rhs, let at):
            if case .literal(.null, _) = rhs, language == .eql, op == .equal || op == .notEqual {
                return .isNull(try compileValue(lhs, language: language), negated: op == .notEqual)
            }
            if case .literal(.null, _) = lhs, language == .eql, op == .equal || op == .notEqual {
                return .isNull(try compileValue(rhs, language: language), negated: op == .notEqual)
            }
            _ = at
            return .compare(op, try compileValue(lhs, language: language), try compileValue(rhs, language: language))
        case .insensitiveMatch, .inList, .like, .regex:
            throw QueryError(.syntax, "unreachable: a match reads as a Match", at: expression.location)
        case .isNull(let inner, let negated, _):
            return .isNull(try compileValue(inner, language: language), negated: negated)
        case .not(let inner, _):
            return .not(try compileValue(inner, language: language))
        case .and(let a, let b):
            return .and(try compileValue(a, language: language), try compileValue(b, language: language))
        case .or(let a, let b):
            return .or(try compileValue(a, language: language), try compileValue(b, language: language))
        }
    }

    /// An ES|QL function call; `value::type` casts arrive as `to_type` calls.
    private mutating func esqlCall(_ written: String, _ args: [Expression], at: SourceLocation) throws(QueryError) -> ValueExpression {
        let casts = ["to_keyword": "to_string", "to_text": "to_string", "to_date": "to_datetime", "to_int": "to_integer",
                     "to_bool": "to_boolean"]
        let name = casts[written] ?? written
        if name == "st_x" || name == "st_y", args.count == 1, case .field(let written, _, _) = args[0],
           case .unqueryable("geo_point") = types.type(of: types.resolve(written)) {
            // A geo_point as ECS events carry it, `{"lat": .., "lon": ..}`: ST_X is its longitude,
            // ST_Y its latitude. (The "lat,lon" text and WKT forms are not read.)
            let part = types.resolve(written) + (name == "st_x" ? ".lon" : ".lat")
            return .field(registry.index(of: part), .double(), .singleValueOnly)
        }
        if name.lowercased() == "bucket" {
            // BUCKET(field, span): a date span is DATE_TRUNC's bucket, a number floor(x / span) * span
            // (a double, as ES|QL's numeric BUCKET). The automatic form (a bucket count and a
            // range) picks its span from the range: not here.
            guard args.count == 2 else {
                throw QueryError(.unsupported, "BUCKET with a bucket count and a range is not supported; give a span, as BUCKET(@timestamp, 1 hour)", at: at)
            }
            if case .literal(.timeSpan, _) = args[1] { return try esqlCall("date_trunc", [args[1], args[0]], at: at) }
            let ratio = Expression.arithmetic(.call("to_double", [args[0]], at: at), .divide, args[1], at: at)
            return try compileValue(.arithmetic(.call("floor", [ratio], at: at), .multiply, args[1], at: at), language: .esql)
        }
        if name == "[]" {
            var values: [Value] = []
            for arg in args {
                guard case .constant(let value) = try compileValue(arg, language: .esql) else {
                    throw QueryError(.type, "a list [...] holds constants only", at: arg.location)
                }
                values.append(value)
            }
            return .constant(Value.of(values))
        }
        guard let function = ESQLFunction(name: name) else {
            throw QueryError(.unsupported, "function \(written) is not supported yet", at: at)
        }
        guard function.arity.contains(args.count) else {
            throw QueryError(.type, "function [\(written)] takes \(Self.describe(function.arity)) arguments, not \(args.count)", at: at)
        }
        var compiled: [ValueExpression] = []
        var constants: [Value?] = []
        for arg in args {
            let value = try compileValue(arg, language: .esql)
            compiled.append(value)
            if case .constant(let constant) = value { constants.append(constant) } else { constants.append(nil) }
        }
        let call = try ESQLCall(function, constants: constants, arguments: compiled, at: at)
        // A call on constants is a constant (as ES|QL folds it), so `LIKE CONCAT("a", "*")` is a pattern.
        if function != .now, constants.allSatisfy({ $0 != nil }) {
            var warnings = ESQLWarnings()
            let folded = call.apply(constants.map { $0 ?? .null }, now: 0, warnings: &warnings)
            // A call that warns runs per row instead, so its warning is reported.
            if warnings.total == 0 { return .constant(folded) }
        }
        return .esql(call, compiled)
    }

    /// `:`, `in`, `like`, `regex` on a computed value. Items that are (or fold to) literals become
    /// matchers; other `IN` items are compared per row; ES|QL's `x IN (a, null)` is true when x
    /// is a and null otherwise, never false.
    private mutating func valueMatch(
        _ lhs: Expression, _ list: [Expression], kind: MatchKind, caseInsensitive: Bool, negated: Bool,
        at: SourceLocation, language: Language
    ) throws(QueryError) -> ValueExpression {
        if language == .eql, list.count == 1, case .literal(.null, _) = list[0] {
            return .isNull(try compileValue(lhs, language: language), negated: negated)
        }
        let kind = language == .esql && kind == .wildcard ? MatchKind.escapedWildcard : kind
        let value = try compileValue(lhs, language: language)
        if language == .esql, Self.matchesAnything(list, kind) {
            return .isNull(value, negated: !negated)
        }
        var matchers: [ValueMatcher] = []
        var alternatives: [ValueExpression] = []
        var sawNull = false
        for item in list {
            if let literal = try foldedLiteral(item, language: language) {
                if literal == .null { sawNull = true; continue }
                matchers += try computedMatchers(literal, kind: kind, caseInsensitive: caseInsensitive, at: at)
                continue
            }
            guard kind == .equality else {
                throw QueryError(.type, "a \(kind == .regex ? "RLIKE" : "LIKE") pattern must be a constant", at: item.location)
            }
            alternatives.append(.compare(.equal, value, try compileValue(item, language: language)))
        }
        var result: ValueExpression? = matchers.isEmpty ? nil : .matches(value, matchers, caseInsensitive: caseInsensitive)
        for alternative in alternatives { result = result.map { .or($0, alternative) } ?? alternative }
        if sawNull { result = result.map { .or($0, .constant(.null)) } ?? .constant(.null) }
        guard let result else { return .constant(.bool(false)) }
        return negated ? .not(result) : result
    }

    /// Whether a `LIKE`/`RLIKE` list holds the pattern that matches every string.
    private static func matchesAnything(_ list: [Expression], _ kind: MatchKind) -> Bool {
        list.contains { item in
            guard case .literal(.string(let text), _) = item else { return false }
            return (kind == .escapedWildcard && text == "*") || (kind == .regex && text == ".*")
        }
    }

    /// A list item as a literal: written as one, or in ES|QL an expression of constants that
    /// folds to one (`CONCAT("a", "*")`); nil for a value computed per row.
    private mutating func foldedLiteral(_ item: Expression, language: Language) throws(QueryError) -> Literal? {
        if case .literal(let literal, _) = item { return literal }
        guard language == .esql, case .constant(let value) = try compileValue(item, language: language) else { return nil }
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .long(let n): return .integer(n)
        case .double(let d): return .decimal(d)
        case .keyword(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    private static func describe(_ arity: ClosedRange<Int>) -> String {
        if arity.lowerBound == arity.upperBound { return "\(arity.lowerBound)" }
        if arity.upperBound == Int.max { return "at least \(arity.lowerBound)" }
        return "\(arity.lowerBound) to \(arity.upperBound)"
    }
}

extension RuleDefinition.Language {
    /// EQL (and Elasticsearch's queries): any value of a multi-valued field may match.
    /// ES|QL: a multi-valued operand makes a comparison null.
    var multiValueMode: MultiValueMode { self == .eql ? .anyValue : .singleValueOnly }
}

extension Literal: CustomStringConvertible {
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .integer(let n): "\(n)"
        case .decimal(let d): "\(d)"
        case .string(let s): "\"\(s)\""
        case .timeSpan(let count, let unit): "\(count) \(unit.rawValue)\(count == 1 ? "" : "s")"
        }
    }
}
