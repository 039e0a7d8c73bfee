import Testing
@testable import TriplineCore

/// The escape scan (AVX2 and scalar) against a naive search for `\u` and `\/`, from every start,
/// over haystacks of every length up to a few blocks.
struct EscapeScanTests {
    @Test func firstEscapeAgreesWithTheOracle() {
        var random = SplitMix(seed: 11)
        let alphabet = Array(#"\\\u/Ux"a"#.utf8)
        for length in 0..<140 {
            for _ in 0..<6 {
                let haystack = (0..<length).map { _ in alphabet[random.next(upTo: alphabet.count)] }
                haystack.withUnsafeBytes { raw in
                    for start in 0...length {
                        let expected = (start..<max(start, length - 1)).first { haystack[$0] == 0x5C && (haystack[$0 + 1] == 0x75 || haystack[$0 + 1] == 0x2F) }
                        for avx2 in [true, false] where !avx2 || CPUFeatures.hasAVX2 {
                            #expect(EscapeNormalizer.firstEscape(in: raw, from: start, useAVX2: avx2) == expected, "length \(length) start \(start) avx2 \(avx2)")
                        }
                    }
                }
            }
        }
    }
}
