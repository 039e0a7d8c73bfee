#if canImport(Glibc)
import Glibc
#endif

/// Byte-level pieces of the JSON grammar, shared by the line scanner (hot) and `JSONValue` (slow).
///
/// Safety: every function reads only inside the buffer it is given and bounds-checks each
/// step against `raw.count`; callers pass offsets inside that buffer.
public enum JSONGrammar {
    public enum Failure: Sendable, Hashable {
        case invalidJSON(String)
        case invalidUTF8
    }

    /// The offset just past the closing quote of the string opening at `openingQuote`, or nil.
    /// Sets `hasEscape` when the string holds a backslash (its bytes then need decoding).
    @inlinable
    public static func stringEnd(_ raw: UnsafeRawBufferPointer, openingQuote: Int) -> Int? {
        var hasEscape = false
        var failure: Failure?
        return stringEnd(raw, openingQuote: openingQuote, hasEscape: &hasEscape, failure: &failure)
    }

    @inlinable
    public static func stringEnd(
        _ raw: UnsafeRawBufferPointer, openingQuote: Int, hasEscape: inout Bool, failure: inout Failure?
    ) -> Int? {
        var at = openingQuote + 1
        let count = raw.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        while at < count {
            // Eight plain bytes at a time (SWAR): the lowest byte flagged is exactly the first
            // quote, backslash, control or non-ASCII byte; borrows only flag bytes above it.
            if at + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                let special = ((quote &- ones) | (backslash &- ones) | (word &- ones &* 0x20) | word) & (ones &* 0x80)
                if special == 0 { at += 8; continue }
                at += special.trailingZeroBitCount >> 3
            }
            let byte = raw[at]
            if byte == 0x22 { return at + 1 }
            if byte == 0x5C {
                hasEscape = true
                guard at + 1 < count else { failure = .invalidJSON("unterminated string"); return nil }
                switch raw[at + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: at += 2
                case 0x75:
                    guard at + 5 < count, isHex(raw[at + 2]), isHex(raw[at + 3]), isHex(raw[at + 4]), isHex(raw[at + 5]) else {
                        failure = .invalidJSON("invalid \\u escape"); return nil
                    }
                    at += 6
                default:
                    failure = .invalidJSON("invalid escape"); return nil
                }
                continue
            }
            if byte < 0x20 { failure = .invalidJSON("control character in string"); return nil }
            if byte < 0x80 { at += 1; continue }
            guard let width = utf8SequenceWidth(raw, at: at) else { failure = .invalidUTF8; return nil }
            at += width
        }
        failure = .invalidJSON("unterminated string")
        return nil
    }

    @inlinable
    static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    @inlinable
    static func hexValue(_ byte: UInt8) -> UInt32 {
        byte <= 0x39 ? UInt32(byte - 0x30) : UInt32((byte | 0x20) - 0x61 + 10)
    }

    /// The length of the well-formed UTF-8 sequence starting at `at` (lead byte >= 0x80), or nil.
    @inlinable
    static func utf8SequenceWidth(_ raw: UnsafeRawBufferPointer, at: Int) -> Int? {
        let lead = raw[at]
        let count = raw.count
        @inline(__always) func cont(_ i: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            i < count && raw[i] >= low && raw[i] <= high
        }
        switch lead {
        case 0xC2...0xDF: return cont(at + 1) ? 2 : nil
        case 0xE0: return cont(at + 1, 0xA0) && cont(at + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(at + 1) && cont(at + 2) ? 3 : nil
        case 0xED: return cont(at + 1, 0x80, 0x9F) && cont(at + 2) ? 3 : nil
        case 0xF0: return cont(at + 1, 0x90) && cont(at + 2) && cont(at + 3) ? 4 : nil
        case 0xF1...0xF3: return cont(at + 1) && cont(at + 2) && cont(at + 3) ? 4 : nil
        case 0xF4: return cont(at + 1, 0x80, 0x8F) && cont(at + 2) && cont(at + 3) ? 4 : nil
        default: return nil
        }
    }

    /// The offset just past the number starting at `from`, or nil if it is not a JSON number.
    @inlinable
    public static func numberEnd(_ raw: UnsafeRawBufferPointer, from: Int) -> Int? {
        var at = from
        let count = raw.count
        @inline(__always) func digit(_ i: Int) -> Bool { i < count && raw[i] >= 0x30 && raw[i] <= 0x39 }
        if at < count && raw[at] == 0x2D { at += 1 }
        guard digit(at) else { return nil }
        if raw[at] == 0x30 { at += 1 } else { while digit(at) { at += 1 } }
        if at < count && raw[at] == 0x2E {
            at += 1
            guard digit(at) else { return nil }
            while digit(at) { at += 1 }
        }
        if at < count && (raw[at] | 0x20) == 0x65 {
            at += 1
            if at < count && (raw[at] == 0x2B || raw[at] == 0x2D) { at += 1 }
            guard digit(at) else { return nil }
            while digit(at) { at += 1 }
        }
        return at
    }

    /// Decodes the content of a string (between its quotes) into UTF-8; false on a bad escape.
    /// Lone surrogates become U+FFFD, as a Java-based reader writing UTF-8 would emit.
    public static func unescape(_ content: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        var at = 0
        let count = content.count
        guard let base = content.baseAddress else { return true }
        while at < count {
            // The plain run up to the next backslash, copied whole (Windows paths and command
            // lines are long runs between a few `\\`; byte by byte, decoding was 3% of a run).
            guard content[at] == 0x5C else {
                let next = memchr(base + at, 0x5C, count - at).map { $0 - UnsafeMutableRawPointer(mutating: base) } ?? count
                out.append(contentsOf: UnsafeRawBufferPointer(start: base + at, count: next - at))
                at = next
                continue
            }
            guard at + 1 < count else { return false }
            let kind = content[at + 1]
            switch kind {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let escape = unicodeEscape(content, at) else { return false }
                at += escape.length
                let isLoneSurrogate = escape.scalar >= 0xD800 && escape.scalar <= 0xDFFF
                appendUTF8(isLoneSurrogate ? 0xFFFD : escape.scalar, to: &out)
                continue
            default:
                return false
            }
            at += 2
        }
        return true
    }

    /// The `\uXXXX` escape at `at` (its backslash), joined with a following low surrogate when it
    /// is a high one: the scalar and the bytes it spans (6 or 12). A lone surrogate is returned
    /// as is, for the caller to decide. Nil if the four hex digits are not there.
    static func unicodeEscape(_ raw: UnsafeRawBufferPointer, _ at: Int) -> (scalar: UInt32, length: Int)? {
        guard let unit = hex4(raw, at + 2) else { return nil }
        if unit >= 0xD800 && unit <= 0xDBFF, at + 7 < raw.count, raw[at + 6] == 0x5C, raw[at + 7] == 0x75,
           let low = hex4(raw, at + 8), low >= 0xDC00 && low <= 0xDFFF {
            return (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), 12)
        }
        return (unit, 6)
    }

    static func hex4(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        guard at + 3 < raw.count else { return nil }
        var value: UInt32 = 0
        for i in at..<(at + 4) {
            guard isHex(raw[i]) else { return nil }
            value = value << 4 | hexValue(raw[i])
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
