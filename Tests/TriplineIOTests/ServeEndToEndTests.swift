import Foundation
import Testing
@testable import TriplineIO

@Suite(.serialized) struct ServeEndToEndTests {
    let sample = packageRoot.appendingPathComponent("samples/seed-events.ndjson").path

    func startServe(_ dir: String, extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: triplineBinary)
        process.arguments = ["serve", "--rules", seedRulesPath, "--socket", dir + "/t.sock", "--spool", dir + "/spool", "--stats-json", dir + "/stats.json",
                             "--dead-letter", dir + "/dead.ndjson", "--quiet"] + extra
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func eightConcurrentClientsGiveTheSameAlertsAsReplay() throws {
        let dir = temporaryDirectory()
        let replay = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", dir + "/replay", "--stats-json", dir + "/replay.json", sample])
        #expect(replay.status == 0)
        let server = try startServe(dir)
        #expect(waitForSocket(dir + "/t.sock"))
        var mode = stat()
        stat(dir + "/t.sock", &mode)
        #expect(mode.st_mode & 0o777 == 0o660)
        defer { if server.isRunning { server.terminate() } }
        // Each client sends the whole sample in small writes that cut lines apart.
        let payload = Array(try Data(contentsOf: URL(fileURLWithPath: sample)))
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            guard let client = try? SocketClient(path: dir + "/t.sock") else { return }
            var offset = 0
            while offset < payload.count {
                let end = min(payload.count, offset + 777)
                try? client.write(Array(payload[offset..<end]))
                offset = end
            }
            client.close()
        }
        server.terminate()  // SIGTERM: stop accepting, read what clients sent, drain, close the spool, exit 0
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let served = try stats(dir + "/stats.json")
        let replayed = try stats(dir + "/replay.json")
        #expect(integer(served["events"]) == 8 * integer(replayed["events"]))
        #expect(integer(served["alerts"]) == 8 * integer(replayed["alerts"]))
        #expect(integer(served["rejected"]) == 8 * integer(replayed["rejected"]))
        #expect(integer(served["events"]) == integer(served["evaluated"]) + integer(served["rejected"]))
        // From the read that framed an alert's event to the flush of its block (--flush-ms 200).
        if case .object(let latency)? = served["alert_latency_ms"],
           case .number(let p99)? = latency.first(where: { $0.key == "p99" })?.value {
            #expect((Int(p99) ?? -1) >= 0 && (Int(p99) ?? .max) < 1000, "p99 \(p99) ms")
        } else {
            Issue.record("stats lack alert_latency_ms.p99")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/t.sock"))
        var count = 0
        try SpoolReader.forEachLine(in: dir + "/spool") { _ in count += 1 }
        #expect(count == integer(served["alerts"]))
    }

    @Test func clientDisconnectingMidLineLeavesItsFragmentInTheDeadLetters() throws {
        let dir = temporaryDirectory()
        // Every line parsed, so the second client's line is seen to be rejected on its own.
        let server = try startServe(dir, extra: ["--no-prefilter"])
        defer { if server.isRunning { server.terminate() } }
        #expect(waitForSocket(dir + "/t.sock"))
        let first = try SocketClient(path: dir + "/t.sock")
        let second = try SocketClient(path: dir + "/t.sock")
        try first.write(Array("{\"a\":1}\n{\"half\":".utf8))
        first.close()
        try second.write(Array("\"other\":2}\n".utf8))  // must not be glued to the fragment
        second.close()
        usleep(300_000)
        server.terminate()
        server.waitUntilExit()
        let s = try stats(dir + "/stats.json")
        #expect(integer(s["events"]) == 3)
        #expect(integer(s["rejected"]) == 2)  // the fragment, and the second client's line which is not an object
        let dead = try String(contentsOfFile: dir + "/dead.ndjson", encoding: .utf8)
        #expect(dead.contains("\"reason\":\"truncated\""))
        #expect(dead.contains("{\\\"half\\\":"))
    }

    @Test func staleSocketIsReplacedAndLiveOneRefused() throws {
        let dir = temporaryDirectory()
        let path = dir + "/t.sock"
        // A stale socket: bound, then its owner gone.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: Array(path.utf8)); raw[path.utf8.count] = 0 }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)
        let server = try startServe(dir)
        defer { if server.isRunning { server.terminate() } }
        #expect(waitForSocket(path))
        let second = try run(triplineBinary, ["serve", "--rules", seedRulesPath, "--socket", path, "--spool", dir + "/spool2"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("in use"))
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
    }
}
