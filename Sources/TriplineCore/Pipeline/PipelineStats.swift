/// What a run did, stage by stage; `events == evaluated + rejected` always holds at the end.
/// `prefiltered` counts the evaluated events the literal prefilter settled without parsing them.
public struct PipelineStats: Sendable, Hashable {
    public var events = 0
    public var bytes = 0
    public var blankLines = 0
    public var evaluated = 0
    public var prefiltered = 0
    /// Batches the literal search backed off from (it skipped hardly any line of those before):
    /// extracted as with --no-prefilter.
    public var prefilterUnsearchedBatches = 0
    public var rejected = 0
    public var rejectedByReason: [String: Int] = [:]
    public var alerts = 0
    /// Alerts over a rule's max_signals in one interval bucket: counted, not written.
    public var suppressed = 0
    public var suppressedByRule: [String: Int] = [:]
    /// Alerts folded into their group's alert by `[rule.alert_suppression]` (its docs_count).
    public var suppressedIntoGroups = 0
    public var suppressedIntoGroupsByRule: [String: Int] = [:]
    /// Group alerts written again, whole, with their final suppression counts.
    public var suppressionUpdates = 0
    public var alertsByRule: [String: Int] = [:]
    public var eventsWithoutIndex = 0
    public var segmentsClosed = 0
    /// Segments a crash had left open, closed at start, with what they kept and lost.
    public var recovered: [SegmentRecovery] = []
    /// From the framing of an alert's event to the flush of the LZ4 block holding the alert.
    public var alertLatency = LatencyHistogram()
    /// Times a full spool disk paused the pipeline, and for how long in all.
    public var spoolBlockedPauses = 0
    public var spoolBlockedSeconds = 0.0
    public var elapsedSeconds = 0.0
    /// Step matches of sequence rules that came later than the allowed lateness: still
    /// evaluated, out of order.
    public var lateEvents = 0
    /// Events meeting a step of a sequence or sample rule, per join key: what went to correlators.
    public var stepMatches = 0
    /// Sequences and samples found (each one shell alert and its building blocks).
    public var sequencesFound = 0
    /// Partial sequences dropped because their rule reached its cap (`--max-open-sequences`).
    public var sequencesEvicted = 0
    public var sequencesEvictedByRule: [String: Int] = [:]
    /// Partial sequences dropped because they outlived their maxspan or look-back.
    public var sequencesExpired = 0
    /// The most partial sequences held at once, over all rules: each correlator's peak, added
    /// up (exact with one correlator, an upper bound with several).
    public var sequencesOpenPeak = 0
    /// Step matches taken before event time settled their order, because `--max-held-events`
    /// were already waiting in their correlator.
    public var heldReleasedEarly = 0
    /// Aggregating ES|QL rules: scheduled runs emitted (with events in their window), their rows,
    /// rows folded into an overlapping run's alert, events that reached a run already emitted
    /// (still counted in later ones; `late_events` counts those no run could take).
    public var esqlRuns = 0
    public var esqlRows = 0
    public var esqlRowsFolded = 0
    public var esqlPartlyLate = 0
    /// What the caps refused: groups (`--max-groups`), VALUES values and MEDIAN/PERCENTILE samples (`--max-group-values`),
    /// INLINE STATS rows held (`--max-held-events`); per rule, all three.
    public var esqlGroupsRefused = 0
    public var esqlValuesDropped = 0
    public var esqlRowsRefused = 0
    public var esqlCappedByRule: [String: Int] = [:]
    /// Values ES|QL rules turned to null with a warning (Elasticsearch's response warnings), per
    /// event and in aggregating runs alike.
    public var esqlWarnings = ESQLWarnings()
    /// Events an aggregating rule matched without a readable time (no scheduled run sees them).
    public var esqlEventsWithoutTime = 0
    public var rulesLoaded = 0
    public var rulesSkipped = 0

    public init() {}

    public var invariantHolds: Bool { events == evaluated + rejected }

    public func jsonLine() -> [UInt8] {
        var out = JSONWriter()
        func integer(_ key: String, _ value: Int) { out.key(key); out.integer(Int64(value)) }
        /// A map of counts, keys sorted so the same run always writes the same line.
        func counts(_ key: String, _ map: [String: Int]) {
            out.key(key); out.beginObject()
            for (name, count) in map.sorted(by: { $0.key < $1.key }) { integer(name, count) }
            out.endObject()
        }
        out.beginObject()
        integer("events", events)
        integer("bytes", bytes)
        integer("evaluated", evaluated)
        integer("prefiltered", prefiltered)
        integer("prefilter_unsearched_batches", prefilterUnsearchedBatches)
        integer("rejected", rejected)
        counts("rejected_by_reason", rejectedByReason)
        integer("blank_lines", blankLines)
        integer("alerts", alerts)
        integer("suppressed", suppressed)
        counts("suppressed_by_rule", suppressedByRule)
        integer("suppressed_into_groups", suppressedIntoGroups)
        counts("suppressed_into_groups_by_rule", suppressedIntoGroupsByRule)
        integer("suppression_updates", suppressionUpdates)
        counts("alerts_by_rule", alertsByRule)
        integer("events_without_index", eventsWithoutIndex)
        integer("segments_closed", segmentsClosed)
        integer("segments_recovered", recovered.count)
        integer("alerts_recovered", recovered.reduce(0) { $0 + $1.alertsKept })
        integer("recovery_bytes_dropped", recovered.reduce(0) { $0 + $1.compressedBytesDropped + $1.partialLineBytesDropped })
        out.key("alert_latency_ms"); out.beginObject()
        for (name, quantile) in [("p50", 0.5), ("p99", 0.99), ("max", 1.0)] {
            integer(name, alertLatency.milliseconds(atQuantile: quantile))
        }
        out.endObject()
        integer("spool_blocked_pauses", spoolBlockedPauses)
        out.key("spool_blocked_seconds"); out.double((spoolBlockedSeconds * 1000).rounded() / 1000)
        integer("late_events", lateEvents)
        integer("sequence_step_matches", stepMatches)
        integer("sequences_found", sequencesFound)
        integer("sequences_evicted", sequencesEvicted)
        counts("sequences_evicted_by_rule", sequencesEvictedByRule)
        integer("sequences_expired", sequencesExpired)
        integer("sequences_open_peak", sequencesOpenPeak)
        integer("held_released_early", heldReleasedEarly)
        integer("esql_runs", esqlRuns)
        integer("esql_rows", esqlRows)
        integer("esql_rows_folded", esqlRowsFolded)
        integer("esql_partly_late_events", esqlPartlyLate)
        integer("esql_groups_refused", esqlGroupsRefused)
        integer("esql_values_dropped", esqlValuesDropped)
        integer("esql_rows_refused", esqlRowsRefused)
        counts("esql_capped_by_rule", esqlCappedByRule)
        integer("esql_warnings", esqlWarnings.total)
        counts("esql_warnings_by_kind", esqlWarnings.byKind)
        integer("esql_events_without_time", esqlEventsWithoutTime)
        integer("rules_loaded", rulesLoaded)
        integer("rules_skipped", rulesSkipped)
        out.key("elapsed_seconds"); out.double((elapsedSeconds * 1000).rounded() / 1000)
        out.key("events_in_equals_evaluated_plus_rejected"); out.bool(invariantHolds)
        out.endObject()
        out.newline()
        return out.bytes
    }
}

/// Counts of durations in 1 ms buckets up to a minute (longer ones in the last bucket): fixed
/// memory however long a service runs, exact enough for p50/p99 of alert latency.
public struct LatencyHistogram: Sendable, Hashable {
    static let buckets = 60_000
    private var counts: [Int] = []
    public private(set) var total = 0

    public init() {}

    public mutating func record(_ duration: Duration, count: Int = 1) {
        if counts.isEmpty { counts = [Int](repeating: 0, count: Self.buckets) }
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        counts[Int(min(max(0, milliseconds), Int64(Self.buckets - 1)))] += count
        total += count
    }

    public mutating func merge(_ other: LatencyHistogram) {
        guard other.total > 0 else { return }
        if counts.isEmpty { counts = [Int](repeating: 0, count: Self.buckets) }
        for index in other.counts.indices { counts[index] += other.counts[index] }
        total += other.total
    }

    /// The smallest bucket at or below which `quantile` of the durations fall; 0 when empty.
    public func milliseconds(atQuantile quantile: Double) -> Int {
        guard total > 0 else { return 0 }
        let rank = max(1, Int((quantile * Double(total)).rounded(.up)))
        var seen = 0
        for (bucket, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return bucket }
        }
        return Self.buckets - 1
    }
}
