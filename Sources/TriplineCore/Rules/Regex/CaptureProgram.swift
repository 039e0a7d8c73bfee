// A capture regex compiled into a Pike VM program: Thompson's construction with instructions
// that consume one code point, fork (in priority order), jump, record a capture position, test
// an assertion, or accept.

struct CaptureInstruction: Sendable {
    enum Op: UInt8, Sendable { case consume, split, jump, save, assert, lookaround, match }
    var op: Op
    /// consume: set index; save: slot; assert: `CaptureAssertion` raw value; lookaround: index.
    var arg: Int32
    /// Where the thread goes next; for `split`, the preferred branch.
    var next: Int32
    /// `split`'s other branch.
    var alt: Int32
}

/// Bounds that keep a hostile pattern's program (and the matcher's per-call scratch) small.
struct CaptureLimits: Sendable {
    /// Counted repetition expands its operand, so `(a{100}){100}` is 10,000 instructions.
    var maxInstructions = 10_000
}

/// The compiled program, shared by copies of a `CaptureRegex`; immutable after init.
final class CaptureProgram: Sendable {
    let instructions: [CaptureInstruction]
    /// Per set: ASCII members as a 128-bit mask (two words), and all members as ranges.
    let asciiLow: [UInt64]
    let asciiHigh: [UInt64]
    let sets: [[ClosedRange<UInt32>]]
    let lookarounds: [CaptureLookaround]
    /// Two slots (start, end) per group, group 0 first.
    let slotCount: Int
    /// Code points that can start a match, when every match consumes one first (else nil): the
    /// matcher skips to the next such code point while no thread is alive.
    let firstSet: [ClosedRange<UInt32>]?
    let firstASCII: (UInt64, UInt64)
    /// The pattern matches only at offset 0 (`\A` or Java's `^` first).
    let anchoredAtStart: Bool

    init(_ root: CaptureNode, groupCount: Int, syntax: CaptureSyntax, limits: CaptureLimits) throws(RegexError) {
        var compiler = CaptureCompiler(limits: limits)
        try compiler.append(.init(op: .save, arg: 0, next: 1, alt: -1))
        try compiler.emit(root)
        try compiler.append(.init(op: .save, arg: 1, next: Int32(compiler.code.count + 1), alt: -1))
        try compiler.append(.init(op: .match, arg: 0, next: -1, alt: -1))
        instructions = compiler.code
        sets = compiler.sets
        lookarounds = compiler.lookarounds
        slotCount = 2 * (groupCount + 1)
        var low: [UInt64] = [], high: [UInt64] = []
        for set in sets {
            let mask = Self.asciiMask(set)
            low.append(mask.0)
            high.append(mask.1)
        }
        asciiLow = low
        asciiHigh = high
        if syntax == .java {
            for atomic in compiler.atomics {
                try Self.checkAtomic(atomic, instructions: compiler.code, sets: compiler.sets)
            }
        }
        firstSet = Self.firstSet(compiler.code, sets: compiler.sets)
        firstASCII = firstSet.map(Self.asciiMask) ?? (~0, ~0)
        anchoredAtStart = Self.startsAnchored(root)
    }

    static func asciiMask(_ set: [ClosedRange<UInt32>]) -> (UInt64, UInt64) {
        var low: UInt64 = 0, high: UInt64 = 0
        for r in set where r.lowerBound < 128 {
            for c in r.lowerBound...min(r.upperBound, 127) {
                if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
            }
        }
        return (low, high)
    }

    private static func startsAnchored(_ node: CaptureNode) -> Bool {
        switch node {
        case .assertion(let kind): return kind == .textStart
        case .concat(let items): return items.first.map(startsAnchored) ?? false
        case .group(let child, _): return startsAnchored(child)
        case .alternation(let items): return !items.isEmpty && items.allSatisfy(startsAnchored)
        default: return false
        }
    }

    /// What the first consuming instruction of any match accepts; nil when a match can be
    /// empty.
    private static func firstSet(_ code: [CaptureInstruction], sets: [[ClosedRange<UInt32>]]) -> [ClosedRange<UInt32>]? {
        var seen = [Bool](repeating: false, count: code.count)
        var stack: [Int32] = [0]
        var ranges: [ClosedRange<UInt32>] = []
        while let pc = stack.popLast() {
            let i = Int(pc)
            if seen[i] { continue }
            seen[i] = true
            let inst = code[i]
            switch inst.op {
            case .consume: ranges += sets[Int(inst.arg)]
            case .match: return nil
            case .split: stack.append(inst.next); stack.append(inst.alt)
            case .jump, .save, .assert, .lookaround: stack.append(inst.next)
            }
        }
        return RegexCharSet.normalize(ranges)
    }

    // MARK: Atomic groups and possessive quantifiers

    /// A Pike VM cannot commit to one way of matching a sub-pattern, so `(?>X)` and `X*+` are
    /// run as plain groups and greedy quantifiers. That is exact when committing cannot change
    /// the result: (1) X is deterministic: at each fork inside X the two branches cannot start
    /// with the same code point, and the preferred branch may reach X's end without consuming
    /// only if the other cannot consume either (so X's preferred way is also its longest);
    /// and (2) nothing that may follow X can start with a code point X consumes (so giving
    /// back is useless: the code point given back could only be consumed by X again).
    private static func checkAtomic(_ atomic: CaptureCompiler.Atomic, instructions code: [CaptureInstruction],
                                    sets: [[ClosedRange<UInt32>]]) throws(RegexError) {
        let refused = RegexError(
            message: "possessive quantifiers and atomic groups are only supported where they cannot give back anything (matching stays linear)",
            offset: atomic.at)
        let range = atomic.start..<atomic.end
        var consumed: [ClosedRange<UInt32>] = []
        for pc in range where code[pc].op == .consume { consumed += sets[Int(code[pc].arg)] }
        consumed = RegexCharSet.normalize(consumed)

        // (1) Determinism inside X, explored without leaving it (assertions count as passing,
        // which only widens the sets).
        func closure(_ from: Int32) -> (first: [ClosedRange<UInt32>], reachesEnd: Bool) {
            var seen = Set<Int32>()
            var stack = [from]
            var first: [ClosedRange<UInt32>] = []
            var reachesEnd = false
            while let pc = stack.popLast() {
                guard seen.insert(pc).inserted else { continue }
                if Int(pc) == atomic.end { reachesEnd = true; continue }
                guard range.contains(Int(pc)) else { continue }
                let inst = code[Int(pc)]
                switch inst.op {
                case .consume: first += sets[Int(inst.arg)]
                case .match: reachesEnd = true
                case .split: stack.append(inst.next); stack.append(inst.alt)
                case .jump, .save, .assert, .lookaround: stack.append(inst.next)
                }
            }
            return (RegexCharSet.normalize(first), reachesEnd)
        }
        for pc in range where code[pc].op == .split {
            let preferred = closure(code[pc].next), other = closure(code[pc].alt)
            if !CaptureCharClasses.intersect(preferred.first, other.first).isEmpty { throw refused }
            if preferred.reachesEnd && !other.first.isEmpty { throw refused }
        }

        // (2) What may follow X: the code points that can come next, through zero-width steps.
        var follow: [ClosedRange<UInt32>] = []
        var seen = Set<Int32>()
        var stack = [Int32(atomic.end)]
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            let inst = code[Int(pc)]
            switch inst.op {
            case .consume: follow += sets[Int(inst.arg)]
            case .match: break
            case .split: stack.append(inst.next); stack.append(inst.alt)
            case .jump, .save: stack.append(inst.next)
            case .assert:
                // An end anchor passes before a line terminator: that terminator "follows".
                switch CaptureAssertion(rawValue: UInt8(inst.arg)) {
                case .textEnd: break
                case .textEndBeforeFinalTerminator, .lineEnd: follow += CaptureCharClasses.lineTerminators
                case .unixTextEndBeforeFinalNewline, .unixLineEnd: follow.append(0x0A...0x0A)
                default: throw refused
                }
                stack.append(inst.next)
            case .lookaround:
                throw refused
            }
        }
        if !CaptureCharClasses.intersect(consumed, RegexCharSet.normalize(follow)).isEmpty { throw refused }
    }
}

/// Emits instructions for a tree, depth-first (the parser bounds the depth).
struct CaptureCompiler {
    struct Atomic {
        var start: Int
        var end: Int
        var at: Int
    }

    let limits: CaptureLimits
    var code: [CaptureInstruction] = []
    var sets: [[ClosedRange<UInt32>]] = []
    var setIndex: [[ClosedRange<UInt32>]: Int32] = [:]
    var lookarounds: [CaptureLookaround] = []
    var atomics: [Atomic] = []

    init(limits: CaptureLimits) {
        self.limits = limits
    }

    @discardableResult
    mutating func append(_ inst: CaptureInstruction) throws(RegexError) -> Int {
        guard code.count < limits.maxInstructions else {
            throw RegexError(message: "pattern is too complex: its program would exceed \(limits.maxInstructions) instructions", offset: 0)
        }
        code.append(inst)
        return code.count - 1
    }

    /// An instruction whose successor is the next one emitted.
    @discardableResult
    private mutating func append(_ op: CaptureInstruction.Op, _ arg: Int32 = 0) throws(RegexError) -> Int {
        try append(.init(op: op, arg: arg, next: Int32(code.count + 1), alt: -1))
    }

    private mutating func index(of set: [ClosedRange<UInt32>]) -> Int32 {
        if let index = setIndex[set] { return index }
        sets.append(set)
        setIndex[set] = Int32(sets.count - 1)
        return Int32(sets.count - 1)
    }

    mutating func emit(_ node: CaptureNode) throws(RegexError) {
        switch node {
        case .empty:
            break
        case .set(let set):
            try append(.consume, index(of: set))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternation(let items):
            var jumps: [Int] = []
            for (k, item) in items.enumerated() {
                if k == items.count - 1 {
                    try emit(item)
                } else {
                    let split = try append(.split)
                    try emit(item)
                    jumps.append(try append(.jump))
                    code[split].alt = Int32(code.count)
                }
            }
            for jump in jumps { code[jump].next = Int32(code.count) }
        case .group(let child, let index):
            try append(.save, Int32(2 * index))
            try emit(child)
            try append(.save, Int32(2 * index + 1))
        case .repeating(let child, let min, let max, let greedy, _):
            try emitRepeat(child, min: min, max: max, greedy: greedy)
        case .atomic(let child, let at):
            let start = code.count
            try emit(child)
            atomics.append(Atomic(start: start, end: code.count, at: at))
        case .assertion(let kind):
            try append(.assert, Int32(kind.rawValue))
        case .lookaround(let spec):
            lookarounds.append(spec)
            try append(.lookaround, Int32(lookarounds.count - 1))
        }
    }

    /// A fork into the instructions that follow it; `patchExit` sets its other branch.
    private mutating func fork() throws(RegexError) -> Int {
        try append(.split)
    }

    /// Sets the branch of the fork at `split` that leaves the loop or optional part.
    private mutating func patchExit(_ split: Int, greedy: Bool, to target: Int) {
        if greedy {
            code[split].alt = Int32(target)
        } else {
            code[split].alt = code[split].next
            code[split].next = Int32(target)
        }
    }

    private mutating func emitRepeat(_ child: CaptureNode, min: Int, max: Int?, greedy: Bool) throws(RegexError) {
        guard let max else {
            if min == 0 && child.canBeEmpty {
                // `x*` with an x that can match empty runs as `(?:x+)?`: one empty iteration
                // completes (setting x's groups, as Java does) before the loop-back is cut.
                let split = try fork()
                try emitRepeat(child, min: 1, max: nil, greedy: greedy)
                patchExit(split, greedy: greedy, to: code.count)
            } else if min == 0 {
                // L: split(body, exit); body; jump L
                let loop = try fork()
                try emit(child)
                let jump = try append(.jump)
                code[jump].next = Int32(loop)
                patchExit(loop, greedy: greedy, to: code.count)
            } else {
                for _ in 0..<(min - 1) { try emit(child) }
                // L: body; split(L, exit)
                let body = code.count
                try emit(child)
                let split = try append(.split)
                if greedy {
                    code[split].next = Int32(body)
                    code[split].alt = Int32(code.count)
                } else {
                    code[split].alt = Int32(body)
                }
            }
            return
        }
        for _ in 0..<min { try emit(child) }
        // x{0,k} nested: split(x split(x ...)), every exit to the end; the nesting keeps
        // "one more" preferred over "stop" at each step (greedy) or the reverse (lazy).
        var exits: [Int] = []
        for _ in 0..<(max - min) {
            exits.append(try fork())
            try emit(child)
        }
        for split in exits { patchExit(split, greedy: greedy, to: code.count) }
    }
}
