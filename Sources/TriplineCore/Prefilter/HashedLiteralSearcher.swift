/// Finds many needles (hundreds to thousands, each at least 4 bytes) at once, ignoring ASCII case.
///
/// A packed-pair search costs a pass per needle; here each haystack position costs one hash of
/// its next 4 bytes (case folded by OR 0x20) and one bit test in a 32 KiB table that fits in L1.
/// Only positions whose hash some needle shares are verified. Scalar for now: the 500-rule
/// benchmark (Benchmarks/, scripts/bench) is where a vector version would have to prove itself.
public struct HashedLiteralSearcher: Sendable {
    static let tableBits = 18
    public let needles: [[UInt8]]
    /// One bit per hash value.
    let table: [UInt64]
    /// Needles by hash value, as ranges into `bucketNeedles`, for the hashes that are present.
    let buckets: [UInt32: Range<Int>]
    let bucketNeedles: [Int]

    /// - Precondition: every needle is at least 4 bytes long.
    public init(needles: [[UInt8]]) {
        precondition(needles.allSatisfy { $0.count >= 4 })
        self.needles = needles.map(CaseFolding.fold)
        var table = [UInt64](repeating: 0, count: (1 << Self.tableBits) / 64)
        var byHash: [UInt32: [Int]] = [:]
        for (index, needle) in self.needles.enumerated() {
            let hash = needle.withUnsafeBytes { Self.hash(Self.key($0, 0)) }
            table[Int(hash >> 6)] |= 1 << (hash & 63)
            byHash[hash, default: []].append(index)
        }
        var buckets: [UInt32: Range<Int>] = [:]
        var bucketNeedles: [Int] = []
        for (hash, members) in byHash {
            buckets[hash] = bucketNeedles.count..<(bucketNeedles.count + members.count)
            bucketNeedles.append(contentsOf: members)
        }
        self.table = table
        self.buckets = buckets
        self.bucketNeedles = bucketNeedles
    }

    @inline(__always)
    static func key(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        raw.loadUnaligned(fromByteOffset: at, as: UInt32.self) | 0x2020_2020
    }

    @inline(__always)
    static func hash(_ key: UInt32) -> UInt32 {
        (key &* 0x9E37_79B1) >> UInt32(32 - tableBits)
    }

    /// Calls `found(needle, position)` for every occurrence, positions ascending.
    public func forEachMatch(in haystack: UnsafeRawBufferPointer, _ found: (Int, Int) -> Void) {
        guard haystack.count >= 4, !needles.isEmpty else { return }
        table.withUnsafeBufferPointer { table in
            for position in 0...(haystack.count - 4) {
                let hash = Self.hash(Self.key(haystack, position))
                guard table[Int(hash >> 6)] & (1 << (hash & 63)) != 0, let bucket = buckets[hash] else { continue }
                for member in bucket {
                    let needle = bucketNeedles[member]
                    if LiteralSearcher.matches(needles[needle], in: haystack, at: position) { found(needle, position) }
                }
            }
        }
    }
}
