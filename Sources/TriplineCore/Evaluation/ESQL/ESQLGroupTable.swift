/// The groups of one `STATS` over some rows: per distinct `BY` value, each aggregate's state.
///
/// Rows are added one by one (a worker's share of a batch, a whole table for `tripline query`);
/// tables of the same aggregation merge (slices of event time into a scheduled run's window).
struct ESQLGroupTable: Sendable {
    private(set) var groups: [[Value]: [ESQLAccumulator]] = [:]
    /// Rows added (per row, not per group: what a slice of time saw).
    private(set) var rows = 0
    /// Groups refused at the cap, and values VALUES left out at its cap.
    private(set) var groupsRefused = 0
    let groupCap: Int
    let distinctCap: Int
    /// A row's aggregate inputs (argument and sort key; nil where a filter said no), reused.
    private var inputs: [(Value, Value)?] = []
    /// A row's group key, reused.
    private var keyScratch: [Value] = []
    /// The groups in the order their first rows came, when the table keeps it (see `init`).
    private var arrival: [[Value]]?

    /// `keepsArrival`: results come in the order Elasticsearch gives an unsorted `STATS` over
    /// one table (`tripline query`); otherwise in key order, so that rows merged from several
    /// workers' tables never depend on which came first.
    init(groupCap: Int = .max, distinctCap: Int = .max, keepsArrival: Bool = false) {
        self.groupCap = groupCap
        self.distinctCap = distinctCap
        arrival = keepsArrival ? [] : nil
    }

    var isEmpty: Bool { groups.isEmpty }

    /// One row: its group keys (a multi-valued key puts the row in one group per value, as
    /// ES|QL groups), each aggregate's argument unless its filter says no.
    mutating func add(_ aggregation: ESQLAggregation, _ event: EventView, _ expressions: inout ExpressionEvaluator) {
        rows += 1
        // Nearly always every BY value is single: one key, built in a reused list, so finding
        // an existing group allocates nothing (the dictionary keeps a copy of a new one).
        var key: [Value] = []
        swap(&key, &keyScratch)
        defer { swap(&key, &keyScratch) }
        guard Self.singleKey(aggregation, event, &expressions, into: &key) else {
            for expanded in Self.expandedKeys(aggregation, event, &expressions, counting: true) {
                add(aggregation, key: expanded, event, &expressions)
            }
            return
        }
        add(aggregation, key: key, event, &expressions)
    }

    /// The row into the group `key`: its aggregates' inputs read with the key's values in the
    /// group columns (they may read them), once per key.
    private mutating func add(_ aggregation: ESQLAggregation, key: [Value], _ event: EventView, _ expressions: inout ExpressionEvaluator) {
        // The group's place, found once: its aggregates are changed there in place.
        var place = groups.index(forKey: key)
        if place == nil {
            guard admit() else { return }
            groups[key] = fresh(aggregation)
            arrival?.append(key)
            place = groups.index(forKey: key)
        }
        guard let place else { return }
        for (index, group) in aggregation.groups.enumerated() where group.slot < expressions.row.count {
            expressions.row[group.slot] = key[index]
        }
        inputs.removeAll(keepingCapacity: true)
        // By index: binding each aggregate would copy (and retain) its expressions.
        for index in aggregation.aggregates.indices {
            if let filter = aggregation.aggregates[index].filter, expressions.value(filter, event) != .bool(true) {
                inputs.append(nil)
                continue
            }
            let value = aggregation.aggregates[index].argument.map { expressions.value($0, event) } ?? .null
            let sortKey = aggregation.aggregates[index].sortKey.map { expressions.value($0, event) } ?? .null
            inputs.append((value, sortKey))
        }
        for index in aggregation.aggregates.indices {
            guard let (value, sortKey) = inputs[index] else { continue }
            groups.values[place][index].add(aggregation.aggregates[index], value, sortKey: sortKey, distinctCap: distinctCap)
        }
    }

    /// Adds another table's groups (the same aggregation).
    mutating func merge(_ other: ESQLGroupTable, _ aggregation: ESQLAggregation) {
        rows += other.rows
        groupsRefused += other.groupsRefused
        for (key, states) in other.groups {
            // The group's place, found once (a lookup per aggregate hashed the key each time).
            guard let place = groups.index(forKey: key) else {
                if admit() {
                    groups[key] = states
                    arrival?.append(key)
                }
                continue
            }
            for index in aggregation.aggregates.indices {
                groups.values[place][index].merge(states[index], aggregation.aggregates[index], distinctCap: distinctCap)
            }
        }
    }

    /// Values left out at the distinct-value cap, over every group.
    var valuesDropped: Int { groups.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.dropped } } }

    /// The result rows: each group's keys and aggregates in their slots, groups in arrival
    /// order where the table keeps it, else in key order (so a result never depends on arrival).
    /// A `STATS` without `BY` gives its one row even over no rows (COUNT 0, the rest null).
    func results(_ aggregation: ESQLAggregation, slotCount: Int, warnings: inout ESQLWarnings) -> [[Value]] {
        var table = groups
        if aggregation.groups.isEmpty && table.isEmpty { table[[]] = fresh(aggregation) }
        let keys: [[Value]]
        if let arrival {
            // No group arrived: none, or the one row of a STATS without BY.
            keys = arrival.isEmpty ? Array(table.keys) : Self.elasticsearchOrder(arrival, groupCount: aggregation.groups.count)
        } else {
            keys = table.keys.sorted { a, b in
                for (x, y) in zip(a, b) {
                    if x.isNull != y.isNull { return y.isNull }
                    if let order = Value.order(x, y), order != 0 { return order < 0 }
                }
                return false
            }
        }
        return keys.map { key in
            var row = [Value](repeating: .null, count: slotCount)
            write(key, table[key]!, aggregation, into: &row, warnings: &warnings)
            return row
        }
    }

    /// Groups as Elasticsearch's block hashes number them: by first arrival, except that under
    /// one `BY` column the null group comes first (its id is 0 there).
    private static func elasticsearchOrder(_ arrival: [[Value]], groupCount: Int) -> [[Value]] {
        guard groupCount == 1, let null = arrival.firstIndex(where: { $0.first?.isNull ?? false }) else { return arrival }
        var keys = arrival
        keys.insert(keys.remove(at: null), at: 0)
        return keys
    }

    /// Writes one group's keys and aggregate values into a row.
    func write(_ key: [Value], _ states: [ESQLAccumulator], _ aggregation: ESQLAggregation, into row: inout [Value],
             warnings: inout ESQLWarnings) {
        for (index, aggregate) in aggregation.aggregates.enumerated() {
            row[aggregate.slot] = states[index].result(aggregate, warnings: &warnings)
        }
        for (index, group) in aggregation.groups.enumerated() { row[group.slot] = key[index] }
    }

    /// The states of the group `key` (INLINE STATS reads them per row).
    func states(for key: [Value]) -> [ESQLAccumulator]? { groups[key] }

    /// A row's group keys, as `add` computes them. `counting`: a row past the cap of keys is
    /// counted in the warnings (once per row: INLINE STATS reads its keys again, uncounted).
    static func keys(_ aggregation: ESQLAggregation, _ event: EventView, _ expressions: inout ExpressionEvaluator,
                     counting: Bool = true) -> [[Value]] {
        var single: [Value] = []
        guard singleKey(aggregation, event, &expressions, into: &single) else {
            return expandedKeys(aggregation, event, &expressions, counting: counting)
        }
        return [single]
    }

    /// The row's one key, in `key` (replacing what it held), when every BY value is single, as
    /// nearly always; false when one is multi-valued (then `expandedKeys`).
    private static func singleKey(_ aggregation: ESQLAggregation, _ event: EventView, _ expressions: inout ExpressionEvaluator,
                                  into key: inout [Value]) -> Bool {
        key.removeAll(keepingCapacity: true)
        key.reserveCapacity(aggregation.groups.count)
        for group in aggregation.groups {
            if let original = group.sameAs { key.append(key[original]); continue }
            let value = expressions.value(group.value, event)
            if case .multi = value { return false }
            key.append(value)
        }
        return true
    }

    /// The keys when some BY value is multi-valued: one per combination of their distinct values,
    /// at most `ExpressionEvaluator.maxExpandedRowsPerEvent` of them (as MV_EXPAND's rows): three
    /// lists of 300 values under `BY a, b, c` would be 27 million keys of one row.
    private static func expandedKeys(_ aggregation: ESQLAggregation, _ event: EventView, _ expressions: inout ExpressionEvaluator,
                                     counting: Bool) -> [[Value]] {
        var keys: [[Value]] = [[]]
        var capped = false
        for group in aggregation.groups {
            if let original = group.sameAs {
                keys = keys.map { $0 + [$0[original]] }
                continue
            }
            let parts = Value.distinct(expressions.value(group.value, event).values)
            keys = Value.product(keys, parts.isEmpty ? [.null] : parts, limit: ExpressionEvaluator.maxExpandedRowsPerEvent, capped: &capped)
        }
        if capped && counting { expressions.warnings.eventsOverRowCap += 1 }
        return keys
    }

    private func fresh(_ aggregation: ESQLAggregation) -> [ESQLAccumulator] {
        [ESQLAccumulator](repeating: ESQLAccumulator(), count: aggregation.aggregates.count)
    }

    private mutating func admit() -> Bool {
        guard groups.count < groupCap else { groupsRefused += 1; return false }
        return true
    }
}
