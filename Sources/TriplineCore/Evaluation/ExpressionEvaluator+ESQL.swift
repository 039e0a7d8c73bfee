/// ES|QL's pipeline on the one expression engine: the rows an event gives, stage by stage.
extension ExpressionEvaluator {
    /// The rows `event` gives after every stage: none when a `WHERE` drops it, several after an
    /// `MV_EXPAND`. Each row holds the pipeline's computed columns by slot. `SORT` and `LIMIT`
    /// order a table, not an event's rows: a rule's pipeline has neither.
    public mutating func esqlRows(_ pipeline: ESQLPipeline, _ event: EventView) -> [[Value]] {
        var rows: [[Value]] = []
        forEachESQLRow(pipeline, event) { rows.append($0.row) }
        return rows
    }

    /// `esqlRows` one by one: each row is `row` while `body` runs, so the usual single row
    /// builds no list (an allocation per event and aggregating rule).
    mutating func forEachESQLRow(_ pipeline: ESQLPipeline, _ event: EventView, _ body: (inout ExpressionEvaluator) -> Void) {
        // The one row through WHEREs and EVALs, changed in place: copying it at every stage
        // (as the general path below does) cost an allocation per EVAL per event.
        // The previous event's row buffer is reused: `[Value](repeating:count:)` took a generic,
        // unspecialized path (metadata lookups) on every event.
        row.removeAll(keepingCapacity: true)
        for _ in 0..<pipeline.slotCount { row.append(.null) }
        var first = 0
        single: while first < pipeline.stages.count {
            switch pipeline.stages[first] {
            case .filter(let condition):
                guard value(condition, event) == .bool(true) else { return }
            case .assign(let slot, let expression):
                let assigned = value(expression, event)
                row[slot] = assigned
            case .sort, .limit, .aggregate:
                break
            case .dissect, .grok, .expand:
                break single
            }
            first += 1
        }
        guard first < pipeline.stages.count else { return body(&self) }
        // From the first stage that may change the row count on, each row goes through every
        // later stage before the next is made (depth first): a WHERE after MV_EXPANDs drops rows
        // as they come, instead of after the expansions' whole product exists.
        var budget = Self.maxExpandedRowsPerEvent
        descend(pipeline.stages[first...], row, event, budget: &budget) { evaluator, row in
            evaluator.row = row
            body(&evaluator)
        }
        if budget < 0 { warnings.eventsOverRowCap += 1 }
    }

    /// The most rows `MV_EXPAND`s may make of one event. Each MV_EXPAND multiplies the rows by
    /// its field's values, so one event holding four lists of 100 values would make 10^8 rows
    /// for a rule expanding all four (as one bundled Bedrock rule does): minutes and gigabytes
    /// for one line. Past the cap the event's remaining rows are left out and the event counted
    /// (`esql_warnings_by_kind.events_over_row_cap`); rules' own events make a few rows each.
    public static let maxExpandedRowsPerEvent = 10_000

    /// `row` through the row-at-a-time `stages`, each result row handed to `emit`; `budget` is
    /// what MV_EXPAND may still make, negative once it ran out.
    mutating func descend(_ stages: ArraySlice<ESQLStage>, _ row: [Value], _ event: EventView, budget: inout Int,
                          emit: (inout ExpressionEvaluator, [Value]) -> Void) {
        var row = row
        for at in stages.indices {
            self.row = row
            switch stages[at] {
            case .filter(let condition):
                guard value(condition, event) == .bool(true) else { return }
            case .assign(let slot, let expression):
                row[slot] = value(expression, event)
            case .dissect(let input, let pattern, let slots):
                row = extracted(input, event, into: row, slots: slots) { pattern.match($0) }
            case .grok(let input, let pattern, let slots):
                row = extracted(input, event, into: row, slots: slots) { pattern.match($0) }
            case .expand(let slot, let expression):
                let values = value(expression, event).values
                guard values.count > 1 else {
                    row[slot] = values.first ?? .null
                    continue
                }
                for value in values {
                    guard budget > 0 else { budget = -1; return }
                    budget -= 1
                    row[slot] = value
                    descend(stages[(at + 1)...], row, event, budget: &budget, emit: emit)
                }
                return
            case .sort, .limit, .aggregate:
                break
            }
        }
        emit(&self, row)
    }

    /// One row-at-a-time stage on one row of `event`, its result rows appended to `out`.
    public mutating func apply(_ stage: ESQLStage, to row: [Value], _ event: EventView, into out: inout [[Value]]) {
        var unlimited = Int.max
        descend([stage][...], row, event, budget: &unlimited) { _, row in out.append(row) }
    }

    /// `DISSECT`/`GROK`: the matcher's columns into their slots, all null when the input is not
    /// a string or does not match. Each value of a multi-valued input is matched, and each
    /// column gathers what the matching values give (csv-spec `multivalueInput`).
    private mutating func extracted(_ input: ValueExpression, _ event: EventView, into row: [Value], slots: [Int],
                                    _ match: ([UInt8]) -> [Value]?) -> [Value] {
        var row = row
        var gathered = [[Value]](repeating: [], count: slots.count)
        for subject in value(input, event).values {
            guard case .keyword(let bytes) = subject, let values = match(bytes) else { continue }
            for index in slots.indices { gathered[index] += values[index].values }
        }
        for (index, slot) in slots.enumerated() { row[slot] = Value.of(gathered[index]) }
        return row
    }
}
