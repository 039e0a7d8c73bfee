#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import TriplineAVX2

/// `JSONClassifyAVX2`'s masks from one 64-byte AVX-512 register per block: each mask is a single
/// `vptestnmb` (a byte equal to a value is one whose XOR with it has no bit set), with no
/// movemask and no joining of two halves. Measured against the AVX2 kernel in Benchmarks/Scanning.
public enum JSONClassifyAVX512 {
    /// True where this module was built for x86_64 (as the AVX2 one); the caller still checks
    /// that the CPU has AVX-512 BW.
    public static var isCompiled: Bool { JSONClassifyAVX2.isCompiled }

    /// Writes `masksPerBlock` masks for each 64-byte block of `line`, in `JSONClassifyAVX2`'s
    /// order (the last block may be short; its masks hold no bit past the line's end).
    ///
    /// - Precondition: the CPU supports AVX-512 F and BW; `masks` has room for
    ///   `masksPerBlock * ((line.count + 63) / 64)` values.
    /// - Safety: reads only inside `line` (a short last block through a masked load).
    public static func classify(_ line: UnsafeRawBufferPointer, into masks: UnsafeMutablePointer<UInt64>) {
        typealias order = JSONClassifyAVX2
        #if arch(x86_64)
        guard let base = line.baseAddress else { return }
        let count = line.count
        var position = 0
        var out = masks
        @inline(__always) func equal(_ bytes: __m512i, _ value: UInt8) -> UInt64 {
            let difference = _mm512_xor_si512(bytes, _mm512_set1_epi8(CChar(bitPattern: value)))
            return UInt64(_mm512_testn_epi8_mask(difference, difference))
        }
        while position < count {
            let remaining = count - position
            let inLine: UInt64 = remaining >= 64 ? ~0 : (1 << UInt64(remaining)) &- 1
            // A masked load reads nothing past the line; the lanes it skips are zero.
            let bytes = _mm512_maskz_loadu_epi8(__mmask64(inLine), base + position)
            out[order.quote] = equal(bytes, 0x22)
            out[order.backslash] = equal(bytes, 0x5C)
            out[order.whitespace] = equal(bytes, 0x20) | equal(bytes, 0x09) | equal(bytes, 0x0A) | equal(bytes, 0x0D)
            // Below 0x20 exactly when the top three bits are clear.
            out[order.control] = UInt64(_mm512_testn_epi8_mask(bytes, _mm512_set1_epi8(CChar(bitPattern: 0xE0)))) & inLine
            out[order.nonASCII] = UInt64(_mm512_test_epi8_mask(bytes, _mm512_set1_epi8(CChar(bitPattern: 0x80))))
            out[order.openBrace] = equal(bytes, 0x7B)
            out[order.openBracket] = equal(bytes, 0x5B)
            out[order.closeBrace] = equal(bytes, 0x7D)
            out[order.closeBracket] = equal(bytes, 0x5D)
            out[order.colon] = equal(bytes, 0x3A)
            out[order.comma] = equal(bytes, 0x2C)
            position += 64
            out += JSONClassifyAVX2.masksPerBlock
        }
        #endif
    }
}
