import Foundation
import Testing
@testable import TriplineCore

/// Every line is validated, the prefilter on or off: bad lines of every kind mixed into a
/// generated corpus are each found in the dead-letter file, at their offset, with their reason.
@Suite(.serialized) struct ValidationTests {
    /// A bad line and the reason the scanner gives it. Half hold a seed rule's literal, so both
    /// the lines the prefilter skips and those it passes are covered.
    static let badLines: [(line: [UInt8], reason: DeadLetter.Reason)] = {
        let literal = #""aws_access_key_id""#
        var lines: [(String, DeadLetter.Reason)] = [
            (#"{"event":{"action":"x"},"user":{"name":"alice""#, .invalidJSON),  // truncated
            (#"{"event":{"action":"x"}}}"#, .invalidJSON),
            (#"{"a":1,}"#, .invalidJSON),
            (#"{"a":[1,2,]}"#, .invalidJSON),
            (#"{"a":NaN}"#, .invalidJSON),
            (#"{"a":01}"#, .invalidJSON),
            (#"{"a":"\q"}"#, .invalidJSON),
            (#"{"a":"\u00g1"}"#, .invalidJSON),
            (#"{'a':1}"#, .invalidJSON),
            (#"{"a" 1}"#, .invalidJSON),
            (#"{"a":1}{"b":2}"#, .invalidJSON),
            (#"{"a":tru}"#, .invalidJSON),
            (#""just a string""#, .notAnObject),
            (#"[{"a":1}]"#, .notAnObject),
            ("garbage !@#$", .notAnObject),
            ("42", .notAnObject),
            (#"{"a":1,"a":2}"#, .duplicateKey),
            (#"{"user":{"name":"x","id":1,"name":"y"}}"#, .duplicateKey),
            (#"{"@timestamp":"last tuesday","a":1}"#, .invalidTimestamp),
            (#"{"@timestamp":false}"#, .invalidTimestamp),
            (String(repeating: "[", count: 300) + String(repeating: "]", count: 300), .notAnObject),
            (#"{"a":"# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}", .tooDeep),
            (#"{"a":"# + String(repeating: #"{"b":"#, count: 300) + "1" + String(repeating: "}", count: 300) + "}", .tooDeep),
        ]
        lines += lines.map { line, reason in
            // The same fault in a line that holds a seed literal (reaches the rules' own parse).
            guard line.hasPrefix("{") && reason != .notAnObject else { return (line, reason) }
            return ("{" + literal + #":"v","# + line.dropFirst(), reason)
        }
        var bytes = lines.map { (Array($0.0.utf8), $0.1) }
        // Invalid UTF-8: a lone continuation byte, a cut sequence, a surrogate, an overlong form.
        for bad: [UInt8] in [[0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            bytes.append((Array(#"{"message":"caf"#.utf8) + bad + Array(#"","a":1}"#.utf8), .invalidUTF8))
            bytes.append((Array(#"{"#.utf8) + Array(literal.utf8) + Array(#":"caf"#.utf8) + bad + Array(#""}"#.utf8), .invalidUTF8))
        }
        // A control character in a string.
        bytes.append((Array(#"{"a":"x"#.utf8) + [0x01] + Array(#""}"#.utf8), .invalidJSON))
        return bytes
    }()

    /// A generated corpus with the bad lines spread through it; returns the file and, per bad
    /// line, its byte offset and reason.
    static func corpusWithBadLines(_ dir: String) throws -> (file: String, expected: [UInt64: DeadLetter.Reason], lines: Int) {
        let generated = dir + "/generated.ndjson"
        let result = try run(packageRoot.appendingPathComponent("scripts/gen-corpus").path,
                             ["--size", "3M", "--seed", "5", "--out", generated])
        precondition(result.status == 0, result.stderr)
        let good = try Data(contentsOf: URL(fileURLWithPath: generated)).split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        var out: [UInt8] = []
        var expected: [UInt64: DeadLetter.Reason] = [:]
        var lines = 0
        let stride = good.count / (badLines.count + 1)
        var bad = badLines.makeIterator()
        for (index, line) in good.enumerated() {
            if index % stride == stride / 2, let (badLine, reason) = bad.next() {
                expected[UInt64(out.count)] = reason
                out += badLine + [0x0A]
                lines += 1
            }
            out += Array(line) + [0x0A]
            lines += 1
        }
        let file = dir + "/mixed.ndjson"
        try Data(out).write(to: URL(fileURLWithPath: file))
        return (file, expected, lines)
    }

    func deadLetters(_ file: String) throws -> [UInt64: String] {
        var letters: [UInt64: String] = [:]
        for line in try Data(contentsOf: URL(fileURLWithPath: file)).split(separator: 0x0A) {
            let record = try JSONValue.parse(Array(line))
            if case .string(let reason)? = record["reason"] { letters[UInt64(integer(record["offset"]))] = reason }
        }
        return letters
    }

    func replay(_ file: String, _ dir: String, _ flags: [String]) throws -> (letters: [UInt64: String], stats: JSONValue) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--spool", dir + "/spool", "--dead-letter", dir + "/dead.ndjson",
                                              "--stats-json", dir + "/stats.json"] + flags + [file])
        #expect(result.status == 0, "\(result.stderr)")
        return (try deadLetters(dir + "/dead.ndjson"), try stats(dir + "/stats.json"))
    }

    @Test func everyBadLineIsADeadLetterWithItsReasonWithThePrefilterOn() throws {
        let dir = temporaryDirectory()
        let corpus = try Self.corpusWithBadLines(dir)
        #expect(corpus.expected.count == Self.badLines.count)
        let on = try replay(corpus.file, dir + "/on", [])
        for (offset, reason) in corpus.expected {
            #expect(on.letters[offset] == reason.rawValue, "bad line at byte \(offset): \(on.letters[offset] ?? "not a dead letter")")
        }
        #expect(integer(on.stats["events"]) == corpus.lines)
        #expect(integer(on.stats["events"]) == integer(on.stats["evaluated"]) + integer(on.stats["rejected"]))
        #expect(integer(on.stats["prefiltered"]) > corpus.lines / 2, "most lines hold no seed literal and are skipped")

        // The same dead letters as without the prefilter, and no others.
        let off = try replay(corpus.file, dir + "/off", ["--no-prefilter"])
        #expect(on.letters == off.letters)
        #expect(on.letters.count == corpus.expected.count)

        // Without validation of skipped lines most bad lines go unreported: what this test guards.
        let unchecked = try replay(corpus.file, dir + "/unchecked", ["--no-validate"])
        #expect(unchecked.letters.count < corpus.expected.count)
    }
}
