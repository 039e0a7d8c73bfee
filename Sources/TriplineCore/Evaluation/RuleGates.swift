/// Tests that many rules begin with (`event.category == "process"`, `host.os.type == "windows"`),
/// each run at most once per event: a rule whose gates all fail is skipped without walking its
/// condition. With the sequence rules loaded, a Windows event met about 150 rules' conditions,
/// most of which failed at their category test; walking a condition costs its retains even then.
///
/// Sound by construction: a rule's gates are tests its condition cannot hold without (parts of
/// an `all`; for an `any`, those of one of its branches), run by the same evaluator.
struct RuleGates {
    private let tests: ConditionProgram
    /// Per rule: alternatives of gate conjunctions, one of which must hold whole; none when it
    /// has no gates. Rule r's alternatives are `alternativeStart[r]..<alternativeStart[r + 1]`,
    /// alternative a's gates `gates[gateStart[a]..<gateStart[a + 1]]` (flat, so asking retains
    /// no per-rule array).
    private let alternativeStart: [Int32]
    private let gateStart: [Int32]
    private let gates: [Int32]
    /// Each condition's own key test, by hash lookup.
    private var keys: RuleKeys

    /// `rules`: how many of the conditions are rules' (the rest, sequence steps, are asked only
    /// through their rule).
    /// `numbering`: numbers the gate tests alike with the conditions' (see `ConditionProgram`).
    init(conditions: [Predicate], rules: Int? = nil, isCoarse: (Int) -> Bool = { _ in false },
         numbering: ConditionProgram.TestNumbering? = nil) {
        keys = RuleKeys(conditions: conditions, isCoarse: isCoarse, askedFirst: rules ?? conditions.count)
        // A test counts as shared when it could gate two rules or more.
        var candidates: [Predicate: Int] = [:]
        func collect(_ predicate: Predicate, into found: inout Set<Predicate>) {
            switch predicate {
            case .value: found.insert(predicate)
            case .all(let parts): for part in parts { collect(part, into: &found) }
            case .any(let branches): for branch in branches { collect(branch, into: &found) }
            default: break
            }
        }
        for condition in conditions {
            var found = Set<Predicate>()
            collect(condition, into: &found)
            for test in found { candidates[test, default: 0] += 1 }
        }
        var ids: [Predicate: Int] = [:]
        var tests: [Predicate] = []
        func id(_ test: Predicate) -> Int {
            if let id = ids[test] { return id }
            tests.append(test)
            ids[test] = tests.count - 1
            return tests.count - 1
        }
        func shared(_ predicate: Predicate) -> Bool {
            if case .value = predicate { return (candidates[predicate] ?? 0) >= 2 }
            return false
        }
        /// A predicate's gates as alternatives of conjunctions: it cannot hold unless every test
        /// of one alternative does. `all`: its shared test parts (and the gates of an `any` part
        /// when it has none); `any`: the alternatives of every branch.
        func gates(_ predicate: Predicate) -> [[Predicate]]? {
            switch predicate {
            case .value:
                return shared(predicate) ? [[predicate]] : nil
            case .all(let parts):
                let tests = parts.filter(shared)
                if !tests.isEmpty { return [tests] }
                for part in parts { if case .any = part, let found = gates(part) { return found } }
                return nil
            case .any(let branches):
                var alternatives: [[Predicate]] = []
                for branch in branches {
                    guard let found = gates(branch) else { return nil }
                    alternatives += found
                }
                return alternatives.isEmpty ? nil : alternatives
            default:
                return nil
            }
        }
        var alternativeStart: [Int32] = [0], gateStart: [Int32] = [0], gateList: [Int32] = []
        for condition in conditions {
            for alternative in gates(condition) ?? [] {
                gateList += alternative.map { Int32(id($0)) }
                gateStart.append(Int32(gateList.count))
            }
            alternativeStart.append(Int32(gateStart.count - 1))
        }
        self.alternativeStart = alternativeStart
        self.gateStart = gateStart
        self.gates = gateList
        self.tests = ConditionProgram(tests, numbering: numbering)
    }

    /// Forgets the previous event's lookups. (A gate's verdict is kept for the event by the
    /// evaluator, through the numbering its tests share with the conditions'.)
    mutating func nextEvent() {
        keys.nextEvent()
    }

    /// Whether the rule may hold on the event: every gate of one alternative does (or it has none).
    mutating func allows(_ rule: Int, _ event: EventView, _ predicates: inout PredicateEvaluator) -> Bool {
        guard keys.allows(rule, event) else { return false }
        let alternatives = Int(alternativeStart[rule])..<Int(alternativeStart[rule + 1])
        guard !alternatives.isEmpty else { return true }
        alternatives: for alternative in alternatives {
            for index in Int(gateStart[alternative])..<Int(gateStart[alternative + 1])
            where predicates.evaluate(Int(gates[index]), of: tests, event) != .true {
                continue alternatives
            }
            return true
        }
        return false
    }

    /// Of these rules (one index's, in order), the ones that may hold on the event by their keys:
    /// found from the event's values where a rule is keyed, so the rules whose keys it lacks are
    /// never visited (a Defend event reads about 180 rules, of which about 17 pass their keys).
    /// In rule order; a superset of the rules `allows` lets through.
    mutating func rulesToAsk(of route: IndexRouter.Route, _ event: EventView, into rules: inout [Int]) {
        let plan: RoutePlan
        if let known = routePlans[route.id] {
            plan = known
        } else {
            plan = RoutePlan(unkeyed: route.rules.filter { !keys.isKeyed($0) },
                             probes: keys.triggerProbes(of: route.rules.filter { keys.isKeyed($0) }))
            if routePlans.count > 4096 { routePlans.removeAll() }
            routePlans[route.id] = plan
        }
        keys.appendTriggered(probes: plan.probes, event, wanted: route.reads, into: &rules)
        rules += plan.unkeyed
        rules.sortRuleNumbers()
    }

    /// Per route (by its id): its rules without keys, and the probes of the others' first clauses.
    private struct RoutePlan {
        var unkeyed: [Int]
        var probes: [Int32]
    }
    private var routePlans: [Int: RoutePlan] = [:]

    /// Rules with gates, and the distinct tests that gate them (for reports and tests).
    var summary: (gatedRules: Int, tests: Int, keyedRules: Int) {
        (zip(alternativeStart, alternativeStart.dropFirst()).filter { $0 < $1 }.count, tests.count, keys.summary.keyedConditions)
    }
}
