/// Compiles parsed EQL and ES|QL into predicates with each language's semantics.
///
/// EQL: `==`/`in`/`like` are case-sensitive and `:`/`in~`/`like~` case-insensitive; a field with
/// several values matches if any value does. ES|QL: comparisons are case-sensitive; a missing or
/// multi-valued operand makes a comparison null, and a null WHERE drops the row.
public struct RuleCompiler {
    public var registry = FieldRegistry()

    public init() {}

    public mutating func compile(_ definition: RuleDefinition) throws(RuleError) -> CompiledRule {
        do {
            switch definition.language {
            case .eql: return try compileEQL(definition)
            case .esql: return try compileESQL(definition)
            }
        } catch let error as QueryError {
            throw RuleError(file: definition.file, location: definition.fileLocation(of: error.location),
                            message: error.message, ruleID: definition.ruleID, language: definition.language.rawValue,
                            isUnsupported: error.code == .unsupported)
        } catch {
            throw RuleError(file: definition.file, location: nil, message: "\(error)", ruleID: definition.ruleID)
        }
    }

    // MARK: EQL

    private mutating func compileEQL(_ definition: RuleDefinition) throws -> CompiledRule {
        let query = try EQLParser.parse(definition.query)
        guard case .event(let event) = query.body else {
            let location: SourceLocation
            let kind: String
            switch query.body {
            case .sequence(let sequence): location = sequence.location; kind = "sequence"
            case .sample(let sample): location = sample.location; kind = "sample"
            case .event(let event): location = event.location; kind = "event"
            }
            throw QueryError(.unsupported, "\(kind) queries are not supported yet", at: location)
        }
        if let pipe = query.pipes.first {
            throw QueryError(.unsupported, "pipe '\(pipe.name)' is not supported yet", at: pipe.location)
        }
        var parts: [Predicate] = []
        var fields: [String] = []
        if let category = event.category {
            // `process where` means event.category == "process".
            parts.append(.value(ValueTest(field: registry.index(of: "event.category"), matchers: [.equal(Array(category.utf8))],
                                          caseInsensitive: false, negated: false, multiValue: .anyValue)))
            fields.append("event.category")
        }
        parts.append(try compileCondition(event.condition, language: .eql))
        for field in event.condition.fields where !fields.contains(field) { fields.append(field) }
        let predicate: Predicate = parts.count == 1 ? parts[0] : .all(parts)
        return CompiledRule(definition: definition, indexPatterns: IndexPatternSet(definition.index),
                            predicate: predicate, fields: fields, literals: literals(of: predicate), output: .sourceEvent)
    }

    // MARK: ES|QL

    private mutating func compileESQL(_ definition: RuleDefinition) throws -> CompiledRule {
        let query = try ESQLParser.parse(definition.query)
        var conditions: [Predicate] = []
        var fields: [String] = []
        var keep: [String]?
        var drop: [String] = []
        for command in query.commands {
            switch command {
            case .where(let condition, _):
                conditions.append(try compileCondition(condition, language: .esql))
                for field in condition.fields where !fields.contains(field) { fields.append(field) }
            case .keep(let patterns, _):
                keep = patterns
            case .drop(let patterns, _):
                drop.append(contentsOf: patterns)
            case .limit, .sort:
                // Row order and count limits of a scheduled search; a stream caps alerts by max_signals.
                continue
            default:
                throw QueryError(.unsupported, "\(command.name) is not supported yet", at: command.location)
            }
        }
        let predicate: Predicate = conditions.isEmpty ? .constant(.true) : conditions.count == 1 ? conditions[0] : .all(conditions)
        let index = definition.index.isEmpty ? query.source.indices : definition.index
        return CompiledRule(definition: definition, indexPatterns: IndexPatternSet(index), predicate: predicate,
                            fields: fields, literals: literals(of: predicate),
                            output: .columns(keep: keep, drop: drop, metadata: query.source.metadata))
    }

    private func literals(of predicate: Predicate) -> LiteralRequirement? {
        let coarse = Set(registry.paths.indices.filter { Predicate.coarseFields.contains(registry.paths[$0]) })
        return predicate.requiredLiterals { coarse.contains($0) }
    }

    // MARK: Conditions

    private mutating func compileCondition(_ expression: Expression, language: RuleDefinition.Language) throws(QueryError) -> Predicate {
        let mode: MultiValueMode = language == .eql ? .anyValue : .singleValueOnly
        switch expression {
        case .and(let a, let b):
            return .all(flatten(try compileCondition(a, language: language), try compileCondition(b, language: language), all: true))
        case .or(let a, let b):
            return .any(flatten(try compileCondition(a, language: language), try compileCondition(b, language: language), all: false))
        case .not(let inner, _):
            return .not(try compileCondition(inner, language: language))
        case .literal(.bool(let value), _):
            return .constant(value ? .true : .false)
        case .literal(.null, _):
            return .constant(.unknown)
        case .compare(let lhs, let op, let rhs, let at):
            return try compileComparison(lhs, op, rhs, at: at, mode: mode, language: language)
        case .insensitiveMatch(let lhs, let list, let at):
            let field = try fieldName(lhs, at: at)
            let matchers = try list.map { item throws(QueryError) in try patternMatcher(item, caseInsensitive: true) }
            return .value(ValueTest(field: registry.index(of: field), matchers: matchers, caseInsensitive: true, negated: false, multiValue: mode))
        case .inList(let lhs, let list, let insensitive, let negated, let at):
            let field = try fieldName(lhs, at: at)
            let matchers = try list.map { item throws(QueryError) in try equalityMatcher(item, caseInsensitive: insensitive) }
            return .value(ValueTest(field: registry.index(of: field), matchers: matchers, caseInsensitive: insensitive, negated: negated, multiValue: mode))
        case .like(let lhs, let list, let insensitive, let negated, let at):
            let field = try fieldName(lhs, at: at)
            let matchers = try list.map { item throws(QueryError) in try patternMatcher(item, caseInsensitive: insensitive) }
            return .value(ValueTest(field: registry.index(of: field), matchers: matchers, caseInsensitive: insensitive, negated: negated, multiValue: mode))
        case .isNull(let inner, let negated, let at):
            return .isNull(field: registry.index(of: try fieldName(inner, at: at)), negated: negated)
        case .regex(_, _, _, _, let at):
            throw QueryError(.unsupported, "regular expressions are not supported yet", at: at)
        case .call(let name, _, let at):
            throw QueryError(.unsupported, "function \(name) is not supported yet", at: at)
        case .field(let name, _, let at):
            throw QueryError(.unsupported, "a bare field [\(name)] as a condition is not supported yet", at: at)
        default:
            throw QueryError(.unsupported, "this expression is not supported as a condition yet", at: expression.location)
        }
    }

    private func flatten(_ a: Predicate, _ b: Predicate, all: Bool) -> [Predicate] {
        func parts(_ p: Predicate) -> [Predicate] {
            switch (p, all) {
            case (.all(let inner), true), (.any(let inner), false): return inner
            default: return [p]
            }
        }
        return parts(a) + parts(b)
    }

    private mutating func compileComparison(
        _ lhs: Expression, _ op: Expression.Comparison, _ rhs: Expression, at: SourceLocation,
        mode: MultiValueMode, language: RuleDefinition.Language
    ) throws(QueryError) -> Predicate {
        switch (lhs, rhs) {
        case (.field(let a, _, _), .field(let b, _, _)):
            return .fieldPair(FieldPairTest(left: registry.index(of: a), right: registry.index(of: b), comparison: op, multiValue: mode))
        case (.field(let name, _, _), .literal(let literal, _)):
            return try fieldAgainstLiteral(name, op, literal, at: at, mode: mode, language: language)
        case (.literal(let literal, _), .field(let name, _, _)):
            return try fieldAgainstLiteral(name, op.flipped, literal, at: at, mode: mode, language: language)
        default:
            throw QueryError(.unsupported, "comparisons of computed values are not supported yet", at: at)
        }
    }

    private mutating func fieldAgainstLiteral(
        _ name: String, _ op: Expression.Comparison, _ literal: Literal, at: SourceLocation,
        mode: MultiValueMode, language: RuleDefinition.Language
    ) throws(QueryError) -> Predicate {
        let field = registry.index(of: name)
        if case .null = literal {
            // EQL reads `f == null` as a missing-field test; in ES|QL any comparison with null is null.
            guard language == .eql, op == .equal || op == .notEqual else { return .constant(.unknown) }
            return .isNull(field: field, negated: op == .notEqual)
        }
        let matcher: ValueMatcher
        switch (op, literal) {
        case (.equal, _), (.notEqual, _):
            matcher = try equalityMatcher(.literal(literal, at: at), caseInsensitive: false)
        case (_, .integer(let n)): matcher = .orderedNumber(op, Double(n))
        case (_, .decimal(let d)): matcher = .orderedNumber(op, d)
        case (_, .string(let s)): matcher = .ordered(op, Array(s.utf8))
        default: throw QueryError(.unsupported, "ordering comparison with \(literal)", at: at)
        }
        return .value(ValueTest(field: field, matchers: [matcher], caseInsensitive: false, negated: op == .notEqual, multiValue: mode))
    }

    private func fieldName(_ expression: Expression, at: SourceLocation) throws(QueryError) -> String {
        guard case .field(let name, _, _) = expression else {
            throw QueryError(.unsupported, "only a field may stand left of this operator for now", at: expression.location)
        }
        return name
    }

    private func literalText(_ expression: Expression) throws(QueryError) -> Literal {
        guard case .literal(let literal, _) = expression else {
            throw QueryError(.unsupported, "only literal values may stand in this list for now", at: expression.location)
        }
        return literal
    }

    private func equalityMatcher(_ expression: Expression, caseInsensitive: Bool) throws(QueryError) -> ValueMatcher {
        switch try literalText(expression) {
        case .string(let s):
            let bytes = Array(s.utf8)
            return .equal(caseInsensitive ? CaseFolding.fold(bytes) : bytes)
        case .integer(let n): return .number(Double(n))
        case .decimal(let d): return .number(d)
        case .bool(let b): return .equal(Array((b ? "true" : "false").utf8))
        case .null: throw QueryError(.unsupported, "null inside a list", at: expression.location)
        }
    }

    private func patternMatcher(_ expression: Expression, caseInsensitive: Bool) throws(QueryError) -> ValueMatcher {
        guard case .string(let text) = try literalText(expression) else {
            return try equalityMatcher(expression, caseInsensitive: caseInsensitive)
        }
        let pattern = WildcardPattern(text, caseInsensitive: caseInsensitive)
        if !pattern.hasWildcards { return try equalityMatcher(expression, caseInsensitive: caseInsensitive) }
        return .wildcard(pattern)
    }
}

extension Expression.Comparison {
    /// The same comparison with its operands swapped.
    var flipped: Expression.Comparison {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }
}
