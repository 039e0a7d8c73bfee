/// A correlator's state for one rule. (Two optionals, not an enum with payloads: mutating an
/// enum's payload copies it, and with it every key's state, on each event.)
struct RuleCorrelation {
    private var sequence: SequenceMatcher?
    private var sample: SampleMatcher?

    init(rule: Int, plan: SequencePlan, cap: Int) {
        switch plan.kind {
        case .sequence: sequence = SequenceMatcher(rule: rule, plan: plan, cap: cap)
        case .sample: sample = SampleMatcher(rule: rule, plan: plan, cap: cap)
        }
    }

    mutating func process(_ match: StepMatch, into found: inout [FoundSequence]) {
        sequence?.process(match, into: &found)
        sample?.process(match, into: &found)
    }

    mutating func advance(to watermark: Int64, into found: inout [FoundSequence]) {
        sequence?.advance(to: watermark, into: &found)
        sample?.advance(to: watermark, into: &found)
    }

    mutating func finish(into found: inout [FoundSequence]) {
        sequence?.finish(into: &found)
        sample?.finish(into: &found)
    }

    var open: Int { sequence?.open ?? sample?.open ?? 0 }
    var counters: SequenceMatcher.Counters { sequence?.counters ?? sample?.counters ?? SequenceMatcher.Counters() }
}
