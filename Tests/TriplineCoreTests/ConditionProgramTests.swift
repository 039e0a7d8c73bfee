import Testing
@testable import TriplineCore

/// The flat program walks each condition as the predicate tree reads: three-valued `all`/`any`,
/// ES|QL's `not` (null stays null) against EQL's `complement` (`must_not`), each root its own.
struct ConditionProgramTests {
    @Test func eachRootEvaluatesItsOwnTreeInThreeValuedLogic() {
        let t = Predicate.constant(.true), f = Predicate.constant(.false), u = Predicate.constant(.unknown)
        let conditions: [(Predicate, Truth)] = [
            (.all([t, .any([u, f])]), .unknown),
            (.all([t, .any([u, t])]), .true),
            (.all([u, f]), .false),
            (.any([f, .all([])]), .true),
            (.any([]), .false),
            (.not(u), .unknown),
            (.not(.all([t, t])), .false),
            (.complement(u), .true),
            (.complement(.any([f, t])), .false),
            (.all([.not(.any([f, .complement(t)])), .complement(.not(t))]), .true),
        ]
        let program = ConditionProgram(conditions.map(\.0))
        #expect(program.count == conditions.count)
        var evaluator = PredicateEvaluator()
        let values: [FieldValue] = []
        let truths = values.withUnsafeBufferPointer { values in
            let event = EventView(raw: UnsafeRawBufferPointer(start: nil, count: 0), values: values)
            return conditions.indices.map { evaluator.evaluate($0, of: program, event) }
        }
        #expect(truths == conditions.map(\.1))
    }

    /// A test of keyword equalities only (`in`, `in~`, `:` with plain strings) is compared through
    /// its literals laid out side by side, with the verdicts each matcher gives alone: case,
    /// escapes, the empty string, several values.
    @Test func keywordEqualityListsAreComparedSideBySide() throws {
        let lines = [#"{"process":{"name":"cmd.exe"}}"#, #"{"process":{"name":"CMD.exe"}}"#, #"{"process":{"name":""}}"#,
                     #"{"process":{"name":["x","pwsh"]}}"#, #"{"process":{"name":"pw\u0073h"}}"#, #"{"process":{"name":"pwsh2"}}"#,
                     #"{"process":{"name":"PWSH"}}"#, #"{"process":{"title":"pwsh"}}"#]
        for (query, expected) in [
            (#"any where process.name in ("cmd.exe", "", "powershell.exe", "pwsh")"#, [true, false, true, true, true, false, false, false]),
            (#"any where process.name in~ ("cmd.exe", "powershell.exe", "pwsh")"#, [true, true, false, true, true, false, true, false]),
            (#"any where process.name : ("Cmd.Exe", "PWSH")"#, [true, true, false, true, true, false, true, false]),
        ] {
            let rules = try eqlRule(query)
            let program = ConditionProgram([rules.rules[0].predicate])
            #expect(program.code.byteMatchers[0].count >= 2, "\(query)")
            #expect(evaluate(lines, with: rules, defaultIndex: "logs-test-default").map { !$0.isEmpty } == expected, "\(query)")
        }
    }

    /// A test of equalities and `*`-only wildcards, compared through the flat list, gives the
    /// verdict of its matchers one by one (`WildcardPattern`'s own matcher, byte equality):
    /// random mixes over a small alphabet, so runs overlap, repeat and anchor every way.
    @Test func flatWildcardListsAgreeWithTheirMatchers() {
        var random = SplitMix(seed: 5)
        func word(_ alphabet: [UInt8], upTo length: Int) -> [UInt8] {
            (0..<random.next(upTo: length + 1)).map { _ in alphabet[random.next(upTo: alphabet.count)] }
        }
        var tests: [ValueTest] = []
        for _ in 0..<300 {
            let matchers: [ValueMatcher] = (0...random.next(upTo: 4)).map { _ in
                random.next(upTo: 3) == 0
                    ? .keyword(.equal, word(Array("ab".utf8), upTo: 4))
                    : .wildcard(WildcardPattern(String(decoding: word(Array("ab*".utf8), upTo: 6), as: UTF8.self), caseInsensitive: false))
            }
            tests.append(ValueTest(field: 0, type: .keyword(ignoreAbove: nil), matchers: matchers, caseInsensitive: false,
                                   negated: false, multiValue: .anyValue))
        }
        let program = ConditionProgram(tests.map { .value($0) })
        var evaluator = PredicateEvaluator()
        var compared = 0, matched = 0
        for _ in 0..<60 {
            let value = word(Array("ab".utf8), upTo: 7)
            let raw = Array("\"".utf8) + value + Array("\"".utf8)
            let values = [FieldValue(field: 0, kind: .string, start: 1, length: UInt32(value.count))]
            raw.withUnsafeBytes { raw in
                values.withUnsafeBufferPointer { values in
                    let event = EventView(raw: raw, values: values)
                    for (index, test) in tests.enumerated() {
                        #expect(program.code.byteMatchers[index].count == Int32(test.matchers.count))
                        let expected = value.withUnsafeBytes { bytes in test.matchers.contains { PredicateEvaluator.matches(bytes, $0) } }
                        let truth = evaluator.evaluate(index, of: program, event)
                        #expect(truth == (expected ? .true : .false), "\(test.matchers) on \(String(decoding: value, as: UTF8.self))")
                        compared += 1
                        if expected { matched += 1 }
                    }
                }
            }
        }
        #expect(compared == 18_000 && matched > 2_000 && matched < 16_000, "\(matched) of \(compared) matched")
    }

    /// Rules sharing a test run it once per event, and its verdict never outlives the event:
    /// each line alternates the shared test's answer.
    @Test func aSharedTestRunsOncePerEventAndOnlyForIt() throws {
        let rules = RuleSet(definitions: [
            try eqlDefinition(id: "a", #"process where process.name == "x" and process.pid == 1"#),
            try eqlDefinition(id: "b", #"process where process.name == "x" and process.pid == 2"#),
            try eqlDefinition(id: "c", #"process where process.name == "x" and process.pid > 0"#),
        ])
        #expect(rules.errors.isEmpty)
        let lines = (0..<6).map { line in
            #"{"@timestamp":"2024-01-01T00:00:00Z","data_stream":{"type":"logs","dataset":"test","namespace":"default"},"# +
                #""event":{"category":"process"},"process":{"name":"\#(line % 2 == 0 ? "x" : "y")","pid":\#(line % 3)}}"#
        }
        var matched: [[String]] = []
        let evaluator = evaluateEachLine(lines, with: rules) { _, matches, _ in matched.append(matches.map { rules.rules[$0.rule].ruleID }) }
        #expect(matched == [[], [], ["b", "c"], [], ["a", "c"], []])
        // Per line of "x": the category and name tests once each, then the pid tests of the rules
        // their keys leave (never a test once per rule reading it); none on a line of "y".
        #expect(evaluator.testsRun > 0 && evaluator.testsRun <= 3 * 5, "\(evaluator.testsRun) tests run")
    }
}
