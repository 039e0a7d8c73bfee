import Foundation
import Testing
@testable import TriplineCore

/// Strings are written as RFC 8259 JSON whatever their contents, whether the writer copies
/// clean runs whole (contiguous text) or escapes byte by byte (any other sequence).
@Suite struct JSONWriterTests {
    static let samples = [
        "", "plain", "quote \" inside", "back\\slash", "\"\\\"", "line\nfeed\r\ttab", "\u{01}\u{1F}\u{7F}",
        "zoë.müller ☃ 𝄞", String(repeating: "a", count: 40) + "\"" + String(repeating: "b", count: 40), "\u{00}end",
    ]

    @Test(arguments: samples)
    func stringsRoundTripThroughAStrictParser(text: String) throws {
        var contiguous = JSONWriter()
        contiguous.beginObject()
        contiguous.key(text)
        contiguous.string(text)
        contiguous.endObject()
        // A lazy sequence has no contiguous storage: the byte-by-byte path.
        var bytewise = JSONWriter()
        bytewise.beginObject()
        bytewise.key(text)
        bytewise.string(utf8: text.utf8.lazy.map { $0 })
        bytewise.endObject()
        #expect(contiguous.bytes == bytewise.bytes)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(contiguous.bytes)) as? [String: String])
        #expect(parsed == [text: text])
        #expect(!contiguous.bytes.contains { $0 < 0x20 }, "control characters are escaped")
    }

    @Test func controlCharactersUseTheShortFormsOrHex() {
        var out = JSONWriter()
        out.string("\n\r\t\u{01}\u{1F}\"\\")
        #expect(String(decoding: out.bytes, as: UTF8.self) == #""\n\r\t\u0001\u001f\"\\""#)
    }
}
