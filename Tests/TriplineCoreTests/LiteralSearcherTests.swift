import Testing
@testable import TriplineCore

/// Every kernel against a naive scalar oracle: random haystacks, needle lengths 1 to 64, every
/// alignment of the haystack and every tail length around the 32-byte blocks.
struct LiteralSearcherTests {
    struct Found: Hashable { var needle: Int; var position: Int }

    static func oracle(_ needles: [[UInt8]], _ haystack: [UInt8]) -> Set<Found> {
        var found = Set<Found>()
        for (index, needle) in needles.enumerated() where needle.count <= haystack.count {
            for position in 0...(haystack.count - needle.count) {
                if (0..<needle.count).allSatisfy({ CaseFolding.foldASCII(haystack[position + $0]) == CaseFolding.foldASCII(needle[$0]) }) {
                    found.insert(Found(needle: index, position: position))
                }
            }
        }
        return found
    }

    static func search(_ searcher: LiteralSearcher, _ haystack: ArraySlice<UInt8>) -> Set<Found> {
        var found = Set<Found>()
        var scratch: [UInt64] = []
        haystack.withUnsafeBytes { raw in
            searcher.forEachMatch(in: raw, scratch: &scratch) { found.insert(Found(needle: $0, position: $1)) }
        }
        return found
    }

    /// Bytes that stress the OR-0x20 folding: letters of both cases, and punctuation pairs that
    /// fold onto each other ('@'/'`', '\\'/'|', '.'/0x0E).
    static let alphabet: [UInt8] = Array("aAbBcCkK_-.:\"\\|@`/ 01".utf8) + [0x0E, 0xC3, 0xA9]

    @Test(arguments: LiteralSearcher.Kernel.allCases)
    func kernelsAgreeWithTheOracle(kernel: LiteralSearcher.Kernel) {
        var random = SplitMix(seed: 42)
        for round in 0..<300 {
            let length = random.next(upTo: 300)
            var haystack = (0..<length).map { _ in Self.alphabet[random.next(upTo: Self.alphabet.count)] }
            let needleCount = 1 + random.next(upTo: 6)
            let needles: [[UInt8]] = (0..<needleCount).map { _ in
                let size = 1 + random.next(upTo: min(64, round % 2 == 0 ? 4 : 64))
                // Half the needles are cut from the haystack, with their case flipped, so they occur.
                if haystack.count >= size && random.next(upTo: 2) == 0 {
                    let start = random.next(upTo: haystack.count - size + 1)
                    return haystack[start..<(start + size)].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                }
                return (0..<size).map { _ in Self.alphabet[random.next(upTo: Self.alphabet.count)] }
            }
            let searcher = LiteralSearcher(needles: needles, kernel: kernel)
            haystack.append(contentsOf: [0x61, 0x62, 0x63])  // room for unaligned starts
            for shift in [0, 1, 7, 31] where shift < haystack.count {
                let slice = haystack[shift...]
                let expected = Self.oracle(needles, Array(slice)).map { Found(needle: $0.needle, position: $0.position) }
                #expect(Self.search(searcher, slice) == Set(expected), "round \(round) shift \(shift) kernel \(kernel)")
                // The first match from any start is the oracle's earliest position at or after it.
                var scratch: [UInt64] = []
                for start in stride(from: 0, to: slice.count, by: 13) {
                    let first = slice.withUnsafeBytes { searcher.firstMatch(in: $0, from: start, scratch: &scratch) }
                    let earliest = expected.filter { $0.position >= start }.map(\.position).min()
                    #expect(first?.position == earliest, "round \(round) shift \(shift) start \(start) kernel \(kernel)")
                    if let first { #expect(expected.contains(Found(needle: first.needle, position: first.position))) }
                }
            }
        }
    }

    @Test(arguments: LiteralSearcher.Kernel.allCases)
    func everyTailLengthAndNeedleLength(kernel: LiteralSearcher.Kernel) {
        // A needle planted at every position of haystacks of every length up to 3 blocks.
        for needleLength in [1, 2, 3, 15, 32, 33, 63, 64] {
            let needle = (0..<needleLength).map { UInt8(0x41 + $0 % 26) }
            let searcher = LiteralSearcher(needles: [needle], kernel: kernel)
            for length in needleLength...(96 + needleLength) {
                for position in stride(from: 0, through: length - needleLength, by: max(1, (length - needleLength) / 5)) {
                    var haystack = [UInt8](repeating: 0x7A, count: length)
                    haystack.replaceSubrange(position..<(position + needleLength), with: needle.map { $0 | 0x20 })
                    let found = Self.search(searcher, haystack[...])
                    #expect(found == [Found(needle: 0, position: position)], "length \(length) position \(position)")
                }
            }
        }
    }

    @Test func bestKernelIsAVX2OnThisMachine() {
        #if arch(x86_64)
        #expect(LiteralSearcher.Kernel.best == .avx2)
        #endif
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}
