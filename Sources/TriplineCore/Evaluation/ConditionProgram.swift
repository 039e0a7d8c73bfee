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
        let nullTests: UnsafePointer<NullTest>
        let expressions: UnsafePointer<ValueExpression>
    }

    let code: Code
    /// The number of conditions (roots).
    let count: Int
    private let counts: (nodes: Int, children: Int, tests: Int, nullTests: Int, expressions: Int)

    /// Condition `i` of the program is `conditions[i]`.
    init(_ conditions: [Predicate]) {
        var nodes: [Node] = [], children: [Int32] = [], tests: [ValueTest] = []
        var nullTests: [NullTest] = [], expressions: [ValueExpression] = []

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
        counts = (nodes.count, children.count, tests.count, nullTests.count, expressions.count)
        code = Code(roots: Self.copy(roots), nodes: Self.copy(nodes), children: Self.copy(children), tests: Self.copy(tests),
                    nullTests: Self.copy(nullTests), expressions: Self.copy(expressions))
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
        Self.free(code.nullTests, counts.nullTests)
        Self.free(code.expressions, counts.expressions)
    }
}
