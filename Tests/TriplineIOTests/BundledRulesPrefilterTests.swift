import Foundation
import Testing
@testable import TriplineIO

/// The prefilter's differential test over the whole bundled rule set: on a corpus of Elastic
/// Defend events that hits many rules, with 40% of lines full of escapes, the prefilter changes
/// speed, never alerts, whether it searches every batch or backs off.
@Suite struct BundledRulesPrefilterTests {
    @Test func prefilterOnAndOffGiveTheSameAlertsWithEveryBundledRule() throws {
        let dir = temporaryDirectory()
        let corpus = dir + "/endpoint.ndjson"
        let generated = try run(packageRoot.appendingPathComponent("scripts/gen-corpus").path,
                                ["--size", "12M", "--seed", "11", "--mix", "endpoint", "--escapes", "stress", "--quiet", "--out", corpus])
        #expect(generated.status == 0, "\(generated.stderr)")
        // Lines of an index no rule reads: the only lines of this corpus the bundled rules leave
        // skippable, since the aggregating web-server rules read every nginx access line.
        let quiet = (0..<300).map { i in
            "{\"@timestamp\":\"2024-06-01T01:\(10 + i / 60):\(10 + i % 50).000Z\",\"data_stream\":{\"type\":\"traces\",\"dataset\":\"tripline.idle\",\"namespace\":\"quiet\"},\"note\":\"idle \(i)\"}\n"
        }.joined()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: corpus))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(quiet.utf8))
        try handle.close()
        func alerts(_ extra: [String]) throws -> (Set<String>, JSONValue) {
            let spool = dir + "/spool" + extra.joined()
            let result = try run(triplineBinary, ["replay", "--quiet", "--rules", packageRoot.appendingPathComponent("rules").path,
                                                  "--spool", spool, "--stats-json", spool + ".json"] + extra + [corpus])
            #expect(result.status == 0, "\(result.stderr)")
            var found = Set<String>()
            try SpoolReader.forEachLine(in: spool) { line in
                let alert = try JSONValue.parse(line)
                guard case .string(let rule)? = alert["kibana.alert.rule.rule_id"],
                      case .number(let offset)? = alert["tripline.source"]?["offset"] else { return }
                found.insert("\(rule)@\(offset)")
            }
            return (found, try stats(spool + ".json"))
        }
        // Every batch searched (by default the search backs off on these lines, nearly all of which
        // hold some rule's literal), so each line's candidate rules come from the search.
        let (on, onStats) = try alerts(["--prefilter-every-batch"])
        let (off, offStats) = try alerts(["--no-prefilter"])
        let (backingOff, backingOffStats) = try alerts(["--prefilter"])
        #expect(on == off)
        #expect(backingOff == off)
        #expect(on.symmetricDifference(off).isEmpty, "\(on.symmetricDifference(off).sorted().prefix(10))")
        let rules = Set(on.map { $0.split(separator: "@")[0] })
        #expect(on.count > 40 && rules.count > 15, "the corpus should hit many rules: \(on.count) alerts of \(rules.count) rules")
        #expect(integer(onStats["prefiltered"]) >= 300)
        #expect(integer(onStats["events"]) == integer(onStats["evaluated"]) + integer(onStats["rejected"]))
        #expect(integer(offStats["prefiltered"]) == 0)
        // Nearly every line holds some rule's literal: the search backs off, and says so.
        #expect(integer(backingOffStats["prefilter_unsearched_batches"]) > 0)
        #expect(integer(onStats["prefilter_unsearched_batches"]) == 0)
    }
}
