/// Conditions laid out flat for the per-event walk: nodes in one allocation, the tests they read
/// in others, all read in place through pointers. Walking the `indirect enum Predicate` copied
/// every node and test it passed (a retain and a release each, on reference counts both workers
/// share): with all bundled rules, a sixth of the run's time.
///
/// Immutable once built; the memory lives as long as the program.
final class ConditionProgram: @unchecked Sendable {
    enum Kind: UInt8 {
        case constant, all, any, not, complement, value, isNull, test
    }

    /// One predicate node. `start` is, by kind: the first child's position in `children` (`all`,
    /// `any`), the child node (`not`, `complement`), or the index of the test it runs.
    struct Node {
        var kind: Kind
        var truth: Truth
        var start: Int32
        var count: Int32
    }

    /// A test whose matchers are all keyword equalities and `*`-only wildcards (`process.name in
    /// ("a", "b", ...)`, `process.args : ("*-enc*", "-e")`), its matchers side by side: `count`
    /// consecutive `ByteMatcher`s from `start`, their bytes in one pool. A value is compared with
    /// each in a cache line or two, where each matcher's own arrays cost a cache miss and a
    /// retain (with all bundled rules, the evaluator's hottest instructions were those loads).
    /// `count` 0: not such a test.
    struct ByteMatchers {
        var start: Int32
        var count: Int32
    }

    /// One equality or `*`-only wildcard of a `ByteMatchers` list.
    struct ByteMatcher {
        /// Where its bytes start in `matcherBytes`: the literal, or the wildcard's runs back to back.
        var offset: Int32
        /// The literal's length; for a wildcard, how many runs it has.
        var length: Int32
        /// -1 for an equality; for a wildcard, where its runs' ends (`WildcardPattern.StarsOnly`'s)
        /// start in `runEnds`.
        var ends: Int32
        var anchoredStart: Bool
        var anchoredEnd: Bool
    }

    struct NullTest {
        var field: Int
        var type: FieldType
        var negated: Bool
    }

    /// The program's memory, as plain pointers: what the evaluator walks.
    struct Code {
        let roots: UnsafePointer<Int32>
        let nodes: UnsafePointer<Node>
        let children: UnsafePointer<Int32>
        let tests: UnsafePointer<ValueTest>
        /// Per test, its number in the `TestNumbering` the program was built with (equal tests,
        /// of any program sharing it, alike); nil when built without one.
        let testNumbers: UnsafePointer<Int32>?
        /// Per test, as `tests`.
        let byteMatchers: UnsafePointer<ByteMatchers>
        let matcherList: UnsafePointer<ByteMatcher>
        let matcherBytes: UnsafePointer<UInt8>
        let runEnds: UnsafePointer<Int32>
        let nullTests: UnsafePointer<NullTest>
        let expressions: UnsafePointer<ValueExpression>
    }

    let code: Code
    /// The number of conditions (roots).
    let count: Int
    private let counts: (nodes: Int, children: Int, tests: Int, nullTests: Int, expressions: Int, matchers: Int, bytes: Int, ends: Int)

    /// Numbers equal value tests alike across the programs built with it, so an evaluator can
    /// keep each distinct test's verdict for the event (`PredicateEvaluator.nextEvent`).
    final class TestNumbering {
        private var numbers: [ValueTest: Int32] = [:]

        func number(of test: ValueTest) -> Int32 {
            if let known = numbers[test] { return known }
            let number = Int32(numbers.count)
            numbers[test] = number
            return number
        }
    }

    /// Condition `i` of the program is `conditions[i]`; `numbering`: number its tests there.
    init(_ conditions: [Predicate], numbering: TestNumbering? = nil) {
        var nodes: [Node] = [], children: [Int32] = [], tests: [ValueTest] = []
        var nullTests: [NullTest] = [], expressions: [ValueExpression] = []
        var byteMatchers: [ByteMatchers] = [], matcherList: [ByteMatcher] = [], matcherBytes: [UInt8] = [], runEnds: [Int32] = []

        func add(_ predicate: Predicate) -> Int32 {
            let at = nodes.count
            nodes.append(Node(kind: .constant, truth: .unknown, start: 0, count: 0))
            let node: Node
            switch predicate {
            case .constant(let truth):
                node = Node(kind: .constant, truth: truth, start: 0, count: 0)
            case .all(let parts), .any(let parts):
                let kind: Kind = if case .all = predicate { .all } else { .any }
                // Children first, then their positions side by side.
                let added = parts.map(add)
                node = Node(kind: kind, truth: .unknown, start: Int32(children.count), count: Int32(added.count))
                children += added
            case .not(let inner), .complement(let inner):
                let kind: Kind = if case .not = predicate { .not } else { .complement }
                node = Node(kind: kind, truth: .unknown, start: add(inner), count: 1)
            case .value(let test):
                node = Node(kind: .value, truth: .unknown, start: Int32(tests.count), count: 1)
                tests.append(test)
                // The keyword tests compared as bytes (the evaluator's other types read typed values).
                if let flat = Self.byteMatchers(test) {
                    byteMatchers.append(ByteMatchers(start: Int32(matcherList.count), count: Int32(flat.count)))
                    for matcher in flat {
                        switch matcher {
                        case .equal(let literal):
                            matcherList.append(ByteMatcher(offset: Int32(matcherBytes.count), length: Int32(literal.count), ends: -1,
                                                           anchoredStart: true, anchoredEnd: true))
                            matcherBytes += literal
                        case .stars(let stars):
                            matcherList.append(ByteMatcher(offset: Int32(matcherBytes.count), length: Int32(stars.ends.count), ends: Int32(runEnds.count),
                                                           anchoredStart: stars.anchoredStart, anchoredEnd: stars.anchoredEnd))
                            matcherBytes += stars.bytes
                            runEnds += stars.ends
                        }
                    }
                } else {
                    byteMatchers.append(ByteMatchers(start: 0, count: 0))
                }
            case .isNull(let field, let type, let negated):
                node = Node(kind: .isNull, truth: .unknown, start: Int32(nullTests.count), count: 1)
                nullTests.append(NullTest(field: field, type: type, negated: negated))
            case .test(let expression):
                node = Node(kind: .test, truth: .unknown, start: Int32(expressions.count), count: 1)
                expressions.append(expression)
            }
            nodes[at] = node
            return Int32(at)
        }
        let roots = conditions.map(add)
        count = roots.count
        counts = (nodes.count, children.count, tests.count, nullTests.count, expressions.count, matcherList.count, matcherBytes.count, runEnds.count)
        code = Code(roots: Self.copy(roots), nodes: Self.copy(nodes), children: Self.copy(children), tests: Self.copy(tests),
                    testNumbers: numbering.map { numbering in Self.copy(tests.map(numbering.number)) },
                    byteMatchers: Self.copy(byteMatchers), matcherList: Self.copy(matcherList), matcherBytes: Self.copy(matcherBytes),
                    runEnds: Self.copy(runEnds), nullTests: Self.copy(nullTests), expressions: Self.copy(expressions))
    }

    private enum FlatMatcher {
        case equal([UInt8])
        case stars(WildcardPattern.StarsOnly)
    }

    /// A keyword test's matchers when each is an equality or a `*`-only wildcard, else nil.
    private static func byteMatchers(_ test: ValueTest) -> [FlatMatcher]? {
        switch test.type {
        case .keyword, .dynamic: break
        default: return nil
        }
        var flat: [FlatMatcher] = []
        for matcher in test.matchers {
            switch matcher {
            case .keyword(.equal, let bytes): flat.append(.equal(bytes))
            case .wildcard(let pattern):
                guard let stars = pattern.starsOnly else { return nil }
                flat.append(.stars(stars))
            default: return nil
            }
        }
        return flat.isEmpty ? nil : flat
    }

    private static func copy<T>(_ elements: [T]) -> UnsafePointer<T> {
        // One element at least, so every pointer is a real allocation.
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(elements.count, 1))
        pointer.initialize(from: elements, count: elements.count)
        return UnsafePointer(pointer)
    }

    private static func free<T>(_ pointer: UnsafePointer<T>, _ count: Int) {
        let pointer = UnsafeMutablePointer(mutating: pointer)
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    deinit {
        Self.free(code.roots, count)
        Self.free(code.nodes, counts.nodes)
        Self.free(code.children, counts.children)
        Self.free(code.tests, counts.tests)
        if let numbers = code.testNumbers { Self.free(numbers, counts.tests) }
        Self.free(code.byteMatchers, counts.tests)
        Self.free(code.matcherList, counts.matchers)
        Self.free(code.matcherBytes, counts.bytes)
        Self.free(code.runEnds, counts.ends)
        Self.free(code.nullTests, counts.nullTests)
        Self.free(code.expressions, counts.expressions)
    }
}
