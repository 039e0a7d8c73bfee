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
        let rules = RuleSet.load(paths: [seedRulesPath])
        let gate = Gate()
        let pipeline = Pipeline(
            ruleSet: rules,
            options: PipelineOptions(workers: 1, spoolDirectory: dir + "/spool", batchBytes: 256 * 1024, channelCapacity: 2,
                                     prefilter: false),
            deadLetterSink: nil, workerGate: { await gate.wait() })
        let source = UnixSocketSource(path: dir + "/t.sock", maxLineBytes: 1 << 20, batchBytes: 256 * 1024)
        let running = Task { try await pipeline.run() }
        let serving = Task { try await source.serve(into: pipeline) }
        #expect(await awaitSocket(dir + "/t.sock"))

        // No rule's literal in it: with the prefilter off every line still reaches the stalled worker.
        let line = Array((#"{"event":{"action":"x"},"user":{"name":"u"},"pad":""# + String(repeating: "p", count: 900) + "\"}\n").utf8)
        var chunk: [UInt8] = []
        for _ in 0..<1024 { chunk.append(contentsOf: line) }  // about 1 MiB of whole lines
        let baseline = Self.residentBytes()
        let client = try SocketClient(path: dir + "/t.sock")
        // Offer up to 2 GiB without blocking; with the worker stalled the kernel must soon refuse
        // the writer, far short of that, because every stage up to the socket read is waiting.
        let offer = 2 << 30
        var accepted = 0
        var refusedInARow = 0
        var unsent = chunk[...]
        while accepted < offer && refusedInARow < 40 {
            if unsent.isEmpty { unsent = chunk[...] }
            let taken = client.writeNonBlocking(unsent)
            accepted += taken
            unsent = unsent.dropFirst(taken)
            if taken == 0 {
                refusedInARow += 1
                try await Task.sleep(for: .milliseconds(25))
            } else {
                refusedInARow = 0
            }
        }
        let grown = Self.residentBytes() - baseline
        print("backpressure: writer refused after \(accepted >> 10) KiB accepted; resident grew \(grown >> 20) MiB")
        #expect(refusedInARow >= 40, "the writer was never blocked")
        #expect(accepted < 64 << 20, "accepted \(accepted) bytes while stalled")
        #expect(grown < 64 << 20, "resident memory grew by \(grown) bytes")

        gate.release()
        // Finish the partial chunk (blocking, now that the worker runs) so the stream ends in whole lines.
        try client.write(Array(unsent))
        accepted += unsent.count
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
