/// An aggregating ES|QL rule on a stream (issue 14, DESIGN §2): Kibana's schedule as windows
/// of event time.
///
/// Kibana runs the rule at every multiple `t` of its `interval` over `[t - look-back, t)`. Here
/// the stages before the first `STATS` run per event on the workers; each event's rows go, as
/// partial aggregates per slice of time, to the correlator that owns the rule; once the
/// watermark passes `t`, the slices of run `t`'s window are merged and the rest of the query
/// runs over them, `NOW()` being `t`.
public struct ESQLWindowPlan: Sendable {
    public var pipeline: ESQLPipeline
    /// Stages before this index run per event; from it (the first STATS) per window.
    public var split: Int
    /// The first STATS.
    public var aggregation: ESQLAggregation
    public var interval: Int64
    public var lookBack: Int64
    /// Partials are kept per slice: the largest span both the interval and the look-back are
    /// multiples of, so every window is a whole number of slices.
    public var slice: Int64
    /// The last STATS's groups: a row's identity across runs (its `BY` values), for folding
    /// the rows of overlapping windows and for its alert's id.
    public var identitySlots: [Int]

    /// The per-event stages, as a pipeline of their own.
    public var head: ESQLPipeline {
        var head = pipeline
        head.stages = Array(pipeline.stages[..<split])
        return head
    }

    /// The runs whose window holds time `time`: from the first multiple of the interval after
    /// it, to the last within one look-back.
    public func runs(containing time: Int64) -> ClosedRange<Int64>? {
        let first = Self.multiple(atOrAfter: time + 1, of: interval)
        let last = Self.multiple(atOrAfter: time + lookBack + 1, of: interval) - interval
        return first <= last ? first...last : nil
    }

    /// The slice a time falls in (its start).
    public func sliceStart(_ time: Int64) -> Int64 {
        time >= 0 ? time / slice * slice : (time - slice + 1) / slice * slice
    }

    static func multiple(atOrAfter time: Int64, of step: Int64) -> Int64 {
        let down = time >= 0 ? time / step * step : (time - step + 1) / step * step
        return down == time ? time : down + step
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
}
