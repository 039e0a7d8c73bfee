/// A worker's share of an aggregating ES|QL rule's rows in one slice of event time: partial
/// aggregates (`STATS`), or the rows themselves with their events (`INLINE STATS`, whose every
/// row stays in the result).
struct ESQLPartial: Sendable {
    var rule: Int
    var slice: Int64
    var table: ESQLGroupTable
    var rows: [HeldRow] = []
    /// Events it holds.
    var events = 0

    struct HeldRow: Sendable {
        var event: HeldEvent
        var slots: [Value]
    }
}

/// One result row of a scheduled run.
struct ESQLRunRow: Sendable {
    var rule: Int
    /// The run's time: its window is `[run - look-back, run)`.
    var run: Int64
    var slots: [Value]
    /// `INLINE STATS`: the row's event.
    var event: HeldEvent?
    /// Its identity across runs (the last STATS's `BY` values), for folding and the alert id.
    var identity: [Value]
}

/// One aggregating rule's state in its correlator: partials per slice of time, merged into each
/// scheduled run's window once the watermark passes the run; each run's rows, and what was
/// folded or late, counted.
struct RuleWindows {
    struct Counters: Sendable {
        /// Events whose every run had been emitted when they arrived (beyond the lateness).
        var lateEvents = 0
        /// Events that reached a run already emitted, but counted in later ones.
        var partlyLate = 0
        var runs = 0
        var rows = 0
        /// Rows folded into an alert of an overlapping earlier run (same BY values).
        var folded = 0
        var groupsRefused = 0
        var valuesDropped = 0
        var rowsRefused = 0
    }

    let rule: Int
    let plan: ESQLWindowPlan
    /// Fold rows of overlapping windows (the default); false: every run's rows, as Kibana.
    let folds: Bool
    let groupCap: Int
    let distinctCap: Int
    /// INLINE STATS: most rows held per rule.
    let rowCap: Int
    private var slices: [Int64: ESQLPartial] = [:]
    private var heldRows = 0
    /// The last run emitted.
    private var emitted = Int64.min
    /// Per identity, the run whose alert opened its span.
    private var spans: [[Value]: Int64] = [:]
    private(set) var counters = Counters()
    private var expressions = ExpressionEvaluator()
    private var extractor: Extractor?

    init(rule: Int, plan: ESQLWindowPlan, folds: Bool, groupCap: Int, distinctCap: Int, rowCap: Int, fieldPlan: FieldPlan) {
        self.rule = rule
        self.plan = plan
        self.folds = folds
        self.groupCap = groupCap
        self.distinctCap = distinctCap
        self.rowCap = rowCap
        if plan.aggregation.inline { extractor = Extractor(plan: fieldPlan) }
    }

    /// Returns the events it counted late.
    @discardableResult
    mutating func receive(_ partial: ESQLPartial) -> Int {
        guard let runs = plan.runs(containing: partial.slice + plan.slice - 1) else { return 0 }
        if runs.upperBound <= emitted {
            counters.lateEvents += partial.events
            return partial.events
        }
        if plan.runs(containing: partial.slice).map({ $0.lowerBound <= emitted }) ?? false { counters.partlyLate += partial.events }
        if var slice = slices.removeValue(forKey: partial.slice) {
            let before = slice.table.groupsRefused
            slice.table.merge(partial.table, plan.aggregation)
            counters.groupsRefused += slice.table.groupsRefused - before
            slice.events += partial.events
            hold(partial.rows, into: &slice)
            slices[partial.slice] = slice
        } else {
            var slice = partial
            slice.rows = []
            hold(partial.rows, into: &slice)
            counters.groupsRefused += partial.table.groupsRefused
            slices[partial.slice] = slice
        }
        return 0
    }

    private mutating func hold(_ rows: [ESQLPartial.HeldRow], into slice: inout ESQLPartial) {
        for row in rows {
            guard heldRows < rowCap else { counters.rowsRefused += 1; continue }
            slice.rows.append(row)
            heldRows += 1
        }
    }

    /// Emits every run at or before `watermark` whose window holds events (all of them at the
    /// end of input, `.max`).
    mutating func advance(to watermark: Int64, into out: inout [ESQLRunRow]) {
        while let run = nextRun(), run <= watermark {
            emit(run, into: &out)
            emitted = run
            // Slices no later run reads are dropped; so are spans no later row can fold into.
            let horizon = run + plan.interval - plan.lookBack
            for start in slices.keys where start + plan.slice <= horizon {
                heldRows -= slices[start]?.rows.count ?? 0
                slices[start] = nil
            }
            spans = spans.filter { run + plan.interval - $0.value < plan.lookBack }
        }
    }

    /// The first run after the last emitted whose window holds a slice.
    private func nextRun() -> Int64? {
        guard let earliest = slices.keys.min() else { return nil }
        let first = ESQLWindowPlan.multiple(atOrAfter: earliest + plan.slice, of: plan.interval)
        let next = emitted == .min ? first : max(first, emitted + plan.interval)
        return next
    }

    private mutating func emit(_ run: Int64, into out: inout [ESQLRunRow]) {
        let window = (run - plan.lookBack)..<run
        let starts = slices.keys.filter { window.contains($0) }.sorted()
        guard !starts.isEmpty else { return }
        counters.runs += 1
        var merged = ESQLGroupTable(groupCap: groupCap, distinctCap: distinctCap)
        var held: [ESQLPartial.HeldRow] = []
        // The slices' own refusals were counted as they came; only the run's merge adds any.
        var counted = 0
        for start in starts {
            guard let slice = slices[start] else { continue }
            merged.merge(slice.table, plan.aggregation)
            counted += slice.table.groupsRefused
            held += slice.rows
        }
        counters.groupsRefused += merged.groupsRefused - counted
        counters.valuesDropped = max(counters.valuesDropped, merged.valuesDropped)
        expressions.now = run
        let stages = plan.pipeline.stages[plan.split...]
        var rows: [(slots: [Value], event: HeldEvent?)]
        if plan.aggregation.inline {
            rows = inlineRows(held, stages: stages)
        } else {
            var table = ESQLTable(rows: [], slotCount: plan.pipeline.slotCount)
            table.finishAggregate(plan.aggregation, merged, expressions: &expressions) { _ in ESQLTable.noEvent }
            table.run(stages.dropFirst(), expressions: &expressions) { _ in ESQLTable.noEvent }
            rows = table.rows.map { ($0.slots, nil) }
        }
        for row in rows {
            let identity = row.event.map { [Value.keyword(Array("\($0.position.source)|\($0.position.byteOffset)".utf8))] + plan.identitySlots.map { row.slots[$0] } }
                ?? plan.identitySlots.map { row.slots[$0] }
            counters.rows += 1
            if folds || row.event != nil {
                if let start = spans[identity], run - start < plan.lookBack {
                    counters.folded += 1
                    continue
                }
                spans[identity] = run
            }
            out.append(ESQLRunRow(rule: rule, run: run, slots: row.slots, event: row.event, identity: identity))
        }
    }

    /// INLINE STATS: the window's rows with their events, re-read, through the rest of the query.
    private mutating func inlineRows(_ held: [ESQLPartial.HeldRow], stages: ArraySlice<ESQLStage>) -> [(slots: [Value], event: HeldEvent?)] {
        guard var extractor, !held.isEmpty else { return [] }
        var bytes: [UInt8] = []
        var lines: [LineSpan] = []
        for row in held {
            lines.append(LineSpan(start: UInt32(bytes.count), length: UInt32(row.event.line.count)))
            bytes += row.event.line
            bytes.append(0x0A)
        }
        let batch = Batch(source: "window", baseOffset: 0, bytes: bytes, lines: lines)
        let (extracted, _) = extractor.extract(batch)
        self.extractor = extractor
        var table = ESQLTable(rows: held.indices.map { ESQLTable.Row(event: $0, slots: held[$0].slots) }, slotCount: plan.pipeline.slotCount)
        extracted.batch.withUnsafeBytes { raw in
            extracted.values.withUnsafeBufferPointer { values in
                table.run(stages, expressions: &expressions) { line in
                    EventView(raw: raw, values: UnsafeBufferPointer(rebasing: values[extracted.valueRange(ofLine: line)]))
                }
            }
        }
        return table.rows.map { ($0.slots, $0.event >= 0 ? held[$0.event].event : nil) }
    }

    var warnings: ESQLWarnings { expressions.warnings }
}
