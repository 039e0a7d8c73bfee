import Foundation
import Testing
@testable import TriplineCore

/// EQL sequences and samples as Elasticsearch defines them (`SequenceMatcher`, `TumblingWindow`,
/// `SampleIterator`), each behaviour pinned on a few events through the query path.
@Suite struct SequenceSemanticsTests {
    /// An event: `id`, seconds after 2024-01-01T00:00:00Z (fractions are milliseconds), its
    /// category and host, and more fields as JSON members.
    static func event(_ id: String, _ seconds: Double, _ category: String, host: String? = "h1", _ extra: String = "") -> String {
        let milliseconds = Int64(1_704_067_200_000) + Int64((seconds * 1000).rounded())
        var members = ["\"@timestamp\":\(milliseconds)", "\"id\":\"\(id)\"", "\"event\":{\"category\":\"\(category)\"}"]
        if let host { members.append("\"host\":{\"id\":\"\(host)\"}") }
        if !extra.isEmpty { members.append(extra) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The ids of each sequence the query finds, and their join keys.
    static func sequences(_ query: String, _ events: [String]) throws -> [[String]] {
        var options = Hunt.Options()
        options.size = 1000
        var hunt = try Hunt(eql: query, options: options)
        let bytes = Array(events.joined(separator: "\n").utf8)
        var spans: [LineSpan] = []
        var start = 0
        for event in events {
            spans.append(LineSpan(start: UInt32(start), length: UInt32(event.utf8.count)))
            start += event.utf8.count + 1
        }
        hunt.consume(Batch(source: "test", baseOffset: 0, bytes: bytes, lines: spans))
        return try hunt.sequences().map { sequence in
            try sequence.events.map { event in
                guard case .string(let id)? = try JSONValue.parse(event.line)["id"] else { return "?" }
                return id
            }
        }
    }

    @Test func theMostRecentPartialSequenceReplacesTheOlder() throws {
        let events = [Self.event("p1", 1, "process"), Self.event("p2", 2, "process"), Self.event("f1", 3, "file")]
        #expect(try Self.sequences("sequence by host.id [process where true] [file where true]", events) == [["p2", "f1"]])
    }

    @Test func eachStepTakesALaterEventAndEventsArriveInTimeOrder() throws {
        // Listed out of order: the file event is earliest, so no process precedes it.
        let events = [Self.event("p1", 5, "process"), Self.event("f1", 1, "file"), Self.event("f2", 6, "file")]
        #expect(try Self.sequences("sequence by host.id [process where true] [file where true]", events) == [["p1", "f2"]])
    }

    @Test func maxspanIsMeasuredFromTheFirstEventInclusive() throws {
        let query = "sequence by host.id with maxspan=5s [process where true] [file where true] [file where true]"
        #expect(try Self.sequences(query, [Self.event("p", 0, "process"), Self.event("f1", 2, "file"), Self.event("f2", 5, "file")]) == [["p", "f1", "f2"]])
        #expect(try Self.sequences(query, [Self.event("p", 0, "process"), Self.event("f1", 2, "file"), Self.event("f2", 5.001, "file")]) == [])
    }

    @Test func untilKillsOnlyItsOwnKeysSequencesThatItFallsInside() throws {
        let query = "sequence by host.id [process where true] [file where true] until [network where true]"
        #expect(try Self.sequences(query, [Self.event("p", 1, "process"), Self.event("n", 2, "network"), Self.event("f", 3, "file")]) == [])
        #expect(try Self.sequences(query, [Self.event("p", 1, "process"), Self.event("n", 2, "network", host: "h2"), Self.event("f", 3, "file")]) == [["p", "f"]])
        // An until before the sequence starts does not touch it.
        #expect(try Self.sequences(query, [Self.event("n", 1, "network"), Self.event("p", 2, "process"), Self.event("f", 3, "file")]) == [["p", "f"]])
    }

    @Test func anUntilEventThatAlsoMeetsAStepAdvancesTheSequenceThenEndsIt() throws {
        // ES's `between` is inclusive: the until marker at the step's own place kills what it advanced.
        let query = "sequence by host.id [process where true] [file where true] [file where true] until [file where id == \"f1\"]"
        let events = [Self.event("p", 1, "process"), Self.event("f1", 2, "file"), Self.event("f2", 3, "file")]
        #expect(try Self.sequences(query, events) == [])
    }

    @Test func aNullJoinKeyJoinsNothingUnlessTheKeyIsOptional() throws {
        let events = [Self.event("p", 1, "process", host: nil), Self.event("f", 2, "file", host: nil)]
        #expect(try Self.sequences("sequence by host.id [process where true] [file where true]", events) == [])
        #expect(try Self.sequences("sequence by ?host.id [process where true] [file where true]", events) == [["p", "f"]])
    }

    @Test func eachValueOfAMultiValuedKeyJoinsOnItsOwn() throws {
        let events = [Self.event("p", 1, "process", host: nil, "\"host\":{\"id\":[\"h1\",\"h2\"]}"), Self.event("f", 2, "file", host: "h2")]
        var options = Hunt.Options()
        options.size = 10
        #expect(try Self.sequences("sequence by host.id [process where true] [file where true]", events) == [["p", "f"]])
    }

    @Test func perStepKeysJoinDifferentFieldsOnOneValue() throws {
        let events = [Self.event("p", 1, "process", "\"process\":{\"entity_id\":\"E1\"}"),
                      Self.event("f", 2, "file", "\"process\":{\"parent\":{\"entity_id\":\"E1\"}}"),
                      Self.event("g", 3, "file", "\"process\":{\"parent\":{\"entity_id\":\"E2\"}}")]
        let query = "sequence [process where true] by process.entity_id [file where true] by process.parent.entity_id"
        #expect(try Self.sequences(query, events) == [["p", "f"]])
    }

    @Test func runsRepeatAStep() throws {
        let events = [Self.event("p1", 1, "process"), Self.event("p2", 2, "process"), Self.event("f", 3, "file")]
        #expect(try Self.sequences("sequence by host.id [process where true] with runs=2 [file where true]", events) == [["p1", "p2", "f"]])
        #expect(try Self.sequences("sequence by host.id [process where true] with runs=3 [file where true]", events) == [])
    }

    @Test func aRepeatedStepIsTestedOnceAndStillJoinsByItsOwnKeys() throws {
        let rules = try eqlRule("sequence by host.id [process where true] with runs=3 [file where true] [process where true]")
        guard case .sequence(let plan) = rules.rules[0].output else { Issue.record("not a sequence"); return }
        #expect(plan.sameCondition == [0, 0, 0, 3, 0])
        // One verdict for both steps, each still joining by its own key field.
        let events = [Self.event("p1", 1, "process", "\"process\":{\"pid\":5}"), Self.event("p2", 2, "process", "\"process\":{\"parent\":{\"pid\":5}}"),
                      Self.event("p3", 3, "process", "\"process\":{\"parent\":{\"pid\":6}}")]
        #expect(try Self.sequences("sequence [process where true] by process.pid [process where true] by process.parent.pid", events) == [["p1", "p2"]])
    }

    @Test func aMissingStepBetweenTwoStepsMustNotFallStrictlyBetweenTheirTimes() throws {
        let query = "sequence by host.id with maxspan=1m [process where true] ![network where true] [file where true]"
        #expect(try Self.sequences(query, [Self.event("p", 1, "process"), Self.event("n", 2, "network"), Self.event("f", 3, "file")]) == [])
        #expect(try Self.sequences(query, [Self.event("p", 1, "process"), Self.event("f", 3, "file"), Self.event("n", 4, "network")]) == [["p", "f"]])
        // Elasticsearch queries the gap by millisecond timestamps, both ends excluded.
        #expect(try Self.sequences(query, [Self.event("p", 1, "process"), Self.event("n", 1, "network"), Self.event("f", 3, "file")]) == [["p", "f"]])
        #expect(try Self.sequences(query, [Self.event("p", 1, "process"), Self.event("n", 2, "network", host: "h2"), Self.event("f", 3, "file")]) == [["p", "f"]])
    }

    @Test func aTrailingMissingStepBlocksWithinMaxspanOfTheFirstEvent() throws {
        let query = "sequence by host.id with maxspan=10s [process where true] ![file where true]"
        #expect(try Self.sequences(query, [Self.event("p", 0, "process"), Self.event("f", 10, "file")]) == [])
        #expect(try Self.sequences(query, [Self.event("p", 0, "process"), Self.event("f", 10.001, "file")]) == [["p"]])
        #expect(try Self.sequences(query, [Self.event("p", 0, "process")]) == [["p"]])
    }

    @Test func aLeadingMissingStepMustLieMoreThanMaxspanBeforeTheLastEvent() throws {
        let query = "sequence by host.id with maxspan=10s ![network where true] [process where true] [file where true]"
        #expect(try Self.sequences(query, [Self.event("n", 0, "network"), Self.event("p", 5, "process"), Self.event("f", 6, "file")]) == [])
        #expect(try Self.sequences(query, [Self.event("n", 0, "network"), Self.event("p", 9, "process"), Self.event("f", 10.5, "file")]) == [["p", "f"]])
    }

    @Test func missingStepsAtTheEdgesNeedMaxspan() {
        #expect(throws: RuleError.self) { try Hunt(eql: "sequence by host.id [process where true] ![file where true]", options: Hunt.Options()) }
    }

    @Test func aSampleTakesOneDistinctEventPerFilterInAnyOrder() throws {
        let events = [Self.event("f", 1, "file"), Self.event("p", 2, "process"), Self.event("q", 3, "process", host: "h2")]
        #expect(try Self.sequences("sample by host.id [process where true] [file where true]", events) == [["p", "f"]])
        // One event meeting both filters cannot fill both.
        let both = [Self.event("x", 1, "process", "\"tag\":\"t\"")]
        #expect(try Self.sequences("sample by host.id [any where tag == \"t\"] [process where true]", both) == [])
    }

    /// An event only a missing step meets is never in an alert: the worker sends its time and
    /// place, not a copy of its line; an event another rule shows in its alerts keeps its line.
    @Test func anEventOnlyAMissingStepMeetsIsHeldWithoutItsLine() throws {
        let rules = RuleSet(definitions: [
            try eqlDefinition(id: "missing", "sequence by host.id with maxspan=1m [process where true] ![file where true]"),
            try eqlDefinition(id: "shown", "sequence by host.id [file where true] [process where true]"),
        ], types: .bundled)
        #expect(rules.errors.isEmpty)
        let file = #"{"_index":"logs-test-default","@timestamp":"2024-01-01T00:00:01Z","event":{"category":"file"},"host":{"id":"h1"}}"#
        var framer = LineFramer(source: "test")
        var bytes = Array((file + "\n").utf8)
        var outputs = bytes.withUnsafeMutableBytes { framer.append(UnsafeRawBufferPointer($0)) }
        outputs += framer.finish(.endOfFile)
        var extractor = Extractor(plan: rules.plan, prefilter: nil)
        var evaluator = RuleEvaluator(ruleSet: rules, defaultIndex: nil, prefilter: nil)
        for case .batch(let batch) in outputs {
            let (extracted, _) = extractor.extract(batch)
            _ = evaluator.evaluate(extracted, lines: [0])
        }
        let byRule = Dictionary(uniqueKeysWithValues: evaluator.stepMatches.map { (rules.rules[$0.rule].ruleID, $0.event) })
        #expect(byRule.count == 2)
        #expect(byRule["missing"]?.hasLine == false)
        #expect(byRule["shown"].map { String(decoding: $0.line, as: UTF8.self) } == file)
        #expect(byRule["missing"]?.order == byRule["shown"]?.order)
    }

    /// A multi-valued join key joins under each of its distinct values, as Elasticsearch does,
    /// up to `maxJoinKeysPerEvent` keys per event: each is a step match of its own, and three
    /// lists of 300 values under three `by` fields (27 million keys) stalled replay past 100 s.
    @Test func joinKeysOfMultiValuedFieldsAreCappedPerEvent() throws {
        let rules = try eqlRule("sequence by host.id, user.id [process where true] [file where true]")
        let list = "[" + (0..<40).map(String.init).joined(separator: ",") + "]"
        let lines = [#"{"_index":"logs-test-default","@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"host":{"id":\#(list)},"user":{"id":\#(list)}}"#,
                     #"{"_index":"logs-test-default","@timestamp":"2024-01-01T00:00:02Z","event":{"category":"process"},"host":{"id":["a","a","b"]},"user":{"id":"u"}}"#]
        var keys: [Int] = []
        let evaluator = evaluateEachLine(lines, with: rules) { _, _, evaluator in keys.append(evaluator.stepMatches.count) }
        // 40 x 40 = 1,600 combinations, cut at the cap; the second event's repeated "a" counts once.
        #expect(keys == [PredicateEvaluator.maxJoinKeysPerEvent, 2])
        #expect(evaluator.esqlWarnings.eventsOverRowCap == 1)
    }

    @Test func theCorrelatorSettlesOrderWithinTheLatenessAndCountsLaterEvents() throws {
        var compiler = RuleCompiler()
        let definition = RuleDefinition.forTests(query: "sequence by host.id [process where true] [file where true]")
        let plan: SequencePlan
        guard case .sequence(let compiled) = try compiler.compile(definition).output else { Issue.record("not a sequence"); return }
        plan = compiled
        var correlator = Correlator(plans: [0: plan], lateness: 10_000, cap: 100, heldCap: 100)
        func match(_ id: String, _ time: Int64, step: Int) -> StepMatch {
            let order = EventOrder(time: time, tiebreaker: .null, arrival: SourcePosition(source: "t", byteOffset: UInt64(time)))
            return StepMatch(rule: 0, key: [.keyword("h1")], steps: 1 << UInt64(step), until: false,
                             event: HeldEvent(line: Array(id.utf8), position: order.arrival, index: "i", order: order))
        }
        var found: [FoundSequence] = []
        // The file event arrives first but happened later: within the lateness, order is restored.
        correlator.receive([match("f", 5_000, step: 1), match("p", 1_000, step: 0)], into: &found)
        correlator.advance(latest: 30_000, into: &found)
        #expect(found.map { $0.events.map { String(decoding: $0.line, as: UTF8.self) } } == [["p", "f"]])
        #expect(correlator.lateEvents == 0)
        // Behind the watermark (20 s): late, counted, and still taken.
        found.removeAll()
        correlator.receive([match("p2", 19_000, step: 0)], into: &found)
        correlator.receive([match("f2", 25_000, step: 1)], into: &found)
        correlator.finish(into: &found)
        #expect(correlator.lateEvents == 1)
        #expect(found.map { $0.events.map { String(decoding: $0.line, as: UTF8.self) } } == [["p2", "f2"]])
    }

    @Test func eventsOfOneTimeAreTakenByTiebreakerThenArrival() throws {
        var compiler = RuleCompiler()
        guard case .sequence(let plan) = try compiler.compile(RuleDefinition.forTests(query: "sequence by host.id [process where true] [file where true]")).output else {
            Issue.record("not a sequence"); return
        }
        func match(_ id: String, offset: UInt64, tiebreaker: Value = .null, step: Int) -> StepMatch {
            let order = EventOrder(time: 1_000, tiebreaker: tiebreaker, arrival: SourcePosition(source: "t", byteOffset: offset))
            return StepMatch(rule: 0, key: [.keyword("h1")], steps: 1 << UInt64(step), until: false,
                             event: HeldEvent(line: Array(id.utf8), position: order.arrival, index: "i", order: order))
        }
        func found(_ matches: [StepMatch]) -> [[String]] {
            var correlator = Correlator(plans: [0: plan], lateness: 10_000, cap: 100, heldCap: 100)
            var found: [FoundSequence] = []
            correlator.receive(matches, into: &found)
            correlator.finish(into: &found)
            return found.map { $0.events.map { String(decoding: $0.line, as: UTF8.self) } }
        }
        // Received file first, but the process event came first in its source: a sequence.
        #expect(found([match("f", offset: 20, step: 1), match("p", offset: 10, step: 0)]) == [["p", "f"]])
        // The other way round in the source: none.
        #expect(found([match("p", offset: 20, step: 0), match("f", offset: 10, step: 1)]) == [])
        // A tiebreaker orders before arrival does.
        #expect(found([match("f", offset: 10, tiebreaker: .long(2), step: 1), match("p", offset: 20, tiebreaker: .long(1), step: 0)]) == [["p", "f"]])
    }

    @Test func pastTheHeldCapTheEarliestIsTakenEarlyAndCounted() throws {
        var compiler = RuleCompiler()
        guard case .sequence(let plan) = try compiler.compile(RuleDefinition.forTests(query: "sequence by host.id [process where true] [file where true]")).output else {
            Issue.record("not a sequence"); return
        }
        // A lateness of a day would hold everything; two held at most.
        var correlator = Correlator(plans: [0: plan], lateness: 86_400_000, cap: 100, heldCap: 2)
        func match(_ time: Int64, step: Int) -> StepMatch {
            let order = EventOrder(time: time, tiebreaker: .null, arrival: SourcePosition(source: "t", byteOffset: UInt64(time)))
            return StepMatch(rule: 0, key: [.keyword("h1")], steps: 1 << UInt64(step), until: false,
                             event: HeldEvent(line: [], position: order.arrival, index: "i", order: order))
        }
        var found: [FoundSequence] = []
        correlator.receive([match(1_000, step: 0), match(2_000, step: 1), match(3_000, step: 1)], into: &found)
        #expect(correlator.held == 2)
        #expect(correlator.releasedEarly == 1)
        #expect(correlator.watermark == 1_000)
        // Now behind the watermark: late, counted, still taken.
        correlator.receive([match(500, step: 0)], into: &found)
        #expect(correlator.lateEvents == 1)
        correlator.finish(into: &found)
        #expect(found.count == 1)
    }

    @Test func theCapEvictsTheOldestPartialSequenceAndCountsIt() throws {
        var compiler = RuleCompiler()
        guard case .sequence(let plan) = try compiler.compile(RuleDefinition.forTests(query: "sequence by host.id [process where true] [file where true]")).output else {
            Issue.record("not a sequence"); return
        }
        var correlator = Correlator(plans: [0: plan], lateness: 0, cap: 2, heldCap: 100)
        var found: [FoundSequence] = []
        for (index, host) in ["h1", "h2", "h3"].enumerated() {
            let order = EventOrder(time: Int64(index), tiebreaker: .null, arrival: SourcePosition(source: "t", byteOffset: UInt64(index)))
            correlator.receive([StepMatch(rule: 0, key: [.keyword(host)], steps: 1, until: false,
                                          event: HeldEvent(line: [], position: order.arrival, index: "i", order: order))], into: &found)
        }
        correlator.finish(into: &found)
        #expect(correlator.counters.first?.counters.evicted == 1)
    }
}

extension RuleDefinition {
    static func forTests(query: String, language: Language = .eql) -> RuleDefinition {
        RuleDefinition(
            file: "test", ruleID: "test", name: "test", description: "", type: language.rawValue, language: language, query: query,
            queryStart: SourceLocation(line: 1, column: 1), index: ["*"], from: "now-9m", interval: "5m", maxSignals: 100,
            severity: "low", riskScore: 21, tags: [], author: [], license: nil, references: [], falsePositives: [], threat: .array([]),
            timestampOverride: nil, eventCategoryOverride: nil, timestampField: nil, tiebreakerField: nil, version: 1, enabled: true,
            alertSuppression: nil)
    }
}
