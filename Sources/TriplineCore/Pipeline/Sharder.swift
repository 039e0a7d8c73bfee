/// Splits an extracted batch among workers by shard key, so each key's state lives on one worker.
///
/// Lines of one batch keep their order within each worker's share. Events without any shard key
/// carry no per-user state and are spread round-robin.
public struct Sharder {
    public let workers: Int
    let keys: [Int]
    private var roundRobin = 0
    private var scratch: [UInt8] = []

    public init(workers: Int, shardKeys: [Int]) {
        self.workers = max(1, workers)
        self.keys = shardKeys
    }

    public mutating func split(_ extracted: ExtractedBatch) -> [[Int]] {
        var shares = [[Int]](repeating: [], count: workers)
        extracted.batch.withUnsafeBytes { raw in
            extracted.values.withUnsafeBufferPointer { values in
                for line in 0..<extracted.batch.lineCount where extracted.isValid[line] {
                    let event = EventView(raw: raw, values: UnsafeBufferPointer(rebasing: values[extracted.valueRange(ofLine: line)]))
                    shares[worker(for: event)].append(line)
                }
            }
        }
        return shares
    }

    mutating func worker(for event: EventView) -> Int {
        guard workers > 1 else { return 0 }
        for key in keys {
            guard let value = event.first(key) else { continue }
            // Decoded: the same user spelled with escapes must land on the same worker.
            return value.withDecodedBytes(in: event.raw, scratch: &scratch) { Int(Self.hash($0) % UInt64(workers)) }
        }
        roundRobin = (roundRobin + 1) % workers
        return roundRobin
    }

    /// FNV-1a: stable across runs and processes, unlike `Hasher`.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }
}
