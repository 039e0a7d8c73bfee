import TriplineAVX2
#if canImport(Glibc)
import Glibc
#endif

/// Rewrites a raw JSON line so literals in `LiteralRequirement` form can be found in it: every
/// `\uXXXX` (surrogate pairs included) and `\/` is decoded, except that a decoded `"` or `\` is
/// written `\"` / `\\` and control characters keep their escape. Other escapes stay as they are.
///
/// Only lines holding `\u` or `\/` need it: without those, a string's raw bytes are already in
/// that form, which is what makes skipping a line without literal hits sound.
public enum EscapeNormalizer {
    /// The first `\u` or `\/` at or after `start`: AVX2 where the CPU has it, then the scalar twin.
    public static func firstEscape(in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        firstEscape(in: haystack, from: start, useAVX2: CPUFeatures.hasAVX2)
    }

    static func firstEscape(in haystack: UnsafeRawBufferPointer, from start: Int, useAVX2: Bool) -> Int? {
        var scanned = start
        if useAVX2 && EscapeScanAVX2.isCompiled {
            let result = EscapeScanAVX2.firstEscape(in: haystack, from: start)
            if let found = result.found { return found }
            scanned = result.scanned
        }
        guard haystack.count >= 2, scanned < haystack.count - 1 else { return nil }
        for position in scanned..<(haystack.count - 1) where haystack[position] == 0x5C {
            if haystack[position + 1] == 0x75 || haystack[position + 1] == 0x2F { return position }
        }
        return nil
    }

    public static func normalize(_ line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var at = 0
        let count = line.count
        guard let base = line.baseAddress else { return }
        while at < count {
            // Copy the run up to the next backslash in one go (memchr): most bytes are plain.
            guard let hit = memchr(base + at, 0x5C, count - at) else {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[at...]))
                return
            }
            let backslash = base.distance(to: UnsafeRawPointer(hit))
            if backslash > at { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[at..<backslash])) }
            at = backslash
            let byte = line[at]
            guard at + 1 < count else { out.append(byte); at += 1; continue }
            switch line[at + 1] {
            case 0x2F:
                out.append(0x2F)
                at += 2
            case 0x75:
                guard let (scalar, length) = JSONGrammar.unicodeEscape(line, at) else { out.append(byte); at += 1; continue }
                switch scalar {
                case 0..<0x20, 0x7F, 0xD800...0xDFFF:
                    // Control characters and lone surrogates: no literal holds them; keep the escape.
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[at..<(at + length)]))
                case 0x22, 0x5C:
                    out.append(0x5C)
                    out.append(UInt8(scalar))
                default:
                    JSONGrammar.appendUTF8(scalar, to: &out)
                }
                at += length
            default:
                // `\"`, `\\`, `\n`, ...: already the literal form; copy both bytes so a `\\` never
                // starts a second escape.
                out.append(byte)
                out.append(line[at + 1])
                at += 2
            }
        }
    }
}
