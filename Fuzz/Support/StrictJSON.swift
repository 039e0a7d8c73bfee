import TriplineCore

/// A second, deliberately plain JSON reader (RFC 8259, recursive descent, one byte at a time)
/// with the refusals Tripline adds as Elasticsearch does: a line is one object, no key twice in
/// an object (as decoded: a lone surrogate escape reads as U+FFFD), no nesting deeper than
/// `JSONLineScanner.maxDepth`. It shares no code with `JSONLineScanner`, so the two disagreeing
/// on a line, or on where a needed field's values lie, is a bug in one of them.
public struct StrictJSON {
    public enum Verdict: Equatable, Sendable {
        case valid
        case invalid
        case duplicateKey
        case tooDeep
    }

    /// A value of a needed field: its field, kind and token (for strings, the bytes between the quotes).
    public struct Found: Equatable, Sendable, CustomStringConvertible {
        public var field: Int
        public var kind: FieldValue.Kind
        public var start: Int
        public var length: Int
        public var description: String { "(field \(field) \(kind) \(start)+\(length))" }

        public init(field: Int, kind: FieldValue.Kind, start: Int, length: Int) {
            self.field = field
            self.kind = kind
            self.start = start
            self.length = length
        }
    }

    let bytes: UnsafeRawBufferPointer
    var at: Int
    let end: Int
    /// Dotted path (as decoded) → field; nil: values are not collected.
    let fields: [[UInt8]: Int]?
    let maxDepth: Int
    public private(set) var found: [Found] = []

    /// Reads `bytes[start..<end]` (offsets in `found` are in `bytes`); `topLevelObject`: a line
    /// must hold one object (else any value).
    public static func check(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil,
                             fields: [[UInt8]: Int]? = nil, maxDepth: Int = JSONLineScanner.maxDepth,
                             topLevelObject: Bool = true) -> (Verdict, [Found]) {
        var reader = StrictJSON(bytes: bytes, at: start, end: end ?? bytes.count, fields: fields, maxDepth: maxDepth)
        reader.skipSpace()
        if topLevelObject && reader.peek != UInt8(ascii: "{") { return (.invalid, []) }
        do {
            try reader.value(depth: 0, path: fields == nil ? nil : [])
            reader.skipSpace()
            guard reader.at == reader.end else { return (.invalid, []) }
            return (.valid, reader.found)
        } catch {
            return (error.verdict, [])
        }
    }

    struct Failure: Error { var verdict: Verdict }

    var peek: UInt8? { at < end ? bytes[at] : nil }

    mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { at += 1 }
    }

    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek == byte else { throw Failure(verdict: .invalid) }
        at += 1
    }

    /// `path`: the value's dotted path; nil at the root object (whose keys start paths) is `[]`
    /// with `root` semantics handled by `member`; nil: not collecting.
    mutating func value(depth: Int, path: [UInt8]?, isRoot: Bool = true) throws(Failure) {
        guard let first = peek else { throw Failure(verdict: .invalid) }
        switch first {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw Failure(verdict: .tooDeep) }
            at += 1
            skipSpace()
            if peek == UInt8(ascii: "}") { at += 1; return }
            var keys: [[UInt8]] = []
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw Failure(verdict: .invalid) }
                let (start, length, escaped) = try string()
                let key = Self.decode(bytes, start, length, escaped: escaped)
                if keys.contains(key) { throw Failure(verdict: .duplicateKey) }
                keys.append(key)
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                let childPath: [UInt8]? = path.map { isRoot ? key : $0 + [UInt8(ascii: ".")] + key }
                try value(depth: depth + 1, path: childPath, isRoot: false)
                skipSpace()
                if peek == UInt8(ascii: ",") { at += 1; continue }
                try expect(UInt8(ascii: "}"))
                return
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw Failure(verdict: .tooDeep) }
            at += 1
            skipSpace()
            if peek == UInt8(ascii: "]") { at += 1; return }
            while true {
                skipSpace()
                // An array's values are the field's values, at any nesting.
                try value(depth: depth + 1, path: path, isRoot: isRoot)
                skipSpace()
                if peek == UInt8(ascii: ",") { at += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "\""):
            let (start, length, escaped) = try string()
            record(path, isRoot: isRoot, escaped ? .escapedString : .string, start, length)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let word: [UInt8] = first == UInt8(ascii: "t") ? Array("true".utf8) : first == UInt8(ascii: "f") ? Array("false".utf8) : Array("null".utf8)
            let start = at
            for byte in word { try expect(byte) }
            if first != UInt8(ascii: "n") { record(path, isRoot: isRoot, .bool, start, word.count) }
        default:
            let start = at
            try number()
            record(path, isRoot: isRoot, .number, start, at - start)
        }
    }

    mutating func record(_ path: [UInt8]?, isRoot: Bool, _ kind: FieldValue.Kind, _ start: Int, _ length: Int) {
        guard !isRoot, let path, let field = fields?[path] else { return }
        found.append(Found(field: field, kind: kind, start: start, length: length))
    }

    mutating func number() throws(Failure) {
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        if peek == UInt8(ascii: "-") { at += 1 }
        guard isDigit(peek) else { throw Failure(verdict: .invalid) }
        if peek == UInt8(ascii: "0") {
            at += 1
        } else {
            while isDigit(peek) { at += 1 }
        }
        if peek == UInt8(ascii: ".") {
            at += 1
            guard isDigit(peek) else { throw Failure(verdict: .invalid) }
            while isDigit(peek) { at += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            at += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
            guard isDigit(peek) else { throw Failure(verdict: .invalid) }
            while isDigit(peek) { at += 1 }
        }
    }

    /// A string at its opening quote: the content's offset and length, and whether it has escapes.
    mutating func string() throws(Failure) -> (Int, Int, Bool) {
        at += 1
        let start = at
        var escaped = false
        while true {
            guard let b = peek else { throw Failure(verdict: .invalid) }
            switch b {
            case UInt8(ascii: "\""):
                at += 1
                return (start, at - 1 - start, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                at += 1
                guard let e = peek else { throw Failure(verdict: .invalid) }
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let h = peek, Self.hex(h) != nil else { throw Failure(verdict: .invalid) }
                        at += 1
                    }
                default:
                    throw Failure(verdict: .invalid)
                }
            case 0..<0x20:
                throw Failure(verdict: .invalid)
            case 0x20..<0x80:
                at += 1
            default:
                guard let width = Self.utf8Width(bytes, at, end) else { throw Failure(verdict: .invalid) }
                at += width
            }
        }
    }

    static func hex(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The width of a well-formed UTF-8 sequence (Unicode table 3-7) at `i`, or nil.
    static func utf8Width(_ bytes: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int? {
        let b0 = bytes[i]
        let width: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: width = 2
        case 0xE0: width = 3; low = 0xA0
        case 0xED: width = 3; high = 0x9F
        case 0xE1...0xEF: width = 3
        case 0xF0: width = 4; low = 0x90
        case 0xF4: width = 4; high = 0x8F
        case 0xF1...0xF3: width = 4
        default: return nil
        }
        guard i + width <= end else { return nil }
        for k in 1..<width {
            let b = bytes[i + k]
            guard b >= (k == 1 ? low : 0x80), b <= (k == 1 ? high : 0xBF) else { return nil }
        }
        return width
    }

    /// A string's content as decoded: lone surrogates become U+FFFD, a surrogate pair one scalar.
    static func decode(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int, escaped: Bool) -> [UInt8] {
        let content = Array(bytes[start..<(start + length)])
        guard escaped else { return content }
        var out: [UInt8] = []
        func append(_ scalar: UInt32) { out += Array(String(Character(Unicode.Scalar(scalar)!)).utf8) }
        var pendingHigh = false
        var high: UInt32 = 0
        func endPending() { if pendingHigh { append(0xFFFD); pendingHigh = false } }
        var i = 0
        while i < content.count {
            guard content[i] == UInt8(ascii: "\\") else {
                endPending()
                out.append(content[i])
                i += 1
                continue
            }
            let e = content[i + 1]
            guard e == UInt8(ascii: "u") else {
                endPending()
                let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
                out.append(simple[e]!)
                i += 2
                continue
            }
            var v: UInt32 = 0
            for k in 2..<6 { v = v << 4 | hex(content[i + k])! }
            i += 6
            if pendingHigh {
                pendingHigh = false
                if (0xDC00...0xDFFF).contains(v) { append(0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00)); continue }
                append(0xFFFD)
            }
            if (0xD800...0xDBFF).contains(v) {
                pendingHigh = true
                high = v
            } else {
                append((0xDC00...0xDFFF).contains(v) ? 0xFFFD : v)
            }
        }
        endPending()
        return out
    }
}
