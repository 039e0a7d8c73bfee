/// One `sample by ...` rule's state: per join key, events meeting each filter, until one
/// distinct event per filter is at hand (Elasticsearch's `SampleIterator`, which picks any such
/// events, in filter order, at most one sample per key: `max_samples_per_key` is 1).
///
/// On a stream a key's sample is found as soon as its events are, and the key starts afresh;
/// events older than the rule's look-back are forgotten, since no Kibana run could see them
/// together with the newest.
struct SampleMatcher {
    private struct KeyState {
        /// Per filter, the events meeting it: enough to pick distinct ones for every filter.
        var candidates: [[HeldEvent]]
        var serial: UInt64
        var count: Int { candidates.reduce(0) { $0 + $1.count } }
    }

    let rule: Int
    let plan: SequencePlan
    private let cap: Int
    private var keys: [[Value]: KeyState] = [:]
    private var nextSerial: UInt64 = 0
    private var sweptAt = Int64.min
    private(set) var counters = SequenceMatcher.Counters()

    init(rule: Int, plan: SequencePlan, cap: Int) {
        self.rule = rule
        self.plan = plan
        self.cap = max(1, cap)
    }

    /// Keys with events waiting for the rest of their sample.
    var open: Int { keys.count }

    mutating func process(_ match: StepMatch, into found: inout [FoundSequence]) {
        let filters = plan.steps.count
        // Taken out, not copied (a copy's candidate lists were copied again at each append).
        let stored = keys.removeValue(forKey: match.key)
        var state = stored ?? KeyState(candidates: Array(repeating: [], count: filters), serial: nextSerial)
        if stored == nil { nextSerial += 1 }
        forget(&state, before: match.event.time)
        for filter in 0..<filters where match.steps & (1 << UInt64(filter)) != 0 && state.candidates[filter].count < filters {
            state.candidates[filter].append(match.event)
        }
        if let events = Self.distinctPick(state.candidates) {
            found.append(FoundSequence(rule: rule, key: match.key, events: events))
            return
        }
        keys[match.key] = state
        if keys.count > cap, let oldest = keys.min(by: { $0.value.serial < $1.value.serial })?.key {
            keys[oldest] = nil
            counters.evicted += 1
        }
    }

    /// One event per filter, no event twice, by backtracking (a handful of filters and candidates).
    static func distinctPick(_ candidates: [[HeldEvent]]) -> [HeldEvent]? {
        var picked: [HeldEvent] = []
        func pick(_ filter: Int) -> Bool {
            if filter == candidates.count { return true }
            for event in candidates[filter] where !picked.contains(where: { $0 === event }) {
                picked.append(event)
                if pick(filter + 1) { return true }
                picked.removeLast()
            }
            return false
        }
        return pick(0) ? picked : nil
    }

    mutating func advance(to watermark: Int64, into found: inout [FoundSequence]) {
        guard let lookBack = plan.lookBack, watermark >= sweptAt &+ max(lookBack / 8, 1000) else { return }
        sweptAt = watermark
        for key in Array(keys.keys) {
            guard var state = keys[key] else { continue }
            forget(&state, before: watermark)
            keys[key] = state.count == 0 ? nil : state
        }
    }

    mutating func finish(into found: inout [FoundSequence]) {
        keys.removeAll()
    }

    private mutating func forget(_ state: inout KeyState, before time: Int64) {
        guard let lookBack = plan.lookBack else { return }
        for filter in state.candidates.indices {
            let before = state.candidates[filter].count
            state.candidates[filter].removeAll { $0.time < time - lookBack }
            counters.expired += before - state.candidates[filter].count
        }
    }
}
