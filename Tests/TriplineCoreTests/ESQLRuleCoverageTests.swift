import Foundation
import Testing
@testable import TriplineCore

/// The bundled ES|QL rules: every one that does not aggregate compiles; one that aggregates stops
/// only at its STATS (the next issue) or at a command a stream cannot run, said as such.
@Suite struct ESQLRuleCoverageTests {
    @Test func everyNonAggregatingRuleCompilesAndTheRestStopAtStats() throws {
        let (definitions, loadErrors) = RuleSet.loadDefinitions(paths: [packageRoot.appendingPathComponent("rules").path])
        #expect(loadErrors.isEmpty)
        let esql = definitions.filter { $0.language == .esql }
        let rules = RuleSet(definitions: esql)
        let aggregates = { (definition: RuleDefinition) -> Bool in
            definition.query.range(of: #"\|\s*(inline\s+)?stats\b"#, options: [.regularExpression, .caseInsensitive]) != nil
        }
        let compiled = Set(rules.rules.map(\.ruleID))
        var unexpected: [String] = []
        var streamImpossible = 0
        for definition in esql where !compiled.contains(definition.ruleID) {
            let message = rules.errors.first { $0.ruleID == definition.ruleID }?.message ?? "?"
            if message.contains("cannot run on a stream") { streamImpossible += 1; continue }
            let stopsAtStats = message == "STATS is not supported yet" || message == "command INLINE is not supported yet"
            if !aggregates(definition) || !stopsAtStats { unexpected.append("\(definition.file): \(message)") }
        }
        let nonAggregating = esql.filter { !aggregates($0) }
        print("ES|QL rules: \(compiled.count) of \(esql.count) compile; \(nonAggregating.count) do not aggregate; "
              + "\(streamImpossible) need what a stream lacks (COMPLETION)")
        #expect(unexpected.isEmpty, "\(unexpected.joined(separator: "\n"))")
        #expect(nonAggregating.allSatisfy { compiled.contains($0.ruleID) })
        #expect(nonAggregating.count >= 44)
    }
}
