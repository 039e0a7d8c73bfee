/// One event that matched one rule, pointing back into its batch.
public struct RuleMatch: Sendable {
    public var rule: Int
    public var line: Int
    public var index: String
    /// The event's time for the rule's schedule (its `timestamp_override`, else `@timestamp`),
    /// in milliseconds; nil when the event has no readable time.
    public var eventTime: Int64?
    /// An ES|QL rule's result row (its computed columns by slot): one match per row.
    public var row: [Value]? = nil
}

/// A worker's evaluation of its share of a batch: route each event to the rules of its index,
/// then run their predicates.
public struct RuleEvaluator {
    public let ruleSet: RuleSet
    private var router: IndexRouter
    private var predicates = PredicateEvaluator()
    /// The rules' conditions, then each sequence rule's steps (and until) from `firstStepGate`.
    private let conditions: ConditionProgram
    /// ES|QL rules whose rows are computed per event (EVAL, DISSECT, MV_EXPAND, ...).
    private let pipelines: [SharedPlan<ESQLPipeline>?]
    /// Sequence and sample rules: their steps, tested here, joined by a correlator.
    private let sequencePlans: [SharedPlan<SequencePlan>?]
    /// The last `evaluate`'s step matches of sequence rules, for the correlators.
    public private(set) var stepMatches: [StepMatch] = []
    /// Aggregating ES|QL rules: their schedule, and the stages run per event (before the STATS).
    private let windowPlans: [SharedPlan<ESQLWindowPlan>?]
    private let windowHeads: [SharedPlan<ESQLPipeline>?]
    /// The last `evaluate`'s partial aggregates, per rule and slice of time, for the correlators.
    private var partialIndex: [PartialKey: Int] = [:]
    private(set) var partials: [ESQLPartial] = []
    /// Caps on a partial's groups and distinct values (the correlator's own, so a batch cannot
    /// build more than it may keep).
    var groupCap = Int.max
    var distinctCap = Int.max
    /// Events an aggregating rule matched but could not place in time (no readable timestamp):
    /// no scheduled search would see them.
    public private(set) var eventsWithoutTime = 0

    private struct PartialKey: Hashable {
        var rule: Int
        var slice: Int64
    }
    /// The current line's copy, once a sequence step has matched it.
    private var held: HeldEvent?
    /// The rules without literals, evaluated on every line of their index.
    private var unfilteredRules: [Int]
    /// Shared first tests, run once per event for all the rules (and sequence steps) they gate.
    private var gates: RuleGates
    /// Per sequence rule, where its steps' gates begin (then its until's).
    private let firstStepGate: [Int?]
    /// The rules evaluated on the current line, reused.
    private var selected: [Int] = []
    private var fieldIndex: FieldIndex
    /// Index names made strings, kept: events share a few, and each match and held event names
    /// its index (a string per event was an allocation per event).
    private var indexNames: [[UInt8]: String] = [:]
    public private(set) var eventsEvaluated = 0
    /// Distinct value tests run per event, summed (for the tests).
    var testsRun: Int { predicates.testsRun }
    /// Values the ES|QL rules' per-event commands turned to null with a warning.
    public var esqlWarnings: ESQLWarnings { predicates.expressions.warnings }
    public private(set) var eventsWithoutIndex = 0

    public init(ruleSet: RuleSet, defaultIndex: String?, prefilter: LiteralPrefilter? = nil) {
        self.ruleSet = ruleSet
        self.router = IndexRouter(rules: ruleSet.rules, system: ruleSet.system, defaultIndex: defaultIndex)
        predicates.expressions.defaultIndex = defaultIndex.map { Array($0.utf8) }
        // Each sequence step is gated as well, after the rules' conditions.
        var gated = ruleSet.rules.map(\.predicate)
        var stepGates: [Int?] = []
        for rule in ruleSet.rules {
            guard case .sequence(let plan) = rule.output else { stepGates.append(nil); continue }
            stepGates.append(gated.count)
            gated += plan.steps.map(\.condition) + (plan.until.map { [$0.condition] } ?? [])
        }
        let paths = ruleSet.plan.paths
        // Gates and conditions number their tests alike: a test runs once per event, for both.
        let numbering = ConditionProgram.TestNumbering()
        self.gates = RuleGates(conditions: gated, rules: ruleSet.rules.count, isCoarse: { Predicate.coarseFields.contains(paths[$0]) },
                               numbering: numbering)
        self.firstStepGate = stepGates
        self.conditions = ConditionProgram(gated, numbering: numbering)
        self.pipelines = ruleSet.rules.map { rule in
            if case .esqlResult(let pipeline) = rule.output, pipeline.computesRows { return SharedPlan(pipeline) }
            return nil
        }
        self.windowPlans = ruleSet.rules.map { rule in
            if case .esqlWindows(let plan) = rule.output { return SharedPlan(plan) }
            return nil
        }
        self.windowHeads = windowPlans.map { $0.map { SharedPlan($0.plan.head) } }
        self.sequencePlans = ruleSet.rules.map { rule in
            if case .sequence(let plan) = rule.output { return SharedPlan(plan) }
            return nil
        }
        self.unfilteredRules = Array(ruleSet.rules.indices)
        self.fieldIndex = FieldIndex(fieldCount: ruleSet.plan.paths.count)
        if let prefilter { readUnfiltered(from: prefilter) }
    }

    /// An evaluator for another worker: the compiled parts shared (they are never changed), the
    /// per-event state its own. Building one reads every rule (0.15 s with all bundled rules); a
    /// copy costs nothing.
    public func replica() -> RuleEvaluator {
        var copy = self
        copy.predicates.keepOwnVerdicts()
        return copy
    }

    /// The rules without literals, as the prefilter says (until then, every rule is taken as
    /// unfiltered): for an evaluator built while the prefilter was.
    public mutating func readUnfiltered(from prefilter: LiteralPrefilter) {
        unfilteredRules = prefilter.unfiltered.indices.filter { prefilter.unfiltered[$0] }
    }

    /// The index `name` as a string.
    private mutating func indexString(_ name: [UInt8]) -> String {
        if let known = indexNames[name] { return known }
        let string = String(decoding: name, as: UTF8.self)
        // Bounded: index names come from the events.
        if indexNames.count >= 1024 { indexNames.removeAll() }
        indexNames[name] = string
        return string
    }

    private var timeScratch: [UInt8] = []
    /// The last time read: the event (by count) and the value's place in the batch. Every rule an
    /// event matches reads its time, nearly always the same `@timestamp`, parsed once.
    private var lastTime: (event: Int, start: UInt32, milliseconds: Int64?) = (-1, 0, nil)

    /// The time the rule schedules the event by: as Kibana reads it, the override when the
    /// event has it, else `@timestamp`; a date as Elasticsearch parses one, or epoch milliseconds.
    mutating func scheduleTime(of event: EventView, rule: Int) -> Int64? {
        let system = ruleSet.system
        guard let value = system.timestampOverrides[rule].flatMap({ event.first($0) }) ?? event.first(system.timestamp) else { return nil }
        if lastTime.event == eventsEvaluated && lastTime.start == value.start { return lastTime.milliseconds }
        var milliseconds: Int64?
        if case .date(let parsed)? = value.typed(.date, in: event.raw, scratch: &timeScratch) { milliseconds = parsed }
        lastTime = (eventsEvaluated, value.start, milliseconds)
        return milliseconds
    }

    /// Evaluates the given lines of a batch (all valid) and returns the matches.
    ///
    /// An event meets only the rules that read its index and that the prefilter left possible
    /// (a literal of theirs is on the line, or they have none): a Defend process event meets a
    /// few of the hundreds of rules reading its index.
    public mutating func evaluate(_ extracted: ExtractedBatch, lines: [Int]) -> [RuleMatch] {
        var matches: [RuleMatch] = []
        stepMatches.removeAll(keepingCapacity: true)
        partials.removeAll(keepingCapacity: true)
        partialIndex.removeAll(keepingCapacity: true)
        extracted.batch.withUnsafeBytes { raw in
            extracted.values.withUnsafeBufferPointer { values in
                for line in lines {
                    held = nil
                    let range = extracted.valueRange(ofLine: line)
                    let lineValues = UnsafeBufferPointer(rebasing: values[range])
                    let event = EventView(raw: raw, values: lineValues)
                    eventsEvaluated += 1
                    let route = router.route(for: event)
                    if route.rules.isEmpty {
                        if router.name.isEmpty { eventsWithoutIndex += 1 }
                        continue
                    }
                    selected.removeAll(keepingCapacity: true)
                    gates.nextEvent()
                    predicates.nextEvent()
                    predicates.expressions.nextEvent()
                    if let verdicts = extracted.candidates {
                        for index in Int(verdicts.ruleStart[line])..<Int(verdicts.ruleStart[line + 1]) {
                            let rule = Int(verdicts.rules[index])
                            if route.reads[rule] { selected.append(rule) }
                        }
                        for rule in unfilteredRules where route.reads[rule] { selected.append(rule) }
                        // Matches of a line come in rule order, as without a prefilter.
                        selected.sortRuleNumbers()
                        guard !selected.isEmpty else { continue }
                    }
                    let name = router.name
                    // A local function, not a closure in a constant: that one's context was
                    // allocated per event.
                    func evaluate(_ event: EventView, _ evaluator: inout RuleEvaluator) {
                        let indexName = evaluator.indexString(name)
                        // Unsearched: the rules of the index that the event's values leave possible.
                        if extracted.candidates == nil { evaluator.gates.rulesToAsk(of: route, event, into: &evaluator.selected) }
                        for rule in evaluator.selected {
                            guard evaluator.gates.allows(rule, event, &evaluator.predicates) else { continue }
                            // A sequence rule's condition is "any step holds": its steps are tested
                            // one by one below anyway.
                            if let shared = evaluator.sequencePlans[rule], let first = evaluator.firstStepGate[rule] {
                                // The steps (and until) whose gates let them hold.
                                var possible: UInt64 = 0
                                for step in 0...shared.plan.steps.count where step < shared.plan.steps.count || shared.plan.hasUntil {
                                    // A repeated step (`with runs=N`) has its first copy's gates.
                                    if step < shared.plan.steps.count, shared.plan.sameCondition[step] != step {
                                        possible |= (possible >> UInt64(shared.plan.sameCondition[step]) & 1) << UInt64(step)
                                    } else if evaluator.gates.allows(first + step, event, &evaluator.predicates) {
                                        possible |= 1 << UInt64(step)
                                    }
                                }
                                evaluator.predicates.stepMatches(shared, rule: rule, event, steps: evaluator.conditions, firstStep: first, possible: possible,
                                                                 into: &evaluator.stepMatches) { order, withLine in
                                    let position = extracted.batch.position(ofLine: line)
                                    let span = extracted.batch.lines[line]
                                    var order = order
                                    order.arrival = position
                                    // One copy of the event for all the sequence rules it meets (unless
                                    // they order it differently: another timestamp or tiebreaker field).
                                    if let shared = evaluator.held, shared.order == order, shared.hasLine || !withLine { return shared }
                                    // An event only a missing step or an until meets is never in an alert:
                                    // its time and place are all a correlator needs of it.
                                    let copy = HeldEvent(line: withLine ? Array(raw[Int(span.start)..<span.end]) : [], position: position,
                                                         index: withLine ? indexName : "", order: order,
                                                         framedAt: extracted.batch.framedAt)
                                    evaluator.held = copy
                                    return copy
                                }
                                continue
                            }
                            guard evaluator.predicates.evaluate(rule, of: evaluator.conditions, event) == .true else { continue }
                            let time = evaluator.scheduleTime(of: event, rule: rule)
                            if let shared = evaluator.windowPlans[rule] {
                                evaluator.aggregate(shared, rule: rule, event, time: time) { time in
                                    let span = extracted.batch.lines[line], position = extracted.batch.position(ofLine: line)
                                    return HeldEvent(line: Array(raw[Int(span.start)..<span.end]), position: position,
                                                     index: indexName,
                                                     order: EventOrder(time: time, tiebreaker: .null, arrival: position),
                                                     framedAt: extracted.batch.framedAt)
                                }
                                continue
                            }
                            guard let pipeline = evaluator.pipelines[rule] else {
                                matches.append(RuleMatch(rule: rule, line: line, index: indexName, eventTime: time))
                                continue
                            }
                            // NOW() is the time of the scheduled run that would see the event: its own time.
                            evaluator.predicates.expressions.now = time ?? Timestamp.nowMilliseconds()
                            evaluator.predicates.expressions.forEachESQLRow(pipeline.plan, event) { expressions in
                                matches.append(RuleMatch(rule: rule, line: line, index: indexName, eventTime: time, row: expressions.row))
                            }
                        }
                    }
                    // Several rules read the event: link its fields once so each test reads its own.
                    if (extracted.candidates == nil ? route.rules.count : selected.count) > 1 {
                        // Moved out, not copied: a copy shares its arrays, so linking copied both per event.
                        var index = FieldIndex(fieldCount: 0)
                        swap(&index, &fieldIndex)
                        index.withIndexedView(raw: raw, values: lineValues) { evaluate($0, &self) }
                        swap(&index, &fieldIndex)
                    } else {
                        evaluate(event, &self)
                    }
                }
            }
        }
        return matches
    }

    /// An aggregating rule's rows of one event, into the partial of its rule and slice of time:
    /// its groups' aggregates (`STATS`), or the rows themselves (`INLINE STATS`).
    private mutating func aggregate(_ shared: SharedPlan<ESQLWindowPlan>, rule: Int, _ event: EventView, time: Int64?, hold: (Int64) -> HeldEvent) {
        // The plans are read in place: binding them copied (and retained) their parts per event.
        guard let time, let head = windowHeads[rule] else { eventsWithoutTime += 1; return }
        // NOW() before the STATS: the time of the event itself, as for non-aggregating rules.
        predicates.expressions.now = time
        if shared.plan.aggregation.inline {
            let rows = predicates.expressions.esqlRows(head.plan, event)
            // An event whose rows a WHERE dropped reaches no STATS, as one the predicate refused.
            guard !rows.isEmpty else { return }
            let position = partialPosition(rule: rule, slice: shared.plan.sliceStart(time))
            partials[position].events += 1
            let held = hold(time)
            partials[position].rows += rows.map { ESQLPartial.HeldRow(event: held, slots: $0) }
            return
        }
        // Each row straight into the table, as the pipeline makes it: gathering the rows first
        // built a list per event.
        var position = -1
        var partials: [ESQLPartial] = []
        swap(&partials, &self.partials)
        defer { swap(&partials, &self.partials) }
        let (groupCap, distinctCap) = (groupCap, distinctCap)
        predicates.expressions.forEachESQLRow(head.plan, event) { expressions in
            if position < 0 {
                position = Self.partialPosition(rule: rule, slice: shared.plan.sliceStart(time), in: &partials, index: &partialIndex,
                                                groupCap: groupCap, distinctCap: distinctCap)
                partials[position].events += 1
            }
            partials[position].table.add(shared.plan.aggregation, event, &expressions)
        }
    }

    /// Where the partial of the rule and slice is in `partials`, added when new.
    private mutating func partialPosition(rule: Int, slice: Int64) -> Int {
        Self.partialPosition(rule: rule, slice: slice, in: &partials, index: &partialIndex, groupCap: groupCap, distinctCap: distinctCap)
    }

    private static func partialPosition(rule: Int, slice: Int64, in partials: inout [ESQLPartial], index: inout [PartialKey: Int],
                                        groupCap: Int, distinctCap: Int) -> Int {
        let key = PartialKey(rule: rule, slice: slice)
        if let existing = index[key] { return existing }
        index[key] = partials.count
        partials.append(ESQLPartial(rule: rule, slice: slice, table: ESQLGroupTable(groupCap: groupCap, distinctCap: distinctCap)))
        return partials.count - 1
    }
}

/// A rule's compiled plan behind one reference: the per-event loop binds it by retaining one
/// object, where binding the plan itself retained each of its arrays (a few percent of an
/// all-rules run, profiled).
final class SharedPlan<Plan: Sendable>: Sendable {
    let plan: Plan
    init(_ plan: Plan) { self.plan = plan }
}
