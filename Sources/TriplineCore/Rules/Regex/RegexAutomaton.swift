// From the parsed tree to an automaton that reads each input code point once: a Thompson NFA over
// the pattern's character classes, determinized at compile time into a table-driven DFA (at most
// `maxMatcherDFAStates` states), or, past that, simulated set by set (time O(input × NFA)).
// Complement and intersection need determinized operands; those stay within the same cap or the
// pattern is refused as too complex. Nothing here backtracks.

/// The pattern's alphabet: the code points cut into classes that no range of the pattern
/// straddles, so automata step on a class index instead of a code point.
struct RegexAlphabet: Sendable {
    /// Class i is `starts[i] ..< starts[i + 1]` (the last runs to U+10FFFF).
    let starts: [UInt32]
    /// The class of each ASCII code point, looked up without a search.
    let ascii: [Int32]

    var count: Int { starts.count }

    init(_ root: RegexNode, caseInsensitive: Bool) {
        var cuts: Set<UInt32> = [0]
        func cut(_ r: ClosedRange<UInt32>) {
            cuts.insert(r.lowerBound)
            if r.upperBound < RegexParser.maxCodePoint { cuts.insert(r.upperBound + 1) }
        }
        var stack = [root]
        while let node = stack.popLast() {
            switch node {
            case .char(let c):
                for v in caseInsensitive ? RegexCaseFolding.variants(of: c) : [c] { cut(v...v) }
            case .set(let ranges):
                ranges.forEach(cut)
            default:
                stack += node.children
            }
        }
        starts = cuts.sorted()
        var ascii = [Int32](repeating: 0, count: 128)
        var cls = 0
        for c in 0..<128 {
            while cls + 1 < starts.count && starts[cls + 1] <= UInt32(c) { cls += 1 }
            ascii[c] = Int32(cls)
        }
        self.ascii = ascii
    }

    @inline(__always)
    func classOf(_ c: UInt32) -> Int {
        if c < 128 { return Int(ascii[Int(c)]) }
        // The last start not above c.
        var low = 0, high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) >> 1
            if starts[mid] <= c { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The classes of a set, as runs of consecutive class indices.
    func classRuns(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<Int32>] {
        var runs: [ClosedRange<Int32>] = []
        for r in ranges {
            let run = Int32(classOf(r.lowerBound))...Int32(classOf(r.upperBound))
            if let last = runs.last, last.upperBound + 1 == run.lowerBound {
                runs[runs.count - 1] = last.lowerBound...run.upperBound
            } else {
                runs.append(run)
            }
        }
        return runs
    }
}

/// A Thompson NFA, struct-of-arrays. State i consumes one class in `lo[i]...hi[i]` and goes to
/// `out[i]` when `lo[i] >= 0`; is an ε-state to `out[i]` and `out1[i]` (-1: none) when
/// `lo[i] == epsilon`; accepts when `lo[i] == accept`.
struct RegexNFA: Sendable {
    static let epsilon: Int32 = -1
    static let accept: Int32 = -2

    var lo: [Int32] = [], hi: [Int32] = [], out: [Int32] = [], out1: [Int32] = []
    var start: Int32 = 0
    var count: Int { lo.count }
}

/// A DFA over class indices. `table[state * classCount + class]` is the next state.
struct RegexDFA {
    var table: [Int32]
    var accepting: [Bool]
    var start: Int32
    let classCount: Int
    var stateCount: Int { accepting.count }
}

struct RegexLimits {
    /// States of the matcher's DFA; past this, matching simulates the NFA instead.
    var maxMatcherDFAStates = 10_000
    /// States of a DFA built for an operand of `~` or `&`; past this the pattern is refused.
    /// (Lucene's default determinization limit is also 10,000.)
    var maxDFAStates = 10_000
    /// DFA table cells (states × classes), bounding memory when the alphabet is large.
    var maxDFACells = 4_000_000
    /// Subset members created and consumers scanned while determinizing, bounding compile time.
    var maxDeterminizeWork = 20_000_000
    var maxNFAStates = 50_000
}

/// Builds the NFA of a tree, folding case where the pattern asks.
struct RegexCompiler {
    let alphabet: RegexAlphabet
    let caseInsensitive: Bool
    let limits: RegexLimits
    private(set) var nfa = RegexNFA()

    /// A fragment: enter at `start`; `end` is an ε-state with no exits yet, patched to go on.
    struct Fragment { var start: Int32; var end: Int32 }

    init(alphabet: RegexAlphabet, caseInsensitive: Bool, limits: RegexLimits) {
        self.alphabet = alphabet
        self.caseInsensitive = caseInsensitive
        self.limits = limits
    }

    /// The whole pattern: its NFA with a single accepting state.
    static func nfa(for root: RegexNode, alphabet: RegexAlphabet, caseInsensitive: Bool, limits: RegexLimits) throws(RegexError) -> RegexNFA {
        var compiler = RegexCompiler(alphabet: alphabet, caseInsensitive: caseInsensitive, limits: limits)
        let fragment = try compiler.compile(root)
        compiler.nfa.lo[Int(fragment.end)] = RegexNFA.accept
        compiler.nfa.start = fragment.start
        return compiler.nfa
    }

    private mutating func add(_ lo: Int32, _ hi: Int32, _ out: Int32, _ out1: Int32 = -1) throws(RegexError) -> Int32 {
        if nfa.count >= limits.maxNFAStates {
            throw RegexError(message: "pattern too complex: its automaton would exceed \(limits.maxNFAStates) states", offset: 0)
        }
        nfa.lo.append(lo); nfa.hi.append(hi); nfa.out.append(out); nfa.out1.append(out1)
        return Int32(nfa.count - 1)
    }

    private mutating func epsilon(_ out: Int32 = -1, _ out1: Int32 = -1) throws(RegexError) -> Int32 {
        try add(RegexNFA.epsilon, 0, out, out1)
    }

    private mutating func patch(_ end: Int32, to target: Int32) {
        nfa.out[Int(end)] = target
    }

    /// An ε-state leading to every target (a chain of two-way splits).
    private mutating func fanOut(_ targets: [Int32]) throws(RegexError) -> Int32 {
        guard var tail = targets.last else { return try epsilon() }
        if targets.count == 1 { return try epsilon(tail) }
        for target in targets.dropLast().reversed() { tail = try epsilon(target, tail) }
        return tail
    }

    private mutating func classes(_ runs: [ClosedRange<Int32>]) throws(RegexError) -> Fragment {
        let end = try epsilon()
        var consumers: [Int32] = []
        for run in runs { consumers.append(try add(run.lowerBound, run.upperBound, end)) }
        if consumers.count == 1 { return Fragment(start: consumers[0], end: end) }
        return Fragment(start: try fanOut(consumers), end: end)
    }

    private mutating func codePoint(_ c: UInt32) throws(RegexError) -> Fragment {
        let variants = caseInsensitive ? RegexCaseFolding.variants(of: c) : [c]
        return try classes(alphabet.classRuns(variants.map { $0...$0 }))
    }

    mutating func compile(_ node: RegexNode) throws(RegexError) -> Fragment {
        switch node {
        case .empty:
            let s = try epsilon()
            return Fragment(start: s, end: s)
        case .emptyLanguage:
            // A start with no way out, and an end nothing reaches.
            return Fragment(start: try epsilon(), end: try epsilon())
        case .anyChar:
            return try classes([0...Int32(alphabet.count - 1)])
        case .anyString:
            let end = try epsilon()
            let loop = try epsilon(-1, end)
            let any = try add(0, Int32(alphabet.count - 1), loop)
            nfa.out[Int(loop)] = any
            return Fragment(start: loop, end: end)
        case .char(let c):
            return try codePoint(c)
        case .set(let ranges):
            return try classes(alphabet.classRuns(ranges))
        case .concat(let items):
            guard let first = items.first else { return try compile(.empty) }
            var fragment = try compile(first)
            for item in items.dropFirst() {
                let next = try compile(item)
                patch(fragment.end, to: next.start)
                fragment.end = next.end
            }
            return fragment
        case .union(let branches):
            let end = try epsilon()
            var starts: [Int32] = []
            for branch in branches {
                let fragment = try compile(branch)
                patch(fragment.end, to: end)
                starts.append(fragment.start)
            }
            return Fragment(start: try fanOut(starts), end: end)
        case .repeating(let child, let min, let max, _):
            return try repeating(child, min: min, max: max)
        case .complement(let child, let at):
            var dfa = try determinizedOperand(child, at: at)
            for s in 0..<dfa.stateCount { dfa.accepting[s].toggle() }
            return try embed(dfa)
        case .intersection(let operands, let at):
            var product = try determinizedOperand(operands[0], at: at)
            for operand in operands.dropFirst() {
                product = try RegexDeterminizer.intersect(product, try determinizedOperand(operand, at: at), limits: limits, at: at)
            }
            return try embed(product)
        }
    }

    private mutating func repeating(_ child: RegexNode, min: Int, max: Int?) throws(RegexError) -> Fragment {
        var fragment = try compile(.empty)
        func append(_ next: Fragment) {
            patch(fragment.end, to: next.start)
            fragment.end = next.end
        }
        // Unbounded: min - 1 copies then one that loops back (x+), or a loop alone (x*).
        if max == nil {
            for _ in 0..<Swift.max(0, min - 1) { append(try compile(child)) }
            let body = try compile(child)
            let end = try epsilon()
            let loop = try epsilon(body.start, end)
            patch(body.end, to: loop)
            append(min == 0 ? Fragment(start: loop, end: end) : Fragment(start: body.start, end: end))
            return fragment
        }
        // Bounded: min copies, then max - min optional ones each able to skip to the end.
        for _ in 0..<min { append(try compile(child)) }
        let optional = max! - min
        if optional > 0 {
            let end = try epsilon()
            for _ in 0..<optional {
                let body = try compile(child)
                let gate = try epsilon(body.start, end)
                patch(fragment.end, to: gate)
                fragment.end = body.end
            }
            patch(fragment.end, to: end)
            fragment.end = end
        }
        return fragment
    }

    /// A complete DFA for an operand of `~` or `&`, or a "too complex" error.
    private func determinizedOperand(_ node: RegexNode, at: Int) throws(RegexError) -> RegexDFA {
        let nfa = try RegexCompiler.nfa(for: node, alphabet: alphabet, caseInsensitive: caseInsensitive, limits: limits)
        guard let dfa = RegexDeterminizer.determinize(nfa, classCount: alphabet.count, limits: limits) else {
            throw RegexError(message: "pattern too complex: the operand of the operator at position \(at) needs more than \(limits.maxDFAStates) states", offset: at)
        }
        return dfa
    }

    /// Copies a DFA into the NFA: one entry state per live state, its classes grouped into runs.
    private mutating func embed(_ dfa: RegexDFA) throws(RegexError) -> Fragment {
        let live = RegexDeterminizer.live(dfa)
        let end = try epsilon()
        guard live[Int(dfa.start)] else { return Fragment(start: try epsilon(), end: end) }
        let k = dfa.classCount
        var entry = [Int32](repeating: -1, count: dfa.stateCount)
        var order: [Int32] = [dfa.start]
        entry[Int(dfa.start)] = try epsilon()
        var index = 0
        while index < order.count {
            let s = Int(order[index]); index += 1
            var exits: [Int32] = []
            if dfa.accepting[s] { exits.append(end) }
            var c = 0
            while c < k {
                let target = Int(dfa.table[s * k + c])
                var last = c
                while last + 1 < k && Int(dfa.table[s * k + last + 1]) == target { last += 1 }
                if live[target] {
                    if entry[target] < 0 {
                        entry[target] = try epsilon()
                        order.append(Int32(target))
                    }
                    exits.append(try add(Int32(c), Int32(last), entry[target]))
                }
                c = last + 1
            }
            let head = entry[s]
            switch exits.count {
            case 0: break
            case 1: nfa.out[Int(head)] = exits[0]
            case 2: nfa.out[Int(head)] = exits[0]; nfa.out1[Int(head)] = exits[1]
            default:
                nfa.out[Int(head)] = exits[0]
                nfa.out1[Int(head)] = try fanOut(Array(exits.dropFirst()))
            }
        }
        return Fragment(start: entry[Int(dfa.start)], end: end)
    }
}

/// Subset construction and the DFA operations complement and intersection rely on.
enum RegexDeterminizer {
    /// A complete DFA whose state 0 is the empty set (no match possible), or nil past the limits.
    static func determinize(_ nfa: RegexNFA, classCount k: Int, limits: RegexLimits) -> RegexDFA? {
        var builder = RegexSubsetBuilder(nfa: nfa, classCount: k, limits: limits)
        return builder.run()
    }

    /// The product of two complete DFAs, accepting where both do.
    static func intersect(_ a: RegexDFA, _ b: RegexDFA, limits: RegexLimits, at: Int) throws(RegexError) -> RegexDFA {
        let k = a.classCount
        var ids: [Int64: Int32] = [:]
        var pairs: [(Int32, Int32)] = []
        var table: [Int32] = []
        var accepting: [Bool] = []
        func id(_ p: Int32, _ q: Int32) throws(RegexError) -> Int32 {
            let key = Int64(p) << 32 | Int64(q)
            if let existing = ids[key] { return existing }
            if pairs.count >= limits.maxDFAStates || (pairs.count + 1) * k > limits.maxDFACells {
                throw RegexError(message: "pattern too complex: the intersection at position \(at) needs more than \(limits.maxDFAStates) states", offset: at)
            }
            let new = Int32(pairs.count)
            ids[key] = new
            pairs.append((p, q))
            table += repeatElement(0, count: k)
            accepting.append(a.accepting[Int(p)] && b.accepting[Int(q)])
            return new
        }
        let start = try id(a.start, b.start)
        var next = 0
        while next < pairs.count {
            let (p, q) = pairs[next]
            for c in 0..<k {
                let target = try id(a.table[Int(p) * k + c], b.table[Int(q) * k + c])
                table[next * k + c] = target
            }
            next += 1
        }
        return RegexDFA(table: table, accepting: accepting, start: start, classCount: k)
    }

    /// States from which some accepting state can be reached.
    static func live(_ dfa: RegexDFA) -> [Bool] {
        let predecessors = reverseEdges(dfa)
        var live = dfa.accepting
        var queue = (0..<dfa.stateCount).filter { live[$0] }
        while let s = queue.popLast() {
            for p in predecessors[s] where !live[Int(p)] {
                live[Int(p)] = true
                queue.append(Int(p))
            }
        }
        return live
    }

    /// For each state, the distinct states with a transition into it.
    static func reverseEdges(_ dfa: RegexDFA) -> [[Int32]] {
        let k = dfa.classCount
        var predecessors = [[Int32]](repeating: [], count: dfa.stateCount)
        var seen = [Int32](repeating: -1, count: dfa.stateCount)
        for s in 0..<dfa.stateCount {
            for c in 0..<k {
                let t = Int(dfa.table[s * k + c])
                if seen[t] != Int32(s) {
                    seen[t] = Int32(s)
                    predecessors[t].append(Int32(s))
                }
            }
        }
        return predecessors
    }

    /// Accepting states from which every continuation still accepts.
    static func acceptingForever(_ dfa: RegexDFA) -> [Bool] {
        let predecessors = reverseEdges(dfa)
        var forever = dfa.accepting
        var queue = (0..<dfa.stateCount).filter { !forever[$0] }
        while let s = queue.popLast() {
            for p in predecessors[s] where forever[Int(p)] {
                forever[Int(p)] = false
                queue.append(Int(p))
            }
        }
        return forever
    }
}

/// Subset construction. A struct with mutating methods rather than closures over locals, and
/// index loops rather than iterators: test builds run unoptimized, and there captured variables
/// pay for dynamic exclusivity checks on every access.
struct RegexSubsetBuilder {
    let lo: [Int32], hi: [Int32], out: [Int32], out1: [Int32]
    let start: Int32
    let k: Int
    let limits: RegexLimits
    /// Per NFA state: 1 accepting, 2 universal consumer (see `init`), 0 otherwise.
    var kind: [UInt8]
    var marks: [Int32]
    var stamp: Int32 = 0
    var stack: [Int32] = []
    /// What each consumer leads to, ε-closed: computed once, kept back to back in `pool`.
    var followStart: [Int32], followEnd: [Int32]
    var pool: [Int32] = []
    /// Marks of the set being gathered (apart from `marks`: follow sets are computed meanwhile).
    var seen: [Int32]
    var round: Int32 = 0
    /// DFA states' NFA sets, back to back in `members`, in the order found; found again by hash.
    var members: [Int32] = []
    var memberStart: [Int32] = [0]
    var buckets = [Int32](repeating: -1, count: 1024)
    var chain: [Int32] = []
    var table: [Int32] = []
    var zeroRow: [Int32] = []
    var accepting: [Bool] = []
    /// The set being gathered.
    var found: [Int32] = []
    var work = 0
    /// State 1: accepts whatever follows.
    static let forever: Int32 = 1

    init(nfa: RegexNFA, classCount k: Int, limits: RegexLimits) {
        let m = nfa.count
        lo = nfa.lo; hi = nfa.hi; out = nfa.out; out1 = nfa.out1
        start = nfa.start
        self.k = k
        self.limits = limits
        kind = [UInt8](repeating: 0, count: m)
        marks = [Int32](repeating: -1, count: m)
        followStart = [Int32](repeating: -1, count: m)
        followEnd = [Int32](repeating: -1, count: m)
        seen = [Int32](repeating: -1, count: m)
        var s = 0
        while s < m {
            if lo[s] == RegexNFA.accept { kind[s] = 1 }
            s += 1
        }
        // A consumer of every class whose step leads back to itself and to acceptance (the `.*`
        // at the end of `.*X.*`): a set holding it and acceptance accepts whatever follows, so
        // all such sets are one state. Without this, `.*X.*` keeps tracking X after a match.
        s = 0
        while s < m {
            if lo[s] == 0 && hi[s] == Int32(k - 1) {
                let range = follow(Int32(s))
                var selfLoop = false, accepts = false
                var i = range.lowerBound
                while i < range.upperBound {
                    if pool[i] == Int32(s) { selfLoop = true }
                    if kind[Int(pool[i])] == 1 { accepts = true }
                    i += 1
                }
                if selfLoop && accepts { kind[s] = 2 }
            }
            s += 1
        }
    }

    /// Appends the consuming and accepting states `seed` reaches through ε-moves (those not yet
    /// marked with the current stamp) to `pool`, or to `found`.
    private mutating func close(_ seed: Int32, intoPool: Bool, found: inout [Int32]) {
        if marks[Int(seed)] == stamp { return }
        marks[Int(seed)] = stamp
        stack.append(seed)
        while let s = stack.popLast() {
            let i = Int(s)
            if lo[i] == RegexNFA.epsilon {
                let a = out[i], b = out1[i]
                if a >= 0 && marks[Int(a)] != stamp { marks[Int(a)] = stamp; stack.append(a) }
                if b >= 0 && marks[Int(b)] != stamp { marks[Int(b)] = stamp; stack.append(b) }
            } else if intoPool {
                pool.append(s)
            } else {
                found.append(s)
            }
        }
    }

    private mutating func follow(_ c: Int32) -> Range<Int> {
        let i = Int(c)
        if followStart[i] < 0 {
            stamp += 1
            followStart[i] = Int32(pool.count)
            var unused: [Int32] = []
            close(out[i], intoPool: true, found: &unused)
            followEnd[i] = Int32(pool.count)
        }
        return Int(followStart[i])..<Int(followEnd[i])
    }

    // Sets are kept in the order found, not sorted: the hash ignores order, and a stored set
    // equals the one being looked up when sizes agree and each member carries this round's mark.
    private static func hash(_ set: [Int32], _ from: Int, _ to: Int) -> Int {
        var sum: UInt64 = 0, mixed: UInt64 = 0
        var i = from
        while i < to {
            let x = (UInt64(UInt32(bitPattern: set[i])) &+ 0x9E3779B97F4A7C15) &* 0xBF58476D1CE4E5B9
            sum = sum &+ x
            mixed ^= x ^ (x >> 31)
            i += 1
        }
        return Int(truncatingIfNeeded: sum ^ (mixed &* 0x94D049BB133111EB) ^ UInt64(to - from))
    }

    private func same(_ state: Int, count: Int) -> Bool {
        if state == Int(Self.forever) { return false }  // its placeholder set is not a real one
        let from = Int(memberStart[state]), to = Int(memberStart[state + 1])
        if to - from != count { return false }
        var i = from
        while i < to {
            if seen[Int(members[i])] != round { return false }
            i += 1
        }
        return true
    }

    /// Adds a state for `found` (its hash already computed).
    private mutating func insert(hash: Int, accepts: Bool) {
        let state = accepting.count
        members.append(contentsOf: found)
        memberStart.append(Int32(members.count))
        table.append(contentsOf: zeroRow)
        accepting.append(accepts)
        if accepting.count * 2 > buckets.count {
            buckets = [Int32](repeating: -1, count: buckets.count * 2)
            chain.removeAll(keepingCapacity: true)
            for s in 0..<accepting.count {
                let b = Self.hash(members, Int(memberStart[s]), Int(memberStart[s + 1])) & (buckets.count - 1)
                chain.append(buckets[b])
                buckets[b] = Int32(s)
            }
        } else {
            let b = hash & (buckets.count - 1)
            chain.append(buckets[b])
            buckets[b] = Int32(state)
        }
    }

    /// The state of `found`, all of whose members carry this round's mark; nil past the limits.
    private mutating func idOfFound() -> Int32? {
        var flags: UInt8 = 0
        var i = 0
        while i < found.count {
            flags |= kind[Int(found[i])]
            i += 1
        }
        if flags == 3 { return Self.forever }
        let h = Self.hash(found, 0, found.count)
        var candidate = buckets[h & (buckets.count - 1)]
        while candidate >= 0 {
            if same(Int(candidate), count: found.count) { return candidate }
            candidate = chain[Int(candidate)]
        }
        work += found.count
        if accepting.count >= limits.maxDFAStates || (accepting.count + 1) * k > limits.maxDFACells || work > limits.maxDeterminizeWork {
            return nil
        }
        insert(hash: h, accepts: flags & 1 != 0)
        return Int32(accepting.count - 1)
    }

    mutating func run() -> RegexDFA? {
        // State 0: the empty set (dead); state 1: forever (its set, [-1], matches nothing else).
        zeroRow = [Int32](repeating: 0, count: k)
        found = []
        insert(hash: Self.hash(found, 0, 0), accepts: false)
        found = [-1]
        insert(hash: Self.hash(found, 0, 1), accepts: true)
        for c in 0..<k { table[k + c] = Self.forever }

        var initial: [Int32] = []
        stamp += 1
        close(start, intoPool: false, found: &initial)
        found = initial
        round += 1
        for s in found { seen[Int(s)] = round }
        guard let startState = idOfFound() else { return nil }
        var next = 2
        var consumers: [Int32] = []
        // Where a consumer's classes begin or end, marked per DFA state.
        var cut = [Int32](repeating: -1, count: k + 1)
        var cutRound: Int32 = 0
        while next < accepting.count {
            consumers.removeAll(keepingCapacity: true)
            cutRound += 1
            var i = Int(memberStart[next])
            while i < Int(memberStart[next + 1]) {
                let s = Int(members[i])
                if lo[s] >= 0 {
                    consumers.append(Int32(s))
                    cut[Int(lo[s])] = cutRound
                    cut[Int(hi[s]) + 1] = cutRound
                }
                i += 1
            }
            // Classes between consecutive cuts lead to the same set: gather it once per run.
            var from = 0
            while from < k {
                var to = from + 1
                while to < k && cut[to] != cutRound { to += 1 }
                round += 1
                found.removeAll(keepingCapacity: true)
                // The scan counts as work too: a pattern like `(.*(w1|...|w100)){10}` makes few
                // states but scans hundreds of consumers for each of their class runs (0.3 to
                // 2.7 s of compiling in a release build before this was counted).
                work += consumers.count
                if work > limits.maxDeterminizeWork { return nil }
                var j = 0
                while j < consumers.count {
                    let s = Int(consumers[j])
                    j += 1
                    if lo[s] > Int32(from) || Int32(from) > hi[s] { continue }
                    let range = follow(Int32(s))
                    work += range.count
                    var t = range.lowerBound
                    while t < range.upperBound {
                        let member = pool[t]
                        if seen[Int(member)] != round {
                            seen[Int(member)] = round
                            found.append(member)
                        }
                        t += 1
                    }
                }
                if !found.isEmpty {
                    guard let target = idOfFound() else { return nil }
                    let row = next * k
                    for c in from..<to { table[row + c] = target }
                }
                from = to
            }
            next += 1
        }
        return RegexDFA(table: table, accepting: accepting, start: startState, classCount: k)
    }
}
