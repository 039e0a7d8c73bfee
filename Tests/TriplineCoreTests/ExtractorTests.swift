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
}
