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
/// A condition may have several keys, all of which must hit (`event.action == "exec" and
/// process.name in (...)`): one common value then no longer lets it through alone.
///
/// Sound by construction: each key is a clause the condition cannot hold without, its conjuncts'
/// (for an `any`, one per branch, any of which may hit), each an unnegated equality test of
/// keyword bytes, of a whole number or of a boolean; a
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
    /// Condition c's probes are `probeList[probeStart[c]..<probeStart[c + 1]]`, and its clauses
    /// (each of which must hit) `clauseStart[c]..<clauseStart[c + 1]`; none when it has no key.
    /// Flat, so asking copies (and retains) no per-condition array.
    private let probeList: [Int32]
    private let probeStart: [Int32]
    private let clauseStart: [Int32]
    /// Per probe, its literals, each with the clauses it satisfies.
    private let tables: [KeyTable]
    /// Where each probe's literals start in one numbering of all of them (`entryHits`).
    private let entryBase: [Int32]
    /// A small clause (at most `lazyLimit` literals) is not marked when one of its literals is
    /// found: it is asked whether one was, when its condition is. A common value (`event.type`'s
    /// "start") is a key of hundreds of small clauses, and marking each cost more per event than
    /// the few conditions asked. Clause c's literals: `lazyEntries[lazyStart[c]..<lazyStart[c + 1]]`.
    private let lazyStart: [Int32]
    private let lazyEntries: [Int32]
    static let lazyLimit = 4
    /// Per probe, per clause and per literal, the event they were last looked up, hit or found for.
    private var probed: [UInt32]
    private var hits: [UInt32]
    private var entryHits: [UInt32]
    /// Per literal (numbered as `entryHits`), the conditions whose first clause (their most
    /// selective) it is a key of: `triggered[triggerStart[e]..<triggerStart[e + 1]]`. A keyed
    /// condition can hold only if one of its first clause's literals is found, so the conditions
    /// worth asking about an event are found from its values, not by asking each in turn.
    private let triggerStart: [Int32]
    private let triggered: [Int32]
    /// Per condition, the probes of its first clause; none when it has no key.
    private let triggerProbes: [[Int32]]
    /// The conditions already found for the current event, and the literals the last lookup found.
    private var triggeredStamps: [UInt32]
    private var foundEntries: [Int] = []
    private var stamp: UInt32 = 1
    private var decoded: [UInt8] = []
    private var folded: [UInt8] = []
    private var numberScratch: [UInt8] = []

    /// `isCoarse(field)`: the field's few values appear in most events (`event.category`), so a
    /// key on it comes after the selective ones. `askedFirst`: the conditions `appendTriggered`
    /// may find (the rules'; sequence steps after them are only asked through their rule).
    init(conditions: [Predicate], isCoarse: (Int) -> Bool, askedFirst: Int = .max) {
        var probeIDs: [Probe: Int] = [:]
        var probes: [Probe] = []
        var literals: [[[UInt8]: [Int32]]] = []
        var probeList: [Int32] = [], probeStart: [Int32] = [0], clauseStart: [Int32] = [0]
        var clauseCount: Int32 = 0
        // Per clause: its (probe, literal) pairs when it is small enough to ask lazily.
        var lazyKeys: [[(probe: Int, literal: [UInt8])]] = []
        // Per condition: its first clause's (probe, literal) pairs.
        var firstClauseKeys: [[(probe: Int, literal: [UInt8])]] = []
        for condition in conditions {
            defer {
                probeStart.append(Int32(probeList.count))
                clauseStart.append(clauseCount)
            }
            firstClauseKeys.append([])
            guard let clauses = Self.keys(of: condition, isCoarse: isCoarse) else { continue }
            var used: [Int32] = []
            for (position, clause) in clauses.enumerated() {
                let clauseID = clauseCount
                clauseCount += 1
                let isLazy = clause.reduce(0) { $0 + $1.literals.count } <= Self.lazyLimit
                lazyKeys.append([])
                for key in clause {
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
                    for literal in key.literals {
                        if position == 0 { firstClauseKeys[firstClauseKeys.count - 1].append((id, literal)) }
                        if isLazy {
                            // In the table, so a lookup finds it; the clause is not in its list.
                            if literals[id][literal] == nil { literals[id][literal] = [] }
                            lazyKeys[Int(clauseID)].append((id, literal))
                        } else if literals[id][literal]?.last != clauseID {
                            literals[id][literal, default: []].append(clauseID)
                        }
                    }
                    if !used.contains(Int32(id)) { used.append(Int32(id)) }
                }
            }
            probeList += used
        }
        self.probes = probes
        self.probeList = probeList
        self.probeStart = probeStart
        self.clauseStart = clauseStart
        let tables = literals.map(KeyTable.init)
        let entryBase = tables.reduce(into: [Int32(0)]) { $0.append($0.last! + Int32($1.count)) }
        var lazyStart: [Int32] = [0], lazyEntries: [Int32] = []
        for keys in lazyKeys {
            for (probe, literal) in keys {
                let entry = literal.withUnsafeBytes { tables[probe].entry(of: $0)! }
                lazyEntries.append(entryBase[probe] + Int32(entry))
            }
            lazyStart.append(Int32(lazyEntries.count))
        }
        self.tables = tables
        self.entryBase = entryBase
        self.lazyStart = lazyStart
        self.lazyEntries = lazyEntries
        var triggeredByEntry = [[Int32]](repeating: [], count: Int(entryBase.last!))
        var triggerProbes: [[Int32]] = []
        for (condition, keys) in firstClauseKeys.enumerated() {
            guard condition < askedFirst else { triggerProbes.append([]); continue }
            var probesOfClause: [Int32] = []
            for (probe, literal) in keys {
                let entry = Int(entryBase[probe]) + literal.withUnsafeBytes { tables[probe].entry(of: $0)! }
                if triggeredByEntry[entry].last != Int32(condition) { triggeredByEntry[entry].append(Int32(condition)) }
                if !probesOfClause.contains(Int32(probe)) { probesOfClause.append(Int32(probe)) }
            }
            triggerProbes.append(probesOfClause)
        }
        triggerStart = triggeredByEntry.reduce(into: [Int32(0)]) { $0.append($0.last! + Int32($1.count)) }
        triggered = triggeredByEntry.flatMap { $0 }
        self.triggerProbes = triggerProbes
        triggeredStamps = [UInt32](repeating: 0, count: conditions.count)
        probed = [UInt32](repeating: 0, count: probes.count)
        hits = [UInt32](repeating: 0, count: Int(clauseCount))
        entryHits = [UInt32](repeating: 0, count: Int(entryBase.last!))
    }

    /// One conjunct's equality test: the condition cannot hold unless the field has one of these.
    struct Key: Equatable {
        var field: Int
        var caseInsensitive: Bool
        var literals: [[UInt8]]
        var isCoarse: Bool
        var reading: Reading = .bytes
    }

    /// A clause: keys of which one must hit.
    typealias Clause = [Key]

    /// At most this many clauses per condition: each costs a lookup per event.
    static let clauseLimit = 3

    /// The clauses of a condition, each of which must hit for it to hold (most selective
    /// first); nil when it has none.
    static func keys(of predicate: Predicate, isCoarse: (Int) -> Bool) -> [Clause]? {
        switch predicate {
        case .value(let test):
            guard !test.negated, !test.matchers.isEmpty else { return nil }
            if let literals = keywordLiterals(test) {
                return [[Key(field: test.field, caseInsensitive: test.caseInsensitive, literals: literals, isCoarse: isCoarse(test.field))]]
            }
            if let literals = typedLiterals(test) {
                return [[Key(field: test.field, caseInsensitive: test.caseInsensitive, literals: literals, isCoarse: isCoarse(test.field),
                             reading: .typed(test.type))]]
            }
            return nil
        case .all(let parts):
            // Every conjunct's clauses are sound; each costs a lookup per event, so the most
            // selective are kept, a coarse one (`event.type == "start"`) last.
            let clauses = parts.compactMap { keys(of: $0, isCoarse: isCoarse) }.flatMap { $0 }.sorted(by: isMoreSelective)
            return clauses.isEmpty ? nil : Array(clauses.prefix(clauseLimit))
        case .any(let branches):
            // Any branch may hold, so a clause joins one clause of each branch: the i-th joins
            // each branch's i-th most selective (a branch's last when it has fewer).
            var branchClauses: [[Clause]] = []
            for branch in branches {
                guard let found = Self.keys(of: branch, isCoarse: isCoarse) else { return nil }
                branchClauses.append(found)
            }
            let count = branchClauses.map(\.count).max() ?? 0
            let clauses = (0..<count).map { i in branchClauses.flatMap { $0[Swift.min(i, $0.count - 1)] } }
            return clauses.isEmpty ? nil : clauses
        default:
            return nil
        }
    }

    private static func isCoarseClause(_ clause: Clause) -> Bool { clause.contains(where: \.isCoarse) }

    /// A selective field first, then fewer literals, then fewer fields.
    private static func isMoreSelective(_ a: Clause, _ b: Clause) -> Bool {
        let coarseA = isCoarseClause(a), coarseB = isCoarseClause(b)
        if coarseA != coarseB { return !coarseA }
        let countA = a.reduce(0) { $0 + $1.literals.count }, countB = b.reduce(0) { $0 + $1.literals.count }
        return countA != countB ? countA < countB : a.count < b.count
    }

    /// A keyword test's literals: every matcher an equality of bytes.
    static func keywordLiterals(_ test: ValueTest) -> [[UInt8]]? {
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
        var low = key.count
        var magnitude = whole.magnitude
        repeat {
            key.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        // Swapped in place: reversing `key[digitsStart...]` copied the array for every number.
        var high = key.count - 1
        while low < high {
            key.swapAt(low, high)
            low += 1
            high -= 1
        }
        return true
    }

    /// Forgets the previous event's lookups.
    mutating func nextEvent() {
        stamp &+= 1
        if stamp == 0 {
            probed = [UInt32](repeating: 0, count: probed.count)
            hits = [UInt32](repeating: 0, count: hits.count)
            entryHits = [UInt32](repeating: 0, count: entryHits.count)
            triggeredStamps = [UInt32](repeating: 0, count: triggeredStamps.count)
            stamp = 1
        }
    }

    /// Whether the condition may hold on the event: it has no key, or each of its clauses has
    /// a key some value of the event holds.
    mutating func allows(_ condition: Int, _ event: EventView) -> Bool {
        for index in Int(probeStart[condition])..<Int(probeStart[condition + 1]) {
            let probe = Int(probeList[index])
            guard probed[probe] != stamp else { continue }
            probed[probe] = stamp
            lookUp(probe, event)
        }
        for clause in Int(clauseStart[condition])..<Int(clauseStart[condition + 1]) where hits[clause] != stamp {
            var found = false
            for index in Int(lazyStart[clause])..<Int(lazyStart[clause + 1]) where entryHits[Int(lazyEntries[index])] == stamp {
                found = true
                break
            }
            if !found { return false }
        }
        return true
    }

    /// Whether the condition has keys (else it may hold on any event).
    func isKeyed(_ condition: Int) -> Bool { clauseStart[condition] < clauseStart[condition + 1] }

    /// The probes of these conditions' first clauses, each once.
    func triggerProbes(of conditions: [Int]) -> [Int32] {
        var seen = Set<Int32>(), probes: [Int32] = []
        for condition in conditions {
            for probe in triggerProbes[condition] where seen.insert(probe).inserted { probes.append(probe) }
        }
        return probes
    }

    /// Appends to `conditions` (once each, per event) every condition a literal of whose first
    /// clause one of the event's values holds, and that `wanted` says yes to: with `probes` the
    /// `triggerProbes` of the wanted ones, every keyed condition among them that may hold.
    mutating func appendTriggered(probes: [Int32], _ event: EventView, wanted: [Bool], into conditions: inout [Int]) {
        for probe in probes {
            probed[Int(probe)] = stamp
            foundEntries.removeAll(keepingCapacity: true)
            lookUp(Int(probe), event, collecting: true)
            for entry in foundEntries {
                for index in Int(triggerStart[entry])..<Int(triggerStart[entry + 1]) {
                    let condition = Int(triggered[index])
                    guard condition < wanted.count, wanted[condition], triggeredStamps[condition] != stamp else { continue }
                    triggeredStamps[condition] = stamp
                    conditions.append(condition)
                }
            }
        }
    }

    /// Marks the literals the probe's field has in the event, and the clauses they key
    /// (`collecting`: and lists the literals in `foundEntries`).
    private mutating func lookUp(_ probe: Int, _ event: EventView, collecting: Bool = false) {
        let field = probes[probe].field, caseInsensitive = probes[probe].caseInsensitive
        let base = Int(entryBase[probe])
        for value in event.values(of: field) {
            let found: (entry: Int, keyed: Range<Int>)?
            if case .typed(let type) = probes[probe].reading, type != .dynamic || (value.kind != .string && value.kind != .escapedString) {
                guard let typed = value.typed(type, in: event.raw, scratch: &decoded),
                      Self.writeNumberKey(typed, into: &numberScratch) else { continue }
                found = numberScratch.withUnsafeBytes { tables[probe].clauses(of: $0) }
            } else {
                found = value.withDecodedBytes(in: event.raw, scratch: &decoded) { bytes -> (entry: Int, keyed: Range<Int>)? in
                    // Folding keeps the length: a value of a length no literal has is not folded or hashed
                    // (command lines and argument lists run far longer than the names rules list).
                    guard tables[probe].mayHold(length: bytes.count) else { return nil }
                    guard caseInsensitive else { return tables[probe].clauses(of: bytes) }
                    CaseFolding.fold(bytes, into: &folded)
                    return folded.withUnsafeBytes { tables[probe].clauses(of: $0) }
                }
            }
            guard let found else { continue }
            if collecting { foundEntries.append(base + found.entry) }
            entryHits[base + found.entry] = stamp
            for index in found.keyed { hits[Int(tables[probe].keyed[index])] = stamp }
        }
    }

    /// Rules keyed, and the fields probed (for reports and tests).
    var summary: (keyedConditions: Int, probes: Int) {
        (zip(clauseStart, clauseStart.dropFirst()).filter { $0 < $1 }.count, probes.count)
    }
}

/// Byte strings, each with a list of clauses: an open-addressing hash table with its keys in
/// one byte pool, so a lookup hashes the value's bytes in place and allocates nothing.
private struct KeyTable {
    private var pool: [UInt8] = []
    /// Per slot: 0 empty, else 1 + entry.
    private var slots: [Int32]
    private var entries: [(hash: UInt64, start: Int, count: Int, keyed: Range<Int>)] = []
    /// The clauses of all entries, each entry's a range of it.
    private(set) var keyed: [Int32] = []
    private let mask: Int
    /// Bit n of word n / 64: some literal is n bytes long (n < 256); `hasLonger`: one is longer.
    private var lengths: [UInt64] = [0, 0, 0, 0]
    private var hasLonger = false

    init(_ literals: [[UInt8]: [Int32]]) {
        var capacity = 8
        while capacity < literals.count * 2 { capacity *= 2 }
        mask = capacity - 1
        slots = [Int32](repeating: 0, count: capacity)
        // Sorted, so a table's layout does not depend on hashing's per-process seed.
        for (literal, clauses) in literals.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let hash = literal.withUnsafeBytes(Self.hash)
            entries.append((hash, pool.count, literal.count, keyed.count..<(keyed.count + clauses.count)))
            pool += literal
            keyed += clauses
            if literal.count < 256 { lengths[literal.count >> 6] |= 1 << UInt64(literal.count & 63) } else { hasLonger = true }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entries.count)
        }
    }

    var count: Int { entries.count }

    /// Whether a literal of this length may be in the table (false: no lookup can find one).
    @inline(__always)
    func mayHold(length: Int) -> Bool {
        length < 256 ? lengths[length >> 6] & (1 << UInt64(length & 63)) != 0 : hasLonger
    }

    /// The entry of exactly these bytes, if the table has them.
    func entry(of bytes: UnsafeRawBufferPointer) -> Int? {
        clauses(of: bytes)?.entry
    }

    /// The entry of exactly these bytes and the range of `keyed` holding its clauses, or nil.
    func clauses(of bytes: UnsafeRawBufferPointer) -> (entry: Int, keyed: Range<Int>)? {
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        return pool.withUnsafeBytes { pool in
            while slots[slot] != 0 {
                let index = Int(slots[slot]) - 1
                let entry = entries[index]
                if entry.hash == hash, entry.count == bytes.count,
                   entry.count == 0 || memcmp(pool.baseAddress! + entry.start, bytes.baseAddress!, entry.count) == 0 {
                    return (index, entry.keyed)
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// Eight bytes at a time (values such as command-line arguments run long; byte-wise FNV
    /// was a fifth of a lookup's own time), the tail zero-padded, the length mixed in, and a
    /// final mix so the low bits (the slot) depend on every byte.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9e37_79b9_7f4a_7c15
            hash ^= hash >> 32
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << UInt64((index - offset) * 8) }
            hash = (hash ^ tail) &* 0x9e37_79b9_7f4a_7c15
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        return hash ^ (hash >> 33)
    }
}
