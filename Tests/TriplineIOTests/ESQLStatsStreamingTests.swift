import Foundation
import Testing
@testable import TriplineIO
@testable import TriplineCore

/// Aggregating ES|QL rules on a stream (issue 14): a real rule of the set (a 7205m look-back
/// every 5m, COUNT_DISTINCT threshold, VALUES, GROK, NOW()) against a reference that simulates
/// Kibana's scheduled runs over the same events: each run's window, `[t - 7205m, t)` by
/// `event.ingested`, run as one table through `ESQLHunt` with NOW() = t; no slices, partials,
/// watermark or correlator.
@Suite(.serialized) struct ESQLStatsStreamingTests {
    static let rulePath = packageRoot.appendingPathComponent("rules/windows/command_and_control_dns_rmm_domains_non_browser.toml").path
    static let interval: Int64 = 300_000
    static let lookBack: Int64 = 7205 * 60_000
    /// 2026-12-06T10:00:00Z.
    static let origin: Int64 = 1_796_551_200_000

    struct Event {
        var line: String
        var ingested: Int64
    }

    /// DNS lookups over three hours: RMM domains first seen at different times, some from one
    /// host (they alert), some from two (they do not); browsers and other domains around them.
    static func events() -> [Event] {
        var generator = SplitMix(state: 14)
        // Each domain is first looked up at its minute: a new RMM domain is what the rule reports.
        let debuts = [("a.anydesk.com", 0), ("cdn.example.org", 0), ("g.splashtop.com", 20), ("relay.teamviewer.com", 40),
                      ("x.rustdesk.com", 75), ("n.ninjarmm.com", 110), ("n.atera.com", 150)]
        var out: [Event] = []
        for minute in stride(from: 0, to: 180, by: 3) {
            let domains = debuts.filter { $0.1 <= minute }.map(\.0)
            for _ in 0..<3 {
                let domain = domains[Int(generator.next() % UInt64(domains.count))]
                // Splashtop is looked up from two hosts: COUNT_DISTINCT(host.id) == 1 never holds for it.
                let host = domain.hasSuffix("splashtop.com") ? "h\(generator.next() % 2)" : "h\(domain.count % 3)"
                let process = generator.next() % 5 == 0 ? "chrome.exe" : "agent.exe"
                let time = origin + Int64(minute) * 60_000 + Int64(generator.next() % 60_000)
                let ingested = time + Int64(generator.next() % 5_000)
                let line = """
                    {"@timestamp":"\(Timestamp.iso8601(milliseconds: time))","event":{"ingested":"\(Timestamp.iso8601(milliseconds: ingested))",\
                    "category":"network","action":"lookup_requested"},"host":{"os":{"type":"windows"},"id":"\(host)","name":"\(host)"},\
                    "dns":{"question":{"name":"\(domain)"}},"process":{"name":"\(process)","executable":"C:\\\\\(process)"},\
                    "user":{"name":"u1","id":"S-1"},"data_stream":{"type":"logs","dataset":"endpoint.events.network","namespace":"default"}}
                    """
                out.append(Event(line: line, ingested: ingested))
            }
        }
        return out
    }

    /// Computed once: simulating 1,500 runs takes a while.
    static let reference = Result { try referenceRuns(events()) }

    /// Each scheduled run's rows (nulls left out, as an alert's columns), runs in order.
    static func referenceRuns(_ events: [Event], query: String? = nil, interval: Int64 = interval,
                              lookBack: Int64 = lookBack) throws -> [(run: Int64, rows: [[String: JSONValue]])] {
        let query = try query ?? #require(RuleSet.loadDefinitions(paths: [rulePath]).0.first).query
        let first = ESQLWindowPlan.multiple(atOrAfter: events.map(\.ingested).min()! + 1, of: interval)
        let last = ESQLWindowPlan.multiple(atOrAfter: events.map(\.ingested).max()! + lookBack + 1, of: interval) - interval
        var runs: [(Int64, [[String: JSONValue]])] = []
        for run in stride(from: first, through: last, by: Int64.Stride(interval)) {
            let window = events.filter { $0.ingested >= run - lookBack && $0.ingested < run }
            guard !window.isEmpty else { continue }
            var options = ESQLHunt.Options()
            options.now = run
            var hunt = try ESQLHunt(esql: query, options: options)
            var bytes: [UInt8] = [], lines: [LineSpan] = []
            for event in window {
                lines.append(LineSpan(start: UInt32(bytes.count), length: UInt32(event.line.utf8.count)))
                bytes += Array(event.line.utf8) + [0x0A]
            }
            hunt.consume(Batch(source: "reference", baseOffset: 0, bytes: bytes, lines: lines))
            let table = hunt.result()
            let rows = table.rows.map { cells in
                Dictionary(uniqueKeysWithValues: zip(table.columns, cells).filter { $0.1 != JSONValue.null })
            }
            runs.append((run, rows))
        }
        return runs
    }

    /// The spool's alerts: each one's run (its window's end), result columns and id.
    static func alerts(_ spool: String) throws -> [(run: Int64, row: [String: JSONValue], id: String)] {
        var out: [(Int64, [String: JSONValue], String)] = []
        guard FileManager.default.fileExists(atPath: spool) else { return [] }
        try SpoolReader.forEachLine(in: spool) { line in
            guard case .object(let members) = try JSONValue.parse(line),
                  case .object(let window)? = members.first(where: { $0.key == "tripline.window" })?.value,
                  case .string(let end)? = window.first(where: { $0.key == "end" })?.value,
                  let run = Timestamp.milliseconds(iso8601: end),
                  case .string(let id)? = members.first(where: { $0.key == "kibana.alert.uuid" })?.value else { return }
            let row = members.filter { !$0.key.hasPrefix("kibana.") && !$0.key.hasPrefix("tripline.") && $0.key != "@timestamp" && $0.key != "event.kind" }
            out.append((run, Dictionary(uniqueKeysWithValues: row.map { ($0.key, $0.value) }), id))
        }
        return out
    }

    static func key(_ run: Int64, _ row: [String: JSONValue]) -> String {
        "\(run)|" + row.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.jsonText)" }.joined(separator: ",")
    }

    /// The reference's rows folded as the default mode folds them: a domain alerts again only a
    /// full look-back after the run that alerted it.
    static func folded(_ runs: [(run: Int64, rows: [[String: JSONValue]])], by column: String = "Esql.dns_question_name_values",
                       lookBack: Int64 = lookBack) -> [String] {
        var spans: [String: Int64] = [:]
        var out: [String] = []
        for (run, rows) in runs {
            for row in rows {
                // The RMM rule's BY value (parent_domain) is not kept; each domain here has one lookup name.
                let domain = row[column]?.jsonText ?? "null"
                if let start = spans[domain], run - start < lookBack { continue }
                spans[domain] = run
                out.append(key(run, row))
            }
        }
        return out.sorted()
    }

    func replay(_ dir: String, _ lines: [String], extra: [String] = [], spool: String? = nil) throws -> JSONValue {
        let input = dir + "/events.ndjson"
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
        let result = try run(triplineBinary, ["replay", "--quiet", "--strict", "--rules", Self.rulePath, "--spool", spool ?? dir + "/spool",
                                              "--stats-json", dir + "/stats.json"] + extra + [input])
        #expect(result.status == 0, "\(result.stderr)")
        return try stats(dir + "/stats.json")
    }

    @Test func everyRunGivesTheRowsOfEachScheduledRun() throws {
        let events = Self.events()
        let reference = try Self.reference.get()
        let expected = reference.flatMap { run in run.rows.map { Self.key(run.run, $0) } }.sorted()
        #expect(expected.count >= 6, "the corpus must make rows: \(expected.count)")
        let dir = temporaryDirectory()
        let s = try replay(dir, events.map(\.line), extra: ["--esql-overlap", "every-run", "--workers", "2"])
        let got = try Self.alerts(dir + "/spool").map { Self.key($0.run, $0.row) }.sorted()
        #expect(got == expected)
        #expect(integer(s["esql_rows"]) == expected.count)
        #expect(integer(s["esql_rows_folded"]) == 0)
        #expect(integer(s["late_events"]) == 0)
        print("ES|QL STATS stream (every-run): \(reference.count) runs with events, \(expected.count) rows, \(got.count) alerts")
    }

    @Test func byDefaultEachGroupAlertsOncePerOverlappingSpanAndAReplayWritesNoNewIds() throws {
        let events = Self.events()
        let expected = Self.folded(try Self.reference.get())
        let dir = temporaryDirectory()
        let s = try replay(dir, events.map(\.line))
        let alerts = try Self.alerts(dir + "/spool")
        #expect(alerts.map { Self.key($0.run, $0.row) }.sorted() == expected)
        // The same input again, into the same spool: the same ids, none new.
        _ = try replay(dir, events.map(\.line))
        let again = try Self.alerts(dir + "/spool")
        #expect(Set(again.map(\.id)) == Set(alerts.map(\.id)))
        print("ES|QL STATS stream (fold): \(expected.count) alerts, \(integer(s["esql_rows_folded"])) rows folded")
    }

    /// A threshold rule whose groups hold across runs: with a 9m look-back every 5m, a host seen
    /// with two users alerts once per look-back, its rows of the overlapping runs folded.
    static let thresholdQuery = "FROM logs-* | STATS c = COUNT(*), users = COUNT_DISTINCT(user.name), names = VALUES(user.name) BY host.name | WHERE users >= 2"
    static let thresholdRule = """
        [metadata]
        creation_date = "2026/12/06"
        [rule]
        rule_id = "esql-threshold"
        name = "Several users on one host"
        description = "test"
        type = "esql"
        language = "esql"
        from = "now-9m"
        interval = "5m"
        risk_score = 21
        severity = "low"
        query = "\(thresholdQuery)"
        """

    @Test func overlappingRunsFoldIntoOneAlertPerLookBack() throws {
        let events = Self.thresholdEvents()
        let runs = try Self.referenceRuns(events, query: Self.thresholdQuery, interval: 300_000, lookBack: 540_000)
        let everyRun = runs.flatMap { run in run.rows.map { Self.key(run.run, $0) } }.sorted()
        let expected = Self.folded(runs, by: "host.name", lookBack: 540_000)
        let dir = temporaryDirectory()
        let (folder, input) = try write(rule: Self.thresholdRule, events: events, into: dir)
        for (mode, want) in [("fold", expected), ("every-run", everyRun)] {
            let spool = dir + "/spool-" + mode
            let result = try run(triplineBinary, ["replay", "--quiet", "--strict", "--rules", folder, "--spool", spool, "--esql-overlap", mode,
                                                  "--stats-json", dir + "/stats.json", input])
            #expect(result.status == 0, "\(result.stderr)")
            let got = try Self.alerts(spool).map { Self.key($0.run, $0.row) }.sorted()
            #expect(got == want, "\(mode)")
            let s = try stats(dir + "/stats.json")
            #expect(integer(s["esql_rows_folded"]) == (mode == "fold" ? everyRun.count - expected.count : 0))
        }
        #expect(expected.count < everyRun.count)
        #expect(expected.count >= 8)
        print("ES|QL STATS threshold rule: \(everyRun.count) rows every run, \(expected.count) alerts folded")
    }

    /// The threshold rule's corpus: hosts a (users x, y), b (x) and c (p, then p, q, r from minute 30).
    static func thresholdEvents() -> [Event] {
        var events: [Event] = []
        for minute in 0..<60 {
            for (host, users) in [("a", ["x", "y"]), ("b", ["x"]), ("c", minute >= 30 ? ["p", "q", "r"] : ["p"])] {
                for user in users {
                    let time = Self.origin + Int64(minute) * 60_000 + 7_000
                    let line = "{\"@timestamp\":\"\(Timestamp.iso8601(milliseconds: time))\",\"data_stream\":{\"type\":\"logs\",\"dataset\":\"t\",\"namespace\":\"default\"},"
                        + "\"host\":{\"name\":\"\(host)\"},\"user\":{\"name\":\"\(user)\"}}"
                    events.append(Event(line: line, ingested: time))
                }
            }
        }
        return events
    }

    /// `dir/rules/rule.toml` holding `text`, and the events in `dir/events.ndjson`.
    func write(rule text: String, events: [Event], into dir: String) throws -> (rules: String, input: String) {
        let folder = dir + "/rules"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/rule.toml"))
        let input = dir + "/events.ndjson"
        try Data(events.map { $0.line + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
        return (folder, input)
    }

    /// At the group cap, groups are refused, counted in the stats and said once on stderr.
    @Test func theGroupCapIsCountedAndSaidOnce() throws {
        let dir = temporaryDirectory()
        let (rules, input) = try write(rule: Self.thresholdRule, events: Self.thresholdEvents(), into: dir)
        let result = try run(triplineBinary, ["replay", "--quiet", "--rules", rules, "--spool", dir + "/spool", "--max-groups", "1",
                                              "--stats-json", dir + "/stats.json", input])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try stats(dir + "/stats.json")
        #expect(integer(s["esql_groups_refused"]) > 0)
        #expect(integer(s["esql_capped_by_rule"]?["esql-threshold"]) == integer(s["esql_groups_refused"]))
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("esql-threshold reached --max-groups") }
        #expect(warnings.count == 1, "\(result.stderr)")
        // One group a run: host a (the first in a batch), never c.
        let hosts = Set(try Self.alerts(dir + "/spool").compactMap { $0.row["host.name"]?.jsonText })
        #expect(hosts == ["\"a\""])
    }

    /// Values an ES|QL rule turns to null with a warning are counted by kind in the stats and said
    /// on stderr, per event (a multi-valued argument) and in aggregating runs (a SUM's overflow).
    @Test func esqlWarningsAreCountedAndSaid() throws {
        let dir = temporaryDirectory()
        let perEvent = Self.thresholdRule.replacingOccurrences(of: Self.thresholdQuery, with:
            "FROM logs-* | EVAL n = LENGTH(user.name) | WHERE n IS NULL | KEEP n")
        let overflow = Self.thresholdRule.replacingOccurrences(of: Self.thresholdQuery, with:
            "FROM logs-* | EVAL big = 9223372036854775807 | STATS s = SUM(big) BY host.name")
            .replacingOccurrences(of: "rule_id = \"esql-threshold\"", with: "rule_id = \"esql-overflow\"")
        let (rules, input) = try write(rule: perEvent, events: [
            Event(line: #"{"@timestamp":"2026-12-06T10:00:00Z","data_stream":{"type":"logs","dataset":"t","namespace":"default"},"host":{"name":"a"},"user":{"name":["x","y"]}}"#, ingested: 0),
            Event(line: #"{"@timestamp":"2026-12-06T10:00:01Z","data_stream":{"type":"logs","dataset":"t","namespace":"default"},"host":{"name":"a"},"user":{"name":"z"}}"#, ingested: 0),
        ], into: dir)
        try Data(overflow.utf8).write(to: URL(fileURLWithPath: rules + "/overflow.toml"))
        let result = try run(triplineBinary, ["replay", "--strict", "--rules", rules, "--spool", dir + "/spool",
                                              "--stats-json", dir + "/stats.json", input])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try stats(dir + "/stats.json")
        #expect(integer(s["esql_warnings_by_kind"]?["multi_valued_argument"]) == 1)
        #expect(integer(s["esql_warnings_by_kind"]?["overflow"]) >= 1)
        #expect(integer(s["esql_warnings"]) == 1 + integer(s["esql_warnings_by_kind"]?["overflow"]))
        // The multi-valued event's row: n is null, so it alerts; the other's is not.
        #expect(integer(s["alerts_by_rule"]?["esql-threshold"]) == 1)
        #expect(result.stderr.contains("warning: ES|QL rules: "), "\(result.stderr)")
    }

    /// INLINE STATS keeps every row with its event: each event of a host seen with three users
    /// alerts once (its id is the event's, so overlapping runs add none), its source kept, the
    /// aggregate written over it.
    @Test func inlineStatsAlertsOnEachEventOnce() throws {
        let rule = Self.thresholdRule.replacingOccurrences(of: Self.thresholdQuery, with:
            "FROM logs-* METADATA _id | INLINE STATS users = COUNT_DISTINCT(user.name) BY host.name | WHERE users >= 3 | KEEP *")
        let events = Self.thresholdEvents()
        let dir = temporaryDirectory()
        let (rules, input) = try write(rule: rule, events: events, into: dir)
        let result = try run(triplineBinary, ["replay", "--quiet", "--strict", "--rules", rules, "--spool", dir + "/spool",
                                              "--stats-json", dir + "/stats.json", input])
        #expect(result.status == 0, "\(result.stderr)")
        var alerts: [JSONValue] = []
        try SpoolReader.forEachLine(in: dir + "/spool") { alerts.append(try JSONValue.parse($0)) }
        // Host c's events in a window that holds q and r: the first such run, 10:35, reads
        // [10:26, 10:35), so c's events from 10:26 on (4 of p alone, then 3 a minute from 10:30).
        let expected = events.filter { $0.line.contains("\"name\":\"c\"") && $0.ingested >= Self.origin + 26 * 60_000 }.count
        #expect(expected == 94)
        #expect(alerts.count == expected)
        #expect(Set(alerts.compactMap { $0["kibana.alert.uuid"] }).count == alerts.count)
        #expect(alerts.allSatisfy { $0["host"]?["name"] == .string("c") && $0["users"] == .number("3") })
        #expect(integer(try stats(dir + "/stats.json")["esql_rows_folded"]) > 0)
    }

    /// An aggregating rule that schedules by `event.ingested` (five minutes after @timestamp here)
    /// does not move event time for the other rules: a sequence over @timestamp loses nothing.
    @Test func anIngestTimeOverrideMakesNoOtherRuleLate() throws {
        let rule = Self.thresholdRule.replacingOccurrences(of: "interval = \"5m\"", with: "interval = \"5m\"\ntimestamp_override = \"event.ingested\"")
        let dir = temporaryDirectory()
        let folder = dir + "/rules"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(rule.utf8).write(to: URL(fileURLWithPath: folder + "/threshold.toml"))
        try Data(SequenceStreamingTests.rule.utf8).write(to: URL(fileURLWithPath: folder + "/sequence.toml"))
        func event(_ category: String, _ type: String, host: String, user: String, second: Int) -> String {
            let time = Self.origin + Int64(second) * 1000
            return "{\"@timestamp\":\"\(Timestamp.iso8601(milliseconds: time))\",\"event\":{\"ingested\":\"\(Timestamp.iso8601(milliseconds: time + 300_000))\","
                + "\"category\":\"\(category)\",\"type\":\"\(type)\"},\"data_stream\":{\"type\":\"logs\",\"dataset\":\"t\",\"namespace\":\"default\"},"
                + "\"host\":{\"id\":\"\(host)\",\"name\":\"\(host)\"},\"user\":{\"name\":\"\(user)\"}}"
        }
        // A filler of 4.5 MB puts the second host's events in batches of their own, read after
        // the first batch's progress (which, moved by event.ingested, made them 4 minutes late).
        let filler = [String](repeating: "{\"filler\":\"\(String(repeating: "x", count: 60))\"}", count: 60_000)
        let lines = [event("process", "start", host: "h1", user: "x", second: 0), event("file", "creation", host: "h1", user: "y", second: 10)]
            + filler + [event("process", "start", host: "h2", user: "x", second: 60), event("file", "creation", host: "h2", user: "y", second: 70)]
        let input = dir + "/events.ndjson"
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
        let result = try run(triplineBinary, ["replay", "--quiet", "--strict", "--rules", folder, "--spool", dir + "/spool", "--workers", "1",
                                              "--stats-json", dir + "/stats.json", input])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try stats(dir + "/stats.json")
        #expect(integer(s["late_events"]) == 0)
        #expect(integer(s["sequences_found"]) == 2)
        #expect(integer(s["esql_rows"]) > 0)
    }

    /// Events shuffled within 20 s and dealt to 8 socket clients: within a 1 m lateness, the
    /// same alerts as the ordered replay.
    @Test func outOfOrderOverEightSocketClientsGivesTheSameAlerts() async throws {
        let events = Self.events()
        let expected = Self.folded(try Self.reference.get())
        var generator = SplitMix(state: 8)
        let jittered = events.map { ($0, $0.ingested + Int64(generator.next() % 20_000)) }.sorted { $0.1 < $1.1 }
        let shuffled = jittered.map(\.0.line)
        // Replayed from one file, out of order within the lateness: the same alerts.
        let replayDir = temporaryDirectory()
        _ = try replay(replayDir, shuffled, extra: ["--workers", "2"])
        #expect(try Self.alerts(replayDir + "/spool").map { Self.key($0.run, $0.row) }.sorted() == expected)
        let dir = temporaryDirectory()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: triplineBinary)
        server.arguments = ["serve", "--rules", Self.rulePath, "--socket", dir + "/t.sock", "--spool", dir + "/spool",
                            "--stats-json", dir + "/stats.json", "--quiet", "--workers", "2", "--allowed-lateness", "2m"]
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        #expect(waitForSocket(dir + "/t.sock"))
        let clients = try (0..<8).map { _ in try SocketClient(path: dir + "/t.sock") }
        // A forwarder's pace: a minute of event time at a time, dealt over the clients (written
        // all at once, one client's three hours could be read before another's first minute).
        var minute = jittered.first.map { $0.1 / 60_000 } ?? 0
        for (index, (event, time)) in jittered.enumerated() {
            if time / 60_000 != minute { minute = time / 60_000; usleep(15_000) }
            try clients[index % 8].write(Array((event.line + "\n").utf8))
        }
        clients.forEach { $0.close() }
        usleep(300_000)
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let got = try Self.alerts(dir + "/spool").map { Self.key($0.run, $0.row) }.sorted()
        #expect(got == expected)
        #expect(integer(try stats(dir + "/stats.json")["late_events"]) == 0)
    }
}
