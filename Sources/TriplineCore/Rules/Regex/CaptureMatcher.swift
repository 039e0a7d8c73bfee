// The Pike VM: all threads of the program advance together, one code point per step. A thread
// is a program counter plus its capture slots; the list of threads is kept in priority order
// and holds each instruction at most once, so a step costs O(program) and a search
// O(input × program × slots), whatever the pattern. When a thread accepts, the threads behind
// it (lower priority) are dropped: that is Java's leftmost-first answer, without backtracking.

/// The threads alive at one input position, in priority order, with a sparse set of the
/// instructions already visited in this step.
struct CaptureThreadList {
    var sparse: [Int32]
    var dense: [Int32]
    var visited = 0
    var pcs: [Int32]
    var count = 0
    var slots: [Int]
    let slotCount: Int

    init(programSize: Int, slotCount: Int) {
        sparse = [Int32](repeating: 0, count: programSize)
        dense = [Int32](repeating: 0, count: programSize)
        pcs = [Int32](repeating: 0, count: programSize)
        slots = [Int](repeating: -1, count: programSize * slotCount)
        self.slotCount = slotCount
    }

    @inline(__always)
    mutating func visit(_ pc: Int32) -> Bool {
        let i = Int(sparse[Int(pc)])
        if i < visited && dense[i] == pc { return false }
        sparse[Int(pc)] = Int32(visited)
        dense[visited] = pc
        visited += 1
        return true
    }

    @inline(__always)
    mutating func clear() {
        visited = 0
        count = 0
    }
}

/// One search session's scratch (reused across the matches of a `replacingAll`).
struct CaptureMatcher {
    private let program: CaptureProgram
    private var current: CaptureThreadList
    private var next: CaptureThreadList
    /// Explicit stack for following forks; entries with `pc < 0` restore slot `-pc - 1`.
    private var stack: [(pc: Int32, value: Int)] = []
    private var working: [Int]

    init(_ program: CaptureProgram) {
        self.program = program
        current = CaptureThreadList(programSize: program.instructions.count, slotCount: program.slotCount)
        next = current
        working = [Int](repeating: -1, count: program.slotCount)
        stack.reserveCapacity(16)
    }

    /// What assertions look at around a position.
    private struct Position {
        var offset: Int
        /// The code point before, or nil at the start of the input.
        var previous: UInt32?
        /// The code point at `offset`, or nil at the end.
        var current: UInt32?
    }

    /// The slots of the leftmost-first match starting at or after `from`, or nil.
    mutating func search(_ input: UnsafeRawBufferPointer, from: Int) -> [Int]? {
        let n = input.count
        guard from >= 0 && from <= n else { return nil }
        let code = program.instructions
        var matched: [Int]? = nil
        var offset = from
        var previous = from > 0 ? Self.scalar(before: from, in: input)?.0 : nil
        current.clear()
        while true {
            let (c, length): (UInt32?, Int) = offset < n ? Self.decode(input, at: offset) : (nil, 0)
            if matched == nil && current.count == 0 {
                if program.anchoredAtStart && offset > 0 { break }
                // Nothing alive: skip to a code point that can start a match.
                if let c, program.firstSet != nil, !mayStart(c) {
                    previous = c
                    offset += length
                    continue
                }
            }
            let here = Position(offset: offset, previous: previous, current: c)
            if matched == nil && !(program.anchoredAtStart && offset > 0) {
                for k in 0..<working.count { working[k] = -1 }
                Self.add(to: &current, pc: 0, at: here, input, program, &stack, &working)
            }
            if current.count == 0 {
                if matched != nil || offset >= n { break }
            }
            next.clear()
            if current.count > 0 {
                let after = Position(offset: offset + length, previous: c,
                                     current: offset + length < n ? Self.decode(input, at: offset + length).0 : nil)
                let slotCount = program.slotCount
                for t in 0..<current.count {
                    let inst = code[Int(current.pcs[t])]
                    if inst.op == .match {
                        let base = t * slotCount
                        matched = Array(current.slots[base..<(base + slotCount)])
                        break  // threads behind this one have lower priority
                    }
                    guard let c, contains(Int(inst.arg), c) else { continue }
                    let base = t * slotCount
                    for k in 0..<slotCount { working[k] = current.slots[base + k] }
                    Self.add(to: &next, pc: inst.next, at: after, input, program, &stack, &working)
                }
            }
            if offset >= n { break }
            swap(&current, &next)
            previous = c
            offset += length
        }
        return matched
    }

    @inline(__always)
    private func mayStart(_ c: UInt32) -> Bool {
        if c < 64 { return program.firstASCII.0 & (1 << UInt64(c)) != 0 }
        if c < 128 { return program.firstASCII.1 & (1 << UInt64(c - 64)) != 0 }
        guard let first = program.firstSet else { return true }
        return CaptureCharClasses.contains(first, c)
    }

    @inline(__always)
    private func contains(_ set: Int, _ c: UInt32) -> Bool {
        if c < 64 { return program.asciiLow[set] & (1 << UInt64(c)) != 0 }
        if c < 128 { return program.asciiHigh[set] & (1 << UInt64(c - 64)) != 0 }
        return CaptureCharClasses.contains(program.sets[set], c)
    }

    /// Follows forks, jumps, saves and assertions from `pc` (with `working` as the thread's
    /// slots) and adds the consuming and accepting instructions reached, in priority order.
    /// (Static, so the list, the stack and the slots can be borrowed apart.)
    private static func add(to list: inout CaptureThreadList, pc start: Int32, at position: Position,
                            _ input: UnsafeRawBufferPointer, _ program: CaptureProgram,
                            _ stack: inout [(pc: Int32, value: Int)], _ working: inout [Int]) {
        let code = program.instructions
        stack.append((start, 0))
        while let (entry, value) = stack.popLast() {
            if entry < 0 {
                working[Int(-entry - 1)] = value
                continue
            }
            var pc = entry
            while list.visit(pc) {
                let inst = code[Int(pc)]
                switch inst.op {
                case .jump:
                    pc = inst.next
                    continue
                case .split:
                    stack.append((inst.alt, 0))
                    pc = inst.next
                    continue
                case .save:
                    let slot = Int(inst.arg)
                    stack.append((-Int32(slot) - 1, working[slot]))
                    working[slot] = position.offset
                    pc = inst.next
                    continue
                case .assert:
                    guard holds(CaptureAssertion(rawValue: UInt8(inst.arg))!, at: position, input) else { break }
                    pc = inst.next
                    continue
                case .lookaround:
                    guard holds(program.lookarounds[Int(inst.arg)], at: position, input) else { break }
                    pc = inst.next
                    continue
                case .consume, .match:
                    let base = list.count * list.slotCount
                    for k in 0..<list.slotCount { list.slots[base + k] = working[k] }
                    list.pcs[list.count] = pc
                    list.count += 1
                }
                break
            }
        }
    }

    // MARK: Assertions

    private static func holds(_ kind: CaptureAssertion, at p: Position, _ input: UnsafeRawBufferPointer) -> Bool {
        let n = input.count
        switch kind {
        case .textStart:
            return p.offset == 0
        case .textEnd:
            return p.offset == n
        case .textEndBeforeFinalTerminator:
            guard let c = p.current else { return true }
            let rest = n - p.offset
            if c == 0x0D { return rest == 1 || (rest == 2 && input[p.offset + 1] == 0x0A) }
            if c == 0x0A { return rest == 1 && p.previous != 0x0D }
            return CaptureCharClasses.isLineTerminator(c) && rest == (c == 0x85 ? 2 : 3)
        case .lineEnd:
            guard let c = p.current else { return true }
            if c == 0x0A { return p.previous != 0x0D }
            return CaptureCharClasses.isLineTerminator(c)
        case .lineStart:
            guard p.current != nil else { return false }
            guard let before = p.previous else { return true }
            if before == 0x0D && p.current == 0x0A { return false }
            return CaptureCharClasses.isLineTerminator(before)
        case .unixTextEndBeforeFinalNewline:
            return p.current == nil || (p.current == 0x0A && p.offset == n - 1)
        case .unixLineEnd:
            return p.current == nil || p.current == 0x0A
        case .unixLineStart:
            guard p.current != nil else { return false }
            return p.previous == nil || p.previous == 0x0A
        case .onigLineStart:
            return p.previous == nil || (p.previous == 0x0A && p.current != nil)
        case .wordBoundary, .notWordBoundary:
            let before = p.previous.map(CaptureCharClasses.isWord) ?? false
            let after = p.current.map(CaptureCharClasses.isWord) ?? false
            return (before != after) == (kind == .wordBoundary)
        }
    }

    private static func holds(_ look: CaptureLookaround, at p: Position, _ input: UnsafeRawBufferPointer) -> Bool {
        var found = false
        for sequence in look.alternatives {
            if look.ahead {
                var offset = p.offset
                var ok = true
                for set in sequence {
                    guard offset < input.count else { ok = false; break }
                    let (c, length) = Self.decode(input, at: offset)
                    guard CaptureCharClasses.contains(set, c) else { ok = false; break }
                    offset += length
                }
                found = ok
            } else {
                var offset = p.offset
                var ok = true
                for set in sequence.reversed() {
                    guard let (c, length) = Self.scalar(before: offset, in: input),
                          CaptureCharClasses.contains(set, c) else { ok = false; break }
                    offset -= length
                }
                found = ok
            }
            if found { break }
        }
        return found != look.negate
    }

    // MARK: UTF-8

    /// The code point at `i` and its length; U+FFFD (one per maximal ill-formed prefix) for
    /// invalid UTF-8, as Java's decoder reads it.
    @inline(__always)
    static func decode(_ input: UnsafeRawBufferPointer, at i: Int) -> (UInt32, Int) {
        let b = input[i]
        if b < 0x80 { return (UInt32(b), 1) }
        return RegexMatcher.decode(input, at: i)
    }

    /// The code point that ends at `i`, and its length: the longest well-formed reading,
    /// else one byte.
    static func scalar(before i: Int, in input: UnsafeRawBufferPointer) -> (UInt32, Int)? {
        guard i > 0 else { return nil }
        for k in stride(from: min(4, i), through: 2, by: -1) {
            let (c, length) = decode(input, at: i - k)
            if length == k { return (c, k) }
        }
        let (c, _) = decode(input, at: i - 1)
        return (c, 1)
    }
}
