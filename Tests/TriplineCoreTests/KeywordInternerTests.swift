import Testing
@testable import TriplineCore

/// Keywords read through the interner are the values `typed` gives, whatever the cache holds:
/// the same bytes give the same value, other bytes (a hash collision, a slot taken over, a
/// prefix, a longer value) never a cached one.
@Suite struct KeywordInternerTests {
    @Test func internedKeywordsAreExactlyTheBytesRead() {
        var interner = KeywordInterner()
        var generator = SystemRandomNumberGenerator()
        // Far more distinct values than slots, so slots are taken over and hashes collide on the slot.
        let alphabet = Array("ab".utf8)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...(KeywordInterner.maxLength + 8), using: &generator)
            let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            let value = bytes.withUnsafeBytes { interner.keyword($0) }
            #expect(value == .keyword(bytes))
            // Read again: the same value (from the cache when it fits there).
            #expect(bytes.withUnsafeBytes { interner.keyword($0) } == .keyword(bytes))
        }
        // A prefix and an extension of a cached value are values of their own.
        let id = Array("4f1b0d6e-8f3a-4b51-9c2e-0a7d3e5b6c11".utf8)
        _ = id.withUnsafeBytes { interner.keyword($0) }
        #expect(Array(id.dropLast()).withUnsafeBytes { interner.keyword($0) } == .keyword(Array(id.dropLast())))
        #expect((id + [0x31]).withUnsafeBytes { interner.keyword($0) } == .keyword(id + [0x31]))
    }

    /// Field values read with and without the interner agree for every type, escapes, `ignore_above`
    /// and the lowercase normalizer included.
    @Test func typedReadsAgreeWithAndWithoutTheInterner() {
        let line = Array(#"{"a":"host-01","b":"C:\\Windows\\cmd.exe","c":443,"d":"CMD.EXE","e":"0123456789abcdef"}"#.utf8)
        let spans: [(FieldValue.Kind, String)] = [(.string, "host-01"), (.escapedString, #"C:\\Windows\\cmd.exe"#), (.number, "443"),
                                                  (.string, "CMD.EXE"), (.string, "0123456789abcdef")]
        let types: [FieldType] = [.keyword(ignoreAbove: nil), .keyword(ignoreAbove: 8), .keyword(ignoreAbove: nil, lowercase: true),
                                  .dynamic, .long, .ip, .date, .boolean]
        var interner = KeywordInterner()
        var scratch: [UInt8] = []
        line.withUnsafeBytes { raw in
            for (kind, text) in spans {
                let start = line.firstRange(of: Array(text.utf8))!.lowerBound
                let value = FieldValue(field: 0, kind: kind, start: UInt32(start), length: UInt32(text.utf8.count))
                for type in types {
                    let plain = value.typed(type, in: raw, scratch: &scratch)
                    #expect(value.typed(type, in: raw, scratch: &scratch, interner: &interner) == plain, "\(text) as \(type)")
                    #expect(value.typed(type, in: raw, scratch: &scratch, interner: &interner) == plain, "\(text) as \(type), again")
                }
            }
        }
    }
}
