/// `STATS ... BY ...` and `INLINE STATS`: aggregates and groups into slots, and the scope after.
///
/// An aggregate may sit inside an expression (`STATS rate = COUNT(*) / COUNT_DISTINCT(host)`):
/// each aggregate call gets a hidden slot, and the expression is computed over them after the
/// aggregation, as an `EVAL` would.
extension RuleCompiler {
    mutating func compileStats(_ aggregates: [ESQLAssignment], by allGroups: [ESQLAssignment], inline: Bool, at: SourceLocation,
                               scope: inout ESQLScope, into pipeline: inout ESQLPipeline) throws(QueryError) {
        // A group named twice groups by its last definition only, as ES|QL resolves it.
        let groups = allGroups.enumerated().filter { index, group in
            !allGroups[(index + 1)...].contains { ($0.name ?? $0.text) == (group.name ?? group.text) }
        }.map(\.element)
        var aggregation = ESQLAggregation(groups: [], aggregates: [], inline: inline)
        var outputs: [(name: String, slot: Int)] = []
        // Computed after the aggregation: (column, expression over the hidden slots).
        var derived: [(slot: Int, expression: Expression)] = []
        var hidden: [String: Int] = [:]
        var groupOutputs: [(name: String, slot: Int)] = []
        var origins: [ValueExpression] = []
        for group in groups {
            let name = group.name ?? group.text
            let value = try compileScoped(group.value, scope)
            let slot = scope.newSlot(named: "\u{0}" + name)
            let origin = Self.aliasOrigin(of: value, in: pipeline.stages[...])
            aggregation.groups.append(.init(slot: slot, value: value, sameAs: origins.firstIndex(of: origin)))
            origins.append(origin)
            groupOutputs.append((name, slot))
        }
        // Aggregates may read a group by its alias (`STATS c = COUNT(x) WHERE l > 1 BY l = languages`):
        // each row's group key is in those slots when its aggregates are read.
        // A group named by its own field (`BY host.name`) leaves the name reading the field's values.
        var aggregateScope = scope
        for (group, output) in zip(groups, groupOutputs) where group.name != nil { aggregateScope.defined[output.name] = .slot(output.slot) }
        for var assignment in aggregates {
            let name = assignment.name ?? assignment.text
            assignment.value = try Self.substitutingWeightedAverages(assignment.value)
            if case .call(let function, let args, let callAt) = assignment.value, let kind = ESQLAggregateFunction(name: function) {
                let slot = scope.newSlot(named: "\u{0}" + name)
                aggregation.aggregates.append(try compileAggregate(kind, args, filter: assignment.filter, slot: slot, at: callAt, aggregateScope))
                outputs.append((name, slot))
                continue
            }
            var calls: [(ESQLAggregateFunction, [Expression], SourceLocation)] = []
            let rewritten = Self.replacingAggregates(assignment.value) { kind, args, callAt in
                calls.append((kind, args, callAt))
                return "\u{0}agg\(hidden.count + calls.count - 1)"
            }
            for (kind, args, callAt) in calls {
                let hiddenName = "\u{0}agg\(hidden.count)"
                let slot = scope.newSlot(named: hiddenName)
                hidden[hiddenName] = slot
                aggregation.aggregates.append(try compileAggregate(kind, args, filter: assignment.filter, slot: slot, at: callAt, aggregateScope))
            }
            let slot = scope.newSlot(named: "\u{0}" + name)
            derived.append((slot, rewritten))
            outputs.append((name, slot))
        }
        pipeline.stages.append(.aggregate(aggregation))
        // The columns after it: only its own (STATS), or the rows' with its own added.
        var after = ESQLScope(slotCount: scope.slotCount)
        if inline {
            after = scope
            after.constants = [:]
        } else {
            after.eventFieldsVisible = false
        }
        for (name, slot) in hidden { after.defined[name] = .slot(slot) }
        // An expression around aggregates reads the groups too (`STATS y + 1 BY y`).
        for (name, slot) in groupOutputs { after.defined[name] = .slot(slot) }
        for (slot, expression) in derived {
            pipeline.stages.append(.assign(slot: slot, try compileScoped(expression, after)))
        }
        for (name, slot) in outputs + groupOutputs { after.defined[name] = .slot(slot) }
        for name in hidden.keys { after.defined[name] = nil }
        // Names ES|QL rejects twice in one STATS are kept last-wins, as for EVAL.
        if inline {
            pipeline.columns += (outputs + groupOutputs).map { .set(name: $0.name, slot: $0.slot) }
        } else {
            var seen = Set<String>()
            let columns = (outputs + groupOutputs).reversed().filter { seen.insert($0.name).inserted }.reversed()
            pipeline.columns.append(.reset(Array(columns)))
        }
        after.slotCount = scope.slotCount
        scope = after
    }

    /// The column or field a value only copies, through `EVAL z = y` (and renames, which keep the
    /// slot): the value itself unless it is a column one `EVAL` set to another column or a field,
    /// neither written again since.
    static func aliasOrigin(of value: ValueExpression, in stages: ArraySlice<ESQLStage>) -> ValueExpression {
        guard case .column(let slot) = value else { return value }
        let writers = stages.indices.filter { stages[$0].writes(slot) }
        guard writers.count == 1, let writer = writers.first, case .assign(_, let source) = stages[writer] else { return value }
        switch source {
        case .field:
            return source
        case .column(let copied) where !stages[(writer + 1)...].contains(where: { $0.writes(copied) }):
            return aliasOrigin(of: source, in: stages[..<writer])
        default:
            return value
        }
    }

    private mutating func compileAggregate(_ kind: ESQLAggregateFunction, _ args: [Expression], filter: Expression?, slot: Int,
                                           at: SourceLocation, _ scope: ESQLScope) throws(QueryError) -> ESQLAggregate {
        guard kind.arity.contains(args.count) else {
            throw QueryError(.type, "aggregate [\(kind.rawValue.uppercased())] takes \(kind.arity.lowerBound == kind.arity.upperBound ? "\(kind.arity.lowerBound)" : "\(kind.arity.lowerBound) to \(kind.arity.upperBound)") arguments, not \(args.count)", at: at)
        }
        var aggregate = ESQLAggregate(function: kind, slot: slot)
        if let first = args.first, first != .literal(.string("*"), at: first.location) || kind != .count {
            aggregate.argument = try compileScoped(first, scope)
        } else if kind == .count, args.isEmpty {
            // COUNT() counts rows, as COUNT(*).
        }
        if let filter { aggregate.filter = try compileScoped(filter, scope) }
        func constant(_ index: Int) throws(QueryError) -> Value {
            guard case .constant(let value) = try compileScoped(args[index], scope) else {
                throw QueryError(.type, "argument \(index + 1) of [\(kind.rawValue.uppercased())] must be a constant", at: args[index].location)
            }
            return value
        }
        switch kind {
        case .percentile:
            guard let p = try constant(1).numeric else { throw QueryError(.type, "PERCENTILE's percentile must be a number", at: at) }
            aggregate.percentile = p
        case .top:
            guard case .long(let limit) = try constant(1), limit > 0 else { throw QueryError(.type, "TOP's limit must be a positive integer", at: at) }
            aggregate.limit = Int(limit)
            guard case .keyword(let order) = try constant(2), ["asc", "desc"].contains(String(decoding: order, as: UTF8.self).lowercased()) else {
                throw QueryError(.type, "TOP's order must be \"asc\" or \"desc\"", at: at)
            }
            aggregate.ascending = String(decoding: order, as: UTF8.self).lowercased() == "asc"
            if args.count == 4 {
                // TOP(field, limit, order, outputField): ranked by the field, the output field's values.
                aggregate.sortKey = aggregate.argument
                aggregate.argument = try compileScoped(args[3], scope)
            }
        case .first, .last:
            aggregate.sortKey = try compileScoped(args[1], scope)
        default:
            break
        }
        return aggregate
    }

    /// The expression with each aggregate call replaced by a field named by `name`.
    static func replacingAggregates(_ expression: Expression,
                                    _ name: (ESQLAggregateFunction, [Expression], SourceLocation) -> String) -> Expression {
        rewritingCalls(expression) { function, args, at in
            ESQLAggregateFunction(name: function).map { .field(name($0, args, at), optional: false, at: at) }
        }
    }

    /// `WEIGHTED_AVG(field, weight)` as Elasticsearch substitutes it (`WeightedAvg.surrogate`): a
    /// constant field is its `MV_AVG`; a constant weight leaves the plain average, `SUM(field) /
    /// COUNT(field)`; else `SUM(field * weight) / SUM(weight)` (a multi-valued operand makes its
    /// product null, with a warning), each a double. A null or zero constant weight is refused.
    package static let substitutedAggregates: Set<String> = ["weighted_avg"]

    static func substitutingWeightedAverages(_ expression: Expression) throws(QueryError) -> Expression {
        var failure: QueryError?
        let substituted = rewritingCalls(expression) { function, args, at in
            guard substitutedAggregates.contains(function.lowercased()) else { return nil }
            guard args.count == 2 else {
                failure = QueryError(.type, "aggregate [WEIGHTED_AVG] takes 2 arguments, not \(args.count)", at: at)
                return nil
            }
            func isConstant(_ e: Expression) -> Bool {
                switch e {
                case .literal: true
                case .negate(let inner, _): isConstant(inner)
                case .call("[]", let items, _): items.allSatisfy(isConstant)
                default: false
                }
            }
            let (field, weight) = (args[0], args[1])
            func call(_ name: String, _ args: Expression...) -> Expression { .call(name, args, at: at) }
            if isConstant(field) { return call("mv_avg", field) }
            if isConstant(weight) {
                switch weight {
                case .literal(.null, _), .literal(.integer(0), _), .literal(.decimal(0), _):
                    failure = QueryError(.type, "second argument of [WEIGHTED_AVG] cannot be null or 0", at: weight.location)
                    return nil
                default:
                    return .arithmetic(call("to_double", call("sum", field)), .divide, call("count", field), at: at)
                }
            }
            return .arithmetic(call("to_double", call("sum", .arithmetic(field, .multiply, weight, at: at))), .divide,
                               call("sum", weight), at: at)
        }
        if let failure { throw failure }
        return substituted
    }

    /// The expression with each call `transform` gives a replacement for replaced (and not
    /// walked into); other calls' arguments are walked.
    static func rewritingCalls(_ expression: Expression, _ transform: (String, [Expression], SourceLocation) -> Expression?) -> Expression {
        func walk(_ e: Expression) -> Expression {
            switch e {
            case .field, .literal: return e
            case .call(let function, let args, let at):
                if let replacement = transform(function, args, at) { return replacement }
                return .call(function, args.map(walk), at: at)
            case .not(let inner, let at): return .not(walk(inner), at: at)
            case .negate(let inner, let at): return .negate(walk(inner), at: at)
            case .isNull(let inner, let negated, let at): return .isNull(walk(inner), negated: negated, at: at)
            case .and(let a, let b): return .and(walk(a), walk(b))
            case .or(let a, let b): return .or(walk(a), walk(b))
            case .compare(let a, let op, let b, let at): return .compare(walk(a), op, walk(b), at: at)
            case .arithmetic(let a, let op, let b, let at): return .arithmetic(walk(a), op, walk(b), at: at)
            case .insensitiveMatch(let a, let list, let at): return .insensitiveMatch(walk(a), list.map(walk), at: at)
            case .inList(let a, let list, let ci, let negated, let at):
                return .inList(walk(a), list.map(walk), caseInsensitive: ci, negated: negated, at: at)
            case .like(let a, let list, let ci, let negated, let at):
                return .like(walk(a), list.map(walk), caseInsensitive: ci, negated: negated, at: at)
            case .regex(let a, let list, let ci, let negated, let at):
                return .regex(walk(a), list.map(walk), caseInsensitive: ci, negated: negated, at: at)
            }
        }
        return walk(expression)
    }
}
