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
    @usableFromInline private(set) var edgeStart: [Int32] = []
    @usableFromInline private(set) var flatBytes: [UInt8] = []
    @usableFromInline private(set) var flatTargets: [Node] = []
    private var continuesNested: [Bool] = []
    /// Nodes with many edges (the root, `process.`, `event.` with every rule set loaded) step
    /// through a 256-entry table at `denseStart[n]` in `denseTargets` instead of scanning their
    /// edges; -1 for the others. The trie walk was 5% of a run with all bundled rules.
    @usableFromInline private(set) var denseStart: [Int32] = []
    @usableFromInline private(set) var denseTargets: [Node] = []
    static let denseEdgeCount = 8
    /// Runs of single edges, compared a run at a time: from node n, the bytes
    /// `chainBytes[chainStart[n] ..< chainStart[n] + chainLength[n]]` lead to `chainEnd[n]`
    /// through nodes on which no key can end (neither a field nor before a '.'), so a key
    /// either holds the whole run or reaches no field; `chainStart[n]` is -1 where no run of
    /// two edges or more starts. A key's walk was a chain of dependent loads per byte (7% of a
    /// run with all bundled rules); below the first branches of the bundled rules' fields, a
    /// key's bytes mostly lie on such runs (`process.entity_id` past `process.enti`).
    @usableFromInline private(set) var chainStart: [Int32] = []
    @usableFromInline private(set) var chainLength: [Int32] = []
    @usableFromInline private(set) var chainEnd: [Node] = []
    @usableFromInline private(set) var chainBytes: [UInt8] = []

    /// Every key a walk can end on a node it stops at (a field, or before a '.'), by hash: from
    /// the root and from each node a nested object continues (the only nodes the scanner walks
    /// from), the key's bytes (dotted or not) and where they lead. The scanner hashes each key
    /// for its duplicate check anyway, so a key costs a probe here, one cache line, instead of a
    /// walk of dependent loads through the trie (5% of a run with all bundled rules). A key not
    /// in the table reaches no field.
    @usableFromInline struct KeyStep: Sendable {
        /// The low 32 bits of the key's hash.
        @usableFromInline var tag: UInt32
        /// `emptySlot` where the slot is free.
        @usableFromInline var from: Node
        @usableFromInline var to: Node
        /// The key's bytes in `keyBytes`: their offset above 8 bits of length.
        @usableFromInline var place: UInt32
    }
    @usableFromInline static let emptySlot = Node.min
    /// Keys longer than this are walked through the trie (no ECS field's path is near it).
    @usableFromInline static let longestTabledKey = 255
    /// Open addressing, at most half full. Empty (every key walked through the trie) when the
    /// keys' bytes would not fit the 24 bits `place` gives their offset, far past any rule set.
    @usableFromInline private(set) var keyTable: [KeyStep] = []
    @usableFromInline private(set) var keyBytes: [UInt8] = []
    @usableFromInline private(set) var keyTableMask = 0

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
            if edgeBytes[node].count > Self.denseEdgeCount {
                denseStart.append(Int32(denseTargets.count))
                var table = [Node](repeating: Self.none, count: 256)
                for (byte, target) in zip(edgeBytes[node], edgeTargets[node]) { table[Int(byte)] = target }
                denseTargets += table
            } else {
                denseStart.append(-1)
            }
        }
        edgeStart.append(Int32(flatBytes.count))
        for node in edgeBytes.indices {
            var run: [UInt8] = [], at = node
            while edgeBytes[at].count == 1 {
                run.append(edgeBytes[at][0])
                at = Int(edgeTargets[at][0])
                if fieldOfNode[at] >= 0 || continuesNested[at] || edgeBytes[at].count != 1 { break }
            }
            if run.count >= 2 {
                chainStart.append(Int32(chainBytes.count))
                chainBytes += run
            } else {
                chainStart.append(-1)
            }
            chainLength.append(Int32(run.count))
            chainEnd.append(Node(at))
        }
        buildKeySteps()
    }

    /// Fills the key table: from each node walked from, every node below it a key can end on.
    private mutating func buildKeySteps() {
        var found: [(from: Node, key: [UInt8], to: Node)] = []
        for from in edgeBytes.indices where from == Int(Self.root) || continuesNested[from] {
            let first = from == Int(Self.root) ? Self.root : step(Node(from), UInt8(ascii: "."))
            var pending: [(node: Node, key: [UInt8])] = [(first, [])]
            while let (node, key) = pending.popLast() {
                if isBoundary(node) && key.count <= Self.longestTabledKey { found.append((Node(from), key, node)) }
                for (byte, target) in zip(edgeBytes[Int(node)], edgeTargets[Int(node)]) { pending.append((target, key + [byte])) }
            }
        }
        guard found.reduce(0, { $0 + $1.key.count }) < 1 << 24 else { return }
        var capacity = 16
        while capacity < 2 * found.count { capacity *= 2 }
        keyTableMask = capacity - 1
        keyTable = [KeyStep](repeating: KeyStep(tag: 0, from: Self.emptySlot, to: Self.none, place: 0), count: capacity)
        for (from, key, to) in found {
            let hash = key.withUnsafeBytes { LineValidator.rareKeyHash($0, from: 0, to: $0.count) }
            var slot = Self.keySlot(hash, from, mask: keyTableMask)
            while keyTable[slot].from != Self.emptySlot { slot = (slot + 1) & keyTableMask }
            keyTable[slot] = KeyStep(tag: UInt32(truncatingIfNeeded: hash), from: from, to: to, place: UInt32(keyBytes.count) << 8 | UInt32(key.count))
            keyBytes += key
        }
    }

    @inlinable @inline(__always)
    static func keySlot(_ hash: UInt64, _ node: Node, mask: Int) -> Int {
        let mixed = (hash ^ UInt64(UInt32(bitPattern: node)) &* 0x9E37_79B9_7F4A_7C15) &* 0xD6E8_FEB8_6659_FD93
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    /// `descend` by the key's hash (`LineValidator.keyHash` of its bytes): the same node.
    /// - Precondition: `node` is the root or a node with children (as `descend` returns them).
    // Transparent: a call per key otherwise (the scanner's object loop is past the size where
    // @inline(__always) is honoured).
    @_transparent
    public func descend(_ node: Node, key: UnsafeRawBufferPointer, hash: UInt64) -> Node {
        guard key.count <= Self.longestTabledKey, !keyTable.isEmpty else { return descend(node, key: key) }
        var slot = Self.keySlot(hash, node, mask: keyTableMask)
        while true {
            let step = keyTable[slot]
            if step.from == node && step.tag == UInt32(truncatingIfNeeded: hash) && Int(step.place & 0xFF) == key.count
                && keyBytes.withUnsafeBytes({ Self.sameBytes($0.baseAddress! + Int(step.place >> 8), key) }) {
                return step.to
            }
            if step.from == Self.emptySlot { return Self.none }
            slot = (slot + 1) & keyTableMask
        }
    }

    @inlinable @inline(__always)
    static func sameBytes(_ stored: UnsafeRawPointer, _ key: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= key.count {
            if stored.loadUnaligned(fromByteOffset: index, as: UInt64.self) != key.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
            index += 8
        }
        while index < key.count {
            if stored.load(fromByteOffset: index, as: UInt8.self) != key[index] { return false }
            index += 1
        }
        return true
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

    // Transparent: as a call (the walk is past the size where @inline(__always) is honoured)
    // it cost a call per byte of a branching key.
    @_transparent @usableFromInline
    func stepImpl(_ node: Node, _ byte: UInt8) -> Node {
        let dense = denseStart[Int(node)]
        if dense >= 0 { return denseTargets[Int(dense) + Int(byte)] }
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
        var index = 0
        let count = key.count
        while index < count {
            let run = Int(chainStart[Int(at)])
            if run >= 0 {
                // A run of single edges: the key holds all of it, or reaches no field.
                let length = Int(chainLength[Int(at)])
                guard count - index >= length else { return Self.none }
                for offset in 0..<length where key[index + offset] != chainBytes[run + offset] { return Self.none }
                index += length
                at = chainEnd[Int(at)]
                continue
            }
            at = step(at, key[index])
            if at == Self.none { return at }
            index += 1
        }
        // A key must end on a field or before a '.': "a" is not a step towards "aws.x".
        return isBoundary(at) ? at : Self.none
    }

    /// `descend` one byte at a time, without the runs: its twin, for the tests.
    func descendByteByByte(_ node: Node, key: UnsafeRawBufferPointer) -> Node {
        var at = node
        if at != Self.root {
            at = step(at, UInt8(ascii: "."))
            if at == Self.none { return at }
        }
        for byte in key {
            at = step(at, byte)
            if at == Self.none { return at }
        }
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
