import Foundation
import Testing
@testable import TriplineIO

/// `[rule.alert_suppression]` on the ES|QL seed rule, replayed through the real binary: alerts
/// fold into their group's alert by the group_by values and the duration (or one execution),
/// the group's alert is written again with its final `docs_count`, and the stats add up.
@Suite(.serialized) struct AlertSuppressionTests {
    static let seedRule = "samples/seed-rules/persistence_iam_user_created_access_keys_for_another_user.toml"
    static let sampleTimestamp = #"{"@timestamp":"2020-01-08T20:43:06.000Z","#

    /// The sample's ES|QL hit at `minute` minutes after 20:00, as its own event (`n`), by `user`.
    static func hit(n: Int, minute: Int, user: String = "Alice") throws -> String {
        let sample = try String(contentsOfFile: packageRoot.appendingPathComponent("samples/seed-events.ndjson").path, encoding: .isoLatin1)
        let first = String(sample.split(separator: "\n")[0])
        #expect(first.hasPrefix(sampleTimestamp))
        let time = Timestamp.iso8601(milliseconds: 1_578_513_600_000 + Int64(minute) * 60_000)
        return #"{"@timestamp":"\#(time)","n":\#(n),"# + first.dropFirst(sampleTimestamp.count).replacingOccurrences(of: "user/Alice", with: "user/\(user)") + "\n"
    }

    /// A `[rule.alert_suppression]` section as detection-rules writes it.
    static func section(groupBy field: String, strategy: String? = nil, hours: Int? = nil) -> String {
        var text = "[rule.alert_suppression]\ngroup_by = [\"\(field)\"]\n"
        if let strategy { text += "missing_fields_strategy = \"\(strategy)\"\n" }
        if let hours { text += "\n[rule.alert_suppression.duration]\nunit = \"h\"\nvalue = \(hours)\n" }
        return text
    }

    struct Outcome {
        var stats: JSONValue
        /// Every spool line in order, parsed.
        var lines: [JSONValue]
        /// The last line of each kibana.alert.uuid: what an index keyed by that id holds.
        var final: [String: JSONValue]
    }

    func replay(ruleSettings: String, suppression: String, events: [String]) throws -> Outcome {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        let original = try String(contentsOf: packageRoot.appendingPathComponent(Self.seedRule), encoding: .utf8)
        try (original.replacingOccurrences(of: "[rule]\n", with: "[rule]\n" + ruleSettings) + "\n" + suppression)
            .write(toFile: dir + "/rules/suppressed.toml", atomically: true, encoding: .utf8)
        try events.joined().write(toFile: dir + "/in.ndjson", atomically: true, encoding: .utf8)
        let result = try run(triplineBinary, ["replay", "--quiet", "--strict", "--rules", dir + "/rules", "--spool", dir + "/spool",
                                              "--stats-json", dir + "/stats.json", dir + "/in.ndjson"])
        #expect(result.status == 0, "\(result.stderr)")
        var outcome = Outcome(stats: try stats(dir + "/stats.json"), lines: [], final: [:])
        try SpoolReader.forEachLine(in: dir + "/spool") { line in
            let alert = try JSONValue.parse(Array(line))
            outcome.lines.append(alert)
            if case .string(let id)? = alert["kibana.alert.uuid"] { outcome.final[id] = alert }
        }
        return outcome
    }

    func counts(_ outcome: Outcome) -> (alerts: Int, folded: Int, updates: Int, capped: Int) {
        (integer(outcome.stats["alerts"]), integer(outcome.stats["suppressed_into_groups"]),
         integer(outcome.stats["suppression_updates"]), integer(outcome.stats["suppressed"]))
    }

    @Test func groupsByFieldValuesWithinTheDuration() throws {
        // Alice at minutes 0, 20, 40, ..., 220 and Carol at 10, 30, ..., 230: 1-hour windows
        // from each group's first event hold 3 events, so 4 groups each, 2 folded into each.
        let events = try (0..<24).map { n in try Self.hit(n: n, minute: 10 * n, user: n % 2 == 0 ? "Alice" : "Carol") }
        let outcome = try replay(ruleSettings: "", suppression: Self.section(groupBy: "aws.cloudtrail.user_identity.arn", strategy: "suppress", hours: 1),
                                 events: events)
        let c = counts(outcome)
        #expect(c.alerts == 8 && c.folded == 16 && c.updates == 8 && c.capped == 0, "\(c)")
        #expect(integer(outcome.stats["alerts"]) + integer(outcome.stats["suppressed_into_groups"]) == events.count)
        #expect(outcome.lines.count == 16)
        #expect(outcome.final.count == 8)
        var instances: [String: Set<String>] = [:]
        for alert in outcome.final.values {
            #expect(alert["kibana.alert.suppression.docs_count"] == .number("2"))
            guard case .string(let start)? = alert["kibana.alert.suppression.start"],
                  case .string(let end)? = alert["kibana.alert.suppression.end"],
                  case .array(let terms)? = alert["kibana.alert.suppression.terms"], terms.count == 1,
                  case .string(let instance)? = alert["kibana.alert.instance.id"] else {
                Issue.record("suppression fields missing: \(alert)")
                continue
            }
            // The group's three events are 20 minutes apart.
            #expect(Timestamp.milliseconds(iso8601: end)! - Timestamp.milliseconds(iso8601: start)! == 40 * 60_000)
            #expect(terms[0]["field"] == .string("aws.cloudtrail.user_identity.arn"))
            guard case .array(let values)? = terms[0]["value"], case .string(let arn)? = values.first else {
                Issue.record("terms value is not an array of the field's values: \(terms)")
                continue
            }
            instances[arn, default: []].insert(instance)
        }
        // One instance id per user: the same terms of the same rule are the same group.
        #expect(instances.keys.sorted() == ["arn:aws:iam::0123456789012:user/Alice", "arn:aws:iam::0123456789012:user/Carol"])
        #expect(instances.values.allSatisfy { $0.count == 1 })
        #expect(Set(instances.values.flatMap { $0 }).count == 2)
        // The first line of each group is its alert as first written: docs_count 0.
        let firstLines = outcome.lines.filter { $0["kibana.alert.suppression.docs_count"] == .number("0") }
        #expect(firstLines.count == 8)
    }

    @Test func missingFieldsGroupTogetherOrStayUngroupedByStrategy() throws {
        // host.name is absent from CloudTrail events.
        let events = try (0..<6).map { n in try Self.hit(n: n, minute: n) }
        func section(_ strategy: String) -> String { Self.section(groupBy: "host.name", strategy: strategy, hours: 1) }
        let grouped = try replay(ruleSettings: "", suppression: section("suppress"), events: events)
        let g = counts(grouped)
        #expect(g.alerts == 1 && g.folded == 5 && g.updates == 1, "\(g)")
        let alert = try #require(grouped.final.values.first)
        #expect(alert["kibana.alert.suppression.docs_count"] == .number("5"))
        #expect(alert["kibana.alert.suppression.terms"] == .array([.object([("field", .string("host.name")), ("value", .null)])]))

        let ungrouped = try replay(ruleSettings: "", suppression: section("doNotSuppress"), events: events)
        let u = counts(ungrouped)
        #expect(u.alerts == 6 && u.folded == 0 && u.updates == 0, "\(u)")
        #expect(ungrouped.lines.allSatisfy { $0["kibana.alert.suppression.terms"] == nil && $0["kibana.alert.instance.id"] == nil })
    }

    @Test func withoutDurationOneExecutionIsOneBucketAndMaxSignalsCountsFoldedAlerts() throws {
        // 10 events in the 20:00-20:05 bucket and 2 in the next; max_signals 3 per bucket counts
        // the group's alert and the folded ones together (Kibana's EQL and ES|QL limit).
        let events = try (0..<12).map { n in try Self.hit(n: n, minute: n < 10 ? 0 : 6) }
        let outcome = try replay(ruleSettings: "max_signals = 3\ninterval = \"5m\"\n",
                                 suppression: Self.section(groupBy: "aws.cloudtrail.user_identity.arn"), events: events)
        let c = counts(outcome)
        #expect(c.alerts == 2 && c.folded == 3 && c.capped == 7 && c.updates == 2, "\(c)")
        #expect(c.alerts + c.folded + c.capped == events.count)
        let docs = outcome.final.values.map { integer($0["kibana.alert.suppression.docs_count"]) }.sorted()
        #expect(docs == [1, 2])
        if case .object(let parameters)? = outcome.lines.first?["kibana.alert.rule.parameters"],
           case .object(let settings)? = parameters.first(where: { $0.key == "alert_suppression" })?.value {
            #expect(settings.first { $0.key == "missing_fields_strategy" }?.value == .string("suppress"))
        } else {
            Issue.record("rule parameters lack alert_suppression")
        }
    }

    @Test func invalidSuppressionSectionsAreRuleErrorsWithTheirPlace() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        let original = try String(contentsOf: packageRoot.appendingPathComponent(Self.seedRule), encoding: .utf8)
        try (original + "\n[rule.alert_suppression]\ngroup_by = [\"a\", \"b\", \"c\", \"d\"]\n")
            .write(toFile: dir + "/rules/bad.toml", atomically: true, encoding: .utf8)
        let result = try run(triplineBinary, ["rules", "validate", dir + "/rules"])
        #expect(result.status != 0)
        #expect((String(decoding: result.stdout, as: UTF8.self) + result.stderr).contains("group_by takes 1 to 3 field names"))
    }
}
