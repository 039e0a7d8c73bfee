import Synchronization

/// Kibana's `max_signals` in a stream (DESIGN §2): a rule writes at most that many alerts per
/// event-time bucket of its `interval`; the rest are counted as suppressed, never built.
public struct SignalCaps: Sendable {
    /// Per rule: its interval in milliseconds (5 minutes when unreadable) and its cap.
    public let intervals: [Int64]
    public let limits: [Int]
    private var counts: [Key: Int] = [:]
    private var newest: [Int: Int64] = [:]

    struct Key: Hashable { var rule: Int; var bucket: Int64 }

    /// Buckets this far behind a rule's newest one are forgotten (late events start afresh).
    static let bucketsKept: Int64 = 16

    public init(rules: [CompiledRule]) {
        intervals = rules.map { Timestamp.milliseconds(interval: $0.definition.interval) ?? 300_000 }
        limits = rules.map { max(0, $0.definition.maxSignals) }
    }

    /// Whether one more alert of `rule` in `bucket` fits under its cap; counts it if so.
    public mutating func admit(rule: Int, bucket: Int64) -> Bool {
        let key = Key(rule: rule, bucket: bucket)
        let count = counts[key, default: 0]
        guard count < limits[rule] else { return false }
        counts[key] = count + 1
        if bucket > newest[rule, default: .min] {
            newest[rule] = bucket
            if counts.count > 4096 { counts = counts.filter { $0.key.bucket >= (newest[$0.key.rule] ?? .min) - Self.bucketsKept } }
        }
        return true
    }
}

/// The caps shared by the workers, so an alert over its rule's cap is counted before anything is
/// spent building it (a rule firing a million times in a bucket builds `max_signals` documents).
public final class SharedSignalCaps: Sendable {
    private let caps: Mutex<SignalCaps>
    public let intervals: [Int64]

    public init(rules: [CompiledRule]) {
        let caps = SignalCaps(rules: rules)
        intervals = caps.intervals
        self.caps = Mutex(caps)
    }

    public func admit(rule: Int, bucket: Int64) -> Bool {
        caps.withLock { $0.admit(rule: rule, bucket: bucket) }
    }
}
