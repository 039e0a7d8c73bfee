import Foundation
import Testing
@testable import TriplineCore

/// The line validator against an independent one, Python's strict JSON reader
/// (scripts/strict-json-verdicts), over generated lines and damaged copies of them: with the
/// prefilter on (most lines skipped, so checked by the SIMD validator) Tripline rejects exactly
/// the lines Python refuses.
@Suite(.serialized) struct ValidationDifferentialTests {

    static let special: [UInt8] = Array(#"{}[]:,"\ 0123456789.-+eEtrufalsn/u"#.utf8) + [0x09, 0x0D, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]

    /// Damages a line one to three times, never inside its @timestamp value (whose date syntax the
    /// Python side does not check).
    static func damage(_ line: [UInt8], using random: inout SplitMix) -> [UInt8] {
        var line = line
        var protected = timestampValue(line)
        for _ in 0..<Int.random(in: 1...3, using: &random) where line.count > 2 {
            var at = Int.random(in: 0..<line.count, using: &random)
            if protected.contains(at) { at = protected.upperBound < line.count ? protected.upperBound : 0 }
            switch Int.random(in: 0..<7, using: &random) {
            case 0: line[at] = special.randomElement(using: &random)!
            case 1: line.remove(at: at)
            case 2: line.insert(special.randomElement(using: &random)!, at: at)
            case 3: if at > protected.upperBound || protected.isEmpty { line.removeSubrange(at...) }
            case 4:
                // A key written twice: the first member again, right after the brace.
                if let colon = line.firstIndex(of: 0x3A), let comma = line[colon...].firstIndex(of: 0x2C), line.first == 0x7B {
                    line.insert(contentsOf: line[1...comma], at: 1)
                }
            case 5:
                // Spaces between tokens (the validator's token walk instead of its compact check).
                if line[at] == 0x3A || line[at] == 0x2C { line.insert(0x20, at: at + 1) }
            default:
                // Non-ASCII text in a string.
                if line[at] == 0x22 && at > 0 && line[at - 1] != 0x5C { line.insert(contentsOf: Array("é中😀".utf8), at: at) }
            }
            protected = timestampValue(line)
        }
        return line.map { $0 == 0x0A ? UInt8(ascii: "x") : $0 }
    }

    /// The bytes of the top-level @timestamp's string value, compact or spaced (empty if none).
    static func timestampValue(_ line: [UInt8]) -> Range<Int> {
        guard let key = line.firstRange(of: Array(#""@timestamp""#.utf8))?.upperBound,
              let colon = line[key...].firstIndex(of: 0x3A), let open = line[(colon + 1)...].firstIndex(of: 0x22),
              let close = line[(open + 1)...].firstIndex(of: 0x22) else { return 0..<0 }
        return key..<(close + 1)
    }

    @Test func triplineRejectsExactlyWhatPythonsStrictReaderRefuses() throws {
        let dir = temporaryDirectory()
        var lines: [[UInt8]] = []
        for (mix, seed) in [("seed", "21"), ("wide", "22")] {
            let file = dir + "/\(mix).ndjson"
            let generated = try run(packageRoot.appendingPathComponent("scripts/gen-corpus").path,
                                    ["--size", "2M", "--seed", seed, "--mix", mix, "--escapes", "realistic", "--out", file])
            #expect(generated.status == 0, "\(generated.stderr)")
            lines += try Data(contentsOf: URL(fileURLWithPath: file)).split(separator: 0x0A).map(Array.init)
        }
        var random = SplitMix(state: 42)
        var mixed: [UInt8] = []
        var offsets: [UInt64] = []
        for line in lines {
            for copy in 0..<3 {
                let written = copy == 0 ? line : Self.damage(line, using: &random)
                guard !written.isEmpty else { continue }
                offsets.append(UInt64(mixed.count))
                mixed += written + [0x0A]
            }
        }
        let file = dir + "/mixed.ndjson"
        try Data(mixed).write(to: URL(fileURLWithPath: file))

        let python = try run(packageRoot.appendingPathComponent("scripts/strict-json-verdicts").path, [file])
        #expect(python.status == 0, "\(python.stderr)")
        let verdicts = String(decoding: python.stdout, as: UTF8.self).split(separator: "\n")
        #expect(verdicts.count == offsets.count)

        let replay = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--spool", dir + "/spool",
                                              "--dead-letter", dir + "/dead.ndjson", "--stats-json", dir + "/stats.json", file])
        #expect(replay.status == 0, "\(replay.stderr)")
        var rejected: [UInt64: String] = [:]
        for letter in try Data(contentsOf: URL(fileURLWithPath: dir + "/dead.ndjson")).split(separator: 0x0A) {
            let record = try JSONValue.parse(Array(letter))
            if case .string(let reason)? = record["reason"] { rejected[UInt64(integer(record["offset"]))] = reason }
        }
        var disagreements: [String] = []
        var invalid = 0
        for (index, offset) in offsets.enumerated() where index < verdicts.count {
            let pythonValid = verdicts[index] == "valid"
            if !pythonValid { invalid += 1 }
            if pythonValid == (rejected[offset] == nil) { continue }
            let end = mixed[Int(offset)...].firstIndex(of: 0x0A)!
            disagreements.append("python: \(verdicts[index]), tripline: \(rejected[offset] ?? "accepted"): "
                                 + String(decoding: mixed[Int(offset)..<end].prefix(300), as: UTF8.self))
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, e.g.\n\(disagreements.prefix(5).joined(separator: "\n"))")
        let summary = try stats(dir + "/stats.json")
        #expect(integer(summary["prefiltered"]) > offsets.count / 2, "most lines are skipped, so checked by the validator")
        #expect(invalid > offsets.count / 4 && invalid < offsets.count * 3 / 4, "\(invalid) of \(offsets.count) refused")
    }
}
