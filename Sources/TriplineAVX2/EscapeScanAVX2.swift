#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Finds JSON escapes that can hide a literal: a backslash followed by `u` or `/`.
public enum EscapeScanAVX2 {
    public static var isCompiled: Bool { PackedPairAVX2.isCompiled }

    /// The first position from `start` where `\u` or `\/` begins, testing 32 positions at a time;
    /// nil if there is none before the last 32 positions, which it returns unexamined as
    /// `scanned` (the caller finishes them with its scalar twin).
    ///
    /// - Precondition: the CPU supports AVX2.
    /// - Safety: reads only inside `haystack`.
    public static func firstEscape(in haystack: UnsafeRawBufferPointer, from start: Int) -> (found: Int?, scanned: Int) {
        #if arch(x86_64)
        guard let base = haystack.baseAddress else { return (nil, start) }
        let last = haystack.count - 33
        let backslash = _mm256_set1_epi8(0x5C), u = _mm256_set1_epi8(0x75), slash = _mm256_set1_epi8(0x2F)
        var position = start
        while position <= last {
            let first = _mm256_loadu_si256((base + position).assumingMemoryBound(to: __m256i.self))
            let second = _mm256_loadu_si256((base + position + 1).assumingMemoryBound(to: __m256i.self))
            let hits = _mm256_and_si256(_mm256_cmpeq_epi8(first, backslash),
                                        _mm256_or_si256(_mm256_cmpeq_epi8(second, u), _mm256_cmpeq_epi8(second, slash)))
            let mask = UInt32(bitPattern: _mm256_movemask_epi8(hits))
            if mask != 0 { return (position + mask.trailingZeroBitCount, position) }
            position += 32
        }
        return (nil, max(position, start))
        #else
        return (nil, start)
        #endif
    }
}
