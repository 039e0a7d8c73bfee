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
        #expect(try values(#"{"event\u002eaction":"y"}"#, "event.action").get() == ["y"])
        #expect(try values(#"{"event":{"\u0061ction":"z"}}"#, "event.action").get() == ["z"])
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
        // Many keys in one object (past the 64-bit filter of seen hashes), a duplicate far apart.
        let many = (0..<150).map { #""key\#($0)":\#($0)"# }.joined(separator: ",")
        #expect(reason("{" + many + "}") == nil)
        #expect(reason("{" + many + #","key3":0}"#) == .duplicateKey)
        #expect(reason(#"{"outer":{"# + many + #"},"key3":1}"#) == nil, "keys of an inner object are its own")
        // A needed field holding an object, or a scalar where a needed object stands, is absent
        // (ignore_malformed), never a rejection: which lines are rejected never depends on the rules.
        #expect(reason(#"{"a":{"b":{"c":1}}}"#, "a.b") == nil)
        #expect(reason(#"{"a":"scalar"}"#, "a.b") == nil)
        #expect((try? values(#"{"a":{"b":{"c":1}},"x":{"a":{"b":2}}}"#, "a.b").get()) == [])
        #expect(reason(String(repeating: "{\"x\":", count: 300) + "1" + String(repeating: "}", count: 300)) == .tooDeep)
    }

    /// An object of many keys is checked for duplicates through a hash table (`WideObjectKeys`),
    /// one probe per key: searching every earlier key made a 1 MB line of 90,000 keys cost 3.5 s.
    @Test func wideObjectsAreCheckedForDuplicatesInLinearTime() {
        func scan(_ line: String) -> (JSONLineScanner.Rejection?, visited: Int) {
            var scanner = JSONLineScanner(plan: FieldPlan(paths: ["k1"]))
            var found: [FieldValue] = []
            var bytes = Array(line.utf8)
            let rejection = bytes.withUnsafeMutableBytes { buffer -> JSONLineScanner.Rejection? in
                do throws(JSONLineScanner.Rejection) {
                    try scanner.scan(UnsafeRawBufferPointer(buffer), line: LineSpan(start: 0, length: UInt32(buffer.count)), into: &found)
                } catch { return error }
                return nil
            }
            return (rejection, scanner.keysVisited)
        }
        let count = 20_000
        let keys = (0..<count).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let distinct = scan("{" + keys + "}")
        #expect(distinct.0 == nil)
        #expect(distinct.visited < 3 * count, "\(distinct.visited) keys visited for \(count) keys")
        // A duplicate far from its twin, one just past the threshold, one written with an escape.
        #expect(scan("{" + keys + #","k17":0}"#).0?.detail == #"duplicate key "k17""#)
        let threshold = JSONLineScanner.wideObjectKeys
        let justWide = (0..<threshold).map { #""k\#($0)":0"# }.joined(separator: ",")
        #expect(scan("{" + justWide + #","k5":1}"#).0?.reason == .duplicateKey)
        #expect(scan("{" + justWide + #","x":1,"k1":1}"#).0?.reason == .duplicateKey)
        // Wide objects nested in wide objects, and side by side, each hold only their own keys.
        #expect(scan("{" + justWide + #","inner":{"# + keys + #"},"next":{"# + keys + "}}").0 == nil)
        #expect(scan("{" + justWide + #","inner":{"# + keys + #","k9":1}}"#).0?.reason == .duplicateKey)
        // The table is per line: the next line's keys meet none of the previous line's.
        var scanner = JSONLineScanner(plan: FieldPlan(paths: ["k1"]))
        var found: [FieldValue] = []
        for _ in 0..<3 {
            var bytes = Array(("{" + keys + "}").utf8)
            let refused = bytes.withUnsafeMutableBytes { buffer -> Bool in
                do throws(JSONLineScanner.Rejection) {
                    try scanner.scan(UnsafeRawBufferPointer(buffer), line: LineSpan(start: 0, length: UInt32(buffer.count)), into: &found)
                } catch { return true }
                return false
            }
            #expect(!refused)
        }
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
