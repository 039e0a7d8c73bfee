import Foundation
import Testing
@testable import TriplineCore

/// `JSONGrammar.stringEnd` reads 8 plain bytes at a time: against a byte-at-a-time reference,
/// a quote, backslash, control or non-ASCII byte at every offset and every string length.
struct JSONGrammarTests {
    /// The rules of a JSON string, one byte at a time (what the word-at-a-time loop must equal).
    static func reference(_ bytes: [UInt8]) -> (end: Int?, escaped: Bool) {
        var at = 1
        var escaped = false
        while at < bytes.count {
            let byte = bytes[at]
            if byte == 0x22 { return (at + 1, escaped) }
            if byte == 0x5C {
                escaped = true
                guard at + 1 < bytes.count else { return (nil, escaped) }
                if bytes[at + 1] == 0x75 {
                    guard at + 5 < bytes.count, bytes[(at + 2)...(at + 5)].allSatisfy({ JSONGrammar.isHex($0) }) else { return (nil, escaped) }
                    at += 6
                } else if [0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74].contains(bytes[at + 1]) {
                    at += 2
                } else {
                    return (nil, escaped)
                }
                continue
            }
            if byte < 0x20 { return (nil, escaped) }
            if byte < 0x80 { at += 1; continue }
            guard let width = bytes.withUnsafeBytes({ JSONGrammar.utf8SequenceWidth($0, at: at) }) else { return (nil, escaped) }
            at += width
        }
        return (nil, escaped)
    }

    @Test func wordAtATimeEqualsByteAtATime() {
        let specials: [[UInt8]] = [[0x22], [0x5C, 0x6E], [0x5C, 0x75, 0x30, 0x30, 0x34, 0x31], [0x5C, 0x78], [0x01], [0x7F],
                                   [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xC3], [0xFF], [0x5C]]
        for length in 0..<40 {
            for offset in 0...length {
                for special in specials {
                    var bytes: [UInt8] = [0x22] + [UInt8](repeating: 0x61, count: length)
                    bytes.insert(contentsOf: special, at: 1 + offset)
                    for closed in [true, false] {
                        let text = closed ? bytes + [0x22, 0x2C] : bytes
                        var escaped = false
                        var failure: JSONGrammar.Failure?
                        let end = text.withUnsafeBytes { JSONGrammar.stringEnd($0, openingQuote: 0, hasEscape: &escaped, failure: &failure) }
                        let expected = Self.reference(text)
                        #expect(end == expected.end, "length \(length) offset \(offset) special \(special) closed \(closed)")
                        if end != nil { #expect(escaped == expected.escaped) }
                    }
                }
            }
        }
    }

    /// `unescape` copies the plain runs between escapes whole: against Foundation's JSON reader,
    /// over random strings of runs, escapes, surrogate pairs and non-ASCII text, appended after
    /// what the buffer already holds; and a bad escape is refused.
    @Test func unescapeDecodesAsAJSONReaderDoes() throws {
        var random = SplitMix(seed: 42)
        let pieces = ["\\\\", "\\\"", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u0041", "\\u00e9", "\\ud83d\\ude00", "é", "日本"]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<random.next(upTo: 12) {
                if random.next(upTo: 2) == 0 {
                    text += String(repeating: "abcdefghijklmnopqrstuvwxyz0123456789 :.", count: 3).prefix(random.next(upTo: 90))
                } else {
                    text += pieces[random.next(upTo: pieces.count)]
                }
            }
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(("\"" + text + "\"").utf8), options: .fragmentsAllowed) as? String)
            var out: [UInt8] = [1, 2]
            let decoded = Array(text.utf8).withUnsafeBytes { JSONGrammar.unescape($0, into: &out) }
            #expect(decoded)
            #expect(out == [1, 2] + Array(expected.utf8), "\(text)")
        }
        for bad in ["a\\", "a\\x", "\\u12", "plain\\q run"] {
            var out: [UInt8] = []
            #expect(!Array(bad.utf8).withUnsafeBytes { JSONGrammar.unescape($0, into: &out) }, "\(bad)")
        }
    }

    /// `CaseFolding.fold(_:into:)` folds every byte as `foldASCII` does (ASCII letters only), and
    /// replaces what the buffer held.
    @Test func foldIntoFoldsEachByteAlone() {
        var random = SplitMix(seed: 7)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var out: [UInt8] = [0x41, 0x42, 0x43]
            bytes.withUnsafeBytes { CaseFolding.fold($0, into: &out) }
            #expect(out == bytes.map(CaseFolding.foldASCII))
        }
    }
}
