import Foundation
import Testing
@testable import TriplineCore

/// The time a match is scheduled by (its max_signals bucket), read from the extracted fields
/// before any alert is built: the rule's timestamp_override when the event has it, else @timestamp.
struct RuleEvaluatorTests {
    let rules = seedRules()

    func matchTimes(_ line: String) -> [Int64?] {
        var framer = LineFramer(source: "test")
        var outputs: [FramedOutput] = []
        var bytes = Array((line + "\n").utf8)
        bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
        outputs += framer.finish(.endOfFile)
        var extractor = Extractor(plan: rules.plan)
        var evaluator = RuleEvaluator(ruleSet: rules, defaultIndex: nil)
        var times: [Int64?] = []
        for case .batch(let batch) in outputs {
            let (extracted, _) = extractor.extract(batch)
            times += evaluator.evaluate(extracted, lines: [0]).map(\.eventTime)
        }
        return times
    }

    @Test func scheduleTimeFollowsTheOverrideThenTimestamp() throws {
        let sample = try String(contentsOf: packageRoot.appendingPathComponent("samples/seed-events.ndjson"), encoding: .isoLatin1)
        let hit = String(sample.split(separator: "\n")[0])  // the ES|QL seed's hit; the rule overrides with event.ingested
        #expect(!hit.contains("\"ingested\""))
        #expect(matchTimes(hit) == [Timestamp.milliseconds(iso8601: "2020-01-08T20:43:06.000Z")])
        let withIngested = hit.replacingOccurrences(of: #""action":"CreateAccessKey","#, with: #""action":"CreateAccessKey","ingested":"2023-03-20T16:04:12Z","#)
        #expect(matchTimes(withIngested) == [Timestamp.milliseconds(iso8601: "2023-03-20T16:04:12Z")])
        // Escaped, as a number, absent and null: decoded, epoch milliseconds, @timestamp, @timestamp.
        let escaped = hit.replacingOccurrences(of: #""action":"CreateAccessKey","#, with: #""action":"CreateAccessKey","ingested":"2023-03-20T16:04:12\u005a","#)
        #expect(matchTimes(escaped) == [Timestamp.milliseconds(iso8601: "2023-03-20T16:04:12Z")])
        let number = hit.replacingOccurrences(of: #""action":"CreateAccessKey","#, with: #""action":"CreateAccessKey","ingested":1679328252000,"#)
        #expect(matchTimes(number) == [1_679_328_252_000])
        let null = hit.replacingOccurrences(of: #""action":"CreateAccessKey","#, with: #""action":"CreateAccessKey","ingested":null,"#)
        #expect(matchTimes(null) == [Timestamp.milliseconds(iso8601: "2020-01-08T20:43:06.000Z")])
        let noTime = hit.replacingOccurrences(of: #""@timestamp":"2020-01-08T20:43:06.000Z","#, with: "")
        #expect(matchTimes(noTime) == [nil])
    }
}
