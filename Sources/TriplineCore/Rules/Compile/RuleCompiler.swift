/// Compiles parsed EQL and ES|QL into predicates with each language's semantics.
///
/// EQL: `==`/`in`/`like` are case-sensitive and `:`/`in~`/`like~` case-insensitive; a field with
/// several values matches if any value does. ES|QL: comparisons are case-sensitive; a missing or
/// multi-valued operand makes a comparison null, and a null WHERE drops the row.
public struct RuleCompiler {
    public var registry = FieldRegistry()
    /// Mapped field types: how each field's values read and compare.
    public let types: FieldTypes
    /// ES|QL, while one command's expression compiles: names earlier commands defined or
    /// renamed (`RuleCompiler+ESQL`).
    var esqlColumns: [String: ESQLColumn] = [:]
    /// Computed columns that hold a constant, by slot.
    var esqlConstants: [Int: Value] = [:]
    /// Regular expressions compiled so far, by pattern and case: rules repeat some (the bundled
    /// set compiles 137, 115 of them distinct, and an automaton costs up to 50 ms).
    let regexes = RegexCache()

    public init(types: FieldTypes = .bundled) {
        self.types = types
    }

    public mutating func compile(_ definition: RuleDefinition) throws(RuleError) -> CompiledRule {
        do {
            switch definition.language {
            case .eql: return try compileEQL(definition, allowPipes: false).rule
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

    /// An EQL query with its `head`/`tail` pipes, for hunting over files (`tripline query`).
    public mutating func compileHunt(_ definition: RuleDefinition) throws(RuleError) -> (rule: CompiledRule, pipes: [EQLPipe]) {
        do {
            return try compileEQL(definition, allowPipes: true)
        } catch let error as QueryError {
            throw RuleError(file: definition.file, location: error.location, message: error.message, ruleID: definition.ruleID,
                            language: "eql", isUnsupported: error.code == .unsupported)
        } catch {
            throw RuleError(file: definition.file, location: nil, message: "\(error)", ruleID: definition.ruleID)
        }
    }

    private mutating func compileEQL(_ definition: RuleDefinition, allowPipes: Bool) throws -> (rule: CompiledRule, pipes: [EQLPipe]) {
        let query = try EQLParser.parse(definition.query)
        for pipe in query.pipes {
            guard allowPipes else { throw QueryError(.unsupported, "a rule's query takes no pipe ('\(pipe.name)')", at: pipe.location) }
            guard pipe.name == "head" || pipe.name == "tail" else {
                throw QueryError(.unsupported, "pipe '\(pipe.name)' is not supported (head and tail are)", at: pipe.location)
            }
            guard pipe.arguments.count == 1, case .literal(.integer(let n), _) = pipe.arguments[0], n >= 0 else {
                throw QueryError(.syntax, "pipe '\(pipe.name)' takes one whole number", at: pipe.location)
            }
        }
        var fields: [String] = []
        let predicate: Predicate
        let output: CompiledRule.Output
        switch query.body {
        case .event(let event):
            predicate = try compileEventQuery(event, definition, fields: &fields)
            output = .sourceEvent
        case .sequence(let sequence):
            let plan = try compileSequence(sequence, definition, lookBack: allowPipes ? nil : Self.lookBack(definition), fields: &fields)
            predicate = plan.anyStep
            output = .sequence(plan)
        case .sample(let sample):
            let plan = try compileSample(sample, definition, fields: &fields)
            predicate = plan.anyStep
            output = .sequence(plan)
        }
        let rule = CompiledRule(definition: definition, indexPatterns: IndexPatternSet(definition.index),
                                predicate: predicate, fields: fields, literals: literals(of: predicate), output: output)
        return (rule, query.pipes)
    }

    /// `category where condition`: the condition, and the category test unless `any where`.
    mutating func compileEventQuery(_ event: EQLEventQuery, _ definition: RuleDefinition, fields: inout [String]) throws -> Predicate {
        var parts: [Predicate] = []
        if let category = event.category {
            // `process where` means event.category == "process" (or the rule's override field).
            let name = definition.eventCategoryOverride ?? "event.category"
            let field = types.resolve(name)
            parts.append(.value(ValueTest(field: registry.index(of: field), type: types.type(of: name),
                                          matchers: [.keyword(.equal, Array(category.utf8))],
                                          caseInsensitive: false, negated: false, multiValue: .anyValue)))
            if !fields.contains(field) { fields.append(field) }
        }
        parts.append(try compileCondition(event.condition, language: .eql))
        for field in event.condition.fields.map(types.resolve) where !fields.contains(field) { fields.append(field) }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    // MARK: ES|QL

    private mutating func compileESQL(_ definition: RuleDefinition) throws -> CompiledRule {
        let query = try ESQLParser.parse(definition.query)
        guard query.source.row.isEmpty else {
            throw QueryError(.unsupported, "a rule reads FROM indices, not a ROW", at: query.source.location)
        }
        let compiled = try compileESQLQuery(query, forTable: false)
        let conditions = compiled.conditions
        let predicate: Predicate = conditions.isEmpty ? .constant(.true) : conditions.count == 1 ? conditions[0] : .all(conditions)
        let index = definition.index.isEmpty ? query.source.indices : definition.index
        var output = CompiledRule.Output.esqlResult(compiled.pipeline)
        if let split = compiled.pipeline.firstAggregate, case .aggregate(let aggregation) = compiled.pipeline.stages[split] {
            output = .esqlWindows(try Self.windowPlan(compiled.pipeline, split: split, aggregation: aggregation, definition,
                                                      at: query.source.location))
        }
        return CompiledRule(definition: definition, indexPatterns: IndexPatternSet(index), predicate: predicate,
                            fields: compiled.fields, literals: literals(of: predicate), output: output)
    }

    /// The schedule of an aggregating rule: `interval` (5m by default) and `from` (its look-back).
    static func windowPlan(_ pipeline: ESQLPipeline, split: Int, aggregation: ESQLAggregation, _ definition: RuleDefinition,
                           at location: SourceLocation) throws(QueryError) -> ESQLWindowPlan {
        guard let interval = Timestamp.milliseconds(interval: definition.interval), interval > 0 else {
            throw QueryError(.type, "interval [\(definition.interval)] is not a time span", at: location)
        }
        guard let lookBack = lookBack(definition), lookBack > 0 else {
            throw QueryError(.type, "from [\(definition.from)] is not a look-back of the form now-<span>", at: location)
        }
        var identity: [Int] = []
        for stage in pipeline.stages {
            if case .aggregate(let later) = stage, !later.inline { identity = later.groups.map(\.slot) }
        }
        return ESQLWindowPlan(pipeline: pipeline, split: split, aggregation: aggregation, interval: interval, lookBack: lookBack,
                              slice: ESQLWindowPlan.gcd(interval, lookBack), identitySlots: identity)
    }

    /// An ad-hoc ES|QL query (`tripline query --esql`): its hoisted predicate and pipeline.
    public mutating func compileESQLHunt(_ text: String) throws(QueryError) -> (predicate: Predicate, pipeline: ESQLPipeline, source: ESQLSource) {
        let query = try ESQLParser.parse(text)
        let compiled = try compileESQLQuery(query, forTable: true)
        let conditions = compiled.conditions
        let predicate: Predicate = conditions.isEmpty ? .constant(.true) : conditions.count == 1 ? conditions[0] : .all(conditions)
        return (predicate, compiled.pipeline, compiled.source)
    }

    private func literals(of predicate: Predicate) -> LiteralRequirement? {
        let coarse = Set(registry.paths.indices.filter { Predicate.coarseFields.contains(registry.paths[$0]) })
        return predicate.requiredLiterals { coarse.contains($0) }
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

/// Compiled regular expressions by pattern and case sensitivity, for one compiler.
final class RegexCache {
    private struct Key: Hashable {
        var pattern: String
        var caseInsensitive: Bool
    }
    private var compiled: [Key: LuceneRegex] = [:]

    func regex(_ pattern: String, caseInsensitive: Bool) throws(RegexError) -> LuceneRegex {
        let key = Key(pattern: pattern, caseInsensitive: caseInsensitive)
        if let known = compiled[key] { return known }
        let regex = try LuceneRegex(pattern, caseInsensitive: caseInsensitive)
        compiled[key] = regex
        return regex
    }
}
