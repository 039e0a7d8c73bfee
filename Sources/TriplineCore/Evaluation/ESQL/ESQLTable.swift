/// ES|QL's commands over a whole table: `tripline query`'s result, and the rows of a scheduled
/// run's window from its `STATS` on. Row-at-a-time stages run per row; `SORT`, `LIMIT`,
/// `STATS` and `INLINE STATS` see every row.
struct ESQLTable {
    struct Row {
        /// The row's event, for `view`; -1 once a `STATS` has left only its own columns.
        var event: Int
        var slots: [Value]
    }

    var rows: [Row]
    /// Slots per row: the pipeline's, shared by every command.
    let slotCount: Int

    /// A row with no event reads no field.
    static var noEvent: EventView { EventView(raw: UnsafeRawBufferPointer(start: nil, count: 0), values: UnsafeBufferPointer(start: nil, count: 0)) }

    /// Runs `stages` over the rows. `view` gives an event's fields by its number.
    mutating func run(_ stages: ArraySlice<ESQLStage>, expressions: inout ExpressionEvaluator, view: (Int) -> EventView) {
        func eventView(_ event: Int) -> EventView { event < 0 ? Self.noEvent : view(event) }
        // A LIMIT after stages that keep or multiply rows (no WHERE, no SORT between) caps
        // them as they are made: seven MV_EXPANDs before `LIMIT 10` stay 10 rows.
        var caps = [Int?](repeating: nil, count: stages.count)
        var cap: Int?
        for (offset, stage) in stages.enumerated().reversed() {
            switch stage {
            case .limit(let count): cap = count
            case .assign, .dissect, .grok, .expand: break
            case .filter, .sort, .aggregate: cap = nil
            }
            caps[offset] = cap
        }
        var skipThrough = -1
        for (offset, stage) in stages.enumerated() where offset > skipThrough {
            // Row commands feeding a STATS: each row's results go into its groups as they are
            // made, never a table of them (MV_EXPANDs' product may be millions of rows).
            if case .aggregate(let aggregation) = stages.dropFirst(offset).first(where: { !$0.isRowAtATime }),
               !aggregation.inline, stage.isRowAtATime {
                let end = stages.dropFirst(offset).firstIndex { !$0.isRowAtATime }!
                var table = ESQLGroupTable(keepsArrival: true)
                for row in rows {
                    let event = eventView(row.event)
                    var unlimited = Int.max
                    expressions.descend(stages[(stages.startIndex + offset)..<end], row.slots, event, budget: &unlimited) { expressions, slots in
                        expressions.row = slots
                        table.add(aggregation, event, &expressions)
                    }
                }
                rows = []
                finishAggregate(aggregation, table, expressions: &expressions, view: eventView)
                skipThrough = end - stages.startIndex
                continue
            }
            switch stage {
            case .limit(let count):
                rows = Array(rows.prefix(count))
            case .sort(let keys):
                let decorated = rows.enumerated().map { position, row in
                    expressions.row = row.slots
                    return (keys.map { expressions.value($0.value, eventView(row.event)) }, position, row)
                }
                rows = decorated.sorted { a, b in
                    for (index, key) in keys.enumerated() {
                        let order = Self.order(a.0[index], b.0[index], key)
                        if order != 0 { return order < 0 }
                    }
                    return a.1 < b.1
                }.map(\.2)
            case .aggregate(let aggregation):
                aggregate(aggregation, expressions: &expressions, view: eventView)
            default:
                var next: [Row] = []
                var out: [[Value]] = []
                for row in rows {
                    out.removeAll(keepingCapacity: true)
                    expressions.apply(stage, to: row.slots, eventView(row.event), into: &out)
                    next += out.map { Row(event: row.event, slots: $0) }
                    if let cap = caps[offset], next.count >= cap { break }
                }
                rows = caps[offset].map { Array(next.prefix($0)) } ?? next
            }
        }
    }

    /// `STATS`: one row per group. `INLINE STATS`: every row, with its group's aggregates.
    private mutating func aggregate(_ aggregation: ESQLAggregation, expressions: inout ExpressionEvaluator, view: (Int) -> EventView) {
        var table = ESQLGroupTable(keepsArrival: true)
        for row in rows {
            expressions.row = row.slots
            table.add(aggregation, view(row.event), &expressions)
        }
        finishAggregate(aggregation, table, expressions: &expressions, view: view)
    }

    /// The rows an aggregation's groups give: `STATS`'s own (replacing the table), or
    /// `INLINE STATS`'s columns added to each row of it.
    mutating func finishAggregate(_ aggregation: ESQLAggregation, _ table: ESQLGroupTable, expressions: inout ExpressionEvaluator,
                                  view: (Int) -> EventView) {
        guard aggregation.inline else {
            rows = table.results(aggregation, slotCount: slotCount, warnings: &expressions.warnings)
                .map { Row(event: -1, slots: $0) }
            return
        }
        for index in rows.indices {
            expressions.row = rows[index].slots
            let event = view(rows[index].event)
            let keys = ESQLGroupTable.keys(aggregation, event, &expressions, counting: false)
            guard keys.count > 1 else {
                guard let key = keys.first, let states = table.states(for: key) else { continue }
                table.write(key, states, aggregation, into: &rows[index].slots, warnings: &expressions.warnings)
                continue
            }
            // A multi-valued key: the row stays one row (Elasticsearch joins the groups back by a
            // lookup that loads every group the row's values match): the BY columns keep the
            // row's own values, and each aggregate holds its groups' results, flattened.
            var results = [[Value]](repeating: [], count: aggregation.aggregates.count)
            for key in keys {
                guard let states = table.states(for: key) else { continue }
                for (position, aggregate) in aggregation.aggregates.enumerated() {
                    results[position] += states[position].result(aggregate, warnings: &expressions.warnings).values
                }
            }
            let groupValues = aggregation.groups.map { expressions.value($0.value, event) }
            for (position, aggregate) in aggregation.aggregates.enumerated() { rows[index].slots[aggregate.slot] = .of(results[position]) }
            for (position, group) in aggregation.groups.enumerated() { rows[index].slots[group.slot] = groupValues[position] }
        }
    }

    /// ES|QL's sort order for one key: nulls where the key puts them, multi-values by their
    /// smallest (ascending) or largest (descending) value.
    static func order(_ a: Value, _ b: Value, _ key: ESQLSortKey.Compiled) -> Int {
        func pick(_ value: Value) -> Value {
            guard case .multi(let values) = value else { return value }
            let sorted = values.sorted { (Value.order($0, $1) ?? 0) < 0 }
            return (key.ascending ? sorted.first : sorted.last) ?? .null
        }
        let x = pick(a), y = pick(b)
        if x.isNull || y.isNull {
            if x.isNull && y.isNull { return 0 }
            return x.isNull == key.nullsFirst ? -1 : 1
        }
        let order = Value.order(x, y) ?? 0
        return key.ascending ? order : -order
    }
}

extension ESQLStage {
    /// A command that takes one row to zero, one or more rows on its own.
    var isRowAtATime: Bool {
        switch self {
        case .assign, .dissect, .grok, .expand, .filter: true
        case .sort, .limit, .aggregate: false
        }
    }
}
