/// A set of case-folded needles searched together, by whichever searcher suits its size and the
/// CPU: with AVX2, Teddy (one pass) up to `TeddySearcher.maxNeedles`; more needles by Hyperscan
/// (one pass for thousands); without either, packed pairs (the portable SWAR kernel, a pass per
/// needle) up to `packedPairLimit`, and beyond the long needles hashed and the short ones
/// (under 4 bytes) by packed pairs.
public struct NeedleSet: Sendable {
    let teddy: TeddySearcher?
    let hyperscan: HyperscanLiteralSearcher?
    /// Packed-pair searchers of at most 256 needles each, with their needles' ids.
    let shorts: [(searcher: LiteralSearcher, ids: [Int])]
    let long: HashedLiteralSearcher?
    let longIDs: [Int]

    /// Without AVX2, up to this many needles a pass each beats hashing every position.
    static let packedPairLimit = 16

    public init(_ needles: [[UInt8]], teddyKernel: TeddySearcher.Kernel = .best, useHyperscan: Bool = true) {
        let ids = Array(needles.indices)
        let useTeddy = teddyKernel == .avx2 && !needles.isEmpty && needles.count <= TeddySearcher.maxNeedles
        hyperscan = useTeddy || !useHyperscan || needles.count <= Self.packedPairLimit ? nil : HyperscanLiteralSearcher(needles: needles)
        guard hyperscan == nil else {
            teddy = nil; shorts = []; long = nil; longIDs = []
            return
        }
        let hashed = !useTeddy && needles.count > Self.packedPairLimit
        longIDs = hashed ? ids.filter { needles[$0].count >= 4 } : []
        let shortIDs = useTeddy ? [] : hashed ? ids.filter { needles[$0].count < 4 } : ids
        teddy = useTeddy ? TeddySearcher(needles: needles) : nil
        shorts = stride(from: 0, to: shortIDs.count, by: 256).map { start in
            let group = Array(shortIDs[start..<min(shortIDs.count, start + 256)])
            return (LiteralSearcher(needles: group.map { needles[$0] }), group)
        }
        long = longIDs.isEmpty ? nil : HashedLiteralSearcher(needles: longIDs.map { needles[$0] })
    }

    /// Whether `forEachMatch` reports each needle once per haystack (Hyperscan), so that callers
    /// search a line at a time, or every occurrence (callers search a whole batch at once).
    public var reportsOncePerHaystack: Bool { hyperscan != nil }

    /// Calls `found(needle, position)` for every occurrence of every needle (or the first of
    /// each, see `reportsOncePerHaystack`), in no set order.
    public func forEachMatch(in haystack: UnsafeRawBufferPointer, scratch: inout [UInt64],
                             hyperscan hyperscanScratch: HyperscanLiteralSearcher.Scratch? = nil, _ found: (Int, Int) -> Void) {
        if let hyperscan {
            hyperscan.forEachMatch(in: haystack, scratch: hyperscanScratch ?? HyperscanLiteralSearcher.Scratch(), found)
            return
        }
        if let teddy {
            teddy.forEachMatch(in: haystack, scratch: &scratch, found)
            return
        }
        for (searcher, ids) in shorts {
            searcher.forEachMatch(in: haystack, scratch: &scratch) { found(ids[$0], $1) }
        }
        long?.forEachMatch(in: haystack) { found(longIDs[$0], $1) }
    }
}
