#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Two probe bytes of one needle (memchr's "packed pair"): the needle can start at `p` only if
/// `haystack[p + firstOffset] | 0x20 == first` and `haystack[p + secondOffset] | 0x20 == second`.
///
/// OR-ing 0x20 folds ASCII case for letters and merges a few punctuation pairs, so the test is a
/// superset of a case-insensitive match; callers verify every candidate.
public struct PackedPairProbe: Sendable, Hashable {
    public var first: UInt8
    public var second: UInt8
    public var firstOffset: Int
    public var secondOffset: Int

    public init(first: UInt8, second: UInt8, firstOffset: Int, secondOffset: Int) {
        self.first = first | 0x20
        self.second = second | 0x20
        self.firstOffset = firstOffset
        self.secondOffset = secondOffset
    }
}

public enum PackedPairAVX2 {
    /// True where this module was built for x86_64; the caller still checks that the CPU has AVX2.
    public static var isCompiled: Bool {
        #if arch(x86_64)
        true
        #else
        false
        #endif
    }

    /// Appends `position << 8 | probeIndex` for every start position from `start` on where a
    /// probe's two bytes match, and returns the first start position not examined (the caller
    /// finishes the tail with its scalar twin). With `stopAtFirst`, returns after the first
    /// 32-position block that yields any candidate.
    ///
    /// - Precondition: the CPU supports AVX2; `probes.count <= 256`; every offset `< 64`.
    /// - Safety: reads only inside `haystack`.
    public static func candidates(
        in haystack: UnsafeRawBufferPointer, from start: Int = 0, probes: UnsafeBufferPointer<PackedPairProbe>,
        stopAtFirst: Bool = false, into out: inout [UInt64]
    ) -> Int {
        #if arch(x86_64)
        guard let base = haystack.baseAddress else { return 0 }
        var widest = 0
        for probe in probes { widest = max(widest, probe.firstOffset, probe.secondOffset) }
        let count = haystack.count
        // Every load of 32 bytes at `position + offset` must stay inside the haystack.
        guard count >= widest + 32 else { return start }
        // Start positions up to `last` can be tested with in-bounds loads at every offset.
        let last = count - widest - 32
        let fold = _mm256_set1_epi8(0x20)
        var position = start
        var skip: UInt32 = 0
        while position <= last + 31 && position < count {
            if position > last {
                // One overlapping block ends the run; its positions already tested are masked out.
                skip = UInt32(truncatingIfNeeded: (1 << UInt64(position - last)) - 1)
                position = last
            }
            let before = out.count
            for index in 0..<probes.count {
                let probe = probes[index]
                let a = _mm256_or_si256(_mm256_loadu_si256((base + position + probe.firstOffset).assumingMemoryBound(to: __m256i.self)), fold)
                let b = _mm256_or_si256(_mm256_loadu_si256((base + position + probe.secondOffset).assumingMemoryBound(to: __m256i.self)), fold)
                let hits = _mm256_and_si256(
                    _mm256_cmpeq_epi8(a, _mm256_set1_epi8(CChar(bitPattern: probe.first))),
                    _mm256_cmpeq_epi8(b, _mm256_set1_epi8(CChar(bitPattern: probe.second))))
                var mask = UInt32(bitPattern: _mm256_movemask_epi8(hits)) & ~skip
                while mask != 0 {
                    let bit = mask.trailingZeroBitCount
                    out.append(UInt64(position + bit) << 8 | UInt64(index))
                    mask &= mask &- 1
                }
            }
            position += 32
            if stopAtFirst && out.count != before { return position }
        }
        return max(position, start)
        #else
        return start
        #endif
    }
}
