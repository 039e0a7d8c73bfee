#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Stage 1 of the line validator (simdjson's design): one pass over a line that turns every 64
/// bytes into bit masks of the bytes JSON's structure depends on; the validator resolves escapes,
/// strings and the grammar from these masks.
public enum JSONClassifyAVX2 {
    /// Masks written per 64-byte block, in this order (bit i is byte i of the block).
    public static let masksPerBlock = 11
    public static let quote = 0, backslash = 1, whitespace = 2, control = 3, nonASCII = 4,
                      openBrace = 5, openBracket = 6, closeBrace = 7, closeBracket = 8, colon = 9, comma = 10

    public static var isCompiled: Bool { PackedPairAVX2.isCompiled }

    /// Writes `masksPerBlock` masks for each 64-byte block of `line` (the last one may be short;
    /// its masks hold no bit past the line's end).
    ///
    /// - Precondition: the CPU supports AVX2; `masks` has room for
    ///   `masksPerBlock * ((line.count + 63) / 64)` values.
    /// - Safety: reads only inside `line`.
    public static func classify(_ line: UnsafeRawBufferPointer, into masks: UnsafeMutablePointer<UInt64>) {
        #if arch(x86_64)
        guard let base = line.baseAddress else { return }
        let count = line.count
        var position = 0
        var out = masks
        while position + 64 <= count {
            classifyBlock(base + position, into: out)
            position += 64
            out += masksPerBlock
        }
        guard position < count else { return }
        // The short last block goes through a copy padded with spaces, whose bits are then cleared.
        var padded = (SIMD32<UInt8>(repeating: 0x20), SIMD32<UInt8>(repeating: 0x20))
        withUnsafeMutableBytes(of: &padded) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: line[position...])) }
        withUnsafeBytes(of: &padded) { classifyBlock($0.baseAddress!, into: out) }
        let inLine = (UInt64(1) << UInt64(count - position)) &- 1
        for index in 0..<masksPerBlock { out[index] &= inLine }
        #endif
    }

    #if arch(x86_64)
    @inline(__always)
    private static func classifyBlock(_ at: UnsafeRawPointer, into out: UnsafeMutablePointer<UInt64>) {
        let first = _mm256_loadu_si256(at.assumingMemoryBound(to: __m256i.self))
        let second = _mm256_loadu_si256((at + 32).assumingMemoryBound(to: __m256i.self))
        @inline(__always) func mask(_ test: (__m256i) -> __m256i) -> UInt64 {
            UInt64(UInt32(bitPattern: _mm256_movemask_epi8(test(first))))
                | UInt64(UInt32(bitPattern: _mm256_movemask_epi8(test(second)))) << 32
        }
        @inline(__always) func equal(_ value: UInt8) -> (__m256i) -> __m256i {
            { _mm256_cmpeq_epi8($0, _mm256_set1_epi8(Int8(bitPattern: value))) }
        }
        out[quote] = mask(equal(0x22))
        out[backslash] = mask(equal(0x5C))
        out[whitespace] = mask { bytes in
            _mm256_or_si256(_mm256_or_si256(equal(0x20)(bytes), equal(0x09)(bytes)), _mm256_or_si256(equal(0x0A)(bytes), equal(0x0D)(bytes)))
        }
        // A byte is at most 0x1F exactly when the unsigned minimum with 0x1F leaves it unchanged.
        out[control] = mask { _mm256_cmpeq_epi8(_mm256_min_epu8($0, _mm256_set1_epi8(0x1F)), $0) }
        out[nonASCII] = mask { $0 }
        out[openBrace] = mask(equal(0x7B))
        out[openBracket] = mask(equal(0x5B))
        out[closeBrace] = mask(equal(0x7D))
        out[closeBracket] = mask(equal(0x5D))
        out[colon] = mask(equal(0x3A))
        out[comma] = mask(equal(0x2C))
    }
    #endif
}
