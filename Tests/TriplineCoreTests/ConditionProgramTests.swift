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
            #expect(program.code.equalities[0].count >= Int32(ConditionProgram.equalitiesFrom), "\(query)")
            #expect(evaluate(lines, with: rules, defaultIndex: "logs-test-default").map { !$0.isEmpty } == expected, "\(query)")
        }
    }
}
