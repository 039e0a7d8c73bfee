import Foundation
import Testing
@testable import TriplineIO

/// `serve --metrics`: a scraper sees the live counters, and they end equal to the run's stats.
@Suite(.serialized) struct MetricsEndpointTests {
    let sample = packageRoot.appendingPathComponent("samples/seed-events.ndjson").path

    /// Starts serve with `--metrics 127.0.0.1:0` and reads the real port from its stderr.
    func startServe(_ dir: String) throws -> (Process, port: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: triplineBinary)
        process.arguments = ["serve", "--rules", seedRulesPath, "--socket", dir + "/t.sock", "--spool", dir + "/spool", "--stats-json", dir + "/stats.json",
                             "--metrics", "127.0.0.1:0"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !text.contains("/metrics\n") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"metrics at http://127\.0\.0\.1:[0-9]+/metrics"#, options: .regularExpression) else {
            process.terminate()
            throw POSIXError(.EIO)
        }
        let port = Int(text[range].split(separator: ":").last!.split(separator: "/").first!)!
        return (process, port)
    }

    @Test func scrapedCountersFollowTheStreamAndEndEqualToTheStats() throws {
        let dir = temporaryDirectory()
        let replay = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", dir + "/replay", "--stats-json", dir + "/replay.json", "--quiet", sample])
        #expect(replay.status == 0)
        let replayed = try stats(dir + "/replay.json")
        let (server, port) = try startServe(dir)
        defer { if server.isRunning { server.terminate() } }
        #expect(waitForSocket(dir + "/t.sock"))

        let before = try httpGet(port: port, path: "/metrics")
        #expect(before.status == 200)
        #expect(before.headers.lowercased().contains("content-type: text/plain; version=0.0.4"))
        #expect(before.body.contains("# TYPE tripline_events_total counter"))
        #expect(metricValue(before.body, "tripline_events_total") == 0)
        for stage in ["framer", "extractor-0", "worker-0", "alerts"] {
            #expect(before.body.contains(#"tripline_queue_depth_batches{stage="\#(stage)"}"#), "no queue depth for \(stage)")
        }

        let payload = Array(try Data(contentsOf: URL(fileURLWithPath: sample)))
        for _ in 0..<3 {
            let client = try SocketClient(path: dir + "/t.sock")
            try client.write(payload)
            client.close()
        }
        // While serve runs: the counters reach what was sent (read per batch, so poll).
        let events = Double(3 * integer(replayed["events"]))
        var live = ""
        let deadline = Date().addingTimeInterval(20)
        repeat {
            live = try httpGet(port: port, path: "/metrics").body
            if metricValue(live, "tripline_events_total") == events && metricValue(live, "tripline_alerts_total") == Double(3 * integer(replayed["alerts"])) { break }
            usleep(100_000)
        } while Date() < deadline
        #expect(metricValue(live, "tripline_events_total") == events)
        #expect(metricValue(live, "tripline_bytes_total") == Double(3 * payload.count))
        #expect(metricValue(live, "tripline_alerts_total") == Double(3 * integer(replayed["alerts"])))
        #expect(metricValue(live, "tripline_spool_blocked") == 0)
        #expect(live.contains("tripline_alert_latency_seconds_count"))

        let missing = try httpGet(port: port, path: "/")
        #expect(missing.status == 404)

        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let served = try stats(dir + "/stats.json")
        #expect(Double(integer(served["events"])) == events)
        #expect(integer(served["alerts"]) == 3 * integer(replayed["alerts"]))
        var rejected = 0.0
        for reason in DeadLetter.Reason.allCases {
            rejected += metricValue(live, #"tripline_rejected_total{reason="\#(reason.rawValue)"}"#) ?? 0
        }
        #expect(Int(rejected) == integer(served["rejected"]))
    }

    @Test func anAddressThatCannotBeServedFailsTheStartClearly() throws {
        let dir = temporaryDirectory()
        let bad = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", dir + "/spool", "--metrics", "localhost:http", sample])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--metrics takes HOST:PORT"))
        let taken = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", dir + "/spool", "--metrics", "203.0.113.7:9464", sample])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("cannot serve metrics on 203.0.113.7:9464"))
    }
}
