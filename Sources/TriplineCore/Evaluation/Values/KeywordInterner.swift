/// Keyword values read lately, by their bytes: entity ids, host, user and agent names repeat from
/// event to event, and each read of one built a new array (a third of an all-rules run's
/// allocations were keyword reads). Direct-mapped: a value's slot is its bytes' hash, and a miss
/// takes the slot over, so the table never grows and a lookup allocates nothing.
struct KeywordInterner {
    /// Longer values (command lines, URLs) rarely repeat; they are made fresh.
    static let maxLength = 64
    private static let slotCount = 1024
    /// Empty until the first keyword: most evaluators (one per aggregating rule's windows) read none.
    private var hashes: [UInt64] = []
    private var values: [Value] = []

    /// The keyword of exactly these bytes.
    mutating func keyword(_ bytes: UnsafeRawBufferPointer) -> Value {
        guard bytes.count <= Self.maxLength else { return .keyword(Array(bytes)) }
        if hashes.isEmpty {
            hashes = [UInt64](repeating: 0, count: Self.slotCount)
            values = [Value](repeating: .null, count: Self.slotCount)
        }
        let hash = Self.hash(bytes)
        let slot = Int(truncatingIfNeeded: hash >> 32) & (Self.slotCount - 1)
        if hashes[slot] == hash, case .keyword(let stored) = values[slot], stored.elementsEqual(bytes) {
            return values[slot]
        }
        let value = Value.keyword(Array(bytes))
        hashes[slot] = hash
        values[slot] = value
        return value
    }

    /// Eight bytes at a time, the tail read as the last eight (overlapping) when there are eight.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        if count < 8 {
            var word: UInt64 = 0
            for index in 0..<count { word |= UInt64(bytes[index]) << UInt64(8 * index) }
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            return hash ^ (hash >> 29)
        }
        var at = 0
        while at + 8 <= count {
            hash = (hash ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
            at += 8
        }
        if at < count {
            hash = (hash ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))) &* 0xC4CE_B9FE_1A85_EC53
        }
        return hash ^ (hash >> 29)
    }
}
