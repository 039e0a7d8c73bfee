import Testing
@testable import TriplineCore

@Suite struct JSONLineScannerTests {
    /// The decoded values of `path` in `line`, or the rejection reason.
    func values(_ line: String, _ path: String, also: [String] = []) -> Result<[String], JSONLineScanner.Rejection> {
        let plan = FieldPlan(paths: [path] + also)
        var scanner = JSONLineScanner(plan: plan)
        var found: [FieldValue] = []
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBytes { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            do throws(JSONLineScanner.Rejection) {
                try scanner.scan(raw, line: LineSpan(start: 0, length: UInt32(raw.count)), into: &found)
            } catch {
                return .failure(error)
            }
            return .success(found.filter { $0.field == 0 }.map { value in
                let slice = UnsafeRawBufferPointer(rebasing: raw[Int(value.start)..<(Int(value.start) + Int(value.length))])
                var decoded: [UInt8] = []
                _ = JSONGrammar.unescape(slice, into: &decoded)
                return String(decoding: decoded, as: UTF8.self)
            })
        }
    }

    @Test func nestedAndDottedKeysMeanTheSameField() throws {
        #expect(try values(#"{"a":{"b":{"c":"x"}}}"#, "a.b.c").get() == ["x"])
        #expect(try values(#"{"a.b.c":"x"}"#, "a.b.c").get() == ["x"])
        #expect(try values(#"{"a":{"b.c":"x"}}"#, "a.b.c").get() == ["x"])
        #expect(try values(#"{"a.b":{"c":"x"}}"#, "a.b.c").get() == ["x"])
        #expect(try values(#"{"a":{"bc":"no"},"ab":{"c":"no"}}"#, "a.b.c").get() == [])
    }

    @Test func arraysAreMultiValuedFieldsAndNullIsAbsent() throws {
        #expect(try values(#"{"p":{"args":["grep","-r",["x"]]}}"#, "p.args").get() == ["grep", "-r", "x"])
        #expect(try values(#"{"u":[{"n":"a"},{"n":"b"}]}"#, "u.n").get() == ["a", "b"])
        #expect(try values(#"{"u":{"n":null},"v":[]}"#, "u.n").get() == [])
    }

    @Test func escapesAreDecodedWhenCompared() throws {
        #expect(try values(#"{"k":"Create\u0041ccessKey"}"#, "k").get() == ["CreateAccessKey"])
        #expect(try values(#"{"k":"a\/b"}"#, "k").get() == ["a/b"])
        #expect(try values(#"{"k":"\ud83d\ude00"}"#, "k").get() == ["😀"])
        // An escaped key is the same key.
        #expect(try values(#"{"\u0065vent":{"action":"x"}}"#, "event.action").get() == ["x"])
    }

    @Test func numbersAndBooleansKeepTheirText() throws {
        #expect(try values(#"{"n":-1.5e3,"b":true}"#, "n").get() == ["-1.5e3"])
        #expect(try values(#"{"n":-1.5e3,"b":true}"#, "b").get() == ["true"])
    }

    func reason(_ line: String, _ path: String = "z.q") -> DeadLetter.Reason? {
        if case .failure(let rejection) = values(line, path) { return rejection.reason }
        return nil
    }

    @Test func badInputIsRejectedWithAReason() {
        #expect(reason(#"{"a":1"#) == .invalidJSON)
        #expect(reason(#"{"a":1} x"#) == .invalidJSON)
        #expect(reason(#"{"a":01}"#) == .invalidJSON)
        #expect(reason(#"{"a":"\x"}"#) == .invalidJSON)
        #expect(reason("{\"a\":\"\u{01}\"}") == .invalidJSON)
        #expect(reason("42") == .notAnObject)
        #expect(reason(#"{"a":1,"a":2}"#) == .duplicateKey)
        #expect(reason(#"{"x":{"a":1,"\u0061":2}}"#) == .duplicateKey)
        // Keys hashed 8 bytes at a time: long keys, equal once decoded, or differing in the tail.
        #expect(reason(#"{"abcdefghijkl":1,"abcdefgh\u0069jkl":2}"#) == .duplicateKey)
        #expect(reason(#"{"abcdefghij":1,"abcdefghik":2,"abcdefgh":3,"abcdefghijklmnopq":4}"#) == nil)
        #expect(reason(#"{"a":{"b":{"c":1}}}"#, "a.b") == .wrongType)
        #expect(reason(#"{"a":"scalar"}"#, "a.b") == .wrongType)
        #expect(reason(String(repeating: "{\"x\":", count: 300) + "1" + String(repeating: "}", count: 300)) == .tooDeep)
    }

    @Test func invalidUTF8IsRejected() {
        let plan = FieldPlan(paths: ["a"])
        var scanner = JSONLineScanner(plan: plan)
        var found: [FieldValue] = []
        for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xE0, 0x80, 0x80]] {
            var bytes = Array(#"{"a":""#.utf8) + bad + Array(#""}"#.utf8)
            let error: JSONLineScanner.Rejection? = bytes.withUnsafeMutableBytes { buffer in
                do throws(JSONLineScanner.Rejection) {
                    try scanner.scan(UnsafeRawBufferPointer(buffer), line: LineSpan(start: 0, length: UInt32(buffer.count)), into: &found)
                    return nil
                } catch { return error }
            }
            #expect(error?.reason == .invalidUTF8)
        }
    }
}

@Suite struct FieldPlanBoundaryTests {
    @Test func aKeyThatIsOnlyAPrefixOfANeededPathIsNotThatPath() throws {
        let t = JSONLineScannerTests()
        // "a" and "aws" are not steps towards "aws.x"; their scalar values are fine.
        #expect(try t.values(#"{"a":1,"aw":"x","aws":{"x":"hit"},"aws.xy":"no"}"#, "aws.x").get() == ["hit"])
    }
}

/// `JSONGrammar.stringEnd` reads 8 plain bytes at a time: against a byte-at-a-time reference,
/// a quote, backslash, control or non-ASCII byte at every offset and every string length.
struct StringEndTests {
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
}
