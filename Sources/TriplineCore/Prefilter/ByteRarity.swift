/// How common each byte is in ECS JSON logs, after ASCII case folding (higher = more common).
///
/// Used to pick a needle's probe bytes: the rarer the probes, the fewer false candidates.
/// The order is a rough ranking from JSON-encoded logs (structure bytes first, then English
/// letter frequency and digits); unlisted bytes count as rare.
enum ByteRarity {
    static let commonFirst: [UInt8] = Array(#"":,e.tas_oir-n0l1c2dp{}u/mg3T4Z5h6789ybkfwv x[]Lz=qj"#.utf8)

    static let rank: [UInt8] = {
        var rank = [UInt8](repeating: 0, count: 256)
        for (index, byte) in commonFirst.enumerated() {
            let value = UInt8(255 - index)
            rank[Int(CaseFolding.foldASCII(byte))] = max(rank[Int(CaseFolding.foldASCII(byte))], value)
        }
        // The search folds by OR 0x20, so an upper-case byte is as common as its lower case.
        for byte in 0x41...0x5A { rank[byte] = rank[byte | 0x20] }
        return rank
    }()

    /// The offsets (within the first 64 bytes) of the needle's rarest byte and, at another
    /// offset, its next rarest; a one-byte needle uses its byte twice.
    static func probeOffsets(_ needle: [UInt8]) -> (Int, Int) {
        let window = Array(needle.prefix(64).enumerated())
        guard let rarest = window.min(by: { rank[Int($0.element)] < rank[Int($1.element)] }) else { return (0, 0) }
        let second = window.filter { $0.offset != rarest.offset }.min(by: { rank[Int($0.element)] < rank[Int($1.element)] })
        return (rarest.offset, second?.offset ?? rarest.offset)
    }
}
