import Foundation
import Testing
import TOMLKit
@testable import TriplineCore

/// Elasticsearch's own EQL suite (Tests/Conformance/eql): every event query it runs, through the
/// real binary, by `tripline query --eql` (ids in order) and as rules through `tripline replay`.
@Suite(.serialized) struct EQLConformanceTests {
    struct Case {
        var name: String
        var query: String
        var expected: [Int]
    }

    static let folder = packageRoot.appendingPathComponent("Tests/Conformance/eql")

    /// The event queries Elasticsearch runs, and each query left out with its reason.
    static func cases() throws -> (run: [Case], skipped: [(name: String, reason: String)]) {
        func queries(_ file: String) throws -> [TOMLTable] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            return try TOMLTable(string: text)["queries"]?.array?.compactMap { $0.table } ?? []
        }
        let unsupported = Set(try queries("test_queries_unsupported.toml").compactMap { $0["query"]?.string?.trimmingCharacters(in: .whitespacesAndNewlines) })
        var run: [Case] = [], skipped: [(String, String)] = []
        for table in try queries("test_queries.toml") {
            let name = table["name"]?.string ?? "?"
            var query = table["query"]?.string?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let head = query.prefix(8).lowercased()
            if head.hasPrefix("sequence") || head.hasPrefix("sample") || head.hasPrefix("join") {
                skipped.append((name, "sequence/sample query: issue 13"))
                continue
            }
            if unsupported.contains(query) {
                skipped.append((name, "in test_queries_unsupported.toml (Elasticsearch does not run it)"))
                continue
            }
            // The suite's case_insensitive entries predate the `~` functions (see the folder's README).
            if table["case_insensitive"]?.bool == true {
                for function in ["startsWith", "endsWith", "indexOf", "stringContains", "between"] {
                    query = query.replacingOccurrences(of: function + "(", with: function + "~(")
                }
            }
            let expected = table["expected_event_ids"]?.array?.compactMap { $0.int } ?? []
            run.append(Case(name: name, query: query, expected: expected))
        }
        return (run, skipped)
    }

    /// test_data.json as NDJSON, one event a line.
    static func events(in directory: String) throws -> String {
        let data = try Data(contentsOf: folder.appendingPathComponent("test_data.json"))
        guard case .array(let events) = try JSONValue.parse(data) else { throw CocoaError(.fileReadCorruptFile) }
        let path = directory + "/events.ndjson"
        try Data(events.map { $0.jsonText + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func everyEventQueryReturnsElasticsearchsEventsInOrder() throws {
        let (cases, skipped) = try Self.cases()
        let events = try Self.events(in: temporaryDirectory())
        let mapping = Self.folder.appendingPathComponent("mapping-default.json").path
        var failures: [String] = []
        for test in cases {
            let result = try run(triplineBinary, [
                "query", "--eql", test.query, "--event-category-field", "event_type", "--timestamp-field", "timestamp",
                "--tiebreaker-field", "serial_event_id", "--mapping", mapping, "--size", "1000", "--fields", "serial_event_id", events])
            let ids = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").compactMap { line -> Int? in
                guard case .number(let id)? = try? JSONValue.parse(Array(line.utf8))["serial_event_id"] else { return nil }
                return Int(id)
            }
            if result.status != 0 || ids != test.expected {
                failures.append("\(test.name): \(test.query)\n  expected \(test.expected)\n  got \(ids) \(result.stderr)")
            }
        }
        print("EQL conformance (tripline query): \(cases.count - failures.count) passed, \(failures.count) failed, \(skipped.count) skipped")
        for (name, reason) in skipped { print("  skipped \(name): \(reason)") }
        for failure in failures { print("  FAILED \(failure)") }
        #expect(failures.isEmpty)
        #expect(cases.count >= 80, "the suite holds 80 event queries Elasticsearch runs")
    }

    @Test func theSameQueriesAsRulesAlertOnTheExpectedEvents() throws {
        let (cases, _) = try Self.cases()
        let directory = temporaryDirectory()
        let events = try Self.events(in: directory)
        let rules = directory + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        // A rule takes no pipe: the head/tail queries stay with `tripline query`.
        let asRules = cases.filter { !$0.query.contains("|") }
        for (number, test) in asRules.enumerated() {
            let toml = """
            [metadata]
            creation_date = "2026/12/06"
            [rule]
            rule_id = "conformance-\(number)"
            name = "\(test.name)"
            description = "Elasticsearch EQL conformance query \(test.name)"
            type = "eql"
            language = "eql"
            index = ["eql-conformance"]
            event_category_override = "event_type"
            timestamp_field = "timestamp"
            tiebreaker_field = "serial_event_id"
            max_signals = 1000
            risk_score = 21
            severity = "low"
            query = '''
            \(test.query)
            '''
            """
            try Data(toml.utf8).write(to: URL(fileURLWithPath: "\(rules)/\(number).toml"))
        }
        let spool = directory + "/spool"
        let result = try run(triplineBinary, [
            "replay", "--quiet", "--strict", "--rules", rules, "--index", "eql-conformance", "--spool", spool,
            "--mapping", Self.folder.appendingPathComponent("mapping-default.json").path, events])
        #expect(result.status == 0, "\(result.stderr)")
        var alerted: [String: Set<Int>] = [:]
        try SpoolReader.forEachLine(in: spool) { line in
            let alert = try JSONValue.parse(line)
            guard case .string(let rule)? = alert["kibana.alert.rule.rule_id"],
                  case .number(let id)? = alert["serial_event_id"], let serial = Int(id) else { return }
            alerted[rule, default: []].insert(serial)
        }
        var failures: [String] = []
        for (number, test) in asRules.enumerated() where alerted["conformance-\(number)", default: []] != Set(test.expected) {
            failures.append("\(test.name): expected \(test.expected.sorted()), alerted \(alerted["conformance-\(number)", default: []].sorted())")
        }
        print("EQL conformance (rules through replay): \(asRules.count - failures.count) passed, \(failures.count) failed")
        for failure in failures { print("  FAILED \(failure)") }
        #expect(failures.isEmpty)
        #expect(asRules.count >= 70)
    }
}
