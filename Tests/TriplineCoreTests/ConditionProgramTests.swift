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
}
