#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// UTF-8 validation by table lookups (Keiser and Lemire, "Validating UTF-8 in less than one
/// instruction per byte", 2021): each byte and the one before it are classified by three 16-entry
/// tables indexed by nibbles; ANDed, the tables leave a bit set exactly where the pair breaks a
/// rule (a lead without its continuations, a stray continuation, an overlong form, a surrogate, a
/// code point past U+10FFFF). Third and fourth bytes are checked by comparing the bytes two and
/// three back against 0xE0 and 0xF0.
public enum UTF8ValidateAVX2 {
    /// Bytes of ASCII padding the caller puts before and after the text.
    public static let padding = 64

    // Error bits of the tables.
    private static let tooShort: UInt8 = 1 << 0  // a lead byte not followed by a continuation
    private static let tooLong: UInt8 = 1 << 1  // a continuation after an ASCII byte
    private static let overlong3: UInt8 = 1 << 2  // E0 80..9F
    private static let tooLarge: UInt8 = 1 << 3  // F4 90..BF, F5..FF
    private static let surrogate: UInt8 = 1 << 4  // ED A0..BF
    private static let overlong2: UInt8 = 1 << 5  // C0, C1
    private static let tooLarge1000: UInt8 = 1 << 6  // F5..FF 80..8F
    private static let overlong4: UInt8 = 1 << 6  // F0 80..8F
    private static let twoContinuations: UInt8 = 1 << 7
    private static let carry: UInt8 = tooShort | tooLong | twoContinuations

    /// By the high nibble of the previous byte.
    static let previousHigh: [UInt8] = [
        tooLong, tooLong, tooLong, tooLong, tooLong, tooLong, tooLong, tooLong,
        twoContinuations, twoContinuations, twoContinuations, twoContinuations,
        tooShort | overlong2,
        tooShort,
        tooShort | overlong3 | surrogate,
        tooShort | tooLarge | tooLarge1000 | overlong4,
    ]
    /// By the low nibble of the previous byte.
    static let previousLow: [UInt8] = [
        carry | overlong3 | overlong2 | overlong4,
        carry | overlong2,
        carry, carry,
        carry | tooLarge,
        carry | tooLarge | tooLarge1000, carry | tooLarge | tooLarge1000, carry | tooLarge | tooLarge1000,
        carry | tooLarge | tooLarge1000, carry | tooLarge | tooLarge1000, carry | tooLarge | tooLarge1000,
        carry | tooLarge | tooLarge1000, carry | tooLarge | tooLarge1000,
        carry | tooLarge | tooLarge1000 | surrogate,
        carry | tooLarge | tooLarge1000, carry | tooLarge | tooLarge1000,
    ]
    /// By the high nibble of the byte itself.
    static let currentHigh: [UInt8] = [
        tooShort, tooShort, tooShort, tooShort, tooShort, tooShort, tooShort, tooShort,
        tooLong | overlong2 | twoContinuations | overlong3 | tooLarge1000 | overlong4,
        tooLong | overlong2 | twoContinuations | overlong3 | tooLarge,
        tooLong | overlong2 | twoContinuations | surrogate | tooLarge,
        tooLong | overlong2 | twoContinuations | surrogate | tooLarge,
        tooShort, tooShort, tooShort, tooShort,
    ]

    /// Whether `padded[padding ..< padding + count]` is well-formed UTF-8.
    ///
    /// - Precondition: the CPU supports AVX2; `padded.count >= count + 2 * padding` and the
    ///   `padding` bytes before and after the text are ASCII (a sequence cut off by the text's
    ///   end then meets an ASCII byte and is reported).
    /// - Safety: reads only inside `padded`.
    public static func isValid(padded: UnsafeRawBufferPointer, count: Int) -> Bool {
        #if arch(x86_64)
        guard let base = padded.baseAddress, padded.count >= count + 2 * padding else { return false }
        @inline(__always) func table(_ entries: [UInt8]) -> __m256i {
            entries.withUnsafeBytes { table in
                let lane = _mm_loadu_si128(table.baseAddress!.assumingMemoryBound(to: __m128i.self))
                return _mm256_broadcastsi128_si256(lane)
            }
        }
        let high1 = table(previousHigh), low1 = table(previousLow), high0 = table(currentHigh)
        let nibble = _mm256_set1_epi8(0x0F)
        // Bytes at least 0xE0 (0xF0) minus 0xDF (0xEF), saturated, are non-zero exactly for those.
        let third = _mm256_set1_epi8(Int8(bitPattern: 0xE0 - 1)), fourth = _mm256_set1_epi8(Int8(bitPattern: 0xF0 - 1))
        var errors = _mm256_setzero_si256()
        // Up to 3 bytes past the text, where a cut-off sequence's missing continuation would be.
        let end = padding + count + 3
        var position = padding
        while position < end {
            @inline(__always) func load(_ back: Int) -> __m256i {
                _mm256_loadu_si256((base + position - back).assumingMemoryBound(to: __m256i.self))
            }
            let input = load(0), prev1 = load(1), prev2 = load(2), prev3 = load(3)
            let special = _mm256_and_si256(
                _mm256_and_si256(
                    _mm256_shuffle_epi8(high1, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble)),
                    _mm256_shuffle_epi8(low1, _mm256_and_si256(prev1, nibble))),
                _mm256_shuffle_epi8(high0, _mm256_and_si256(_mm256_srli_epi16(input, 4), nibble)))
            let mustContinue = _mm256_or_si256(_mm256_subs_epu8(prev2, third), _mm256_subs_epu8(prev3, fourth))
            // 0x80 where a continuation is required (a non-zero byte's sign bit after min/compare).
            let required = _mm256_and_si256(
                _mm256_xor_si256(_mm256_cmpeq_epi8(mustContinue, _mm256_setzero_si256()), _mm256_set1_epi8(-1)),
                _mm256_set1_epi8(Int8(bitPattern: 0x80)))
            errors = _mm256_or_si256(errors, _mm256_xor_si256(required, special))
            position += 32
        }
        return _mm256_testz_si256(errors, errors) != 0
        #else
        return false
        #endif
    }
}
