import HeapModule

/// One correlator's state (DESIGN §1): the sequence and sample rules' keyed state for the join
/// keys hashed to it, and the event-time buffer that settles the order of their events.
///
/// Step matches wait until the watermark (the latest event time seen anywhere, less the allowed
/// lateness) passes them, and are then taken in Elasticsearch's order. A match at or behind the
/// watermark is late: it is still taken, at once, and counted. At most `heldCap` matches wait:
/// past it the earliest is taken before its time and the watermark moves up to it (counted as
/// `releasedEarly`), so a huge lateness or a stalled source cannot grow the buffer without bound.
struct Correlator {
    /// A waiting match's place in the heap: plain values, so sifting copies no references (the
    /// match itself waits in `parked`). Matches of one time are ordered fully when taken.
    private struct Waiting: Comparable {
        var time: Int64
        var receipt: UInt64
        var slot: Int32
        static func < (a: Waiting, b: Waiting) -> Bool { a.time != b.time ? a.time < b.time : a.receipt < b.receipt }
    }

    /// The rules' state, in rule order; `slotOfRule` finds a rule's (an array element is
    /// changed in place, where a dictionary's value moved out and back at every match).
    private var correlations: [RuleCorrelation]
    private let rules: [Int]
    private let slotOfRule: [Int: Int]
    private var waiting = Heap<Waiting>()
    private var parked: [StepMatch?] = []
    private var freeSlots: [Int32] = []
    /// The matches of one time being taken, reused.
    private var group: [(match: StepMatch, receipt: UInt64)] = []
    private var receipts: UInt64 = 0
    private let lateness: Int64
    private let heldCap: Int
    private(set) var watermark = Int64.min
    private(set) var lateEvents = 0
    /// Matches taken before the watermark reached them, because `heldCap` were waiting.
    private(set) var releasedEarly = 0

    /// Aggregating ES|QL rules owned here (all of a rule's groups live in one correlator, so a
    /// run's SORT, LIMIT and second STATS see its whole table).
    private(set) var windows: [Int: RuleWindows]
    /// Each aggregating rule's counters, read in place (iterating `windows` copied each rule's
    /// state, for every message a correlator took).
    func forEachWindowCounters(_ body: (_ rule: Int, _ counters: RuleWindows.Counters, _ warnings: ESQLWarnings) -> Void) {
        for index in windows.indices { body(windows.keys[index], windows.values[index].counters, windows.values[index].warnings) }
    }

    /// Rows of the runs emitted since the owner last took them.
    var runRows: [ESQLRunRow] = []

    init(plans: [Int: SequencePlan], windows: [Int: RuleWindows] = [:], lateness: Int64, cap: Int, heldCap: Int) {
        rules = plans.keys.sorted()
        correlations = rules.map { RuleCorrelation(rule: $0, plan: plans[$0]!, cap: cap) }
        slotOfRule = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1, $0) })
        self.windows = windows
        self.lateness = max(0, lateness)
        self.heldCap = max(1, heldCap)
    }

    /// Events held for their order to settle.
    var held: Int { waiting.count }
    /// Partial sequences and samples open, over all rules, kept as each rule's state changes.
    private(set) var open = 0
    /// The most that were open at once.
    private(set) var openPeak = 0

    /// Partial sequences (sample keys) dropped at the caps so far, over all rules.
    var evicted: Int { correlations.reduce(0) { $0 + $1.counters.evicted } }

    /// Per rule, what its state machine dropped (cap, span).
    var counters: [(rule: Int, counters: SequenceMatcher.Counters)] {
        zip(rules, correlations).map { ($0, $1.counters) }
    }

    mutating func receive(_ matches: [StepMatch], into found: inout [FoundSequence]) {
        for match in matches {
            if match.event.time <= watermark {
                lateEvents += 1
                take(match, into: &found)
            } else {
                park(match)
            }
        }
        while let earliest = waiting.min, waiting.count > heldCap {
            watermark = max(watermark, earliest.time)
            releasedEarly += takeEarliest(into: &found)
        }
    }

    private mutating func park(_ match: StepMatch) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            parked[Int(slot)] = match
        } else {
            slot = Int32(parked.count)
            parked.append(match)
        }
        waiting.insert(Waiting(time: match.event.time, receipt: receipts, slot: slot))
        receipts += 1
    }

    /// Takes every waiting match of the earliest time, in Elasticsearch's order (time, then
    /// tiebreaker, then arrival; receipt last). Returns how many.
    private mutating func takeEarliest(into found: inout [FoundSequence]) -> Int {
        guard let time = waiting.min?.time else { return 0 }
        var group = self.group  // taken out: `take` below mutates self
        self.group = []
        group.removeAll(keepingCapacity: true)
        while let first = waiting.min, first.time == time {
            let entry = waiting.removeMin()
            // Moved out of its slot, not copied (a copy retained its key and event, and the
            // slot's release followed).
            group.append((parked[Int(entry.slot)].take()!, entry.receipt))
            freeSlots.append(entry.slot)
        }
        if group.count > 1 {
            group.sort { a, b in
                a.match.event.order < b.match.event.order || (!(b.match.event.order < a.match.event.order) && a.receipt < b.receipt)
            }
        }
        for index in group.indices { take(group[index].match, into: &found) }
        let count = group.count
        group.removeAll(keepingCapacity: true)
        self.group = group
        return count
    }

    /// An aggregating rule's partial aggregates of one slice: late only when every run that
    /// would read them has been emitted (counted in its rule's counters, and in `lateEvents`).
    mutating func receive(_ partials: [ESQLPartial]) {
        for partial in partials {
            // In place: reading a rule's windows out of the dictionary copies (and retains) all of them.
            lateEvents += windows[partial.rule]?.receive(partial) ?? 0
        }
    }

    /// The latest event time seen anywhere is `latest`: what the watermark passes is taken.
    mutating func advance(latest: Int64, into found: inout [FoundSequence]) {
        let mark = latest == .max ? .max : latest &- lateness
        guard mark > watermark else { return }
        watermark = mark
        while let first = waiting.min, first.time <= mark {
            _ = takeEarliest(into: &found)
        }
        for slot in correlations.indices {
            let before = correlations[slot].open
            correlations[slot].advance(to: mark, into: &found)
            open += correlations[slot].open - before
        }
        for rule in windows.keys.sorted() { windows[rule]?.advance(to: mark, into: &runRows) }
    }

    /// One step match through its rule's state machine, the open count kept with it.
    private mutating func take(_ match: StepMatch, into found: inout [FoundSequence]) {
        guard let slot = slotOfRule[match.rule] else { return }
        let before = correlations[slot].open
        correlations[slot].process(match, into: &found)
        open += correlations[slot].open - before
        openPeak = max(openPeak, open)
    }

    /// End of input: everything held is taken in order, then every rule's state is settled.
    mutating func finish(into found: inout [FoundSequence]) {
        advance(latest: .max, into: &found)
        for slot in correlations.indices { correlations[slot].finish(into: &found) }
        open = 0
    }
}
