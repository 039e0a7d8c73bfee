#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Teddy, Hyperscan's multi-literal SIMD filter, in its slim form: every needle is given a
/// bucket (at most 8) and a 3-byte fingerprint. For each of the 3 fingerprint bytes two 16-entry
/// tables, indexed by a haystack byte's low and high nibble, hold the buckets whose fingerprint
/// byte has that nibble; `pshufb` looks up 32 haystack bytes at once, and a position survives
/// only if all six lookups share a bucket. One pass serves every needle.
public enum TeddyAVX2 {
    /// Bytes of the mask tables: for fingerprint bytes 0, 1 and 2, a low-nibble table and then a
    /// high-nibble table, each 16 entries repeated in both 128-bit lanes.
    public static let maskBytes = 6 * 32

    /// Appends `position << 8 | buckets` for every position `p` from `start` on where the bytes at
    /// `p`, `p + 1` and `p + 2` agree with some bucket's fingerprint, and returns the first
    /// position not examined (the caller finishes the last ones with its scalar twin).
    ///
    /// - Precondition: the CPU supports AVX2; `masks.count == maskBytes`.
    /// - Safety: reads only inside `haystack` and `masks`.
    public static func candidates(in haystack: UnsafeRawBufferPointer, from start: Int, masks: UnsafeRawBufferPointer,
                                  into out: inout [UInt64]) -> Int {
        #if arch(x86_64)
        guard let base = haystack.baseAddress, let tables = masks.baseAddress, masks.count == maskBytes else { return start }
        // The loads at p + 1 and p + 2 must stay inside the haystack.
        let last = haystack.count - 34
        guard start <= last else { return start }
        func table(_ index: Int) -> __m256i { _mm256_loadu_si256((tables + 32 * index).assumingMemoryBound(to: __m256i.self)) }
        let low0 = table(0), high0 = table(1), low1 = table(2), high1 = table(3), low2 = table(4), high2 = table(5)
        let nibble = _mm256_set1_epi8(0x0F)
        let zero = _mm256_setzero_si256()
        @inline(__always) func lookup(_ bytes: __m256i, _ low: __m256i, _ high: __m256i) -> __m256i {
            let lows = _mm256_shuffle_epi8(low, _mm256_and_si256(bytes, nibble))
            let highs = _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble))
            return _mm256_and_si256(lows, highs)
        }
        var lanes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var position = start
        while position <= last {
            let at = base + position
            let buckets = _mm256_and_si256(
                _mm256_and_si256(lookup(_mm256_loadu_si256(at.assumingMemoryBound(to: __m256i.self)), low0, high0),
                                 lookup(_mm256_loadu_si256((at + 1).assumingMemoryBound(to: __m256i.self)), low1, high1)),
                lookup(_mm256_loadu_si256((at + 2).assumingMemoryBound(to: __m256i.self)), low2, high2))
            var mask = ~UInt32(bitPattern: _mm256_movemask_epi8(_mm256_cmpeq_epi8(buckets, zero)))
            if mask != 0 {
                withUnsafeMutableBytes(of: &lanes) { _mm256_storeu_si256($0.baseAddress!.assumingMemoryBound(to: __m256i.self), buckets) }
                withUnsafeBytes(of: &lanes) { bytes in
                    while mask != 0 {
                        let bit = mask.trailingZeroBitCount
                        out.append(UInt64(position + bit) << 8 | UInt64(bytes[bit]))
                        mask &= mask &- 1
                    }
                }
            }
            position += 32
        }
        return position
        #else
        return start
        #endif
    }
}
