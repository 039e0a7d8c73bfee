import Foundation
import Testing
@testable import TriplineCore

/// Every bundled EQL event rule (sequences have their own tests), run end to end (framing, extraction, index routing, the
/// prefilter, evaluation) on an event generated from its own compiled condition, and on near
/// misses that each break one condition: catches plumbing gaps across the whole rule set.
@Suite struct RuleCoverageTests {
    struct Case {
        var json: String
        var rule: CompiledRule
        var note: String
    }

    @Test func bundledEQLRulesFireOnGeneratedEventsAndNotOnNearMisses() {
        let clock = ContinuousClock()
        let started = clock.now
        let ruleSet = RuleSet.load(paths: [packageRoot.appendingPathComponent("rules").path])
        let rules = ruleSet.rules.filter { rule in
            guard rule.definition.language == .eql, case .sourceEvent = rule.output else { return false }
            return true
        }
        let loaded = clock.now
        let generator = RuleExampleGenerator(paths: ruleSet.plan.paths)
        func file(_ rule: CompiledRule) -> String {
            rule.definition.file.replacingOccurrences(of: packageRoot.path + "/", with: "")
        }

        var positives: [Case] = []
        var nearMisses: [Case] = []
        var unsatisfied: [(file: String, reason: String)] = []
        for rule in rules {
            switch generator.examples(for: rule) {
            case .success(let examples):
                positives += examples.positives.map { Case(json: $0.json, rule: rule, note: $0.note) }
                nearMisses += examples.nearMisses.map { Case(json: $0.json, rule: rule, note: $0.note) }
            case .failure(let failure):
                unsatisfied.append((file(rule), failure.reason))
            }
        }
        let generated = clock.now
        // TRIPLINE_COVERAGE_DUMP=file writes every generated event, for reading them.
        if let dump = ProcessInfo.processInfo.environment["TRIPLINE_COVERAGE_DUMP"] {
            let text = (positives.map { "\(file($0.rule))\tfires\t\($0.note)\t\($0.json)" }
                + nearMisses.map { "\(file($0.rule))\tmiss\t\($0.note)\t\($0.json)" }).joined(separator: "\n")
            try? text.write(toFile: dump, atomically: true, encoding: .utf8)
        }
        let withNearMiss = Set(nearMisses.filter { $0.note.hasPrefix("breaks") }.map(\.rule.ruleID)).count

        // Generated events against the whole set (one field plan for all rules, routing among them),
        // with and without the literal prefilter; near misses against their rule alone (the whole set
        // would run every rule of the event's index on each).
        let fired = evaluate(positives.map(\.json), with: ruleSet)
        let firedPrefiltered = evaluate(positives.map(\.json), with: ruleSet, prefilter: true)
        var firedOnMisses: [Bool] = []
        var start = 0
        while start < nearMisses.count {
            let rule = nearMisses[start].rule
            var end = start
            while end < nearMisses.count && nearMisses[end].rule.ruleID == rule.ruleID { end += 1 }
            let alone = RuleSet(definitions: [rule.definition])
            firedOnMisses += evaluate(nearMisses[start..<end].map(\.json), with: alone).map { $0.contains(rule.ruleID) }
            start = end
        }
        let evaluated = clock.now
        var silent: Set<String> = []
        for (i, example) in positives.enumerated() {
            if !fired[i].contains(example.rule.ruleID) {
                silent.insert(example.rule.ruleID)
                Issue.record("\(file(example.rule)) did not fire on its \(example.note):\n\(example.json)")
            } else if !firedPrefiltered[i].contains(example.rule.ruleID) {
                silent.insert(example.rule.ruleID)
                Issue.record("\(file(example.rule)) did not fire with the prefilter on its \(example.note):\n\(example.json)")
            }
        }
        var wrongFires = 0
        for (i, example) in nearMisses.enumerated() where firedOnMisses[i] {
            wrongFires += 1
            Issue.record("\(file(example.rule)) fired on a near miss (\(example.note)):\n\(example.json)")
        }

        let satisfied = rules.count - unsatisfied.count
        let coverage = Double(satisfied) / Double(max(rules.count, 1))
        print("""
            Rule coverage: \(satisfied)/\(rules.count) compiled EQL rules satisfied \
            (\(String(format: "%.1f", coverage * 100))%), \(positives.count) generated events, \
            \(nearMisses.count) near misses \
            (\(withNearMiss) rules with a broken-condition near miss); \(silent.count) rules silent, \(wrongFires) near misses fired; \
            loaded in \(loaded - started), generated in \(generated - loaded), \
            evaluated in \(evaluated - generated), total \(clock.now - started)
            """)
        let grouped = Dictionary(grouping: unsatisfied) { Self.kind(of: $0.reason) }
        for (kind, items) in grouped.sorted(by: { $0.value.count > $1.value.count }) {
            print("Unsatisfied (\(items.count)), \(kind):")
            for item in items.sorted(by: { $0.file < $1.file }) { print("  \(item.file): \(item.reason)") }
        }
        #expect(coverage >= 0.9, "coverage \(satisfied)/\(rules.count)")
    }

    /// A reason's kind, for grouping the report.
    static func kind(of reason: String) -> String {
        if reason.hasPrefix("no values found for the expression") { return "computed condition the generator cannot solve" }
        if reason.hasPrefix("no value of") { return "no value satisfies a field's tests" }
        if reason.hasPrefix("no concrete index") { return "no index name" }
        if reason.contains("oracle") { return "synthesized event fails the oracle" }
        return reason
    }
}
