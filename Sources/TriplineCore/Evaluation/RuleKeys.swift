#if canImport(Glibc)
import Glibc
#endif

/// Rules' own equality tests (`process.name in~ ("nc", "ncat", ...)`, `event.action == "exec"`)
/// answered by one hash lookup per value of the field, for all rules at once: a rule whose key
/// no value of the event holds is skipped without walking its condition.
///
/// The prefilter keeps a rule when any of its literals is anywhere on the line, and on an
/// Elastic Defend event (command lines, parents, paths) most are: each such event met about 35
/// rules, over 30 of which failed at a test like the one above, each costing a walk of its
/// condition and a comparison per listed name.
///
/// Sound by construction: a condition's key is one of its conjuncts (for an `any`, one per
/// branch), an unnegated equality test of keyword bytes, of a whole number or of a boolean; a
/// value the test could match is found in the table (same decoding, same ASCII folding, numbers
/// as the field's type reads them), so the lookup never says no where the
/// test could say yes. It may say yes where the test says no (ignore_above, ES|QL's single-value
/// rule): the condition then runs and decides.
struct RuleKeys {
    /// One field read one way (as written or folded; as bytes or as a number): its values are
    /// looked up once per event.
    private struct Probe: Hashable {
        var field: Int
        var caseInsensitive: Bool
        var reading: Reading
    }

    /// How a probe turns a value into the bytes it looks up.
    enum Reading: Hashable {
        /// The value's decoded bytes (a keyword's test compares them).
        case bytes
        /// The value as the field's type reads it, written canonically (`numberKey`): a long
        /// field's `"443"` and `443.0` are both 443. A dynamic field's strings stay bytes.
        case typed(FieldType)
    }
    private let probes: [Probe]
    /// Per condition, the probes whose hits may let it hold; nil when it has no key.
    private let probesOfCondition: [[Int32]?]
    /// Per probe, its literals, each with the conditions it keys.
    private let tables: [LiteralTable]
    /// Per probe and per condition, the event they were last looked up or hit for.
    private var probed: [UInt32]
    private var hits: [UInt32]
    private var stamp: UInt32 = 1
    private var decoded: [UInt8] = []
    private var folded: [UInt8] = []
    private var numberScratch: [UInt8] = []

    /// `isCoarse(field)`: the field's few values appear in most events (`event.category`), so a
    /// key on it is taken only when the condition has no better one.
    init(conditions: [Predicate], isCoarse: (Int) -> Bool) {
        var probeIDs: [Probe: Int] = [:]
        var probes: [Probe] = []
        var literals: [[[UInt8]: [Int32]]] = []
        var probesOfCondition: [[Int32]?] = []
        for (index, condition) in conditions.enumerated() {
            guard let keys = Self.keys(of: condition, isCoarse: isCoarse) else { probesOfCondition.append(nil); continue }
            var used: [Int32] = []
            for key in keys {
                let probe = Probe(field: key.field, caseInsensitive: key.caseInsensitive, reading: key.reading)
                let id: Int
                if let existing = probeIDs[probe] {
                    id = existing
                } else {
                    id = probes.count
                    probeIDs[probe] = id
                    probes.append(probe)
                    literals.append([:])
                }
                for literal in key.literals where literals[id][literal]?.last != Int32(index) {
                    literals[id][literal, default: []].append(Int32(index))
                }
                if !used.contains(Int32(id)) { used.append(Int32(id)) }
            }
            probesOfCondition.append(used)
        }
        self.probes = probes
        self.probesOfCondition = probesOfCondition
        tables = literals.map(LiteralTable.init)
        probed = [UInt32](repeating: 0, count: probes.count)
        hits = [UInt32](repeating: 0, count: conditions.count)
    }

    /// One conjunct's equality test: the condition cannot hold unless the field has one of these.
    struct Key: Equatable {
        var field: Int
        var caseInsensitive: Bool
        var literals: [[UInt8]]
        var isCoarse: Bool
        var reading: Reading = .bytes
    }

    /// The keys of a condition, one of which must hold for it to: nil when it has none.
    static func keys(of predicate: Predicate, isCoarse: (Int) -> Bool) -> [Key]? {
        switch predicate {
        case .value(let test):
            guard !test.negated, !test.matchers.isEmpty else { return nil }
            if let literals = keywordLiterals(test) {
                return [Key(field: test.field, caseInsensitive: test.caseInsensitive, literals: literals, isCoarse: isCoarse(test.field))]
            }
            if let literals = typedLiterals(test) {
                return [Key(field: test.field, caseInsensitive: test.caseInsensitive, literals: literals, isCoarse: isCoarse(test.field),
                            reading: .typed(test.type))]
            }
            return nil
        case .all(let parts):
            // Any conjunct's keys are sound; the best filters most: a selective field, then
            // fewer literals, then fewer fields.
            return parts.compactMap { keys(of: $0, isCoarse: isCoarse) }.min { a, b in
                let coarseA = a.contains(where: \.isCoarse), coarseB = b.contains(where: \.isCoarse)
                if coarseA != coarseB { return !coarseA }
                let countA = a.reduce(0) { $0 + $1.literals.count }, countB = b.reduce(0) { $0 + $1.literals.count }
                return countA != countB ? countA < countB : a.count < b.count
            }
        case .any(let branches):
            var keys: [Key] = []
            for branch in branches {
                guard let found = Self.keys(of: branch, isCoarse: isCoarse) else { return nil }
                keys += found
            }
            return keys.isEmpty ? nil : keys
        default:
            return nil
        }
    }

    /// A keyword test's literals: every matcher an equality of bytes.
    private static func keywordLiterals(_ test: ValueTest) -> [[UInt8]]? {
        switch test.type {
        case .keyword, .dynamic: break
        default: return nil
        }
        var literals: [[UInt8]] = []
        for matcher in test.matchers {
            guard case .keyword(.equal, let bytes) = matcher else { return nil }
            literals.append(bytes)
        }
        return literals
    }

    /// A number or boolean test's literals, written as `numberKey` writes values (a dynamic
    /// field's test also holds the literal's text, which its strings are compared with).
    /// Fractions are left out: a double's equality with a long is not a matter of text.
    private static func typedLiterals(_ test: ValueTest) -> [[UInt8]]? {
        switch test.type {
        case .long, .unsignedLong, .boolean, .dynamic: break
        default: return nil
        }
        var literals: [[UInt8]] = []
        for matcher in test.matchers {
            switch matcher {
            case .typed(.equal, .long), .typed(.equal, .bool):
                guard case .typed(_, let value) = matcher, let key = numberKey(value) else { return nil }
                literals.append(key)
            case .keyword(.equal, let bytes) where test.type == .dynamic:
                literals.append(bytes)
            default:
                return nil
            }
        }
        return literals
    }

    /// A whole number (as a long, whatever its kind) or a boolean, as text; nil for anything
    /// no long or boolean literal can equal (a fraction, a number past a long's range).
    static func numberKey(_ value: Value) -> [UInt8]? {
        var key: [UInt8] = []
        return writeNumberKey(value, into: &key) ? key : nil
    }

    /// `numberKey` into a reused buffer (a lookup per event value allocates nothing); false
    /// where it gives nil.
    static func writeNumberKey(_ value: Value, into key: inout [UInt8]) -> Bool {
        key.removeAll(keepingCapacity: true)
        let whole: Int64
        switch value {
        case .long(let n): whole = n
        case .unsignedLong(let n):
            guard n <= UInt64(Int64.max) else { return false }
            whole = Int64(n)
        case .double(let d):
            guard d.rounded() == d, Swift.abs(d) < 9.2e18 else { return false }
            whole = Int64(d)
        case .bool(let b):
            key.append(contentsOf: (b ? "true" : "false").utf8)
            return true
        default: return false
        }
        if whole < 0 { key.append(UInt8(ascii: "-")) }
        let digitsStart = key.count
        var magnitude = whole.magnitude
        repeat {
            key.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        key[digitsStart...].reverse()
        return true
    }

    /// Forgets the previous event's lookups.
    mutating func nextEvent() {
        stamp &+= 1
        if stamp == 0 {
            probed = [UInt32](repeating: 0, count: probed.count)
            hits = [UInt32](repeating: 0, count: hits.count)
            stamp = 1
        }
    }

    /// Whether the condition may hold on the event: it has no key, or a value of the event
    /// holds one of its keys.
    mutating func allows(_ condition: Int, _ event: EventView) -> Bool {
        guard let used = probesOfCondition[condition] else { return true }
        for probe in used where probed[Int(probe)] != stamp {
            probed[Int(probe)] = stamp
            lookUp(Int(probe), event)
        }
        return hits[condition] == stamp
    }

    /// Marks the conditions keyed by any value the probe's field has in the event.
    private mutating func lookUp(_ probe: Int, _ event: EventView) {
        let field = probes[probe].field, caseInsensitive = probes[probe].caseInsensitive
        for value in event.values(of: field) {
            let found: Range<Int>?
            if case .typed(let type) = probes[probe].reading, type != .dynamic || (value.kind != .string && value.kind != .escapedString) {
                guard let typed = value.typed(type, in: event.raw, scratch: &decoded),
                      Self.writeNumberKey(typed, into: &numberScratch) else { continue }
                found = numberScratch.withUnsafeBytes { tables[probe].conditions(of: $0) }
            } else {
                found = value.withDecodedBytes(in: event.raw, scratch: &decoded) { bytes -> Range<Int>? in
                    guard caseInsensitive else { return tables[probe].conditions(of: bytes) }
                    CaseFolding.fold(bytes, into: &folded)
                    return folded.withUnsafeBytes { tables[probe].conditions(of: $0) }
                }
            }
            guard let found else { continue }
            for index in found { hits[Int(tables[probe].keyed[index])] = stamp }
        }
    }

    /// Rules keyed, and the fields probed (for reports and tests).
    var summary: (keyedConditions: Int, probes: Int) { (probesOfCondition.filter { $0 != nil }.count, probes.count) }
}

/// Byte strings, each with a list of conditions: an open-addressing hash table with its keys in
/// one byte pool, so a lookup hashes the value's bytes in place and allocates nothing.
private struct LiteralTable {
    private var pool: [UInt8] = []
    /// Per slot: 0 empty, else 1 + entry.
    private var slots: [Int32]
    private var entries: [(hash: UInt64, start: Int, count: Int, keyed: Range<Int>)] = []
    /// The conditions of all entries, each entry's a range of it.
    private(set) var keyed: [Int32] = []
    private let mask: Int

    init(_ literals: [[UInt8]: [Int32]]) {
        var capacity = 8
        while capacity < literals.count * 2 { capacity *= 2 }
        mask = capacity - 1
        slots = [Int32](repeating: 0, count: capacity)
        // Sorted, so a table's layout does not depend on hashing's per-process seed.
        for (literal, conditions) in literals.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let hash = literal.withUnsafeBytes(Self.hash)
            entries.append((hash, pool.count, literal.count, keyed.count..<(keyed.count + conditions.count)))
            pool += literal
            keyed += conditions
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entries.count)
        }
    }

    /// The range of `keyed` holding the conditions keyed by exactly these bytes, or nil.
    func conditions(of bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        return pool.withUnsafeBytes { pool in
            while slots[slot] != 0 {
                let entry = entries[Int(slots[slot]) - 1]
                if entry.hash == hash, entry.count == bytes.count,
                   entry.count == 0 || memcmp(pool.baseAddress! + entry.start, bytes.baseAddress!, entry.count) == 0 {
                    return entry.keyed
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// FNV-1a, mixed at the end so the low bits (the slot) depend on every byte.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        return hash ^ (hash >> 33)
    }
}
