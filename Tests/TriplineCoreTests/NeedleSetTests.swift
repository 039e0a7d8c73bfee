import Testing
@testable import TriplineCore

/// Past Teddy's 64 needles the set uses Hyperscan (each needle once per haystack), or without it
/// hashes long needles and pairs short ones: the same answers.
struct NeedleSetTests {
    @Test(arguments: [5, 16, 17, 64, 65, 300, 700], TeddySearcher.Kernel.allCases)
    func everySizeAgreesWithTheOracle(needleCount: Int, kernel: TeddySearcher.Kernel) {
        for hyperscan in [true, false] { check(needleCount: needleCount, kernel: kernel, hyperscan: hyperscan) }
    }

    func check(needleCount: Int, kernel: TeddySearcher.Kernel, hyperscan: Bool) {
        var random = SplitMix(seed: UInt64(needleCount))
        let alphabet = LiteralSearcherTests.alphabet
        for round in 0..<20 {
            let haystack = (0..<(200 + random.next(upTo: 400))).map { _ in alphabet[random.next(upTo: alphabet.count)] }
            // Up to 600 needles of 1 to 8 bytes, more than one packed-pair searcher (256) holds.
            let needles: [[UInt8]] = (0..<needleCount).map { index in
                let size = index < 600 ? 1 + random.next(upTo: 8) : 4 + random.next(upTo: 8)
                let start = random.next(upTo: haystack.count - size)
                return random.next(upTo: 2) == 0 ? Array(haystack[start..<(start + size)]) : (0..<size).map { _ in alphabet[random.next(upTo: alphabet.count)] }
            }
            // .scalar stands for a CPU without AVX2: packed pairs, then hashing, instead of Teddy.
            let set = NeedleSet(needles, teddyKernel: kernel, useHyperscan: hyperscan)
            var found = Set<LiteralSearcherTests.Found>()
            var scratch: [UInt64] = []
            haystack.withUnsafeBytes { raw in set.forEachMatch(in: raw, scratch: &scratch) { found.insert(.init(needle: $0, position: $1)) } }
            // Needles may repeat; the oracle reports each copy, and so must the set.
            let expected = LiteralSearcherTests.oracle(needles, haystack)
            if set.reportsOncePerHaystack {
                // Once per needle, at one of its real occurrences.
                #expect(Set(found.map(\.needle)) == Set(expected.map(\.needle)), "round \(round) needles \(needleCount)")
                #expect(found.isSubset(of: expected))
                #expect(found.count == Set(found.map(\.needle)).count)
            } else {
                #expect(found == expected, "round \(round) needles \(needleCount)")
            }
        }
    }
}
