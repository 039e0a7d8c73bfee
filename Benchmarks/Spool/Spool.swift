import Benchmark
import Foundation
import TriplineCore

/// LZ4 spool writes: 16 MiB of alert-sized NDJSON lines per operation into a fresh spool.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 30)

    let alert = Array((#"{"kibana.alert.rule.rule_id":"696015ef-718e-40ff-ac4a-cc2ba88dbeeb","kibana.alert.uuid":"#
        + #""0123456789abcdef0123456789abcdef","event":{"action":"CreateAccessKey","outcome":"success"},"user":{"name":"alice"},"pad":""#
        + String(repeating: "x", count: 700) + "\"}\n").utf8)
    var chunk: [UInt8] = []
    for _ in 0..<64 { chunk += alert }  // a worker's message: 64 alerts
    let rounds = (16 << 20) / chunk.count

    Benchmark("LZ4 spool append, 16 MiB of alerts") { benchmark in
        for _ in benchmark.scaledIterations {
            let directory = NSTemporaryDirectory() + "tripline-bench-spool-\(UUID().uuidString)"
            let writer = try SpoolWriter(directory: directory)
            for _ in 0..<rounds { try writer.append(chunk, alerts: 64) }
            try writer.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
