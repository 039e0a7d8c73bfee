/// ES|QL: a query's commands in order, each name resolved in the scope the commands before it
/// left (a name `EVAL` defines shadows the event's field from then on).
///
/// A `WHERE` that reads only the event's own fields is hoisted into the rule's predicate: filters
/// commute with `EVAL`, `DISSECT`, `GROK`, `RENAME`, `KEEP`, `DROP` and with `MV_EXPAND` of
/// another column, so the result is the same, and the prefilter may read its literals. Every
/// other command becomes a stage of the pipeline.
extension RuleCompiler {
    /// What a name means at one point of the query.
    enum ESQLColumn: Hashable {
        case slot(Int)
        /// The event's field under this path (itself, or renamed).
        case field(String)
        /// `_index` asked for with `METADATA`: the index Elasticsearch would have stored the
        /// event in (`IndexNameFields.concreteName`), not a field of the event.
        case metadataIndex
        case dropped
    }

    /// The names in scope: those commands defined, renamed or dropped, and which of the event's
    /// own fields `KEEP` and `DROP` still let through.
    struct ESQLScope {
        var defined: [String: ESQLColumn] = [:]
        var keepFilters: [[WildcardPattern]] = []
        var dropFilters: [WildcardPattern] = []
        var slotCount = 0
        /// After a `STATS`, only its columns exist: the event's fields are gone.
        var eventFieldsVisible = true
        /// The metadata fields `FROM ... METADATA` asked for: only those exist as columns.
        var metadata: Set<String> = []
        /// Slots an `EVAL` set to a constant: read as that constant (ES|QL propagates them, so
        /// `EVAL p = CONCAT("a", "*") | WHERE x LIKE p` has a constant pattern).
        var constants: [Int: Value] = [:]

        mutating func newSlot(named name: String) -> Int {
            defer { slotCount += 1 }
            defined[name] = .slot(slotCount)
            return slotCount
        }

        func resolve(_ name: String) -> ESQLColumn {
            if let column = defined[name] { return column }
            guard eventFieldsVisible else { return .dropped }
            for filter in keepFilters where !filter.contains(where: { $0.matches(name) }) { return .dropped }
            if dropFilters.contains(where: { $0.matches(name) }) { return .dropped }
            if ESQLResultColumns.metadataFields.contains(name) {
                guard metadata.contains(name) else { return .dropped }
                if name == "_index" { return .metadataIndex }
            }
            return .field(name)
        }

        /// Whether the expression reads only fields of the event under their own names.
        func readsOnlyEventFields(_ expression: Expression) -> Bool {
            expression.fields.allSatisfy { resolve($0) == .field($0) }
        }
    }

    /// The compiled query: hoisted conditions, the pipeline, what the rule reads.
    struct CompiledESQL {
        var conditions: [Predicate] = []
        var fields: [String] = []
        var pipeline: ESQLPipeline
        var source: ESQLSource
    }

    /// - Parameter forTable: `tripline query`: `LIMIT` ends the hoisting (a filter after it does
    ///   not commute), and `SORT`/`LIMIT` become stages. A rule runs per event: they are a
    ///   scheduled search's row caps, which `max_signals` stands for on a stream.
    mutating func compileESQLQuery(_ query: ESQLQuery, forTable: Bool) throws(QueryError) -> CompiledESQL {
        var scope = ESQLScope()
        scope.metadata = Set(query.source.metadata)
        var compiled = CompiledESQL(pipeline: ESQLPipeline(stages: [], slotCount: 0, columns: [], expandedSlots: [],
                                                           metadata: query.source.metadata), source: query.source)
        var hoisting = true
        func note(_ expression: Expression) {
            for field in expression.fields {
                if case .field(let path) = scope.resolve(field) {
                    let resolved = types.resolve(path)
                    if !compiled.fields.contains(resolved) { compiled.fields.append(resolved) }
                }
            }
        }
        for assignment in query.source.row {
            let value = try compileScoped(assignment.value, scope)
            let name = assignment.name ?? assignment.text
            compiled.pipeline.stages.append(.assign(slot: scope.newSlot(named: name), value))
            compiled.pipeline.columns.append(.set(name: name, slot: scope.slotCount - 1))
        }
        for command in query.commands {
            switch command {
            case .where(let condition, _):
                note(condition)
                // `WHERE a AND b` is `WHERE a | WHERE b`: a part that reads only the event's own
                // fields is hoisted even when another reads a computed column (an MV_EXPANDed one).
                var kept: [Expression] = []
                for part in hoisting ? Self.conjuncts(condition) : [condition] {
                    if hoisting && scope.readsOnlyEventFields(part) {
                        compiled.conditions.append(try compileCondition(part, language: .esql))
                    } else {
                        kept.append(part)
                    }
                }
                if !kept.isEmpty {
                    let rest = kept.count == 1 ? kept[0] : Expression.balanced(kept[...]) { .and($0, $1) }
                    compiled.pipeline.stages.append(.filter(try compileScoped(rest, scope)))
                }
            case .eval(let assignments, _):
                for assignment in assignments {
                    note(assignment.value)
                    let value = try compileScoped(assignment.value, scope)
                    let name = assignment.name ?? assignment.text
                    let slot = scope.newSlot(named: name)
                    if case .constant(let constant) = value { scope.constants[slot] = constant }
                    compiled.pipeline.stages.append(.assign(slot: slot, value))
                    compiled.pipeline.columns.append(.set(name: name, slot: slot))
                }
            case .dissect(let input, let text, let separator, let at):
                note(input)
                let pattern: DissectPattern
                do { pattern = try DissectPattern(text, appendSeparator: separator) } catch {
                    throw QueryError(.syntax, "invalid dissect pattern: \(error.message)", at: at)
                }
                let value = try compileScoped(input, scope)
                let slots = pattern.columns.map { scope.newSlot(named: $0) }
                compiled.pipeline.stages.append(.dissect(value, pattern, slots: slots))
                compiled.pipeline.columns += zip(pattern.columns, slots).map { .set(name: $0, slot: $1) }
            case .grok(let input, let texts, let at):
                note(input)
                let pattern: GrokAlternatives
                do { pattern = try GrokAlternatives(texts) } catch {
                    throw QueryError(.syntax, "invalid grok pattern: \(error.message)", at: at)
                }
                let value = try compileScoped(input, scope)
                let slots = pattern.columns.map { scope.newSlot(named: $0) }
                compiled.pipeline.stages.append(.grok(value, pattern, slots: slots))
                compiled.pipeline.columns += zip(pattern.columns, slots).map { .set(name: $0, slot: $1) }
            case .mvExpand(let name, let at):
                let column = Expression.field(name, optional: false, at: at)
                note(column)
                let value = try compileScoped(column, scope)
                let slot = scope.newSlot(named: name)
                compiled.pipeline.stages.append(.expand(slot: slot, value))
                compiled.pipeline.columns.append(.replace(name: name, slot: slot))
                compiled.pipeline.expandedSlots.append(slot)
            case .rename(let pairs, let at):
                for (from, to) in pairs {
                    let column = scope.resolve(from)
                    guard column != .dropped else { throw QueryError(.type, "Unknown column [\(from)]", at: at) }
                    scope.defined[to] = column
                    if from != to { scope.defined[from] = .dropped }
                    compiled.pipeline.columns.append(.rename(from: from, to: to))
                }
            case .keep(let patterns, _):
                let matchers = patterns.map { WildcardPattern($0, caseInsensitive: false, questionMarkIsWildcard: false) }
                for (name, column) in scope.defined where column != .dropped && !matchers.contains(where: { $0.matches(name) }) {
                    scope.defined[name] = .dropped
                }
                scope.keepFilters.append(matchers)
                compiled.pipeline.columns.append(.keep(patterns))
            case .drop(let patterns, _):
                let matchers = patterns.map { WildcardPattern($0, caseInsensitive: false, questionMarkIsWildcard: false) }
                for (name, _) in scope.defined where matchers.contains(where: { $0.matches(name) }) { scope.defined[name] = .dropped }
                scope.dropFilters += matchers
                compiled.pipeline.columns.append(.drop(patterns))
            case .sort(let keys, _):
                // A rule's SORT and LIMIT cut a scheduled run's table (after a STATS); before
                // one, they are the search's row caps, which max_signals stands for on a stream.
                guard forTable || compiled.pipeline.firstAggregate != nil else { continue }
                var compiledKeys: [ESQLSortKey.Compiled] = []
                for key in keys {
                    note(key.key)
                    compiledKeys.append(.init(value: try compileScoped(key.key, scope), ascending: key.ascending,
                                              nullsFirst: key.nullsFirst ?? !key.ascending))
                }
                compiled.pipeline.stages.append(.sort(compiledKeys))
            case .limit(let count, _):
                guard forTable || compiled.pipeline.firstAggregate != nil else { continue }
                hoisting = false
                compiled.pipeline.stages.append(.limit(count))
            case .stats(let aggregates, let groups, let inline, let at):
                for assignment in aggregates + groups {
                    note(assignment.value)
                    if let filter = assignment.filter { note(filter) }
                }
                // A WHERE after it filters the aggregated rows: it cannot move before them.
                hoisting = false
                try compileStats(aggregates, by: groups, inline: inline, at: at, scope: &scope, into: &compiled.pipeline)
            }
        }
        compiled.pipeline.slotCount = scope.slotCount
        return compiled
    }

    /// An expression with each name read in `scope`: a computed column, or an event field.
    mutating func compileScoped(_ expression: Expression, _ scope: ESQLScope) throws(QueryError) -> ValueExpression {
        var renamed: [String: ESQLColumn] = [:]
        for name in expression.fields {
            let column = scope.resolve(name)
            if column == .dropped { throw QueryError(.type, "Unknown column [\(name)]", at: expression.location) }
            if column != .field(name) { renamed[name] = column }
        }
        esqlColumns = renamed
        esqlConstants = scope.constants
        defer { esqlColumns = [:]; esqlConstants = [:] }
        return try compileValue(expression, language: .esql)
    }

    /// The parts of a chain of ANDs.
    static func conjuncts(_ expression: Expression) -> [Expression] {
        if case .and(let a, let b) = expression { return conjuncts(a) + conjuncts(b) }
        return [expression]
    }

    /// A name read inside an ES|QL expression: a computed column, or the field it stands for.
    func esqlColumn(_ name: String) -> ESQLColumn? { esqlColumns[name] }
}

extension ESQLSortKey {
    /// A `SORT` key compiled over the row scope.
    public struct Compiled: Sendable, Hashable {
        public var value: ValueExpression
        public var ascending: Bool
        /// ES|QL puts nulls last ascending, first descending, unless told.
        public var nullsFirst: Bool
    }
}
