extension PredicateEvaluator {
    /// The steps of a sequence or sample the event meets, one `StepMatch` per join key (a
    /// multi-valued key field joins under each of its values, as Elasticsearch does); none when
    /// the event has no time (EQL does not search it). The event is copied out only when it matches,
    /// and its line only when it meets a step an alert shows (a missing event or an until never is).
    /// - Parameters:
    ///   - steps: holds the plan's step conditions from `firstStep` on, then its until's.
    ///   - possible: bit i, the steps worth testing (bit `steps.count`: the until); the rest are
    ///     known not to hold.
    ///   - shared: the plan, read in place (passed by value, it was copied, retaining each of its
    ///     arrays, for every event a step of it might meet).
    mutating func stepMatches(_ shared: SharedPlan<SequencePlan>, rule: Int, _ event: EventView, steps conditions: ConditionProgram,
                              firstStep: Int, possible: UInt64 = .max, into matches: inout [StepMatch],
                              hold: (_ order: EventOrder, _ withLine: Bool) -> HeldEvent) {
        guard possible != 0 else { return }
        let stepCount = shared.plan.steps.count
        // Bit i: step i holds; bit `stepCount`: the until.
        var holding: UInt64 = 0, tested: UInt64 = 0
        for index in 0..<stepCount where possible & (1 << UInt64(index)) != 0 {
            // A repeated step (`with runs=N`) takes the verdict of its first copy.
            let same = shared.plan.sameCondition[index]
            let holds = same != index && tested & (1 << UInt64(same)) != 0
                ? holding & (1 << UInt64(same)) != 0
                : evaluate(firstStep + index, of: conditions, event) == .true
            tested |= 1 << UInt64(index)
            if holds { holding |= 1 << UInt64(index) }
        }
        if shared.plan.hasUntil, possible & (1 << UInt64(stepCount)) != 0, evaluate(firstStep + stepCount, of: conditions, event) == .true {
            holding |= 1 << UInt64(stepCount)
        }
        guard holding != 0, let time = EventOrder.milliseconds(expressions.value(shared.plan.timestamp, event)) else { return }
        let order = EventOrder(time: time, tiebreaker: shared.plan.tiebreaker.map { expressions.value($0, event) } ?? .null,
                               arrival: SourcePosition(source: "", byteOffset: 0))
        var held: HeldEvent?
        let untilBit: UInt64 = 1 << UInt64(stepCount)
        let withLine = holding & ~untilBit & ~shared.plan.missingSteps != 0
        let first = matches.count
        var keysOf = -1
        // Moved out of the evaluator and back, so the list is reused without a copy.
        var keys: [[Value]] = []
        swap(&keys, &joinKeyLists)
        defer { swap(&keys, &joinKeyLists) }
        var pending = holding
        while pending != 0 {
            let index = pending.trailingZeroBitCount
            pending &= pending - 1
            let isUntil = index == stepCount
            if shared.plan.sameKeys[index] != keysOf {
                keysOf = shared.plan.sameKeys[index]
                if isUntil {
                    joinKeys(shared.plan.until!.keys, nullable: shared.plan.until!.nullableKeys, event, into: &keys)
                } else {
                    joinKeys(shared.plan.steps[index].keys, nullable: shared.plan.steps[index].nullableKeys, event, into: &keys)
                }
            }
            for key in keys {
                if held == nil { held = hold(order, withLine) }
                if let existing = matches[first...].firstIndex(where: { $0.key == key }) {
                    if isUntil { matches[existing].until = true } else { matches[existing].steps |= 1 << UInt64(index) }
                } else {
                    matches.append(StepMatch(rule: rule, key: key, steps: isUntil ? 0 : 1 << UInt64(index), until: isUntil, event: held!))
                }
            }
        }
    }

    /// The most join keys one event's multi-valued `by` fields may combine into: each key is a
    /// step match of its own (three lists of 300 values would be 27 million), and an entity's
    /// join values are few. Past it the rest are left out and the event counted
    /// (`events_over_row_cap`, with ES|QL's rows and group keys).
    static let maxJoinKeysPerEvent = 1_000

    /// The step's join keys for the event: none when a part is null and not written `?field`;
    /// several (their product) when parts have several values.
    /// - Parameter keys: replaced; the caller's array is reused, so its list costs nothing per match.
    private mutating func joinKeys(_ parts: [ValueExpression], nullable: [Bool], _ event: EventView, into keys: inout [[Value]]) {
        // Single values (the usual case) are appended in place: building each part's product
        // allocated a few arrays per part per step match.
        keys.removeAll(keepingCapacity: true)
        keys.append([])
        var capped = false
        defer { if capped { expressions.warnings.eventsOverRowCap += 1 } }
        keys[0].reserveCapacity(parts.count)
        for (part, expression) in parts.enumerated() {
            let value = expressions.value(expression, event)
            switch value {
            case .null:
                guard nullable[part] else { keys.removeAll(keepingCapacity: true); return }
                for index in keys.indices { keys[index].append(.null) }
            case .multi(let items):
                keys = Value.product(keys, Value.distinct(items), limit: Self.maxJoinKeysPerEvent, capped: &capped)
            default:
                for index in keys.indices { keys[index].append(value) }
            }
        }
    }
}
