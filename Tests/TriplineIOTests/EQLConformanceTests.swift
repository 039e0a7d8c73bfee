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
        /// Events per sequence, for a sequence query (its expected ids are the sequences' in a row).
        var sequenceLength: Int?
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
            var length: Int?
            if case .sequence(let sequence) = try EQLParser.parse(query).body {
                length = sequence.steps.filter { !$0.missing }.reduce(0) { $0 + ($1.runs ?? 1) }
            }
            run.append(Case(name: name, query: query, expected: expected, sequenceLength: length))
        }
        return (run, skipped)
    }

    /// test_data.json as NDJSON, one event a line, with the `@timestamp` Elasticsearch's test
    /// loader gives each event: its `timestamp` (a Windows FILETIME, 100 ns ticks since 1601)
    /// as epoch milliseconds. (The suite's maxspan queries hold only with it: 67 to 70 is 5 s.)
    /// - Parameter shuffled: events of equal `@timestamp` in another order, which the tiebreaker
    ///   must undo.
    static func events(in directory: String, shuffled: Bool = false) throws -> String {
        let data = try Data(contentsOf: folder.appendingPathComponent("test_data.json"))
        guard case .array(var events) = try JSONValue.parse(data) else { throw CocoaError(.fileReadCorruptFile) }
        var times: [Int64] = []
        for index in events.indices {
            guard case .object(var members) = events[index], case .number(let ticks)? = events[index]["timestamp"],
                  let filetime = Int64(ticks) else { continue }
            let milliseconds = (filetime - 116_444_736_000_000_000) / 10_000
            members.append(("@timestamp", .number(String(milliseconds))))
            events[index] = .object(members)
            times.append(milliseconds)
        }
        if shuffled {
            // Reverse each run of equal times: a fixed, thorough reordering of the ties.
            var start = 0
            while start < events.count {
                var end = start + 1
                while end < events.count && times[end] == times[start] { end += 1 }
                events[start..<end].reverse()
                start = end
            }
        }
        let path = directory + (shuffled ? "/events-shuffled.ndjson" : "/events.ndjson")
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
                "query", "--eql", test.query, "--event-category-field", "event_type",
                "--tiebreaker-field", "serial_event_id", "--mapping", mapping, "--size", "1000", "--fields", "serial_event_id", events])
            // An event query prints events; a sequence query, {"join_keys": [...], "events": [...]} per sequence.
            let ids = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").flatMap { line -> [Int] in
                guard let parsed = try? JSONValue.parse(Array(line.utf8)) else { return [] }
                let events: [JSONValue]
                if case .array(let items)? = parsed["events"] { events = items } else { events = [parsed] }
                return events.compactMap { event in
                    guard case .number(let id)? = event["serial_event_id"] else { return nil }
                    return Int(id)
                }
            }
            if result.status != 0 || ids != test.expected {
                failures.append("\(test.name): \(test.query)\n  expected \(test.expected)\n  got \(ids) \(result.stderr)")
            }
        }
        print("EQL conformance (tripline query): \(cases.count - failures.count) passed, \(failures.count) failed, \(skipped.count) skipped")
        for (name, reason) in skipped { print("  skipped \(name): \(reason)") }
        for failure in failures { print("  FAILED \(failure)") }
        #expect(failures.isEmpty)
        #expect(cases.filter { $0.sequenceLength == nil }.count >= 80, "the suite holds 80 event queries Elasticsearch runs")
        #expect(cases.filter { $0.sequenceLength != nil }.count >= 37, "and 37 sequence queries")
    }

    @Test(arguments: [(workers: 1, shuffled: false), (workers: 2, shuffled: false), (workers: 2, shuffled: true)])
    func theSameQueriesAsRulesAlertOnTheExpectedEvents(workers: Int, shuffled: Bool) throws {
        let (cases, _) = try Self.cases()
        let directory = temporaryDirectory()
        let events = try Self.events(in: directory, shuffled: shuffled)
        let rules = directory + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        // A rule takes no pipe: the head/tail queries stay with `tripline query`.
        let asRules = cases.filter { !$0.query.contains("|") }
        for (number, test) in asRules.enumerated() {
            // The suite's events span 1970 to 2018: a look-back of a century leaves every sequence possible.
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
            tiebreaker_field = "serial_event_id"
            from = "now-36500d"
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
        // The events are decades apart and slightly out of order in places: a lateness of a century
        // keeps every sequence step in order until the end of input settles them.
        let result = try run(triplineBinary, [
            "replay", "--quiet", "--strict", "--rules", rules, "--index", "eql-conformance", "--spool", spool,
            "--workers", String(workers), "--allowed-lateness", "36500d",
            "--mapping", Self.folder.appendingPathComponent("mapping-default.json").path, events])
        #expect(result.status == 0, "\(result.stderr)")
        var alerted: [String: Set<Int>] = [:]
        /// Per rule, per sequence (shell id): building blocks' serial ids by place.
        var blocks: [String: [String: [Int: Int]]] = [:]
        try SpoolReader.forEachLine(in: spool) { line in
            let alert = try JSONValue.parse(line)
            guard case .string(let rule)? = alert["kibana.alert.rule.rule_id"],
                  case .number(let id)? = alert["serial_event_id"], let serial = Int(id) else { return }
            if case .string(let group)? = alert["kibana.alert.group.id"], case .number(let place)? = alert["kibana.alert.group.index"] {
                blocks[rule, default: [:]][group, default: [:]][Int(place) ?? -1] = serial
            } else {
                alerted[rule, default: []].insert(serial)
            }
        }
        var failures: [String] = []
        for (number, test) in asRules.enumerated() {
            let rule = "conformance-\(number)"
            if let length = test.sequenceLength {
                // The same sequences, whichever order their alerts came in.
                let expected = stride(from: 0, to: test.expected.count, by: length).map { Array(test.expected[$0..<min($0 + length, test.expected.count)]) }
                let found = blocks[rule, default: [:]].values.map { places in places.keys.sorted().map { places[$0]! } }
                if found.sorted(by: { $0.lexicographicallyPrecedes($1) }) != expected.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                    failures.append("\(test.name): expected \(expected), found \(found)")
                }
            } else if alerted[rule, default: []] != Set(test.expected) {
                failures.append("\(test.name): expected \(test.expected.sorted()), alerted \(alerted[rule, default: []].sorted())")
            }
        }
        print("EQL conformance (rules through replay, \(workers) worker(s)\(shuffled ? ", ties shuffled" : "")): \(asRules.count - failures.count) passed, \(failures.count) failed")
        for failure in failures { print("  FAILED \(failure)") }
        #expect(failures.isEmpty)
        #expect(asRules.count >= 95)
    }
}
