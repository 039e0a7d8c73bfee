// The parsed form of a capture regular expression (java.util.regex or Oniguruma syntax), before
// it is compiled into a Pike VM program. Character sets are sorted, disjoint, closed code-point
// ranges (as `RegexCharSet` keeps them); case folding is already applied.

indirect enum CaptureNode: Sendable {
    case empty
    /// One code point out of the set.
    case set([ClosedRange<UInt32>])
    case concat([CaptureNode])
    /// Alternatives in priority order (leftmost first).
    case alternation([CaptureNode])
    /// A capturing group; `index` counts opening parentheses from 1.
    case group(CaptureNode, index: Int)
    /// `max == nil` is unbounded; `greedy == false` is a lazy quantifier. `at` is the
    /// quantifier's offset in the pattern, for errors.
    case repeating(CaptureNode, min: Int, max: Int?, greedy: Bool, at: Int)
    /// An atomic group `(?>X)`, or a possessive quantifier (wrapping its greedy twin): accepted
    /// only where committing cannot change the match (checked on the compiled program).
    case atomic(CaptureNode, at: Int)
    case assertion(CaptureAssertion)
    /// A lookahead or lookbehind whose body is a union of fixed sequences of single code points,
    /// which a thread can check in place (so matching stays linear).
    case lookaround(CaptureLookaround)
}

/// Zero-width tests between code points.
enum CaptureAssertion: UInt8, Sendable {
    /// `\A`, and `^` without MULTILINE (Java).
    case textStart
    /// `\z`.
    case textEnd
    /// `\Z`, and `$` without MULTILINE: the end, or before a line terminator that ends the text.
    case textEndBeforeFinalTerminator
    /// `^` with MULTILINE: the start, or after a line terminator (not inside `\r\n`), never at
    /// the very end (Java follows Perl there).
    case lineStart
    /// `$` with MULTILINE: the end, or before a line terminator (not inside `\r\n`).
    case lineEnd
    /// UNIX_LINES twins of the four above (only `\n` ends a line), which Oniguruma's `^`/`$`
    /// (always line anchors) and `\Z` also are.
    case unixTextEndBeforeFinalNewline
    case unixLineStart
    case unixLineEnd
    /// Oniguruma's `^`: the start, or after `\n` unless at the end.
    case onigLineStart
    case wordBoundary
    case notWordBoundary
}

struct CaptureLookaround: Sendable {
    var ahead: Bool
    var negate: Bool
    /// Each alternative is a sequence of sets, one code point each (in text order).
    var alternatives: [[[ClosedRange<UInt32>]]]
}

extension CaptureNode {
    /// The code points this node can consume, and nil when it cannot consume any.
    var consumedSet: [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        var stack: [CaptureNode] = [self]
        while let node = stack.popLast() {
            switch node {
            case .empty, .assertion, .lookaround: break
            case .set(let s): ranges += s
            case .concat(let items), .alternation(let items): stack += items
            case .group(let child, _), .repeating(let child, _, _, _, _), .atomic(let child, _): stack.append(child)
            }
        }
        return RegexCharSet.normalize(ranges)
    }

    /// Whether the node can match without consuming anything.
    var canBeEmpty: Bool {
        switch self {
        case .empty, .assertion, .lookaround: true
        case .set: false
        case .concat(let items): items.allSatisfy(\.canBeEmpty)
        case .alternation(let items): items.contains(where: \.canBeEmpty)
        case .group(let child, _), .atomic(let child, _): child.canBeEmpty
        case .repeating(let child, let min, _, _, _): min == 0 || child.canBeEmpty
        }
    }

    /// As a lookaround body: a union of fixed sequences of single code points, or nil.
    var fixedSequences: [[[ClosedRange<UInt32>]]]? {
        switch self {
        case .empty: return [[]]
        case .set(let s): return [[s]]
        case .group(let child, _): return child.fixedSequences
        case .alternation(let items):
            var out: [[[ClosedRange<UInt32>]]] = []
            for item in items {
                guard let sequences = item.fixedSequences else { return nil }
                out += sequences
            }
            return out.count <= 64 ? out : nil
        case .concat(let items):
            var out: [[[ClosedRange<UInt32>]]] = [[]]
            for item in items {
                guard let sequences = item.fixedSequences else { return nil }
                out = out.flatMap { prefix in sequences.map { prefix + $0 } }
                if out.count > 64 || out.contains(where: { $0.count > 32 }) { return nil }
            }
            return out
        case .repeating(let child, let min, let max, _, _) where max == min && min <= 32:
            return CaptureNode.concat(Array(repeating: child, count: min)).fixedSequences
        default: return nil
        }
    }
}
