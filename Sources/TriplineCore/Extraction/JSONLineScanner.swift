/// Walks one JSON line once, validating all of it and recording the values of the needed fields.
///
/// Hot path: works on the batch's raw bytes, allocates nothing per line beyond appending to the
/// caller's value array (whose capacity is reused), and never copies a value.
/// Safety: `raw` is the whole batch buffer; `line` lies inside it.
public struct JSONLineScanner {
    public struct Rejection: Error, Sendable, Hashable {
        public var reason: DeadLetter.Reason
        public var detail: String
        public var offsetInLine: Int
    }

    public static let maxDepth = 256

    /// The plan behind a class reference: as a stored struct, each key's `descend` copied all of
    /// it (144 bytes, by a call to memcpy) before reading it.
    private let shared: SharedPlan<FieldPlan>
    /// Scratch for keys that hold escapes; reused.
    private var keyScratch: [UInt8] = []
    /// Keys of the objects being walked, innermost last, to refuse duplicates as Elasticsearch does.
    private var openKeys: [(hash: UInt64, start: Int, end: Int, escaped: Bool)] = []
    /// Decoded keys compared for duplicates, reused: a fresh array per escaped key was most of
    /// extraction's allocations (measured in Benchmarks/Scanning).
    private var duplicateScratch: [UInt8] = []
    private var otherScratch: [UInt8] = []
    /// Keys of objects with `wideObjectKeys` keys or more, by hash.
    private var wideKeys = WideObjectKeys()
    static let wideObjectKeys = 64
    /// Open keys the duplicate check looked at, summed over lines (for tests of its cost).
    private(set) var keysVisited = 0

    private let lengthMasks = KeySet.sharedLengthMasks

    public init(plan: FieldPlan) {
        self.shared = SharedPlan(plan)
    }

    /// Appends the line's needed values to `values`; throws a rejection for a line ES would refuse.
    public mutating func scan(_ raw: UnsafeRawBufferPointer, line: LineSpan, into values: inout [FieldValue]) throws(Rejection) {
        var cursor = Cursor(raw: raw, at: Int(line.start), end: line.end, lineStart: Int(line.start))
        cursor.skipSpace()
        guard cursor.at < cursor.end, raw[cursor.at] == UInt8(ascii: "{") else {
            throw Rejection(reason: .notAnObject, detail: "a line must hold one JSON object", offsetInLine: cursor.at - Int(line.start))
        }
        let mark = values.count
        wideKeys.nextLine()
        do throws(Rejection) {
            try scanObject(&cursor, node: FieldPlan.root, depth: 0, into: &values)
            cursor.skipSpace()
            if cursor.at != cursor.end { throw cursor.invalid("unexpected data after the JSON object") }
        } catch {
            values.removeSubrange(mark...)
            throw error
        }
    }

    struct Cursor {
        let raw: UnsafeRawBufferPointer
        var at: Int
        let end: Int
        let lineStart: Int
        var lastStringHadEscape = false

        @inline(__always) mutating func skipSpace() {
            while at < end {
                let b = raw[at]
                guard b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A else { return }
                at += 1
            }
        }

        func invalid(_ detail: String) -> Rejection {
            Rejection(reason: .invalidJSON, detail: at >= end ? "\(detail) (the line ends early)" : detail, offsetInLine: at - lineStart)
        }

        @inline(__always) var byte: UInt8? { at < end ? raw[at] : nil }
    }

    private mutating func scanObject(
        _ c: inout Cursor, node: FieldPlan.Node, depth: Int, into values: inout [FieldValue]
    ) throws(Rejection) {
        guard depth < Self.maxDepth else {
            throw Rejection(reason: .tooDeep, detail: "nesting deeper than \(Self.maxDepth)", offsetInLine: c.at - c.lineStart)
        }
        c.at += 1  // '{'
        c.skipSpace()
        if c.byte == UInt8(ascii: "}") { c.at += 1; return }
        let keysOfThisObject = openKeys.count
        defer { openKeys.removeLast(openKeys.count - keysOfThisObject) }
        // One bit per key hash seen in this object: a key whose bit is clear is new, no search.
        var seenHashes: UInt64 = 0
        var wideSerial: UInt32 = 0  // nonzero once the object is wide
        while true {
            c.skipSpace()
            guard c.byte == UInt8(ascii: "\"") else { throw c.invalid("expected a key") }
            let keyStart = c.at
            let keyEnd = try stringEnd(&c)
            // One hash of the key (as decoded) for both the field plan and the duplicate check.
            let child: FieldPlan.Node, hash: UInt64
            if c.lastStringHadEscape {
                Self.decode(UnsafeRawBufferPointer(rebasing: c.raw[(keyStart + 1)..<(keyEnd - 1)]), escaped: true, into: &keyScratch)
                (child, hash) = keyScratch.withUnsafeBytes { key in
                    let hash = LineValidator.rareKeyHash(key, from: 0, to: key.count)
                    return (node == FieldPlan.none ? node : shared.plan.descend(node, key: key, hash: hash), hash)
                }
            } else {
                hash = LineValidator.keyHash(c.raw, from: keyStart + 1, to: keyEnd - 1, lengthMasks: lengthMasks)
                child = node == FieldPlan.none ? node
                    : shared.plan.descend(node, key: UnsafeRawBufferPointer(rebasing: c.raw[(keyStart + 1)..<(keyEnd - 1)]), hash: hash)
            }
            try checkDuplicate(c, keyStart: keyStart + 1, keyEnd: keyEnd - 1, escaped: c.lastStringHadEscape, hash: hash,
                               since: keysOfThisObject, seen: &seenHashes, wide: &wideSerial)
            c.skipSpace()
            guard c.byte == UInt8(ascii: ":") else { throw c.invalid("expected ':' after a key") }
            c.at += 1
            c.skipSpace()
            try scanValue(&c, node: child, depth: depth + 1, into: &values)
            c.skipSpace()
            guard let next = c.byte else { throw c.invalid("unterminated object") }
            if next == UInt8(ascii: ",") { c.at += 1; continue }
            if next == UInt8(ascii: "}") { c.at += 1; return }
            throw c.invalid("expected ',' or '}' in an object")
        }
    }

    private mutating func scanValue(
        _ c: inout Cursor, node: FieldPlan.Node, depth: Int, into values: inout [FieldValue]
    ) throws(Rejection) {
        guard let first = c.byte else { throw c.invalid("expected a value") }
        let field = node == FieldPlan.none ? -1 : shared.plan.field(at: node)
        let wantsObject = node != FieldPlan.none && shared.plan.hasChildren(node)
        switch first {
        case UInt8(ascii: "{"):
            // An object where a needed field expects a value (or a value where it expects an
            // object) leaves the field absent, as ignore_malformed does; whether a line is
            // rejected never depends on which fields the rules read.
            try scanObject(&c, node: wantsObject ? node : FieldPlan.none, depth: depth, into: &values)
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else {
                throw Rejection(reason: .tooDeep, detail: "nesting deeper than \(Self.maxDepth)", offsetInLine: c.at - c.lineStart)
            }
            c.at += 1
            c.skipSpace()
            if c.byte == UInt8(ascii: "]") { c.at += 1; return }
            while true {
                c.skipSpace()
                // Arrays make a field multi-valued, whatever their nesting.
                try scanValue(&c, node: node, depth: depth + 1, into: &values)
                c.skipSpace()
                guard let next = c.byte else { throw c.invalid("unterminated array") }
                if next == UInt8(ascii: ",") { c.at += 1; continue }
                if next == UInt8(ascii: "]") { c.at += 1; return }
                throw c.invalid("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            let start = c.at
            let end = try stringEnd(&c)
            if field >= 0 {
                values.append(FieldValue(
                    field: UInt16(field), kind: c.lastStringHadEscape ? .escapedString : .string,
                    start: UInt32(start + 1), length: UInt32(end - start - 2)))
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let start = c.at
            let literal: StaticString = first == UInt8(ascii: "t") ? "true" : first == UInt8(ascii: "f") ? "false" : "null"
            let length = literal.utf8CodeUnitCount
            guard c.end - c.at >= length,
                  memcmpEqual(c.raw.baseAddress! + c.at, literal.utf8Start, length) else {
                throw c.invalid("invalid literal")
            }
            c.at += length
            if first == UInt8(ascii: "n") { return }  // null is absent
            if field >= 0 {
                values.append(FieldValue(field: UInt16(field), kind: .bool, start: UInt32(start), length: UInt32(length)))
            }
        default:
            let start = c.at
            guard let end = JSONGrammar.numberEnd(UnsafeRawBufferPointer(rebasing: c.raw[..<c.end]), from: start) else {
                throw c.invalid("invalid value")
            }
            c.at = end
            if field >= 0 {
                values.append(FieldValue(field: UInt16(field), kind: .number, start: UInt32(start), length: UInt32(end - start)))
            }
        }
    }

    /// Elasticsearch refuses a document with the same key twice in one object.
    /// `hash`: the key's as decoded (`LineValidator.keyHash`).
    private mutating func checkDuplicate(_ c: Cursor, keyStart: Int, keyEnd: Int, escaped: Bool, hash: UInt64, since first: Int,
                                         seen: inout UInt64, wide: inout UInt32) throws(Rejection) {
        let key = UnsafeRawBufferPointer(rebasing: c.raw[keyStart..<keyEnd])
        var keyDecoded = false
        if wide == 0 && openKeys.count - first >= Self.wideObjectKeys {
            wide = wideKeys.newObject()
            for place in first..<openKeys.count { wideKeys.add(openKeys[place].hash, serial: wide, place: place) }
        }
        if wide != 0 {
            var probe = wideKeys.startProbe(hash, serial: wide)
            keysVisited += 1
            while let place = wideKeys.next(&probe, hash, serial: wide) {
                keysVisited += 1
                try refuseIfSame(c, key, escaped: escaped, keyStart: keyStart, decoded: &keyDecoded, as: place)
            }
            wideKeys.record(at: probe, hash, serial: wide, place: openKeys.count)
        } else {
            let bit: UInt64 = 1 << (hash & 63)
            var index = seen & bit == 0 ? openKeys.count : first
            seen |= bit
            while index < openKeys.count {
                let place = index
                index += 1
                keysVisited += 1
                guard openKeys[place].hash == hash else { continue }
                try refuseIfSame(c, key, escaped: escaped, keyStart: keyStart, decoded: &keyDecoded, as: place)
            }
        }
        openKeys.append((hash, keyStart, keyEnd, escaped))
    }

    /// Refuses the line if the key equals (as decoded) the open key at `place`, whose hash is its own.
    private mutating func refuseIfSame(_ c: Cursor, _ key: UnsafeRawBufferPointer, escaped: Bool, keyStart: Int, decoded: inout Bool,
                                       as place: Int) throws(Rejection) {
        if !decoded {
            Self.decode(key, escaped: escaped, into: &duplicateScratch)
            decoded = true
        }
        let other = openKeys[place]
        Self.decode(UnsafeRawBufferPointer(rebasing: c.raw[other.start..<other.end]), escaped: other.escaped, into: &otherScratch)
        if otherScratch == duplicateScratch {
            throw Rejection(reason: .duplicateKey, detail: "duplicate key \"\(String(decoding: duplicateScratch, as: UTF8.self))\"",
                            offsetInLine: keyStart - 1 - c.lineStart)
        }
    }

    /// A key as decoded, in `out` (replacing what it held).
    private static func decode(_ key: UnsafeRawBufferPointer, escaped: Bool, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        if escaped { _ = JSONGrammar.unescape(key, into: &out) } else { out.append(contentsOf: key) }
    }

    @inline(__always)
    private func stringEnd(_ c: inout Cursor) throws(Rejection) -> Int {
        var hasEscape = false
        var failure: JSONGrammar.Failure?
        guard let end = JSONGrammar.stringEnd(UnsafeRawBufferPointer(rebasing: c.raw[..<c.end]), openingQuote: c.at, hasEscape: &hasEscape, failure: &failure) else {
            switch failure {
            case .invalidUTF8?: throw Rejection(reason: .invalidUTF8, detail: "invalid UTF-8 in a string", offsetInLine: c.at - c.lineStart)
            case .invalidJSON(let detail)?: throw c.invalid(detail)
            case nil: throw c.invalid("invalid string")
            }
        }
        c.lastStringHadEscape = hasEscape
        c.at = end
        return end
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for i in 0..<count where a.load(fromByteOffset: i, as: UInt8.self) != b[i] { return false }
    return true
}
