import CoreMetrics

/// Live figures for operators (events, bytes, alerts, rejects, queue depths, spool lag), reported
/// through swift-metrics while the pipeline runs so any backend can read them (`--metrics` serves
/// them as Prometheus text). The end-of-run `PipelineStats` stay the exact record; these are
/// updated per batch or per writer message, never per event.
public struct PipelineMetrics: Sendable {
    let events: Counter
    let bytes: Counter
    let prefiltered: Counter
    let prefilterUnsearchedBatches: Counter
    let alerts: Counter
    let suppressedByMaxSignals: Counter
    let suppressedByGroup: Counter
    let segmentsClosed: Counter
    let spoolBlockedPauses: Counter
    let rejected: [DeadLetter.Reason: Counter]
    let queueDepth: [String: Gauge]
    /// Alerts appended but not yet in a flushed block, and how long the oldest has waited.
    let unflushedAlerts: Gauge
    let spoolLagSeconds: Gauge
    /// 1 while a full disk or a write error holds the spool (and so intake) back.
    let spoolBlocked: Gauge
    let alertLatency: Timer
    let lateEvents: Counter
    let sequencesFound: Counter
    let sequencesEvicted: Counter
    let sequencesOpen: Gauge
    /// Aggregating ES|QL rules: rows of scheduled runs, those folded into an overlapping run's
    /// alert, and what the caps refused (groups, VALUES values and percentile samples, INLINE STATS rows).
    let esqlRows: Counter
    let esqlRowsFolded: Counter
    let esqlCapped: [String: Counter]

    /// Metrics that go nowhere: what a pipeline has unless it is given a factory.
    public static let none = PipelineMetrics(factory: NOOPMetricsHandler.instance, stages: [])

    public init(factory: any MetricsFactory, stages: [String]) {
        func counter(_ name: String, _ dimensions: [(String, String)] = []) -> Counter {
            Counter(label: name, dimensions: dimensions, factory: factory)
        }
        func gauge(_ name: String, _ dimensions: [(String, String)] = []) -> Gauge {
            Gauge(label: name, dimensions: dimensions, factory: factory)
        }
        events = counter("tripline_events_total")
        bytes = counter("tripline_bytes_total")
        prefiltered = counter("tripline_events_prefiltered_total")
        prefilterUnsearchedBatches = counter("tripline_prefilter_unsearched_batches_total")
        alerts = counter("tripline_alerts_total")
        suppressedByMaxSignals = counter("tripline_alerts_suppressed_total", [("by", "max_signals")])
        suppressedByGroup = counter("tripline_alerts_suppressed_total", [("by", "alert_suppression")])
        segmentsClosed = counter("tripline_spool_segments_closed_total")
        spoolBlockedPauses = counter("tripline_spool_blocked_pauses_total")
        var rejected: [DeadLetter.Reason: Counter] = [:]
        for reason in DeadLetter.Reason.allCases { rejected[reason] = counter("tripline_rejected_total", [("reason", reason.rawValue)]) }
        self.rejected = rejected
        var depths: [String: Gauge] = [:]
        for stage in stages { depths[stage] = gauge("tripline_queue_depth_batches", [("stage", stage)]) }
        queueDepth = depths
        unflushedAlerts = gauge("tripline_spool_unflushed_alerts")
        spoolLagSeconds = gauge("tripline_spool_lag_seconds")
        spoolBlocked = gauge("tripline_spool_blocked")
        alertLatency = Timer(label: "tripline_alert_latency_seconds", dimensions: [], factory: factory)
        lateEvents = counter("tripline_late_events_total")
        sequencesFound = counter("tripline_sequences_found_total")
        sequencesEvicted = counter("tripline_sequences_evicted_total")
        sequencesOpen = gauge("tripline_sequences_open")
        esqlRows = counter("tripline_esql_rows_total")
        esqlRowsFolded = counter("tripline_esql_rows_folded_total")
        esqlCapped = ["groups", "values", "rows"].reduce(into: [:]) { $0[$1] = counter("tripline_esql_capped_total", [("cap", $1)]) }
    }
}
