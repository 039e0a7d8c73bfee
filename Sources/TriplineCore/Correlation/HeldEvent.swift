/// An event a correlator holds: copied out of its batch, so state never pins a batch buffer.
public final class HeldEvent: Sendable {
    public let line: [UInt8]
    public let position: SourcePosition
    public let index: String
    public let order: EventOrder
    /// When its batch was framed: a sequence's alert latency starts at its last event's.
    public let framedAt: ContinuousClock.Instant

    public init(line: [UInt8], position: SourcePosition, index: String, order: EventOrder,
                framedAt: ContinuousClock.Instant = .now) {
        self.line = line
        self.position = position
        self.index = index
        self.order = order
        self.framedAt = framedAt
    }

    public var time: Int64 { order.time }

    /// Whether the line was kept: not for an event only a missing step or an until met.
    public var hasLine: Bool { !line.isEmpty }
}

/// How Elasticsearch orders the events of a sequence: timestamp, then the tiebreaker (events
/// without one last), then arrival (the search's implicit `_shard_doc`).
public struct EventOrder: Sendable, Comparable {
    /// Milliseconds: a date field's value, or a number read as epoch milliseconds.
    public var time: Int64
    public var tiebreaker: Value
    public var arrival: SourcePosition

    public init(time: Int64, tiebreaker: Value, arrival: SourcePosition) {
        self.time = time
        self.tiebreaker = tiebreaker
        self.arrival = arrival
    }

    public static func < (a: EventOrder, b: EventOrder) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.tiebreaker.isNull != b.tiebreaker.isNull { return !a.tiebreaker.isNull }
        if let order = Value.order(a.tiebreaker, b.tiebreaker), order != 0 { return order < 0 }
        if a.arrival.source != b.arrival.source { return a.arrival.source < b.arrival.source }
        return a.arrival.byteOffset < b.arrival.byteOffset
    }

    public static func == (a: EventOrder, b: EventOrder) -> Bool { !(a < b) && !(b < a) }

    /// A timestamp field's value as milliseconds; nil when the event has none (EQL does not
    /// search it) or several.
    public static func milliseconds(_ value: Value) -> Int64? {
        switch value {
        case .date(let ms), .long(let ms): ms
        case .unsignedLong(let n): n <= UInt64(Int64.max) ? Int64(n) : nil
        case .double(let d) where d.isFinite && abs(d) < 9e18: Int64(d)
        default: nil
        }
    }
}

/// One event's match of one rule's steps under one join key: what a worker sends the
/// correlator that owns hash(rule, key).
public struct StepMatch: Sendable {
    public var rule: Int
    public var key: [Value]
    /// Bit i: `SequencePlan.steps[i]` holds.
    public var steps: UInt64
    public var until: Bool
    public var event: HeldEvent

    public init(rule: Int, key: [Value], steps: UInt64, until: Bool, event: HeldEvent) {
        self.rule = rule
        self.key = key
        self.steps = steps
        self.until = until
        self.event = event
    }
}

/// A sequence (or sample) found: its join key and its events in step order.
public struct FoundSequence: Sendable {
    public var rule: Int
    public var key: [Value]
    public var events: [HeldEvent]
}
