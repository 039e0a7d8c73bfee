#if canImport(Glibc)
import Glibc
#endif

/// A whole-value pattern with `*` (any run) and `?` (one character) wildcards, matched on
/// UTF-8 bytes, optionally ASCII- and Unicode-case-insensitively.
public struct WildcardPattern: Sendable, Hashable {
    enum Piece: Sendable, Hashable {
        case literal([UInt8])
        case anyRun
        case anyOne
    }

    let pieces: [Piece]
    public let caseInsensitive: Bool
    public let text: String

    /// - Parameter backslashEscapes: ES|QL's LIKE: `\` makes the next character literal (`\*`, `\\`).
    public init(_ text: String, caseInsensitive: Bool, questionMarkIsWildcard: Bool = true, backslashEscapes: Bool = false) {
        self.text = text
        self.caseInsensitive = caseInsensitive
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        func flush() { if !literal.isEmpty { pieces.append(.literal(literal)); literal.removeAll() } }
        let source = caseInsensitive ? CaseFolding.fold(Array(text.utf8)) : Array(text.utf8)
        var escaped = false
        for byte in source {
            if escaped {
                literal.append(byte)
                escaped = false
            } else if backslashEscapes && byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "*") {
                flush()
                if pieces.last != .anyRun { pieces.append(.anyRun) }
            } else if byte == UInt8(ascii: "?") && questionMarkIsWildcard {
                flush()
                pieces.append(.anyOne)
            } else {
                literal.append(byte)
            }
        }
        flush()
        self.pieces = pieces
        self.starsOnly = pieces.contains(.anyOne) ? nil : StarsOnly(pieces)
    }

    /// The same pattern when it has no `?` (nearly every rule's): its literal runs in one
    /// buffer, matched in one pass (see `StarsOnly.matches`).
    let starsOnly: StarsOnly?

    struct StarsOnly: Sendable, Hashable {
        /// The literal runs, back to back, and where each ends.
        let bytes: [UInt8]
        let ends: [Int32]
        /// Whether the value must start with the first run (no leading `*`), end with the last.
        let anchoredStart: Bool
        let anchoredEnd: Bool

        init(_ pieces: [Piece]) {
            var bytes: [UInt8] = [], ends: [Int32] = []
            for case .literal(let run) in pieces {
                bytes += run
                ends.append(Int32(bytes.count))
            }
            self.bytes = bytes
            self.ends = ends
            anchoredStart = pieces.first.map { $0 != .anyRun } ?? true
            anchoredEnd = pieces.last.map { $0 != .anyRun } ?? true
        }

        func matches(_ value: UnsafeRawBufferPointer) -> Bool {
            bytes.withUnsafeBytes { runs in
                ends.withUnsafeBufferPointer { ends in
                    Self.matches(value, runs: runs.baseAddress, ends: ends.baseAddress, count: ends.count,
                                 anchoredStart: anchoredStart, anchoredEnd: anchoredEnd)
                }
            }
        }

        /// With `*` the only wildcard, taking each middle run at its leftmost place is never
        /// wrong: a later place leaves less room for the runs after it. So: the first run as a
        /// prefix, the last as a suffix, the others in order between them, each searched once from
        /// where the one before it ended (no backtracking). `count` runs, back to back from
        /// `runs`, run i ending at `ends[i]`; also the matcher of `ConditionProgram`'s flat lists.
        @inline(__always)
        static func matches(_ value: UnsafeRawBufferPointer, runs: UnsafeRawPointer?, ends: UnsafePointer<Int32>?, count: Int,
                            anchoredStart: Bool, anchoredEnd: Bool) -> Bool {
            // A pattern without runs is "" or "*"; a run is never empty, so needs a byte.
            guard count > 0, let runBase = runs, let ends else { return !anchoredStart || value.isEmpty }
            guard let base = value.baseAddress, !value.isEmpty else { return false }
            var low = 0, high = value.count
            var first = 0, last = count
            if anchoredStart {
                let length = Int(ends[0])
                guard length <= high, memcmp(base, runBase, length) == 0 else { return false }
                // No `*` at all: the whole value.
                if anchoredEnd && count == 1 { return length == high }
                low = length
                first = 1
            }
            if anchoredEnd && last > first {
                let start = last >= 2 ? Int(ends[last - 2]) : 0, length = Int(ends[last - 1]) - start
                guard high - length >= low, memcmp(base + high - length, runBase + start, length) == 0 else { return false }
                high -= length
                last -= 1
            }
            for run in first..<last {
                let start = run == 0 ? 0 : Int(ends[run - 1]), length = Int(ends[run]) - start
                let needle = UnsafeRawBufferPointer(start: runBase + start, count: length)
                guard let hit = ByteSearch.firstIndex(of: needle, in: value, from: low, to: high) else { return false }
                low = hit + length
            }
            return true
        }
    }

    public var hasWildcards: Bool { pieces.contains { $0 == .anyRun || $0 == .anyOne } }

    /// The text a pattern without wildcards matches, escapes resolved.
    public var literalText: String {
        String(decoding: literalRuns.joined(), as: UTF8.self)
    }

    /// The fixed byte runs every match must contain (for prefilters).
    public var literalRuns: [[UInt8]] {
        pieces.compactMap { if case .literal(let bytes) = $0 { return bytes } else { return nil } }
    }

    /// Matches a value already case-folded when the pattern is case-insensitive.
    public func matches(_ value: UnsafeRawBufferPointer) -> Bool {
        if let starsOnly { return starsOnly.matches(value) }
        return Self.match(pieces[...], value, 0)
    }

    /// The general matcher (backtracking over the pieces), for patterns with `?`; the tests hold
    /// `StarsOnly` to it.
    static func match(_ pieces: ArraySlice<Piece>, _ value: UnsafeRawBufferPointer, _ at: Int) -> Bool {
        guard let first = pieces.first else { return at == value.count }
        switch first {
        case .literal(let bytes):
            guard value.count - at >= bytes.count else { return false }
            for i in 0..<bytes.count where value[at + i] != bytes[i] { return false }
            return match(pieces.dropFirst(), value, at + bytes.count)
        case .anyOne:
            guard at < value.count else { return false }
            // One character, which may span several UTF-8 bytes.
            var next = at + 1
            while next < value.count, value[next] & 0xC0 == 0x80 { next += 1 }
            return match(pieces.dropFirst(), value, next)
        case .anyRun:
            let rest = pieces.dropFirst()
            guard let following = rest.first else { return true }
            if case .literal(let bytes) = following {
                // Try each place the next literal occurs; a last literal must end the value.
                if rest.count == 1 {
                    guard value.count - at >= bytes.count else { return false }
                    return match(rest, value, value.count - bytes.count)
                }
                var start = at
                while let hit = bytes.withUnsafeBytes({ ByteSearch.firstIndex(of: $0, in: value, from: start, to: value.count) }) {
                    if match(rest, value, hit) { return true }
                    start = hit + 1
                }
                return false
            }
            var start = at
            while start <= value.count {
                if match(rest, value, start) { return true }
                start += 1
            }
            return false
        }
    }
}

/// Case folding for EQL's case-insensitive operators: ASCII letters only, as Elasticsearch's
/// case-insensitive automata fold (`AutomatonQueries.toCaseInsensitiveChar`); so the Kelvin sign
/// does not match `k`.
public enum CaseFolding {
    @inline(__always)
    static func foldASCII(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    public static func fold(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map(foldASCII)
    }

    /// Folds `value` into `out` (reused scratch); for values being compared.
    public static func fold(_ value: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        // Copied whole, then folded in place: a loop the compiler vectorizes, where appending
        // byte by byte checked the array's room and uniqueness at each.
        out.append(contentsOf: value)
        out.withUnsafeMutableBufferPointer { bytes in
            for index in bytes.indices { bytes[index] = foldASCII(bytes[index]) }
        }
    }
}
