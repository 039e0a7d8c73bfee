// Regular expressions in Lucene's RegExp syntax, as Elasticsearch's `regexp` query, EQL's
// `regex`/`regex~` and ES|QL's RLIKE evaluate them: the whole value must match, and matching
// never backtracks (one table step per input code point, or a bounded state-set simulation).

import Synchronization

/// A pattern that does not parse, or whose automaton would be too large.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Offset in the pattern, in Unicode code points.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at offset \(offset))" }
}

/// A compiled Lucene regular expression. Equal (and hashed) by pattern and case sensitivity.
public struct LuceneRegex: Sendable, Hashable {
    public let pattern: String
    public let caseInsensitive: Bool
    let program: RegexProgram

    /// - Parameter caseInsensitive: EQL's `regex~`: single characters and quoted strings match
    ///   every case variant (Unicode simple case folding); ranges such as `[a-z]` and `\w` do not
    ///   widen, exactly as in Lucene.
    public init(_ pattern: String, caseInsensitive: Bool) throws(RegexError) {
        try self.init(pattern, caseInsensitive: caseInsensitive, limits: RegexLimits())
    }

    init(_ pattern: String, caseInsensitive: Bool, limits: RegexLimits) throws(RegexError) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        let root = try RegexParser.parse(pattern, caseInsensitive: caseInsensitive)
        program = try RegexProgram(root, caseInsensitive: caseInsensitive, limits: limits)
    }

    /// Whether the whole of `input` (UTF-8) matches. Invalid UTF-8 reads as U+FFFD per maximal
    /// ill-formed subsequence, as Java's decoder would.
    public func matches(_ input: UnsafeRawBufferPointer) -> Bool {
        program.matches(input)
    }

    public func matches(_ input: String) -> Bool {
        if let result = input.utf8.withContiguousStorageIfAvailable({ program.matches(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(input.utf8).withUnsafeBytes { program.matches($0) }
    }

    /// Byte strings one of which every matching input contains, or nil when no such set is known.
    /// Sound, not minimal: shortest alternatives may be a single byte; callers pick what is worth
    /// searching for. For a case-insensitive pattern the literals are ASCII-lowercased and must be
    /// searched for ASCII-case-insensitively (non-ASCII case variants are listed separately).
    public var requiredLiterals: [[UInt8]]? { program.requiredLiterals }

    public static func == (a: LuceneRegex, b: LuceneRegex) -> Bool {
        a.pattern == b.pattern && a.caseInsensitive == b.caseInsensitive
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(caseInsensitive)
    }

    /// Whether matching runs on a precomputed DFA (else on the NFA simulation). For tests.
    var usesDFA: Bool { program.matcher.nfa == nil }
}

/// The compiled form, shared by copies of a `LuceneRegex`. The pattern is parsed and its NFA
/// built (and refused past the limits) at once; the DFA that matching runs on is built at the
/// first match, by whichever thread gets there first: determinizing every bundled rule's
/// patterns was a tenth of start-up, on the one thread that compiles rules, and a rule whose
/// regex no event reaches never needs its DFA.
final class RegexProgram: Sendable {
    let alphabet: RegexAlphabet
    let classCount: Int
    let requiredLiterals: [[UInt8]]?
    private let nfa: RegexNFA
    private let limits: RegexLimits
    private let built = Atomic<Unmanaged<RegexMatcher>?>(nil)

    init(_ root: RegexNode, caseInsensitive: Bool, limits: RegexLimits) throws(RegexError) {
        alphabet = RegexAlphabet(root, caseInsensitive: caseInsensitive)
        classCount = alphabet.count
        requiredLiterals = RegexLiterals.required(root, caseInsensitive: caseInsensitive)
        nfa = try RegexCompiler.nfa(for: root, alphabet: alphabet, caseInsensitive: caseInsensitive, limits: limits)
        self.limits = limits
    }

    deinit {
        built.load(ordering: .acquiring)?.release()
    }

    /// The DFA, or the NFA where the DFA would pass the limits.
    var matcher: RegexMatcher { stored().takeUnretainedValue() }

    func matches(_ input: UnsafeRawBufferPointer) -> Bool {
        // The program holds its matcher for as long as it lives: no retain per match.
        stored()._withUnsafeGuaranteedRef { $0.matches(input, alphabet: alphabet) }
    }

    /// The matcher, built if no match has yet. Two threads that build it at once build the
    /// same; the first stored is kept, and the program releases it when it goes.
    private func stored() -> Unmanaged<RegexMatcher> {
        if let known = built.load(ordering: .acquiring) { return known }
        var matcherLimits = limits
        matcherLimits.maxDFAStates = limits.maxMatcherDFAStates
        let made = Unmanaged.passRetained(RegexMatcher(nfa, classCount: classCount, limits: matcherLimits))
        let (stored, current) = built.compareExchange(expected: nil, desired: made, ordering: .acquiringAndReleasing)
        if stored { return made }
        made.release()
        return current!
    }

    /// Whether a match has built the matcher yet (for tests).
    var hasMatcher: Bool { built.load(ordering: .acquiring) != nil }
}

/// What matching runs on, built once per pattern (`RegexProgram.matcher`); immutable.
final class RegexMatcher: Sendable {
    let classCount: Int
    /// DFA: state 0 is dead; states at or above `foreverFrom` accept whatever follows (their rows
    /// are not stored). `table[row + class]` is the next state's row, `row = state * classCount`
    /// (premultiplied, so a step costs no multiplication); `accepting` is by state.
    let table: [Int32]
    let accepting: [Bool]
    let start: Int
    let foreverFrom: Int
    /// Set when the DFA would exceed the limits: matching simulates this NFA instead.
    let nfa: RegexNFA?

    init(_ nfa: RegexNFA, classCount: Int, limits: RegexLimits) {
        self.classCount = classCount
        guard let dfa = RegexDeterminizer.determinize(nfa, classCount: classCount, limits: limits) else {
            self.nfa = nfa
            table = []; accepting = []; start = 0; foreverFrom = 0
            return
        }
        self.nfa = nil
        // Renumber: every state that cannot reach acceptance becomes 0, so matching stops early;
        // the states that accept forever go last, so one comparison catches both.
        let live = RegexDeterminizer.live(dfa)
        let forever = RegexDeterminizer.acceptingForever(dfa)
        var renumbered = [Int](repeating: 0, count: dfa.stateCount)
        var kept: [Int] = [-1]
        for s in 0..<dfa.stateCount where live[s] && !forever[s] {
            renumbered[s] = kept.count
            kept.append(s)
        }
        foreverFrom = kept.count
        var next = kept.count
        for s in 0..<dfa.stateCount where forever[s] {
            renumbered[s] = next
            next += 1
        }
        let k = classCount
        var table = [Int32](repeating: 0, count: kept.count * k)
        var accepting = [Bool](repeating: false, count: kept.count)
        for (index, s) in kept.enumerated() where s >= 0 {
            accepting[index] = dfa.accepting[s]
            for c in 0..<k { table[index * k + c] = Int32(renumbered[Int(dfa.table[s * k + c])] * k) }
        }
        self.table = table
        self.accepting = accepting
        start = renumbered[Int(dfa.start)]
    }

    func matches(_ input: UnsafeRawBufferPointer, alphabet: RegexAlphabet) -> Bool {
        if let nfa { return simulate(nfa, input, alphabet: alphabet) }
        if start == 0 || start >= foreverFrom { return start != 0 }
        let k = classCount
        var row = start * k
        let forever = foreverFrom * k
        return table.withUnsafeBufferPointer { table in
            alphabet.ascii.withUnsafeBufferPointer { ascii in
                var i = 0
                let n = input.count
                while i < n {
                    let byte = input[i]
                    let cls: Int
                    if byte < 0x80 {
                        cls = Int(ascii[Int(byte)])
                        i += 1
                    } else {
                        let (scalar, length) = Self.decode(input, at: i)
                        cls = alphabet.classOf(scalar)
                        i += length
                    }
                    row = Int(table[row &+ cls])
                    // Dead (0) or accepting whatever follows (>= forever).
                    if UInt(bitPattern: row &- 1) >= UInt(bitPattern: forever &- 1) { return row != 0 }
                }
                return accepting[row / k]
            }
        }
    }

    /// The NFA, one state set per code point: O(input × states), never exponential. Scratch
    /// space comes from the stack (or the heap, for a large NFA), not from a per-call array.
    private func simulate(_ nfa: RegexNFA, _ input: UnsafeRawBufferPointer, alphabet: RegexAlphabet) -> Bool {
        let m = nfa.count
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * m) { scratch in
            let marks = UnsafeMutableBufferPointer(rebasing: scratch[0..<m])
            var current = UnsafeMutableBufferPointer(rebasing: scratch[m..<(2 * m)])
            var next = UnsafeMutableBufferPointer(rebasing: scratch[(2 * m)..<(3 * m)])
            let stack = UnsafeMutableBufferPointer(rebasing: scratch[(3 * m)..<(4 * m)])
            marks.initialize(repeating: -1)
            var currentCount = Self.addClosure(of: nfa.start, nfa, marks, 0, stack, current, 0)
            var generation: Int32 = 0
            var i = 0
            while i < input.count {
                if currentCount == 0 { return false }
                let cls: Int32
                if input[i] < 0x80 {
                    cls = alphabet.ascii[Int(input[i])]
                    i += 1
                } else {
                    let (scalar, length) = Self.decode(input, at: i)
                    cls = Int32(alphabet.classOf(scalar))
                    i += length
                }
                generation += 1
                var nextCount = 0
                for index in 0..<currentCount {
                    let s = Int(current[index])
                    if nfa.lo[s] >= 0 && nfa.lo[s] <= cls && cls <= nfa.hi[s] {
                        nextCount = Self.addClosure(of: nfa.out[s], nfa, marks, generation, stack, next, nextCount)
                    }
                }
                swap(&current, &next)
                currentCount = nextCount
            }
            for index in 0..<currentCount where nfa.lo[Int(current[index])] == RegexNFA.accept { return true }
            return false
        }
    }

    /// Adds `state` and what its ε-moves reach (consuming and accepting states only) to `list`,
    /// skipping states already marked with `generation`; returns the list's new length.
    private static func addClosure(
        of state: Int32, _ nfa: RegexNFA, _ marks: UnsafeMutableBufferPointer<Int32>, _ generation: Int32,
        _ stack: UnsafeMutableBufferPointer<Int32>, _ list: UnsafeMutableBufferPointer<Int32>, _ count: Int
    ) -> Int {
        if marks[Int(state)] == generation { return count }
        marks[Int(state)] = generation
        var count = count
        var top = 0
        stack[top] = state; top += 1
        while top > 0 {
            top -= 1
            let s = Int(stack[top])
            if nfa.lo[s] == RegexNFA.epsilon {
                let a = nfa.out[s], b = nfa.out1[s]
                if a >= 0 && marks[Int(a)] != generation { marks[Int(a)] = generation; stack[top] = a; top += 1 }
                if b >= 0 && marks[Int(b)] != generation { marks[Int(b)] = generation; stack[top] = b; top += 1 }
            } else {
                list[count] = Int32(s); count += 1
            }
        }
        return count
    }

    /// One code point of UTF-8 at `i`, and its length; U+FFFD for a maximal ill-formed prefix.
    @inline(__always)
    static func decode(_ p: UnsafeRawBufferPointer, at i: Int) -> (UInt32, Int) {
        let n = p.count
        let b0 = UInt32(p[i])
        let need: Int
        var low: UInt32 = 0x80, high: UInt32 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; high = 0x9F
        case 0xF0: need = 3; low = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; high = 0x8F
        default: return (0xFFFD, 1)
        }
        var scalar = b0 & (0x3F >> need)
        for j in 1...need {
            guard i + j < n else { return (0xFFFD, j) }
            let b = UInt32(p[i + j])
            guard b >= low && b <= high else { return (0xFFFD, j) }
            low = 0x80; high = 0xBF
            scalar = scalar << 6 | (b & 0x3F)
        }
        return (scalar, need + 1)
    }
}
