import Testing
@testable import TriplineCore

/// What the extractor rejects: the same lines whatever the rules read.
@Suite struct ExtractorTests {
    func reasons(_ lines: [String], plan: FieldPlan) -> [DeadLetter.Reason?] {
        var framer = LineFramer(source: "test")
        var outputs: [FramedOutput] = []
        var bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
        outputs += framer.finish(.endOfFile)
        var extractor = Extractor(plan: plan)
        var result: [DeadLetter.Reason?] = []
        for case .batch(let batch) in outputs {
            let (extracted, dead) = extractor.extract(batch)
            var letters = dead.makeIterator()
            for line in 0..<batch.lineCount { result.append(extracted.isValid[line] ? nil : letters.next()?.reason) }
        }
        return result
    }

    @Test func anUnparsableTimestampIsRejectedAsADataStreamWould() {
        let lines = [#"{"@timestamp":"2024-06-01T00:00:00Z"}"#, #"{"@timestamp":1717200000000}"#, #"{"@timestamp":"2024-06-01"}"#,
                     #"{"@timestamp":"yesterday"}"#, #"{"@timestamp":true}"#, #"{"@timestamp":["2024-06-01","later"]}"#,
                     #"{"@timestamp":"2024-06-0\u0031"}"#, #"{"a":1}"#]
        #expect(reasons(lines, plan: FieldPlan(paths: ["@timestamp"]))
                == [nil, nil, nil, .invalidTimestamp, .invalidTimestamp, .invalidTimestamp, nil, nil])
    }

    @Test func rejectionsDoNotDependOnTheFieldsRead() {
        let lines = [#"{"process":{"pid":{}}}"#, #"{"process":"x"}"#, #"{"process":{"pid":[1,{"a":2}]}}"#, #"{"process":{"pid":1"#]
        let withPid = reasons(lines, plan: FieldPlan(paths: ["process.pid", "@timestamp"]))
        let without = reasons(lines, plan: FieldPlan(paths: ["user.name", "@timestamp"]))
        #expect(withPid == without)
        #expect(withPid == [nil, nil, nil, .invalidJSON])
    }

    /// A searched batch that skips hardly any line did not pay for the search: the next batches are
    /// extracted unsearched, as with --no-prefilter, for a back-off that grows fourfold (1, 4,
    /// 16, ... batches), and searching resumes batch after batch once a searched one skips lines again.
    @Test func theLiteralSearchBacksOffWhileItSkipsNothing() {
        let rules = seedRules()
        var extractor = Extractor(plan: rules.plan, prefilter: LiteralPrefilter(rules: rules.rules))
        let holdsLiteral = #"{"@timestamp":"2024-06-01T00:00:00Z","event":{"action":"CreateAccessKey"},"data_stream":{"dataset":"aws.cloudtrail"}}"#
        let holdsNone = #"{"@timestamp":"2024-06-01T00:00:00Z","event":{"action":"ListUsers"},"data_stream":{"dataset":"aws.cloudtrail"}}"#
        /// Whether the batch was searched, and the lines it skipped (each still extracted or validated).
        func extract(_ line: String) -> (searched: Bool, skipped: Int) {
            var framer = LineFramer(source: "test")
            var bytes = Array((line + "\n").utf8)
            var outputs = bytes.withUnsafeMutableBytes { framer.append(UnsafeRawBufferPointer($0)) }
            outputs += framer.finish(.endOfFile)
            guard case .batch(let batch)? = outputs.first else { Issue.record("no batch"); return (false, 0) }
            let (extracted, dead) = extractor.extract(batch)
            #expect(dead.isEmpty)
            #expect(extracted.isValid[0] == (extracted.prefiltered == 0))
            #expect(extracted.unsearched == (extracted.candidates == nil))
            return (extracted.candidates != nil, extracted.prefiltered)
        }
        let backingOff = (0..<25).map { _ in extract(holdsLiteral) }
        #expect(backingOff.indices.filter { backingOff[$0].searched } == [0, 2, 7, 24])
        #expect(backingOff.allSatisfy { $0.skipped == 0 })
        // The back-off is 64 batches now: lines the search would skip are extracted meanwhile.
        let waiting = (0..<64).map { _ in extract(holdsNone) }
        #expect(waiting.allSatisfy { !$0.searched && $0.skipped == 0 })
        let resumed = (0..<3).map { _ in extract(holdsNone) }
        #expect(resumed.allSatisfy { $0.searched && $0.skipped == 1 })
    }
}
