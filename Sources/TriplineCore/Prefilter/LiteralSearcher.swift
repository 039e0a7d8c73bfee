import TriplineAVX2

/// Finds where any of a set of needles occurs in raw bytes, ignoring ASCII case.
///
/// memchr's "packed pair" per needle: two rare probe bytes are compared 32 haystack positions at
/// a time and only positions where both match are verified. The AVX2 kernel does the bulk on
/// x86_64 CPUs that have it; a portable `SIMD32` kernel elsewhere; the scalar twin does the
/// tail and is the oracle in tests. Cost grows with the number of needles, so rule sets with
/// many literals are split across several searchers only where that stays cheap.
public struct LiteralSearcher: Sendable {
    public enum Kernel: Sendable, CaseIterable {
        case avx2, portable, scalar

        /// The fastest kernel this CPU runs.
        public static let best: Kernel = PackedPairAVX2.isCompiled && CPUFeatures.hasAVX2 ? .avx2 : .portable
    }

    /// Needles, folded to lower-case ASCII.
    public let needles: [[UInt8]]
    let probes: [PackedPairProbe]
    public let kernel: Kernel

    /// - Precondition: at most 256 needles, none empty.
    public init(needles: [[UInt8]], kernel: Kernel = .best) {
        precondition(needles.count <= 256 && needles.allSatisfy { !$0.isEmpty })
        self.needles = needles.map(CaseFolding.fold)
        self.probes = self.needles.map { needle in
            let (first, second) = ByteRarity.probeOffsets(needle)
            return PackedPairProbe(first: needle[first], second: needle[second], firstOffset: first, secondOffset: second)
        }
        self.kernel = kernel
    }

    /// Calls `found(needle, position)` for every occurrence of every needle, grouped by 32-byte
    /// block (positions ascend within a needle, not across needles). `scratch` is reused between calls.
    public func forEachMatch(in haystack: UnsafeRawBufferPointer, scratch: inout [UInt64], _ found: (Int, Int) -> Void) {
        guard !needles.isEmpty, haystack.count > 0 else { return }
        scratch.removeAll(keepingCapacity: true)
        let scanned = vectorCandidates(in: haystack, from: 0, stopAtFirst: false, into: &scratch)
        for candidate in scratch {
            let needle = Int(candidate & 0xFF), position = Int(candidate >> 8)
            if Self.matches(needles[needle], in: haystack, at: position) { found(needle, position) }
        }
        scalarTail(in: haystack, from: scanned) { found($0, $1); return true }
    }

    /// The first occurrence of any needle at or after `start`, as (needle, position), or nil.
    public func firstMatch(in haystack: UnsafeRawBufferPointer, from start: Int, scratch: inout [UInt64]) -> (needle: Int, position: Int)? {
        guard !needles.isEmpty, start < haystack.count else { return nil }
        var from = start
        while true {
            scratch.removeAll(keepingCapacity: true)
            let scanned = vectorCandidates(in: haystack, from: from, stopAtFirst: true, into: &scratch)
            var best: (needle: Int, position: Int)?
            for candidate in scratch {
                let needle = Int(candidate & 0xFF), position = Int(candidate >> 8)
                if best.map({ position < $0.position }) ?? true, Self.matches(needles[needle], in: haystack, at: position) {
                    best = (needle, position)
                }
            }
            if let best { return best }
            if scratch.isEmpty || scanned >= haystack.count || scanned == from {
                // No candidate block left (or no vector pass possible): the scalar tail decides.
                var first: (needle: Int, position: Int)?
                scalarTail(in: haystack, from: scanned) { first = ($0, $1); return false }
                return first
            }
            from = scanned
        }
    }

    private func vectorCandidates(in haystack: UnsafeRawBufferPointer, from start: Int, stopAtFirst: Bool, into out: inout [UInt64]) -> Int {
        probes.withUnsafeBufferPointer { probes in
            switch kernel {
            case .avx2: PackedPairAVX2.candidates(in: haystack, from: start, probes: probes, stopAtFirst: stopAtFirst, into: &out)
            case .portable: Self.portableCandidates(in: haystack, from: start, probes: probes, stopAtFirst: stopAtFirst, into: &out)
            case .scalar: start
            }
        }
    }

    /// The positions from `start` on, one at a time; `found` returns false to stop.
    private func scalarTail(in haystack: UnsafeRawBufferPointer, from start: Int, _ found: (Int, Int) -> Bool) {
        guard start < haystack.count else { return }
        for position in start..<haystack.count {
            for (index, probe) in probes.enumerated() {
                guard position + needles[index].count <= haystack.count,
                      position + max(probe.firstOffset, probe.secondOffset) < haystack.count,
                      haystack[position + probe.firstOffset] | 0x20 == probe.first,
                      haystack[position + probe.secondOffset] | 0x20 == probe.second,
                      Self.matches(needles[index], in: haystack, at: position) else { continue }
                if !found(index, position) { return }
            }
        }
    }

    @inline(__always)
    static func matches(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, at position: Int) -> Bool {
        guard position + needle.count <= haystack.count else { return false }
        return needle.withUnsafeBufferPointer { needle in
            for index in 0..<needle.count where CaseFolding.foldASCII(haystack[position + index]) != needle[index] {
                return false
            }
            return true
        }
    }

    /// The portable kernel: the same packed-pair test on 8 positions at a time in 64-bit words
    /// (SWAR). The standard library's generic `SIMD32` measured ~500x slower than AVX2 here
    /// (Benchmarks/Scanning), so it is not used. The zero-byte test may flag a byte above a real
    /// match (a borrow), never miss one; candidates are verified anyway.
    static func portableCandidates(in haystack: UnsafeRawBufferPointer, from start: Int, probes: UnsafeBufferPointer<PackedPairProbe>,
                                   stopAtFirst: Bool, into out: inout [UInt64]) -> Int {
        guard let base = haystack.baseAddress else { return start }
        let widest = probes.reduce(0) { max($0, $1.firstOffset, $1.secondOffset) }
        guard haystack.count >= widest + 8 else { return start }
        let last = haystack.count - widest - 8
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let fold = ones &* 0x20
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        var position = start
        var keep = UInt64.max
        while position <= last + 7 && position < haystack.count {
            if position > last {
                // One overlapping word ends the run; its positions already tested are masked out.
                keep = UInt64.max << UInt64(8 * (position - last))
                position = last
            }
            let before = out.count
            for index in 0..<probes.count {
                let probe = probes[index]
                let a = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position + probe.firstOffset, as: UInt64.self)) | fold
                let b = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position + probe.secondOffset, as: UInt64.self)) | fold
                var mask = zeroBytes(a ^ (ones &* UInt64(probe.first))) & zeroBytes(b ^ (ones &* UInt64(probe.second))) & keep
                while mask != 0 {
                    out.append(UInt64(position + mask.trailingZeroBitCount / 8) << 8 | UInt64(index))
                    mask &= mask &- 1
                }
            }
            position += 8
            if stopAtFirst && out.count != before { return position }
        }
        return max(position, start)
    }
}
