/// The keys of a line's wide objects (`JSONLineScanner.wideObjectKeys` keys or more), by hash, for
/// the duplicate check. A small object's keys are searched one by one behind a 64-bit filter; in
/// a wide one the filter fills up and every key searched all the others: a 1 MB line of 90,000
/// keys took 3.5 s. Here each key is one probe.
///
/// Open addressing; a slot belongs to the line whose stamp it holds, so no line clears the table.
/// Each wide object of a line has its own serial, and a key matches only keys of its own object
/// (a nested object's keys live in the table beside its parent's).
struct WideObjectKeys {
    /// One probe reads one slot: its line, object, hash and place together.
    private struct Slot {
        var stamp: UInt32 = 0
        var serial: UInt32 = 0
        var hash: UInt64 = 0
        /// The key's place in the scanner's `openKeys`.
        var place: Int = 0
    }
    private var slots = [Slot](repeating: Slot(), count: 1024)
    private var stamp: UInt32 = 1
    private var used = 0
    private var lastSerial: UInt32 = 0

    /// Forgets the previous line's keys.
    mutating func nextLine() {
        stamp &+= 1
        if stamp == 0 {
            slots = [Slot](repeating: Slot(), count: slots.count)
            stamp = 1
        }
        used = 0
        lastSerial = 0
    }

    /// A serial for an object that has just become wide.
    mutating func newObject() -> UInt32 {
        lastSerial += 1
        return lastSerial
    }

    /// Where a probe for (hash, serial) starts; room is made first, so the probe ends at a free slot.
    mutating func startProbe(_ hash: UInt64, serial: UInt32) -> Int {
        if 2 * (used + 1) > slots.count { grow() }
        return Self.slot(hash, serial) & (slots.count - 1)
    }

    /// The place of the next key of object `serial` with this hash, moving `probe` past it; nil
    /// once `probe` is at a free slot, where `record` puts the new key.
    func next(_ probe: inout Int, _ hash: UInt64, serial: UInt32) -> Int? {
        let mask = slots.count - 1
        while slots[probe].stamp == stamp {
            let slot = slots[probe]
            probe = (probe + 1) & mask
            if slot.serial == serial && slot.hash == hash { return slot.place }
        }
        return nil
    }

    /// Records a key known to differ from the object's others (no comparison).
    mutating func add(_ hash: UInt64, serial: UInt32, place: Int) {
        var probe = startProbe(hash, serial: serial)
        while next(&probe, hash, serial: serial) != nil {}
        record(at: probe, hash, serial: serial, place: place)
    }

    /// Records a key at the free slot a probe ended on.
    mutating func record(at slot: Int, _ hash: UInt64, serial: UInt32, place: Int) {
        slots[slot] = Slot(stamp: stamp, serial: serial, hash: hash, place: place)
        used += 1
    }

    @inline(__always)
    private static func slot(_ hash: UInt64, _ serial: UInt32) -> Int {
        let mixed = (hash ^ UInt64(serial) &* 0x9E37_79B9_7F4A_7C15) &* 0xD6E8_FEB8_6659_FD93
        return Int(truncatingIfNeeded: mixed >> 32)
    }

    /// Twice the slots, this line's keys moved over (those of closed objects too: they never match).
    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: 2 * old.count)
        let mask = slots.count - 1
        for entry in old where entry.stamp == stamp {
            var slot = Self.slot(entry.hash, entry.serial) & mask
            while slots[slot].stamp == stamp { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }
}
