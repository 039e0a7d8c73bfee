import Foundation
import Synchronization
import Testing
@testable import TriplineIO

/// When the spool's disk refuses writes (full, or failing), serve stops taking input (the socket
/// writer blocks), loses nothing, and resumes once the disk takes writes again; every alert sent
/// ends up in exactly one closed segment.
@Suite(.serialized) struct DiskFullTests {
    static var total: Int { BlockedSpoolRun.total }

    /// The spool on a 256 KiB tmpfs the test mounts; a shipper moving closed segments off it makes room.
    @Test func fullSpoolPausesIntakeAndResumesWithoutLoss() throws {
        let dir = temporaryDirectory()
        let spool = dir + "/spool", shipped = dir + "/shipped"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: shipped, withIntermediateDirectories: true)
        let mount = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", spool])
        try #require(mount.status == 0, "mounting a tmpfs needs root: \(mount.stderr)")
        defer { _ = try? run("/bin/umount", ["-l", spool]) }

        let run = try BlockedSpoolRun(dir: dir, spool: spool, extra: ["--segment-bytes", "65536"])
        let stalledAt = try run.expectStall(on: "No space left on device")
        /// What a shipper does: moves closed segments off the spool's disk.
        func ship() throws {
            for segment in try SpoolDirectory.segments(in: spool) where !segment.isOpen {
                let name = URL(fileURLWithPath: segment.path).lastPathComponent
                try FileManager.default.copyItem(atPath: segment.path, toPath: shipped + "/" + name)
                try FileManager.default.removeItem(atPath: segment.path)
            }
        }
        let pauses = try run.finish(folders: [shipped, spool], makingRoom: ship)
        print("disk full: intake stopped after \(stalledAt) of \(Self.total) events; \(pauses) pauses; \(Self.total) alerts, none lost")
    }

    /// A write error that is not a full disk: a file-size limit (EFBIG) set on the running server
    /// with prlimit, then lifted.
    @Test func writeErrorPausesIntakeAndResumesWithoutLoss() throws {
        let dir = temporaryDirectory()
        let run = try BlockedSpoolRun(dir: dir, spool: dir + "/spool", extra: ["--segment-bytes", "67108864", "--segment-age-ms", "600000"])
        let limit = try TriplineIOTests.run("/usr/bin/prlimit", ["--pid", "\(run.server.processIdentifier)", "--fsize=40000:unlimited"])
        try #require(limit.status == 0, "\(limit.stderr)")
        let stalledAt = try run.expectStall(on: "File too large")
        var lifted = false
        let pauses = try run.finish(folders: [dir + "/spool"]) {
            guard !lifted else { return }
            lifted = try TriplineIOTests.run("/usr/bin/prlimit", ["--pid", "\(run.server.processIdentifier)", "--fsize=unlimited"]).status == 0
        }
        print("write error (EFBIG): intake stopped after \(stalledAt) of \(Self.total) events; \(pauses) pauses; \(Self.total) alerts, none lost")
    }
}

/// A serve process whose spool will refuse writes, fed distinct alerts by one socket writer.
final class BlockedSpoolRun {
    static let total = 6000
    let dir: String
    let server = Process()
    let stderrText = Shared(Data())
    let sent = Shared(0)
    let writer: Thread
    let stderrReader: Thread

    init(dir: String, spool: String, extra: [String]) throws {
        self.dir = dir
        let errors = Pipe()
        server.executableURL = URL(fileURLWithPath: triplineBinary)
        server.arguments = ["serve", "--rules", seedRulesPath, "--socket", dir + "/t.sock", "--spool", spool, "--flush-ms", "20", "--stats-json", dir + "/stats.json"] + extra
        server.standardOutput = FileHandle.nullDevice
        server.standardError = errors
        try server.run()
        let text = stderrText
        stderrReader = Thread {
            while true {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text.withLock { $0.append(chunk) }
            }
        }
        stderrReader.start()
        let sent = self.sent
        let socket = dir + "/t.sock"
        writer = Thread {
            guard let client = try? SocketClient(path: socket) else { return }
            for n in 0..<BlockedSpoolRun.total {
                guard (try? client.write(Array(HitStream.line(n).utf8))) != nil else { break }
                sent.withLock { $0 = n + 1 }
            }
            client.close()
        }
        guard waitForSocket(socket) else { server.terminate(); throw POSIXError(.ETIMEDOUT) }
    }

    deinit { if server.isRunning { server.terminate() } }

    func log() -> String { String(decoding: stderrText.withLock { $0 }, as: UTF8.self) }

    /// Starts the writer; serve must report `reason` and the writer must come to a stop short of the total.
    func expectStall(on reason: String) throws -> Int {
        writer.start()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !log().contains(reason) { usleep(50_000) }
        #expect(log().contains("spool: ") && log().contains(reason) && log().contains("intake paused"), "\(log())")
        let stalledAt = sent.withLock { $0 }
        usleep(1_500_000)
        #expect(sent.withLock { $0 } < Self.total, "the writer was not held back")
        #expect(sent.withLock { $0 } - stalledAt < Self.total / 4, "intake went on while the spool was blocked")
        return stalledAt
    }

    /// Calls `makeRoom` until everything is sent and serve has stopped; then every alert must be in
    /// one closed segment of `folders`, once. Returns the pauses the stats counted.
    func finish(folders: [String], makingRoom makeRoom: () throws -> Void) throws -> Int {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && (writer.isExecuting || sent.withLock({ $0 }) < Self.total) {
            try makeRoom()
            usleep(100_000)
        }
        #expect(sent.withLock { $0 } == Self.total)
        usleep(500_000)
        server.terminate()
        // Closing the last segment may need room too.
        while server.isRunning {
            try makeRoom()
            usleep(100_000)
        }
        #expect(server.terminationStatus == 0)
        while stderrReader.isExecuting { usleep(10_000) }
        #expect(log().contains("writing resumed"), "\(log())")

        var ids = Set<String>()
        var alerts = 0
        for folder in folders {
            for segment in try SpoolDirectory.segments(in: folder) where !segment.isOpen {
                #expect(try TriplineIOTests.run("/usr/bin/lz4", ["-t", segment.path]).status == 0)
                try SpoolReader.forEachLine(ofSegment: segment.path) { line in
                    alerts += 1
                    if case .string(let id)? = try JSONValue.parse(Array(line))["kibana.alert.uuid"] { ids.insert(id) }
                }
            }
        }
        #expect(alerts == Self.total, "every alert sent is in a closed segment")
        #expect(ids.count == Self.total, "none twice")
        let summary = try stats(dir + "/stats.json")
        #expect(integer(summary["alerts"]) == Self.total)
        #expect(integer(summary["spool_blocked_pauses"]) >= 1)
        return integer(summary["spool_blocked_pauses"])
    }
}

/// A value threads share (a Mutex is not copyable, so threads get it through this class).
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout sending Value) throws -> sending R) rethrows -> sending R { try mutex.withLock(body) }
}
