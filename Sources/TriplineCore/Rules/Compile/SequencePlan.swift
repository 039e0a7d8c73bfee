/// An EQL sequence or sample, compiled: a stateless condition per step for the workers, and what
/// the correlator's state machine needs (DESIGN §1-§2).
public struct SequencePlan: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var condition: Predicate
        /// The join key's parts: the sequence's `by` fields, then the step's own.
        public var keys: [ValueExpression]
        /// Per key part: written `?field`, so a null joins (as a null) instead of excluding the event.
        public var nullableKeys: [Bool]
        /// `![...]`: no such event may come where this step stands.
        public var missing: Bool
    }

    public enum Kind: Sendable, Hashable {
        case sequence
        case sample
    }

    public var kind: Kind
    /// The steps in order, `with runs=N` written out N times, missing steps in place.
    public let steps: [Step]
    public let until: Step?
    /// Whether it has an until: asked per event, where `until != nil` copied the step.
    public let hasUntil: Bool
    /// `with maxspan=`, in milliseconds: from the first event to the last, inclusive.
    public var maxspan: Int64?
    /// The rule's look-back (`from`): no Kibana run could match a longer sequence, so it bounds
    /// one without `maxspan`; nil for ad-hoc queries, which search everything.
    public var lookBack: Int64?
    /// What orders events within a key: the timestamp field, then the tiebreaker.
    public var timestamp: ValueExpression
    public var tiebreaker: ValueExpression?
    /// Per step, the first step with the same condition (itself when none comes before): a
    /// step written `with runs=60` is one test, not sixty.
    public let sameCondition: [Int]
    /// Per step, then for the until (at `steps.count`), the first of them with the same join key
    /// parts (itself when none comes before): an event meeting several is keyed once.
    public let sameKeys: [Int]
    /// Bit i: step i is a missing event (`![...]`).
    public let missingSteps: UInt64

    public init(kind: Kind, steps: [Step], until: Step?, maxspan: Int64?, lookBack: Int64?, timestamp: ValueExpression,
                tiebreaker: ValueExpression?) {
        self.kind = kind
        self.steps = steps
        self.until = until
        hasUntil = until != nil
        self.maxspan = maxspan
        self.lookBack = lookBack
        self.timestamp = timestamp
        self.tiebreaker = tiebreaker
        var first: [Predicate: Int] = [:]
        sameCondition = steps.indices.map { index in
            if let earlier = first[steps[index].condition] { return earlier }
            first[steps[index].condition] = index
            return index
        }
        let keyed = steps + (until.map { [$0] } ?? [])
        sameKeys = keyed.indices.map { index in
            keyed.indices.first { keyed[$0].keys == keyed[index].keys && keyed[$0].nullableKeys == keyed[index].nullableKeys }!
        }
        missingSteps = steps.indices.reduce(0) { steps[$1].missing && $1 < 64 ? $0 | 1 << UInt64($1) : $0 }
    }

    /// The longest span a sequence may have, whichever bound is tighter.
    public var span: Int64? {
        switch (maxspan, lookBack) {
        case let (m?, l?): min(m, l)
        case let (m, l): m ?? l
        }
    }

    /// The positive steps' positions in `steps`.
    public var positiveSteps: [Int] { steps.indices.filter { !steps[$0].missing } }

    /// The join key's parts, as the steps name them (`hits.sequences[].join_keys`).
    public var keyCount: Int { steps.first?.keys.count ?? 0 }
}
