import Foundation
import Synchronization
import Testing
@testable import TriplineIO

/// A stalled worker must hold the socket writer back, with memory bounded, and lose nothing.
@Suite(.serialized) struct BackpressureTests {
    final class Gate: Sendable {
        private let open = Mutex(false)
        func wait() async { while !open.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) } }
        func release() { open.withLock { $0 = true } }
    }

    static func residentBytes() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
        let pages = Int(text.split(separator: " ")[1]) ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func stalledWorkerBlocksTheSocketWriterAndMemoryStaysBounded() async throws {
        let dir = temporaryDirectory()
        let rules = RuleSet.load(paths: [packageRoot.appendingPathComponent("rules").path])
        let gate = Gate()
        let pipeline = Pipeline(
            ruleSet: rules,
            options: PipelineOptions(workers: 1, spoolDirectory: dir + "/spool", batchBytes: 256 * 1024, channelCapacity: 2),
            deadLetterSink: nil, workerGate: { await gate.wait() })
        let source = UnixSocketSource(path: dir + "/t.sock", maxLineBytes: 1 << 20, batchBytes: 256 * 1024)
        let running = Task { try await pipeline.run() }
        let serving = Task { try await source.serve(into: pipeline) }
        #expect(waitForSocket(dir + "/t.sock"))

        let line = Array((#"{"event":{"action":"x"},"user":{"name":"u"},"pad":""# + String(repeating: "p", count: 900) + "\"}\n").utf8)
        var chunk: [UInt8] = []
        for _ in 0..<1024 { chunk.append(contentsOf: line) }  // about 1 MiB of whole lines
        let baseline = Self.residentBytes()
        let client = try SocketClient(path: dir + "/t.sock")
        // Offer 2 GiB; with the worker stalled the writer must soon be refused, far short of that.
        var accepted = 0
        var refusedInARow = 0
        var offered = 0
        while offered < 2048 && refusedInARow < 40 {
            let taken = client.writeNonBlocking(chunk)
            accepted += taken
            offered += 1
            if taken < chunk.count {
                refusedInARow += 1
                try await Task.sleep(for: .milliseconds(25))
                // Finish the partial line so the stream stays whole lines.
                if taken > 0 { try client.write(Array(chunk[taken...])); accepted += chunk.count - taken }
            } else {
                refusedInARow = 0
            }
        }
        let grown = Self.residentBytes() - baseline
        #expect(refusedInARow >= 40, "the writer was never blocked")
        #expect(accepted < 256 << 20, "accepted \(accepted) bytes while stalled")
        #expect(grown < 256 << 20, "resident memory grew by \(grown) bytes")

        gate.release()
        client.close()
        try await Task.sleep(for: .milliseconds(200))
        source.stop()
        try await serving.value
        pipeline.intake.finish()
        let stats = try await running.value
        #expect(stats.bytes == accepted)
        #expect(stats.events == accepted / line.count)
        #expect(stats.evaluated == stats.events)
        #expect(stats.rejected == 0)
    }
}
