/// One event that matched one rule, pointing back into its batch.
public struct RuleMatch: Sendable {
    public var rule: Int
    public var line: Int
    public var index: String
    /// The event's time for the rule's schedule (its `timestamp_override`, else `@timestamp`),
    /// in milliseconds; nil when the event has no readable time.
    public var eventTime: Int64?
}

/// A worker's evaluation of its share of a batch: route each event to the rules of its index,
/// then run their predicates.
public struct RuleEvaluator {
    public let ruleSet: RuleSet
    private var router: IndexRouter
    private var predicates = PredicateEvaluator()
    /// The rules' conditions alone: reading a whole `CompiledRule` per test would retain and
    /// release every reference it holds.
    private let conditions: [Predicate]
    /// Rules the prefilter never skips; the others run only on lines holding one of their literals.
    private let unfiltered: [Bool]
    private var marks: [UInt32]
    private var generation: UInt32 = 0
    public private(set) var eventsEvaluated = 0
    public private(set) var eventsWithoutIndex = 0

    public init(ruleSet: RuleSet, defaultIndex: String?, prefilter: LiteralPrefilter? = nil) {
        self.ruleSet = ruleSet
        self.router = IndexRouter(rules: ruleSet.rules, system: ruleSet.system, defaultIndex: defaultIndex)
        self.conditions = ruleSet.rules.map(\.predicate)
        self.unfiltered = prefilter?.unfiltered ?? [Bool](repeating: true, count: ruleSet.rules.count)
        self.marks = [UInt32](repeating: 0, count: ruleSet.rules.count)
    }

    private var timeScratch: [UInt8] = []

    /// The time the rule schedules the event by: as Kibana reads it, the override when the
    /// event has it, else `@timestamp`; a date as Elasticsearch parses one, or epoch milliseconds.
    mutating func scheduleTime(of event: EventView, rule: Int) -> Int64? {
        let system = ruleSet.system
        guard let value = system.timestampOverrides[rule].flatMap({ event.first($0) }) ?? event.first(system.timestamp),
              case .date(let milliseconds)? = value.typed(.date, in: event.raw, scratch: &timeScratch) else { return nil }
        return milliseconds
    }

    /// Evaluates the given lines of a batch (all valid) and returns the matches.
    public mutating func evaluate(_ extracted: ExtractedBatch, lines: [Int]) -> [RuleMatch] {
        var matches: [RuleMatch] = []
        extracted.batch.withUnsafeBytes { raw in
            extracted.values.withUnsafeBufferPointer { values in
                for line in lines {
                    let range = extracted.valueRange(ofLine: line)
                    let event = EventView(raw: raw, values: UnsafeBufferPointer(rebasing: values[range]))
                    eventsEvaluated += 1
                    let candidates = router.rules(for: event)
                    if candidates.isEmpty {
                        if router.name.isEmpty { eventsWithoutIndex += 1 }
                        continue
                    }
                    generation &+= 1
                    if let verdicts = extracted.candidates {
                        for index in Int(verdicts.ruleStart[line])..<Int(verdicts.ruleStart[line + 1]) {
                            marks[Int(verdicts.rules[index])] = generation
                        }
                    }
                    for rule in candidates where extracted.candidates == nil || unfiltered[rule] || marks[rule] == generation {
                        guard predicates.evaluate(conditions[rule], event) == .true else { continue }
                        matches.append(RuleMatch(rule: rule, line: line, index: String(decoding: router.name, as: UTF8.self),
                                                 eventTime: scheduleTime(of: event, rule: rule)))
                    }
                }
            }
        }
        return matches
    }
}
