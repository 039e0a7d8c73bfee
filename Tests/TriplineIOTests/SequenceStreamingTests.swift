import Foundation
import Testing
@testable import TriplineIO
@testable import TriplineCore

/// What a stream gives sequences that Elasticsearch's batch tests cannot: events from several
/// clients, out of order, late, across what would be two Kibana runs, and the bounds on state.
@Suite(.serialized) struct SequenceStreamingTests {
    static let rule = """
    [metadata]
    creation_date = "2026/12/06"
    [rule]
    rule_id = "seq-stream"
    name = "Process then file on one host"
    description = "test"
    type = "eql"
    language = "eql"
    index = ["logs-*"]
    from = "now-9m"
    interval = "5m"
    risk_score = 21
    severity = "low"
    query = '''
    sequence by host.id with maxspan=5m [process where event.type == "start"] [file where event.type == "creation"]
    '''
    """

    static let missingRule = """
    [metadata]
    creation_date = "2026/12/06"
    [rule]
    rule_id = "seq-missing"
    name = "Alert without a following heartbeat"
    description = "test"
    type = "eql"
    language = "eql"
    index = ["logs-*"]
    from = "now-9m"
    risk_score = 21
    severity = "low"
    query = '''
    sequence by host.id with maxspan=1m [process where event.type == "start"] ![network where true]
    '''
    """

    /// One event; `second` counts from 2026-12-06T10:00:00Z.
    static func event(_ category: String, _ type: String, host: String, second: Int) -> String {
        let time = Timestamp.iso8601(milliseconds: 1_796_551_200_000 + Int64(second) * 1000)
        return "{\"@timestamp\":\"\(time)\",\"data_stream\":{\"type\":\"logs\",\"dataset\":\"test\",\"namespace\":\"default\"},"
            + "\"event\":{\"category\":\"\(category)\",\"type\":\"\(type)\"},\"host\":{\"id\":\"\(host)\"}}"
    }

    func rulesFolder(_ dir: String, _ text: String = rule) throws -> String {
        let folder = dir + "/rules"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/rule.toml"))
        return folder
    }

    /// The spool's alerts: shells (no group index) and building blocks.
    func alerts(_ spool: String) throws -> (shells: [JSONValue], blocks: [JSONValue]) {
        var shells: [JSONValue] = [], blocks: [JSONValue] = []
        guard FileManager.default.fileExists(atPath: spool) else { return ([], []) }
        try SpoolReader.forEachLine(in: spool) { line in
            let alert = try JSONValue.parse(line)
            if alert["kibana.alert.group.index"] == nil { shells.append(alert) } else { blocks.append(alert) }
        }
        return (shells, blocks)
    }

    /// `tripline serve` on `dir/t.sock` with the rule, its spool in `dir/spool`; waits for the socket.
    func serve(_ dir: String, rule: String, _ extra: [String]) throws -> Process {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: triplineBinary)
        server.arguments = ["serve", "--rules", try rulesFolder(dir, rule), "--socket", dir + "/t.sock", "--spool", dir + "/spool",
                            "--stats-json", dir + "/stats.json", "--quiet"] + extra
        try server.run()
        #expect(waitForSocket(dir + "/t.sock"))
        return server
    }

    /// Whether the spool holds `count` shell alerts within `seconds` (polled every 100 ms).
    func shellsAppear(_ count: Int, in spool: String, within seconds: Double) throws -> Bool {
        for _ in 0..<Int(seconds * 10) {
            if try alerts(spool).shells.count == count { return true }
            usleep(100_000)
        }
        return try alerts(spool).shells.count == count
    }

    func replay(_ dir: String, _ lines: [String], rules: String, extra: [String] = [], spool: String? = nil) throws -> JSONValue {
        let input = dir + "/events.ndjson"
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
        let result = try run(triplineBinary, ["replay", "--quiet", "--strict", "--rules", rules, "--spool", spool ?? dir + "/spool",
                                              "--stats-json", dir + "/stats.json"] + extra + [input])
        #expect(result.status == 0, "\(result.stderr)")
        return try stats(dir + "/stats.json")
    }

    @Test func aSequenceSplitAcrossTwoSocketClientsIsFound() throws {
        let dir = temporaryDirectory()
        let server = try serve(dir, rule: Self.rule, ["--workers", "2"])
        defer { if server.isRunning { server.terminate() } }
        let first = try SocketClient(path: dir + "/t.sock")
        let second = try SocketClient(path: dir + "/t.sock")
        try first.write(Array((Self.event("process", "start", host: "h1", second: 0) + "\n").utf8))
        try second.write(Array((Self.event("file", "creation", host: "h1", second: 30) + "\n").utf8))
        first.close()
        second.close()
        usleep(300_000)
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let (shells, blocks) = try alerts(dir + "/spool")
        #expect(shells.count == 1)
        #expect(blocks.count == 2)
        #expect(Set(blocks.compactMap { $0["kibana.alert.group.id"] }) == Set(shells.compactMap { $0["kibana.alert.uuid"] }))
        #expect(shells.first?["kibana.alert.building_block_type"] == nil)
        #expect(blocks.allSatisfy { $0["kibana.alert.building_block_type"] == .string("default") })
        // The shell keeps what both events share, and not what differs.
        #expect(shells.first?["host.id"] == .string("h1"))
        #expect(shells.first?["event.category"] == nil)
    }

    @Test func outOfOrderWithinTheLatenessIsFoundAndLaterEventsAreCountedNotLost() throws {
        let dir = temporaryDirectory()
        let rules = try rulesFolder(dir)
        // The file event is read before the process event that precedes it in time.
        var s = try replay(dir, [Self.event("file", "creation", host: "h1", second: 20), Self.event("process", "start", host: "h1", second: 10)],
                           rules: rules, extra: ["--allowed-lateness", "30s"])
        #expect(integer(s["sequences_found"]) == 1)
        #expect(integer(s["late_events"]) == 0)
        // h2's events come 100 s behind the latest time seen, past a 30 s lateness: late, counted,
        // still evaluated, so their sequence is found. (The watermark moves per batch: a filler
        // of 4.5 MB puts them in a batch of their own.)
        let dir2 = temporaryDirectory()
        let filler = [String](repeating: "{\"filler\":\"\(String(repeating: "x", count: 60))\"}", count: 60_000)
        s = try replay(dir2, [Self.event("process", "start", host: "h1", second: 0), Self.event("file", "creation", host: "h9", second: 200)]
                              + filler + [Self.event("process", "start", host: "h2", second: 100), Self.event("file", "creation", host: "h2", second: 110)],
                       rules: try rulesFolder(dir2), extra: ["--allowed-lateness", "30s", "--workers", "1"])
        #expect(integer(s["late_events"]) == 2)
        #expect(integer(s["sequences_found"]) == 1)
        #expect(integer(s["events"]) == integer(s["evaluated"]) + integer(s["rejected"]))
    }

    @Test func aSequenceAcrossTwoKibanaRunsIsFoundOnceAndAReplayWritesNoSecondCopy() throws {
        let dir = temporaryDirectory()
        let rules = try rulesFolder(dir)
        // 10:04:50 and 10:05:20: a 5-minute run at 10:05 sees only the first event.
        let lines = [Self.event("process", "start", host: "h1", second: 290), Self.event("file", "creation", host: "h1", second: 320)]
        _ = try replay(dir, lines, rules: rules)
        let first = try alerts(dir + "/spool")
        #expect(first.shells.count == 1)
        _ = try replay(dir, lines, rules: rules, spool: dir + "/spool2")
        let second = try alerts(dir + "/spool2")
        let ids = { (a: (shells: [JSONValue], blocks: [JSONValue])) in Set((a.shells + a.blocks).compactMap { $0["kibana.alert.uuid"] }) }
        #expect(ids(first) == ids(second))
        #expect(ids(first).count == 3)
    }

    @Test func aMissingEventStepIsDecidedOnlyAfterItsWindow() throws {
        let dir = temporaryDirectory()
        let server = try serve(dir, rule: Self.missingRule, ["--allowed-lateness", "0", "--flush-ms", "50", "--segment-age-ms", "200"])
        defer { if server.isRunning { server.terminate() } }
        let client = try SocketClient(path: dir + "/t.sock")
        // h1 starts; 30 s later (event time) something else happens: h1's window (1 m) is still open.
        try client.write(Array((Self.event("process", "start", host: "h1", second: 0) + "\n" + Self.event("file", "creation", host: "h7", second: 30) + "\n").utf8))
        usleep(1_500_000)
        #expect(try alerts(dir + "/spool").shells.isEmpty, "decided before its window passed")
        // Event time passes h1's window: no network event came for h1, so it is found.
        try client.write(Array((Self.event("file", "creation", host: "h7", second: 61) + "\n").utf8))
        #expect(try shellsAppear(1, in: dir + "/spool", within: 4), "found once event time passed the window")
        client.close()
        server.terminate()
        server.waitUntilExit()
        // A network event inside the window (at the boundary, inclusive) decides the other way.
        let dir2 = temporaryDirectory()
        let s = try replay(dir2, [Self.event("process", "start", host: "h1", second: 0), Self.event("network", "connection", host: "h1", second: 60)],
                           rules: try rulesFolder(dir2, Self.missingRule))
        #expect(integer(s["sequences_found"]) == 0)
    }

    @Test func aQuietSocketStillMovesEventTimeOnSoAWindowCloses() throws {
        // With no event after the start, the window (2 s of event time) closes only because
        // `serve` moves event time on with the wall clock once its sources are quiet.
        let dir = temporaryDirectory()
        let rule = Self.missingRule.replacingOccurrences(of: "maxspan=1m", with: "maxspan=2s")
        let server = try serve(dir, rule: rule, ["--allowed-lateness", "0", "--flush-ms", "50", "--segment-age-ms", "200"])
        defer { if server.isRunning { server.terminate() } }
        let client = try SocketClient(path: dir + "/t.sock")
        try client.write(Array((Self.event("process", "start", host: "h1", second: 0) + "\n").utf8))
        #expect(try shellsAppear(1, in: dir + "/spool", within: 8), "the window closed while the client stayed connected and quiet")
        client.close()
        server.terminate()
        server.waitUntilExit()
    }

    @Test func theCapEvictsTheOldestPartialSequencesAndCountsThem() throws {
        let dir = temporaryDirectory()
        let lines = (0..<5).map { Self.event("process", "start", host: "h\($0)", second: $0) }
        let s = try replay(dir, lines, rules: try rulesFolder(dir), extra: ["--max-open-sequences", "2", "--workers", "1"])
        #expect(integer(s["sequences_evicted"]) == 3)
        #expect(integer(s["sequences_open_peak"]) == 2, "the cap holds the open partial sequences at 2")
        if case .object(let byRule)? = s["sequences_evicted_by_rule"] {
            #expect(byRule.first?.key == "seq-stream")
        } else {
            Issue.record("no sequences_evicted_by_rule")
        }
    }

    @Test func aSequenceRuleWithAnUntilKeepsTheUntilEventsLiteralsInThePrefilter() throws {
        // Skipping the until event would invent an alert: the prefilter must let it through.
        let dir = temporaryDirectory()
        let folder = dir + "/rules"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = Self.rule.replacingOccurrences(of: "[file where event.type == \"creation\"]",
                                                  with: "[file where event.type == \"creation\"] until [network where event.action == \"zzkill\"]")
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/rule.toml"))
        let kill = "{\"@timestamp\":\"2026-12-06T10:00:05Z\",\"data_stream\":{\"type\":\"logs\",\"dataset\":\"test\",\"namespace\":\"default\"},"
            + "\"event\":{\"category\":\"network\",\"action\":\"zzkill\"},\"host\":{\"id\":\"h1\"}}"
        let s = try replay(dir, [Self.event("process", "start", host: "h1", second: 0), kill, Self.event("file", "creation", host: "h1", second: 10)],
                           rules: folder)
        #expect(integer(s["sequences_found"]) == 0)
    }
}
