import Testing
@testable import TriplineCore

/// Teddy's AVX2 kernel and its scalar twin against the naive oracle: random haystacks, 1 to 64
/// needles of 1 to 64 bytes (so buckets hold several needles), every alignment and tail length.
struct TeddySearcherTests {
    typealias Found = LiteralSearcherTests.Found

    static func search(_ searcher: TeddySearcher, _ haystack: ArraySlice<UInt8>) -> Set<Found> {
        var found = Set<Found>()
        var scratch: [UInt64] = []
        haystack.withUnsafeBytes { raw in
            searcher.forEachMatch(in: raw, scratch: &scratch) { #expect(found.insert(Found(needle: $0, position: $1)).inserted, "reported twice") }
        }
        return found
    }

    @Test(arguments: TeddySearcher.Kernel.allCases)
    func kernelsAgreeWithTheOracle(kernel: TeddySearcher.Kernel) {
        var random = SplitMix(seed: 7)
        let alphabet = LiteralSearcherTests.alphabet
        for round in 0..<300 {
            let length = random.next(upTo: 400)
            var haystack = (0..<length).map { _ in alphabet[random.next(upTo: alphabet.count)] }
            let needleCount = 1 + random.next(upTo: round % 3 == 0 ? TeddySearcher.maxNeedles : 9)
            let needles: [[UInt8]] = (0..<needleCount).map { _ in
                let size = 1 + random.next(upTo: min(64, round % 2 == 0 ? 4 : 64))
                // Half the needles are cut from the haystack, case flipped, so they occur.
                if haystack.count >= size && random.next(upTo: 2) == 0 {
                    let start = random.next(upTo: haystack.count - size + 1)
                    return haystack[start..<(start + size)].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                }
                return (0..<size).map { _ in alphabet[random.next(upTo: alphabet.count)] }
            }
            let searcher = TeddySearcher(needles: needles, kernel: kernel)
            haystack.append(contentsOf: [0x61, 0x62, 0x63])
            for shift in [0, 1, 7, 31] where shift < haystack.count {
                let slice = haystack[shift...]
                let expected = LiteralSearcherTests.oracle(needles, Array(slice))
                #expect(Self.search(searcher, slice) == expected, "round \(round) shift \(shift) kernel \(kernel)")
            }
        }
    }

    @Test(arguments: TeddySearcher.Kernel.allCases)
    func everyTailLengthAndNeedleLength(kernel: TeddySearcher.Kernel) {
        for needleLength in [1, 2, 3, 4, 15, 32, 33, 63, 64] {
            let needle = (0..<needleLength).map { UInt8(0x41 + $0 % 26) }
            // A second needle in the same searcher, never present, keeps buckets honest.
            let searcher = TeddySearcher(needles: [needle, Array("#never#".utf8)], kernel: kernel)
            for length in needleLength...(100 + needleLength) {
                for position in stride(from: 0, through: length - needleLength, by: max(1, (length - needleLength) / 6)) {
                    var haystack = [UInt8](repeating: 0x7A, count: length)
                    haystack.replaceSubrange(position..<(position + needleLength), with: needle.map { $0 | 0x20 })
                    #expect(Self.search(searcher, haystack[...]) == [Found(needle: 0, position: position)],
                            "needle \(needleLength) length \(length) position \(position)")
                }
            }
        }
    }
}
