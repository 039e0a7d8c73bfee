import Foundation
import Testing
@testable import TriplineCore

/// The bundled ES|QL rules: every one compiles, aggregating or not, except those that need what a
/// stream lacks (COMPLETION), said as such.
@Suite struct ESQLRuleCoverageTests {
    @Test func everyRuleCompilesButThoseAStreamCannotRun() throws {
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
            unexpected.append("\(definition.file): \(message)")
        }
        let aggregating = esql.filter(aggregates)
        print("ES|QL rules: \(compiled.count) of \(esql.count) compile (\(aggregating.filter { compiled.contains($0.ruleID) }.count) of "
              + "\(aggregating.count) aggregating); \(streamImpossible) need what a stream lacks (COMPLETION)")
        #expect(unexpected.isEmpty, "\(unexpected.joined(separator: "\n"))")
        #expect(compiled.count + streamImpossible == esql.count, "\(compiled.count) of \(esql.count)")
        #expect(compiled.count * 100 >= esql.count * 95, "\(compiled.count) of \(esql.count)")
    }
}
