import Foundation
import Synchronization
import Testing
@testable import TriplineIO

/// `serve` under a steady stream, killed with SIGKILL at random moments and restarted on the same
/// spool: closed segments always pass `lz4 -t`, no alert id appears twice, and every alert that
/// was in a closed segment before a kill is there after it.
@Suite(.serialized) struct CrashLoopTests {
    static let kills = 20

    /// Alert ids per closed segment (all of them, or the ones named).
    func closedAlerts(_ spool: String, only names: [String]? = nil) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        let paths = try names ?? SpoolDirectory.segments(in: spool).filter { !$0.isOpen }.map(\.path)
        for path in paths {
            var ids: [String] = []
            try SpoolReader.forEachLine(ofSegment: path) { line in
                if case .string(let id)? = try JSONValue.parse(Array(line))["kibana.alert.uuid"] { ids.append(id) }
            }
            result[path] = ids
        }
        return result
    }

    @Test func killedServeLosesNoClosedAlertAndDuplicatesNone() throws {
        let dir = temporaryDirectory()
        let spool = dir + "/spool"
        var generator = SystemRandomNumberGenerator()
        var tested = Set<String>()
        var closedBefore: [String: [String]] = [:]
        var sent = 0
        var leftOpen = 0
        // Whatever happens to the test, no server is left running.
        var current: Process?
        defer { if let current, current.isRunning { kill(current.processIdentifier, SIGKILL) } }
        for round in 0...Self.kills {
            // What the last kill left open (nothing runs now); the server about to start recovers it.
            if FileManager.default.fileExists(atPath: spool) {
                leftOpen += try SpoolDirectory.segments(in: spool).filter(\.isOpen).count
            }
            let server = Process()
            server.executeURL(triplineBinary, ["serve", "--rules", seedRulesPath, "--quiet", "--socket", dir + "/t.sock", "--spool", spool,
                                               "--flush-ms", "20", "--segment-age-ms", "150", "--stats-json", dir + "/stats.json"])
            try server.run()
            current = server
            #expect(waitForSocket(dir + "/t.sock"))
            // Recovery runs as the spool opens: wait until no segment is left open from the last kill.
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, try SpoolDirectory.segments(in: spool).contains(where: \.isOpen) { usleep(20_000) }
            let closedNow = try closedAlerts(spool)
            for (segment, ids) in closedBefore {
                #expect(closedNow[segment] == ids, "round \(round): \(segment) changed or vanished")
            }
            let all = closedNow.values.flatMap { $0 }
            #expect(Set(all).count == all.count, "round \(round): an alert id appears twice")
            for segment in closedNow.keys where !tested.contains(segment) {
                let check = try run("/usr/bin/lz4", ["-t", segment])
                #expect(check.status == 0, "round \(round): lz4 -t \(segment): \(check.stderr)")
                tested.insert(segment)
            }
            print("crash loop round \(round): \(closedNow.count) closed segments, \(all.count) alerts")
            if round == Self.kills {
                server.terminate()
                server.waitUntilExit()
                #expect(server.terminationStatus == 0)
                break
            }
            // A steady stream until the kill.
            let stop = Mutex(false)
            let base = sent
            let writer = Thread {
                guard let client = try? SocketClient(path: dir + "/t.sock") else { return }
                var n = base
                while !stop.withLock({ $0 }) {
                    var batch = ""
                    for _ in 0..<20 {
                        n += 1
                        batch += HitStream.line(n)
                    }
                    guard (try? client.write(Array(batch.utf8))) != nil else { break }
                    usleep(2_000)
                }
                client.close()
            }
            writer.start()
            usleep(UInt32.random(in: 150_000...700_000, using: &generator))
            // Which segments are closed at the kill; closed segments never change, so they are read after it.
            let closedAtKill = try SpoolDirectory.segments(in: spool).filter { !$0.isOpen }.map(\.path)
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
            stop.withLock { $0 = true }
            while writer.isExecuting { usleep(5_000) }
            closedBefore = try closedAlerts(spool, only: closedAtKill)
            sent += 100_000
        }
        let final = try closedAlerts(spool)
        let all = final.values.flatMap { $0 }
        #expect(all.count > Self.kills * 20, "the stream produced alerts between the kills")
        #expect(Set(all).count == all.count)
        #expect(try SpoolDirectory.segments(in: spool).allSatisfy { !$0.isOpen })
        #expect(leftOpen >= Self.kills / 4, "most kills come while a segment is open, so recovery is exercised")
        // spool stats finds every recovery in the segments themselves, and the same alerts.
        let counted = try run(triplineBinary, ["spool", "stats", "--json", spool])
        let summary = try JSONValue.parse(counted.stdout)
        #expect(integer(summary["segments_recovered"]) == leftOpen)
        #expect(integer(summary["alerts"]) == all.count)
        #expect(integer(summary["segments_closed"]) == final.count)
        print("crash loop: \(Self.kills) kills, \(leftOpen) segments left open and recovered, \(final.count) closed segments, \(all.count) alerts, none lost or repeated")
    }
}
