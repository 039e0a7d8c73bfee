import TriplineAVX2

/// Finds where any of up to `maxNeedles` needles occurs, ignoring ASCII case, in one pass.
///
/// Teddy (see `TeddyAVX2`): each needle gets a bucket and the rarest 3-byte window of its first
/// 64 bytes as fingerprint; the AVX2 kernel keeps the positions where some bucket's fingerprint
/// fits, and only those are verified. A scalar twin with the same tables does the tail (and the
/// whole haystack without AVX2); the tests hold both to a naive oracle.
public struct TeddySearcher: Sendable {
    public enum Kernel: Sendable, CaseIterable {
        case avx2, scalar

        public static let best: Kernel = PackedPairAVX2.isCompiled && CPUFeatures.hasAVX2 ? .avx2 : .scalar
    }

    /// More needles than this crowd 8 buckets until most positions are candidates.
    public static let maxNeedles = 64

    /// Where each needle's fingerprint starts within it.
    let fingerprintOffsets: [Int]
    /// `TeddyAVX2.maskBytes` of lookup tables.
    let masks: [UInt8]
    /// The verification data flat, so the candidate loop touches no nested arrays: per bucket,
    /// `members[memberStart[b] ..< memberStart[b + 1]]`; per needle, its fingerprint offset and
    /// `bytes[byteStart[n] ..< byteStart[n + 1]]`.
    let members: [Int]
    let memberStart: [Int]
    let bytes: [UInt8]
    let byteStart: [Int]
    public let kernel: Kernel

    /// - Precondition: 1 to `maxNeedles` needles, none empty.
    public init(needles: [[UInt8]], kernel: Kernel = .best) {
        precondition(!needles.isEmpty && needles.count <= Self.maxNeedles && needles.allSatisfy { !$0.isEmpty })
        let folded = needles.map(CaseFolding.fold)
        self.kernel = kernel
        let offsets = folded.map(Self.fingerprintOffset)
        fingerprintOffsets = offsets
        // Needles with alike fingerprints share a bucket, so few spurious combinations arise.
        let order = folded.indices.sorted {
            Array(folded[$0].dropFirst(offsets[$0]).prefix(3)).lexicographicallyPrecedes(folded[$1].dropFirst(offsets[$1]).prefix(3))
        }
        let bucketCount = min(8, folded.count)
        var buckets = [[Int]](repeating: [], count: bucketCount)
        for (rank, needle) in order.enumerated() { buckets[rank * bucketCount / folded.count].append(needle) }
        members = buckets.flatMap { $0 }
        memberStart = buckets.reduce(into: [0]) { $0.append($0.last! + $1.count) } + [Int](repeating: members.count, count: 8 - bucketCount)
        bytes = folded.flatMap { $0 }
        byteStart = folded.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        var masks = [UInt8](repeating: 0, count: TeddyAVX2.maskBytes)
        for (bucket, members) in buckets.enumerated() {
            let bit = UInt8(1) << UInt8(bucket)
            for needle in members {
                for j in 0..<3 {
                    let index = offsets[needle] + j
                    // A needle shorter than 3 bytes accepts any byte past its end.
                    let accepted: [UInt8] = index < folded[needle].count ? Self.cases(of: folded[needle][index]) : Array(0...255)
                    for byte in accepted {
                        for lane in [0, 16] {
                            masks[64 * j + lane + Int(byte & 0x0F)] |= bit
                            masks[64 * j + 32 + lane + Int(byte >> 4)] |= bit
                        }
                    }
                }
            }
        }
        self.masks = masks
    }

    /// The byte and, for a letter, its upper case.
    static func cases(of byte: UInt8) -> [UInt8] {
        byte >= 0x61 && byte <= 0x7A ? [byte, byte - 0x20] : [byte]
    }

    /// The start of the needle's rarest 3-byte window within its first 64 bytes.
    static func fingerprintOffset(_ needle: [UInt8]) -> Int {
        guard needle.count > 3 else { return 0 }
        let starts = 0...min(needle.count - 3, 61)
        return starts.min { a, b in
            let score = { (start: Int) in (start..<start + 3).reduce(0) { $0 + Int(ByteRarity.rank[Int(needle[$1])]) } }
            return score(a) < score(b)
        } ?? 0
    }

    /// Calls `found(needle, position)` for every occurrence of every needle (in no particular
    /// order across needles). `scratch` is reused between calls.
    public func forEachMatch(in haystack: UnsafeRawBufferPointer, scratch: inout [UInt64], _ found: (Int, Int) -> Void) {
        guard haystack.count > 0 else { return }
        scratch.removeAll(keepingCapacity: true)
        var scanned = 0
        if kernel == .avx2 {
            scanned = masks.withUnsafeBytes { TeddyAVX2.candidates(in: haystack, from: 0, masks: $0, into: &scratch) }
        }
        for position in scanned..<haystack.count {
            let buckets = scalarBuckets(haystack, position)
            if buckets != 0 { scratch.append(UInt64(position) << 8 | UInt64(buckets)) }
        }
        members.withUnsafeBufferPointer { members in
            memberStart.withUnsafeBufferPointer { memberStart in
                fingerprintOffsets.withUnsafeBufferPointer { offsets in
                    bytes.withUnsafeBufferPointer { bytes in
                        byteStart.withUnsafeBufferPointer { byteStart in
                            for candidate in scratch {
                                let position = Int(candidate >> 8)
                                var bits = UInt8(truncatingIfNeeded: candidate)
                                while bits != 0 {
                                    let bucket = bits.trailingZeroBitCount
                                    for member in memberStart[bucket]..<memberStart[bucket + 1] {
                                        let needle = members[member]
                                        let start = position - offsets[needle]
                                        let needleBytes = UnsafeBufferPointer(rebasing: bytes[byteStart[needle]..<byteStart[needle + 1]])
                                        if start >= 0, Self.matches(needleBytes, in: haystack, at: start) { found(needle, start) }
                                    }
                                    bits &= bits &- 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func matches(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeRawBufferPointer, at position: Int) -> Bool {
        guard position + needle.count <= haystack.count else { return false }
        for index in 0..<needle.count where CaseFolding.foldASCII(haystack[position + index]) != needle[index] {
            return false
        }
        return true
    }

    /// The kernel's test at one position, reading a zero byte past the end.
    @inline(__always)
    func scalarBuckets(_ haystack: UnsafeRawBufferPointer, _ position: Int) -> UInt8 {
        var buckets: UInt8 = 0xFF
        for j in 0..<3 {
            let byte = position + j < haystack.count ? haystack[position + j] : 0
            buckets &= masks[64 * j + Int(byte & 0x0F)] & masks[64 * j + 32 + Int(byte >> 4)]
        }
        return buckets
    }
}
