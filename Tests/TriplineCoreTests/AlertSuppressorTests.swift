import Testing
@testable import TriplineCore

/// The writer's suppression state on its own: windows by duration, and memory bounded however
/// many groups are open.
struct AlertSuppressorTests {
    func rules(duration: (value: Int, unit: String)?) throws -> [CompiledRule] {
        var definition = try #require(seedRules().rules.first).definition
        definition.alertSuppression = AlertSuppression(groupBy: ["host.name"], duration: duration, missingFields: .suppress)
        return RuleSet(definitions: [definition]).rules
    }

    func line(_ n: Int) -> ArraySlice<UInt8> { Array(#"{"kibana.alert.uuid":"a\#(n)","kibana.alert.suppression.docs_count":0}"#.utf8 + [0x0A])[...] }

    @Test func foldsWithinTheDurationAndWritesTheFinalCountOnce() throws {
        var suppressor = AlertSuppressor(rules: try rules(duration: (1, "m")))
        var updates: [UInt8] = []
        // Group g at 0 s, 30 s, 59 s: one alert, two folded; at 60 s a new window begins.
        #expect(suppressor.place(rule: 0, group: "g", time: 0, bucket: 0, line: line(1), now: 5, updates: &updates) == .write)
        #expect(suppressor.place(rule: 0, group: "g", time: 30_000, bucket: 0, line: line(2), now: 5, updates: &updates) == .folded)
        #expect(suppressor.place(rule: 0, group: "g", time: 59_999, bucket: 0, line: line(3), now: 5, updates: &updates) == .folded)
        #expect(updates.isEmpty)
        #expect(suppressor.place(rule: 0, group: "g", time: 60_000, bucket: 0, line: line(4), now: 5, updates: &updates) == .write)
        let update = try JSONValue.parse(updates)
        #expect(update["kibana.alert.uuid"] == .string("a1"))
        #expect(update["kibana.alert.suppression.docs_count"] == .number("2"))
        #expect(update["kibana.alert.suppression.end"] == .string(Timestamp.iso8601(milliseconds: 59_999)))
        // The second window has nothing folded: closing it writes nothing.
        updates.removeAll()
        suppressor.closeAll(now: 6, updates: &updates)
        #expect(updates.isEmpty)
        #expect(suppressor.updatesWritten == 1)
    }

    @Test func openGroupsStayBounded() throws {
        var suppressor = AlertSuppressor(rules: try rules(duration: (1, "h")), maxOpenGroups: 4)
        var updates: [UInt8] = []
        for n in 0..<10 {
            #expect(suppressor.place(rule: 0, group: "g\(n)", time: Int64(n), bucket: 0, line: line(n), now: 1, updates: &updates) == .write)
            #expect(suppressor.place(rule: 0, group: "g\(n)", time: Int64(n), bucket: 0, line: line(n), now: 1, updates: &updates) == .folded)
            #expect(suppressor.openGroups <= 4)
        }
        suppressor.closeAll(now: 2, updates: &updates)
        // Every group, closed early or at the end, wrote its count exactly once.
        let written = updates.split(separator: 0x0A).compactMap { try? JSONValue.parse(Array($0)) }
        #expect(written.count == 10)
        #expect(Set(written.compactMap { if case .string(let id)? = $0["kibana.alert.uuid"] { id } else { nil } }).count == 10)
        #expect(written.allSatisfy { $0["kibana.alert.suppression.docs_count"] == .number("1") })
    }
}
