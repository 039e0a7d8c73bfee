import TriplineCore

/// A rule set run over batches as the pipeline runs it (extractor, index routing, rules, alert
/// documents), twice: every line extracted and evaluated, and with the literal prefilter. The
/// prefilter must be sound (the same matches), extraction must account for every line with
/// values inside their own line, and every alert must be valid JSON.
public final class RuleHarness {
    public let ruleSet: RuleSet
    let defaultIndex: String?
    let prefilter: LiteralPrefilter
    var plain: Extractor
    var filtered: Extractor
    var plainEvaluator: RuleEvaluator
    var filteredEvaluator: RuleEvaluator
    let builder = AlertBuilder()
    let members: [[UInt8]]

    public init(ruleSet: RuleSet, defaultIndex: String? = "logs-fuzz-default") {
        self.ruleSet = ruleSet
        self.defaultIndex = defaultIndex
        prefilter = LiteralPrefilter(rules: ruleSet.rules, defaultIndex: defaultIndex)
        plain = Extractor(plan: ruleSet.plan)
        // Every batch searched: a harness kept across inputs would otherwise back off (see
        // `Extractor`) and stop exercising the prefilter it is here to check.
        filtered = Extractor(plan: ruleSet.plan, prefilter: prefilter, searchBacksOff: false)
        plainEvaluator = RuleEvaluator(ruleSet: ruleSet, defaultIndex: defaultIndex)
        filteredEvaluator = RuleEvaluator(ruleSet: ruleSet, defaultIndex: defaultIndex, prefilter: prefilter)
        members = ruleSet.rules.map(builder.ruleMembers)
    }

    /// Runs one batch; returns each line's rejection by the unfiltered extractor (nil: valid).
    @discardableResult
    public func run(_ batch: Batch, alerts maxAlerts: Int = 8) -> [DeadLetter.Reason?] {
        let (all, dead) = plain.extract(batch)
        let reasons = Self.check(all, dead, plan: ruleSet.plan)
        let valid = (0..<batch.lineCount).filter { all.isValid[$0] }
        let expected = plainEvaluator.evaluate(all, lines: valid)

        let (some, _) = filtered.extract(batch)
        _ = Self.check(some, nil, plan: ruleSet.plan)
        let passed = (0..<batch.lineCount).filter { some.isValid[$0] }
        invariant(passed.allSatisfy { all.isValid[$0] }, "a line the prefilter passed is valid only with the prefilter")
        let got = filteredEvaluator.evaluate(some, lines: passed)
        let describe = { (matches: [RuleMatch]) in matches.map { "rule \(self.ruleSet.rules[$0.rule].ruleID) line \($0.line) index \($0.index)" } }
        invariant(expected.map { [$0.rule, $0.line] } == got.map { [$0.rule, $0.line] },
                  "the prefilter changed the matches: without it \(describe(expected)), with it \(describe(got))")
        invariant(zip(expected, got).allSatisfy { $0.index == $1.index && $0.eventTime == $1.eventTime && $0.row == $1.row },
                  "the prefilter changed a match's index, time or ES|QL row")
        // Sequence rules: the same step matches (each step's literals are in the rule's, `until`'s too).
        let steps = { (evaluator: RuleEvaluator) in
            evaluator.stepMatches.map { "\($0.rule) \($0.key) \($0.steps) \($0.until) \($0.event.position.byteOffset)" }
        }
        invariant(steps(plainEvaluator) == steps(filteredEvaluator),
                  "the prefilter changed the sequence step matches: without it \(steps(plainEvaluator)), with it \(steps(filteredEvaluator))")
        counters["sequence step matches", default: 0] += plainEvaluator.stepMatches.count

        counters["lines", default: 0] += batch.lineCount
        counters["lines rejected", default: 0] += dead.count
        counters["lines prefiltered out", default: 0] += some.prefiltered
        counters["matches", default: 0] += expected.count
        for match in expected.prefix(maxAlerts) {
            let alert = builder.alert(
                rule: ruleSet.rules[match.rule],
                source: AlertBuilder.Source(line: batch.lineBytes(match.line), position: batch.position(ofLine: match.line), index: match.index),
                eventTime: match.eventTime, now: 1_700_000_000_000, ruleMembers: members[match.rule], row: match.row)
            invariant(alert.line.last == 0x0A, "an alert line does not end with a newline")
            let verdict = alert.line.withUnsafeBytes { StrictJSON.check($0, to: $0.count - 1).0 }
            invariant(verdict == .valid || verdict == .duplicateKey,
                      "an alert is not valid JSON (\(verdict)): \(String(decoding: alert.line, as: UTF8.self))")
        }
        return reasons
    }

    /// An extraction's bookkeeping: a start per line and one past the end, values of valid lines
    /// only and inside their line, fields of the plan; with `dead` (an unfiltered extraction),
    /// one dead letter per invalid line, at its offset. Returns each line's rejection.
    static func check(_ extracted: ExtractedBatch, _ dead: [DeadLetter]?, plan: FieldPlan) -> [DeadLetter.Reason?] {
        let batch = extracted.batch
        let lines = batch.lines
        invariant(extracted.valueStart.count == lines.count + 1, "valueStart has \(extracted.valueStart.count) entries for \(lines.count) lines")
        invariant(Int(extracted.valueStart.last ?? 0) == extracted.values.count, "valueStart does not end at the values' end")
        invariant(extracted.isValid.count == lines.count, "isValid has \(extracted.isValid.count) entries for \(lines.count) lines")
        for line in lines.indices {
            let range = extracted.valueRange(ofLine: line)
            invariant(range.lowerBound <= range.upperBound, "line \(line)'s values run backwards")
            invariant(extracted.isValid[line] || range.isEmpty, "rejected line \(line) keeps values")
            let span = lines[line]
            for value in extracted.values[range] {
                invariant(Int(value.field) < plan.paths.count, "a value of field \(value.field) beyond the plan's \(plan.paths.count)")
                invariant(Int(value.start) >= Int(span.start) && Int(value.start) + Int(value.length) <= span.end,
                          "a value \(value.start)+\(value.length) outside its line \(span.start)..<\(span.end)")
                if value.kind == .string || value.kind == .escapedString {
                    batch.withUnsafeBytes { bytes in
                        invariant(bytes[Int(value.start) - 1] == 0x22 && bytes[Int(value.start) + Int(value.length)] == 0x22,
                                  "a string value not between quotes")
                        invariant((value.kind == .escapedString) == bytes[Int(value.start)..<(Int(value.start) + Int(value.length))].contains(0x5C),
                                  "a string's escape flag is wrong")
                    }
                }
            }
        }
        guard let dead else { return [] }
        var lineAt: [UInt64: Int] = [:]
        for (index, span) in lines.enumerated() { lineAt[batch.baseOffset + UInt64(span.start)] = index }
        var reasons = [DeadLetter.Reason?](repeating: nil, count: lines.count)
        for letter in dead {
            guard let line = lineAt[letter.position.byteOffset] else {
                invariant(false, "a dead letter at \(letter.position.byteOffset), where no line starts")
                continue
            }
            invariant(!extracted.isValid[line], "a dead letter for valid line \(line)")
            invariant(reasons[line] == nil, "two dead letters for line \(line)")
            reasons[line] = letter.reason
        }
        invariant(extracted.isValid.filter { !$0 }.count == dead.count, "invalid lines without a dead letter (\(dead.count) letters)")
        return reasons
    }
}
