/// `KQL("...")` in an ES|QL `WHERE`: the query Elasticsearch's KQL plugin runs on each row's
/// document (see `KQLSyntax.swift`), so query semantics, not ES|QL's: any value of a
/// multi-valued field may match, `not` is `must_not`, and the result is true or false, never
/// null. `field:value` is a term query on a keyword field (exact and case-sensitive, as since
/// elastic/elasticsearch#135776), a wildcard query when the unquoted value holds `*`, and the
/// value converted to the field's type otherwise; `field:*` is `exists`.
extension RuleCompiler {
    /// Compiles the query text of `KQL(...)`; `at` is where the string literal starts.
    mutating func compileKQL(_ args: [Expression], at: SourceLocation) throws(QueryError) -> Predicate {
        guard args.count == 1, case .literal(.string(let text), let origin) = args[0] else {
            throw QueryError(.type, "KQL takes one string: the query", at: at)
        }
        // ES|QL hands the text to Elasticsearch's KQL parser, whose and/or grouping it follows.
        return try compileKQL(try KQLParser.parse(text, origin: origin, dialect: .elasticsearch))
    }

    private mutating func compileKQL(_ query: KQLQuery) throws(QueryError) -> Predicate {
        switch query {
        case .matchAll:
            return .constant(.true)
        case .and(let parts):
            var compiled: [Predicate] = []
            for part in parts { compiled.append(try compileKQL(part)) }
            return .all(compiled)
        case .or(let parts):
            var compiled: [Predicate] = []
            for part in parts { compiled.append(try compileKQL(part)) }
            return .any(compiled)
        case .not(let inner, _):
            return .complement(try compileKQL(inner))
        case .exists(let field):
            let (index, type) = try kqlField(field)
            return .isNull(field: index, type: type, negated: true)
        case .match(let field, let value):
            if value.isLoneWildcard { return try compileKQL(.exists(field)) }
            let (index, type) = try kqlField(field)
            let matchers = try kqlMatchers(value, field: field, type: type, op: .equal)
            return .value(ValueTest(field: index, type: type, matchers: matchers, caseInsensitive: false, negated: false, multiValue: .anyValue))
        case .range(let field, let op, let value):
            let (index, type) = try kqlField(field)
            let comparison: Expression.Comparison = switch op {
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            case .greaterOrEqual: .greaterOrEqual
            }
            guard !value.hasWildcards else { throw QueryError(.type, "a KQL range takes no wildcard", at: value.location) }
            let matchers = try kqlMatchers(value, field: field, type: type, op: comparison)
            return .value(ValueTest(field: index, type: type, matchers: matchers, caseInsensitive: false, negated: false, multiValue: .anyValue))
        case .freeText(let value):
            throw QueryError(.unsupported, "KQL free text (\(value.text)) searches the index's default fields, which a rule here does not know; name the field",
                             at: value.location)
        case .nested(let field, _):
            throw QueryError(.unsupported, "KQL nested queries (\(field.name):{...}) need nested mappings, which ECS events do not use",
                             at: field.location)
        }
    }

    private mutating func kqlField(_ field: KQLField) throws(QueryError) -> (index: Int, type: FieldType) {
        guard !field.isPattern else {
            throw QueryError(.unsupported, "KQL field patterns (\(field.name)) are not supported yet", at: field.location)
        }
        return (registry.index(of: types.resolve(field.name)), types.type(of: field.name))
    }

    /// The value as matchers of the field's type: a case-sensitive wildcard for an unquoted value
    /// with `*`, else the value as a term converted to the type.
    private func kqlMatchers(_ value: KQLValue, field: KQLField, type: FieldType, op: Expression.Comparison) throws(QueryError) -> [ValueMatcher] {
        if value.hasWildcards {
            guard type.isKeyword || type == .dynamic else {
                throw QueryError(.type, "field [\(field.name)] of type [\(type.name)] cannot be matched with a wildcard", at: value.location)
            }
            // Only an unescaped `*` is a wildcard; an escaped one among them has no form here.
            for case .text(let text) in value.pieces where text.contains("*") {
                throw QueryError(.unsupported, "a KQL value with both a wildcard and an escaped '*' is not supported yet", at: value.location)
            }
            return [.wildcard(WildcardPattern(value.text, caseInsensitive: false, questionMarkIsWildcard: false))]
        }
        return try fieldMatchers(.string(value.text), type: type, field: field.name, op: op, kind: .equality, caseInsensitive: false,
                                 at: value.location)
    }
}
