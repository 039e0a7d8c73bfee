/// EQL sequences and samples: each step's condition and join key, for the correlators.
extension RuleCompiler {
    mutating func compileSequence(_ sequence: EQLSequence, _ definition: RuleDefinition, lookBack: Int64?,
                                  fields: inout [String]) throws -> SequencePlan {
        var steps: [SequencePlan.Step] = []
        for written in sequence.steps {
            let step = try compileStep(written, by: sequence.by, definition, fields: &fields)
            if let runs = written.runs {
                guard written.runs.map({ $0 >= 1 && $0 <= 100 }) == true else {
                    throw QueryError(.syntax, "runs must be between 1 and 100, not \(runs)", at: written.query.location)
                }
                guard !written.missing else {
                    throw QueryError(.syntax, "a missing-event step ![...] takes no runs", at: written.query.location)
                }
            }
            steps += Array(repeating: step, count: written.runs ?? 1)
        }
        let until = try sequence.until.map { step throws in try compileStep(step, by: sequence.by, definition, fields: &fields) }
        guard steps.count <= SequencePlan.maxSteps else {
            throw QueryError(.unsupported, "a sequence of more than \(SequencePlan.maxSteps) steps is not supported", at: sequence.location)
        }
        let positive = steps.filter { !$0.missing }.count
        guard positive >= (steps.count > positive ? 1 : 2) else {
            throw QueryError(.syntax, "a sequence needs at least two steps, or one with a missing-event step", at: sequence.location)
        }
        // A missing step before the first or after the last event guards a window only maxspan bounds.
        if (steps.first?.missing == true || steps.last?.missing == true) && sequence.maxspan == nil {
            throw QueryError(.syntax, "a missing-event step at the start or end of a sequence needs 'with maxspan'", at: sequence.location)
        }
        try checkKeyCounts(steps + (until.map { [$0] } ?? []), at: sequence.location)
        return SequencePlan(kind: .sequence, steps: steps, until: until, maxspan: sequence.maxspan?.milliseconds, lookBack: lookBack,
                            timestamp: try orderingField(definition.timestampField ?? "@timestamp", fields: &fields),
                            tiebreaker: try definition.tiebreakerField.map { name throws in try orderingField(name, fields: &fields) })
    }

    mutating func compileSample(_ sample: EQLSample, _ definition: RuleDefinition, fields: inout [String]) throws -> SequencePlan {
        var steps: [SequencePlan.Step] = []
        for written in sample.steps {
            guard written.runs == nil, !written.missing else {
                throw QueryError(.syntax, "a sample's steps take neither runs nor '!'", at: written.query.location)
            }
            steps.append(try compileStep(written, by: sample.by, definition, fields: &fields))
        }
        guard steps.count >= 2, steps.count <= SequencePlan.maxSteps else {
            throw QueryError(.syntax, "a sample needs between 2 and \(SequencePlan.maxSteps) steps", at: sample.location)
        }
        try checkKeyCounts(steps, at: sample.location)
        return SequencePlan(kind: .sample, steps: steps, until: nil, maxspan: nil, lookBack: nil,
                            timestamp: try orderingField(definition.timestampField ?? "@timestamp", fields: &fields),
                            tiebreaker: try definition.tiebreakerField.map { name throws in try orderingField(name, fields: &fields) })
    }

    private mutating func compileStep(_ step: EQLSequenceStep, by shared: [Expression], _ definition: RuleDefinition,
                                      fields: inout [String]) throws -> SequencePlan.Step {
        let condition = try compileEventQuery(step.query, definition, fields: &fields)
        var keys: [ValueExpression] = []
        var nullable: [Bool] = []
        for key in shared + step.by {
            guard case .field(let name, let optional, _) = key else {
                throw QueryError(.unsupported, "a join key must be a field", at: key.location)
            }
            // All of a key field's values (each joins), not the least as a comparison reads them.
            guard case .field(let index, let type, _) = try compileValue(key, language: .eql) else {
                throw QueryError(.unsupported, "a join key must be a field", at: key.location)
            }
            keys.append(.field(index, type, .singleValueOnly))
            nullable.append(optional)
            let field = types.resolve(name)
            if !fields.contains(field) { fields.append(field) }
        }
        return SequencePlan.Step(condition: condition, keys: keys, nullableKeys: nullable, missing: step.missing)
    }

    private func checkKeyCounts(_ steps: [SequencePlan.Step], at location: SourceLocation) throws {
        guard let count = steps.first?.keys.count else { return }
        for step in steps where step.keys.count != count {
            throw QueryError(.type, "inconsistent number of join keys: \(count) and \(step.keys.count)", at: location)
        }
    }

    private mutating func orderingField(_ name: String, fields: inout [String]) throws -> ValueExpression {
        let field = types.resolve(name)
        if !fields.contains(field) { fields.append(field) }
        return .field(registry.index(of: field), types.type(of: name), .anyValue)
    }

    /// A rule's look-back, `from = "now-9m"`: the longest span one Kibana run searches.
    static func lookBack(_ definition: RuleDefinition) -> Int64? {
        guard definition.from.hasPrefix("now-") else { return nil }
        return Timestamp.milliseconds(interval: String(definition.from.dropFirst(4)))
    }
}

extension SequencePlan {
    /// Steps a 64-bit mask can name.
    public static let maxSteps = 63

    /// True when any step (`until` and missing steps included) may hold: the rule's predicate,
    /// whose literals the prefilter takes (skipping an `until` event would invent an alert).
    var anyStep: Predicate {
        let conditions = steps.map(\.condition) + (until.map { [$0.condition] } ?? [])
        var unique: [Predicate] = []
        for condition in conditions where !unique.contains(condition) { unique.append(condition) }
        return unique.count == 1 ? unique[0] : .any(unique)
    }
}
