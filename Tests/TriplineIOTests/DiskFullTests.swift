import Foundation
import Synchronization
import Testing
@testable import TriplineIO

/// A spool on a small tmpfs (mounted by the test): when it fills, serve stops taking input (the
/// socket writer blocks), loses nothing, and resumes once space returns (a shipper moves closed
/// segments away); every alert sent ends up in exactly one closed segment.
@Suite(.serialized) struct DiskFullTests {
    @Test func fullSpoolPausesIntakeAndResumesWithoutLoss() throws {
        let dir = temporaryDirectory()
        let spool = dir + "/spool", shipped = dir + "/shipped"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: shipped, withIntermediateDirectories: true)
        let mount = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", spool])
        try #require(mount.status == 0, "mounting a tmpfs needs root: \(mount.stderr)")
        defer { _ = try? run("/bin/umount", ["-l", spool]) }

        let server = Process()
        let errors = Pipe()
        server.executableURL = URL(fileURLWithPath: triplineBinary)
        server.arguments = ["serve", "--socket", dir + "/t.sock", "--spool", spool, "--segment-bytes", "65536",
                            "--flush-ms", "20", "--stats-json", dir + "/stats.json"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = errors
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let stderrText = Mutex(Data())
        let stderrReader = Thread {
            while true {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stderrText.withLock { $0.append(chunk) }
            }
        }
        stderrReader.start()
        func log() -> String { String(decoding: stderrText.withLock { $0 }, as: UTF8.self) }
        #expect(waitForSocket(dir + "/t.sock"))

        // Distinct alerts, far more than 256 KiB of them.
        let total = 6000
        let sent = Mutex(0)
        let writer = Thread {
            guard let client = try? SocketClient(path: dir + "/t.sock") else { return }
            for n in 0..<total {
                guard (try? client.write(Array(HitStream.line(n).utf8))) != nil else { break }
                sent.withLock { $0 = n + 1 }
            }
            client.close()
        }
        writer.start()

        // The spool fills: serve says so, and the socket writer comes to a stop short of the total.
        let full = Date().addingTimeInterval(60)
        while Date() < full && !log().contains("spool: no space left") { usleep(50_000) }
        #expect(log().contains("spool: no space left"), "\(log())")
        let stalledAt = sent.withLock { $0 }
        usleep(1_500_000)
        #expect(sent.withLock { $0 } < total, "the writer was not held back")
        #expect(sent.withLock { $0 } - stalledAt < total / 4, "intake went on while the spool was full")

        /// What a shipper does: moves closed segments off the spool's disk.
        func ship() throws {
            for segment in try SpoolDirectory.segments(in: spool) where !segment.isOpen {
                let name = URL(fileURLWithPath: segment.path).lastPathComponent
                try FileManager.default.copyItem(atPath: segment.path, toPath: shipped + "/" + name)
                try FileManager.default.removeItem(atPath: segment.path)
            }
        }
        // A shipper moves closed segments off the full disk until everything is in.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && (writer.isExecuting || sent.withLock({ $0 }) < total) {
            try ship()
            usleep(100_000)
        }
        #expect(sent.withLock { $0 } == total)
        usleep(500_000)
        server.terminate()
        // Closing the last segment may need room too.
        while server.isRunning {
            try ship()
            usleep(100_000)
        }
        #expect(server.terminationStatus == 0)
        while stderrReader.isExecuting { usleep(10_000) }
        #expect(log().contains("writing resumed"), "\(log())")

        var ids = Set<String>()
        var alerts = 0
        for folder in [shipped, spool] {
            for segment in try SpoolDirectory.segments(in: folder) where !segment.isOpen {
                #expect(try run("/usr/bin/lz4", ["-t", segment.path]).status == 0)
                try SpoolReader.forEachLine(ofSegment: segment.path) { line in
                    alerts += 1
                    if case .string(let id)? = try JSONValue.parse(Array(line))["kibana.alert.uuid"] { ids.insert(id) }
                }
            }
        }
        #expect(alerts == total, "every alert sent is in a closed segment")
        #expect(ids.count == total, "none twice")
        let summary = try stats(dir + "/stats.json")
        #expect(integer(summary["alerts"]) == total)
        #expect(integer(summary["spool_full_pauses"]) >= 1)
        print("disk full: intake stopped after \(stalledAt) of \(total) events; \(integer(summary["spool_full_pauses"])) pauses; \(alerts) alerts, none lost")
    }
}
