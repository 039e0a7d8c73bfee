/// One sequence rule's state machine over its step matches, fed in event order per key
/// (Elasticsearch's `SequenceMatcher`, run as events arrive instead of over a search's pages).
///
/// Per key, each positive stage holds at most one partial sequence: a newer one reaching the
/// same stage replaces the older, as `trimBefore` leaves only the latest for the next step to
/// take. `maxspan` (or the rule's look-back) is measured from the first event, inclusive.
/// `until` kills the partial sequences of its key (one the until event itself advanced too, as
/// ES's inclusive `between` does). Missing-event steps are judged as Elasticsearch's
/// `TumblingWindow` queries them, by millisecond timestamps: one between two steps must not
/// fall strictly between their times; a leading one, latest before the first event, must lie
/// more than maxspan before the last; a trailing one, first after the last event, more than
/// maxspan after the first; with both, either may be absent or they must lie more than maxspan
/// apart. A sequence ending in a missing step is decided only once event time has passed its
/// window (elastic/elasticsearch#145323 decides it early).
struct SequenceMatcher {
    struct Counters: Sendable {
        /// Partial sequences dropped because their rule hit its cap (oldest first).
        var evicted = 0
        /// Partial sequences that outlived their span.
        var expired = 0
    }

    private struct Partial {
        var events: [HeldEvent]
        var serial: UInt64
        /// The latest leading missing event before the first event.
        var leading: Int64?
        /// The first missing event after the last event, in the gap to the next step (or after
        /// the last step, for a trailing one).
        var missingAfterLast: Int64?
        /// A missing event fell inside: the sequence goes on (it still takes its place, as in
        /// Elasticsearch, which checks missing events only once a sequence is complete) but is
        /// not found.
        var doomed = false
        var start: Int64 { events[0].time }
        var last: Int64 { events[events.count - 1].time }
    }

    private struct KeyState {
        /// stages[s]: the partial that matched positive steps 0...s and waits for s + 1.
        var stages: [Partial?]
        /// Complete but for a trailing missing step: decided once event time passes its window.
        var pending: [Partial] = []
        /// The two latest distinct times of leading missing events (the latest strictly before
        /// a new first event is one of them).
        var leading: (latest: Int64, before: Int64?)?
        var isEmpty: Bool { pending.isEmpty && leading == nil && stages.allSatisfy { $0 == nil } }

        func leadingMissing(before time: Int64) -> Int64? {
            guard let leading else { return nil }
            return leading.latest < time ? leading.latest : leading.before
        }
    }

    let rule: Int
    let plan: SequencePlan
    /// Positions in `plan.steps` of the positive steps.
    private let positive: [Int]
    /// Per step: how many positive steps come before it (a missing step guards the gap there).
    private let positivesBefore: [Int]
    private let span: Int64?
    private let cap: Int
    private var keys: [[Value]: KeyState] = [:]
    /// Partials in creation order, for evicting the oldest at the cap (stale entries skipped).
    private var creation: [(key: [Value], serial: UInt64)] = []
    private var creationHead = 0
    private var nextSerial: UInt64 = 0
    private(set) var open = 0
    private(set) var counters = Counters()
    private var sweptAt = Int64.min

    init(rule: Int, plan: SequencePlan, cap: Int) {
        self.rule = rule
        self.plan = plan
        self.positive = plan.positiveSteps
        var before: [Int] = []
        var count = 0
        for step in plan.steps {
            before.append(count)
            if !step.missing { count += 1 }
        }
        self.positivesBefore = before
        self.span = plan.span
        self.cap = max(1, cap)
    }

    private var trailingMissing: Bool { plan.steps.last?.missing == true }

    /// Takes one step match, in event order for its key; returns the sequences it completes.
    mutating func process(_ match: StepMatch, into found: inout [FoundSequence]) {
        let time = match.event.time
        // Taken out of the dictionary, not copied: a copy shares its arrays with the stored state,
        // so every change below copied them (the stages, and a partial's events when it grew).
        var state = keys.removeValue(forKey: match.key) ?? KeyState(stages: Array(repeating: nil, count: max(positive.count - 1, 0)))
        expire(&state, before: time)
        for step in plan.steps.indices where plan.steps[step].missing && match.steps & (1 << UInt64(step)) != 0 {
            let gap = positivesBefore[step]
            if gap == 0 {
                if let leading = state.leading, leading.latest >= time { continue }
                state.leading = (time, state.leading?.latest)
            } else if gap < positive.count {
                if var partial = state.stages[gap - 1], partial.missingAfterLast == nil, time > partial.last {
                    partial.missingAfterLast = time
                    state.stages[gap - 1] = partial
                }
            } else {
                for index in state.pending.indices where state.pending[index].missingAfterLast == nil && time > state.pending[index].last {
                    state.pending[index].missingAfterLast = time
                }
            }
        }
        // Later stages first, so one event never fills two steps of one sequence.
        for stage in positive.indices.reversed() where match.steps & (1 << UInt64(positive[stage])) != 0 {
            var partial: Partial
            if stage == 0 {
                partial = Partial(events: [match.event], serial: nextSerial, leading: state.leadingMissing(before: time))
                nextSerial += 1
                open += 1
                creation.append((match.key, partial.serial))
            } else {
                guard let earlier = state.stages[stage - 1] else { continue }
                state.stages[stage - 1] = nil
                guard span.map({ time - earlier.start <= $0 }) ?? true else { open -= 1; counters.expired += 1; continue }
                partial = earlier
                if let missing = partial.missingAfterLast, missing < time { partial.doomed = true }
                partial.missingAfterLast = nil
                partial.events.append(match.event)
            }
            if stage == positive.count - 1 {
                if trailingMissing {
                    state.pending.append(partial)
                } else {
                    open -= 1
                    if !partial.doomed && leadingAllows(partial) {
                        found.append(FoundSequence(rule: rule, key: match.key, events: partial.events))
                    }
                }
            } else {
                drop(&state.stages[stage])
                state.stages[stage] = partial
            }
        }
        if match.until {
            for stage in state.stages.indices where state.stages[stage] != nil { drop(&state.stages[stage]) }
        }
        if trailingMissing { decide(&state, key: match.key, at: time, into: &found) }
        if !state.isEmpty { keys[match.key] = state }
        evictOverCap()
    }

    /// Without a trailing step: a leading missing event must lie more than maxspan before the last event.
    private func leadingAllows(_ partial: Partial) -> Bool {
        guard let leading = partial.leading, let maxspan = plan.maxspan else { return true }
        return partial.last - leading > maxspan
    }

    /// Sequences waiting on a trailing missing step, once event time is past their window:
    /// found unless a missing event came inside it.
    private mutating func decide(_ state: inout KeyState, key: [Value], at time: Int64, into found: inout [FoundSequence]) {
        guard let maxspan = plan.maxspan, !state.pending.isEmpty else { return }
        let leadingStep = plan.steps.first?.missing == true
        var kept: [Partial] = []
        for partial in state.pending {
            let matches: Bool?
            switch (partial.missingAfterLast, leadingStep ? partial.leading : nil) {
            case (let trailing?, let leading?): matches = trailing - leading > maxspan
            case (let trailing?, nil): matches = trailing - partial.start > maxspan
            case (nil, _): matches = time > partial.start + maxspan ? true : nil
            }
            guard let matches else { kept.append(partial); continue }
            open -= 1
            if matches && !partial.doomed { found.append(FoundSequence(rule: rule, key: key, events: partial.events)) }
        }
        state.pending = kept
    }

    /// Event time has reached `watermark`: sequences waiting on a trailing missing step whose
    /// window has passed are decided, and partials that can no longer complete are dropped.
    mutating func advance(to watermark: Int64, into found: inout [FoundSequence]) {
        // A full sweep costs a pass over the keys: at most once per eighth of the span.
        let step = max((span ?? 60_000) / 8, 1000)
        guard watermark >= sweptAt &+ step || watermark == .max else { return }
        sweptAt = watermark
        for key in Array(keys.keys) {
            guard var state = keys.removeValue(forKey: key) else { continue }
            decide(&state, key: key, at: watermark, into: &found)
            if let maxspan = plan.maxspan, let leading = state.leading, leading.latest < watermark - maxspan - 1 { state.leading = nil }
            expire(&state, before: watermark)
            if !state.isEmpty { keys[key] = state }
        }
    }

    /// End of input: no event can come any more, so what waits on a trailing window is
    /// decided as if its time had passed; the rest is dropped.
    mutating func finish(into found: inout [FoundSequence]) {
        for key in keys.keys.sorted(by: { (keys[$0]?.pending.first?.serial ?? 0) < (keys[$1]?.pending.first?.serial ?? 0) }) {
            guard var state = keys[key] else { continue }
            decide(&state, key: key, at: .max, into: &found)
        }
        keys.removeAll()
        open = 0
    }

    private mutating func expire(_ state: inout KeyState, before time: Int64) {
        guard let span else { return }
        for stage in state.stages.indices {
            if let partial = state.stages[stage], partial.start < time - span {
                state.stages[stage] = nil
                open -= 1
                counters.expired += 1
            }
        }
    }

    private mutating func drop(_ partial: inout Partial?) {
        if partial != nil { open -= 1 }
        partial = nil
    }

    private mutating func evictOverCap() {
        while open > cap, creationHead < creation.count {
            let (key, serial) = creation[creationHead]
            creationHead += 1
            guard var state = keys.removeValue(forKey: key) else { continue }
            var evicted = false
            for stage in state.stages.indices where state.stages[stage]?.serial == serial {
                state.stages[stage] = nil
                evicted = true
            }
            if !evicted, let index = state.pending.firstIndex(where: { $0.serial == serial }) {
                state.pending.remove(at: index)
                evicted = true
            }
            if evicted { open -= 1; counters.evicted += 1 }
            if !state.isEmpty { keys[key] = state }
        }
        // Entries of partials already completed, replaced or expired are dropped now and then
        // (each holds its key: with a slack of thousands per rule, the bundled rules kept 80 MB).
        if creation.count - creationHead > 2 * open + 64 {
            var live: [(key: [Value], serial: UInt64)] = []
            for (key, state) in keys {
                for partial in state.stages.compactMap({ $0 }) + state.pending { live.append((key, partial.serial)) }
            }
            creation = live.sorted { $0.serial < $1.serial }
            creationHead = 0
        }
    }
}
