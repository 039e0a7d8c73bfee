/// The field paths the loaded rules need, as a byte trie over dotted paths.
///
/// A path is walked with '.' between keys, so `{"a":{"b":1}}`, `{"a.b":1}` and
/// `{"a":{"b.c":1}}` reach the same nodes: nested objects and dotted keys mean the same field.
public struct FieldPlan: Sendable {
    public typealias Node = Int32
    public static let root: Node = 0
    public static let none: Node = -1

    public let paths: [String]
    private var edgeBytes: [[UInt8]] = [[]]
    private var edgeTargets: [[Node]] = [[]]
    private var fieldOfNode: [Int32] = [-1]
    private var nodePaths: [String] = [""]
    /// The edges flat, for the hot path (no nested array is touched per byte): node n's edges are
    /// `flatBytes[edgeStart[n] ..< edgeStart[n + 1]]`, leading to the same places in `flatTargets`.
    private var edgeStart: [Int32] = []
    private var flatBytes: [UInt8] = []
    private var flatTargets: [Node] = []
    private var continuesNested: [Bool] = []

    public init(paths: [String]) {
        var unique: [String] = []
        for path in paths where !unique.contains(path) { unique.append(path) }
        self.paths = unique
        for (index, path) in unique.enumerated() {
            var node = Self.root
            for byte in path.utf8 { node = child(of: node, byte: byte) }
            fieldOfNode[Int(node)] = Int32(index)
        }
        for node in edgeBytes.indices {
            edgeStart.append(Int32(flatBytes.count))
            flatBytes += edgeBytes[node]
            flatTargets += edgeTargets[node]
            continuesNested.append(edgeBytes[node].contains(UInt8(ascii: ".")))
        }
        edgeStart.append(Int32(flatBytes.count))
    }

    public func index(of path: String) -> Int? { paths.firstIndex(of: path) }

    private mutating func child(of node: Node, byte: UInt8) -> Node {
        if let i = edgeBytes[Int(node)].firstIndex(of: byte) { return edgeTargets[Int(node)][i] }
        let new = Node(fieldOfNode.count)
        edgeBytes.append([]); edgeTargets.append([]); fieldOfNode.append(-1)
        nodePaths.append(nodePaths[Int(node)] + String(decoding: [byte], as: UTF8.self))
        edgeBytes[Int(node)].append(byte)
        edgeTargets[Int(node)].append(new)
        return new
    }

    @inlinable
    public func step(_ node: Node, _ byte: UInt8) -> Node {
        stepImpl(node, byte)
    }

    @usableFromInline
    func stepImpl(_ node: Node, _ byte: UInt8) -> Node {
        var edge = Int(edgeStart[Int(node)])
        let end = Int(edgeStart[Int(node) + 1])
        while edge < end {
            if flatBytes[edge] == byte { return flatTargets[edge] }
            edge += 1
        }
        return Self.none
    }

    /// The node reached by the key's bytes from `node` (with the '.' separator), or `none`.
    @inlinable
    public func descend(_ node: Node, key: UnsafeRawBufferPointer) -> Node {
        var at = node
        if at != Self.root {
            at = step(at, UInt8(ascii: "."))
            if at == Self.none { return at }
        }
        for byte in key {
            at = step(at, byte)
            if at == Self.none { return at }
        }
        // A key must end on a field or before a '.': "a" is not a step towards "aws.x".
        return isBoundary(at) ? at : Self.none
    }

    @usableFromInline
    func isBoundary(_ node: Node) -> Bool {
        fieldOfNode[Int(node)] >= 0 || hasChildren(node)
    }

    /// The dotted path a node stands for, for error messages.
    public func path(of node: Node) -> String { nodePaths[Int(node)] }

    /// The field a node completes, or -1.
    public func field(at node: Node) -> Int32 { fieldOfNode[Int(node)] }

    /// Whether some needed path continues below this node as a nested field (`node.child`).
    public func hasChildren(_ node: Node) -> Bool { continuesNested[Int(node)] }
}
