/// The keys of one line's objects, for the duplicate check: open addressing over a hash of
/// (object, key), each slot stamped with the line it belongs to, so no line clears it.
/// Allocated once. (A 64-bit bloom per object was tried first: the 60-odd top-level dotted keys
/// of a CloudTrail event saturate it, and the linear searches it then needed were a tenth of the
/// run.) A slot holds 16 bits of the hash beside the 12 its index takes: two keys of an object
/// that agree on all 28 are sent to the scanner, about once in 268 million pairs. 4096 slots
/// (16 KiB, within L1) keep a line's keys at most a sixteenth full, so an insert seldom probes
/// twice (1024 slots: 1.5% more CPU in a validated replay).
final class KeySet {
    static let slots = 4096
    /// Per slot: 16 bits of the (object, key) hash above the line's stamp in the low 16.
    private let entries = UnsafeMutablePointer<UInt32>.allocate(capacity: slots)
    private var stamp: UInt32 = 0
    /// By depth: the innermost object enclosing the container opened there. Room for a block's
    /// 64 brackets past the deepest nesting allowed, as a walk checks depth once per block.
    let enclosing = UnsafeMutablePointer<UInt32>.allocate(capacity: 2 * LineValidator.maxDepth + 2)
    /// By bit of a block: the innermost object open after the bracket there; index -1 holds the
    /// one open at the block's start, so a key with no bracket before it in its block reads its
    /// object without a branch (`63 - leadingZeroBitCount` of no bits is -1).
    let objectAfterBracket = UnsafeMutablePointer<UInt32>.allocate(capacity: 65) + 1
    /// 32 bytes of 0xFF then 32 of zero: from `lengthMasks + 32 - n` on, a mask of n bytes
    /// (`LineValidator.keyHash`, which the scanner calls too). One for the process, never freed;
    /// read through a copy of the pointer (a global's lazy initialization is checked at every
    /// access).
    let lengthMasks = KeySet.sharedLengthMasks
    // Unsafe only in name: the bytes are written once, before the pointer is published.
    nonisolated(unsafe) static let sharedLengthMasks: UnsafeRawPointer = {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        bytes.initialize(repeating: 0xFF, count: 32)
        (bytes + 32).initialize(repeating: 0, count: 32)
        return UnsafeRawPointer(bytes)
    }()

    init() { entries.initialize(repeating: 0, count: Self.slots) }

    deinit {
        entries.deallocate()
        enclosing.deallocate()
        (objectAfterBracket - 1).deallocate()
    }

    /// Empties the set for the next line, and gives the view its keys are inserted through.
    func reset() -> Line {
        stamp = (stamp + 1) & 0xFFFF
        if stamp == 0 {
            entries.update(repeating: 0, count: Self.slots)
            stamp = 1
        }
        return Line(entries: entries, stamp: stamp)
    }

    /// One line's inserts: the table and the line's stamp held in registers (read through the
    /// class, both were loaded again at every key, as a store into the table might change them).
    struct Line {
        let entries: UnsafeMutablePointer<UInt32>
        let stamp: UInt32

        /// Adds the key of `object` with this hash; false if the object may already hold it
        /// (equal keys hash alike, and a colliding hash is left to the scanner's exact check).
        /// - Precondition: fewer than `LineValidator.maxKeys` keys since `reset` (the set stays
        ///   at most a sixteenth full; the walks count).
        @inline(__always)
        func insert(_ hash: UInt64, object: UInt32) -> Bool {
            var mixed = (hash ^ UInt64(object) &* 0x9E37_79B9_7F4A_7C15) &* 0xD6E8_FEB8_6659_FD93
            mixed ^= mixed >> 32
            let entry = UInt32(truncatingIfNeeded: mixed) & ~0xFFFF | stamp
            var slot = Int(truncatingIfNeeded: mixed >> 52)
            while entries[slot] & 0xFFFF == stamp {
                if entries[slot] == entry { return false }
                slot = (slot &+ 1) & (KeySet.slots - 1)
            }
            entries[slot] = entry
            return true
        }
    }
}
