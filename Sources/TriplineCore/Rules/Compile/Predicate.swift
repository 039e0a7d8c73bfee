/// Three-valued logic: comparisons with a missing (or, in ES|QL, multi-valued) field are unknown.
public enum Truth: Sendable, Hashable {
    case `true`, `false`, unknown

    @inlinable public static prefix func ! (value: Truth) -> Truth {
        switch value {
        case .true: .false
        case .false: .true
        case .unknown: .unknown
        }
    }
}

/// How a comparison treats a field with several values.
public enum MultiValueMode: Sendable, Hashable {
    /// EQL (and Elasticsearch queries): true if any value matches.
    case anyValue
    /// ES|QL: a multi-valued operand makes the comparison null.
    case singleValueOnly
}

/// One way a field's value can match a literal, compiled for the field's mapped type.
public enum ValueMatcher: Sendable, Hashable {
    /// A keyword compared as bytes (already case-folded when the test is case-insensitive).
    case keyword(Expression.Comparison, [UInt8])
    case wildcard(WildcardPattern)
    case regex(LuceneRegex)
    /// A typed value (number, address, date, boolean) compared by value.
    case typed(Expression.Comparison, Value)
    /// An address block: `cidrMatch`, or an `ip` field compared with `"10.0.0.0/8"`.
    case network(IPNetwork)
    /// ES|QL's `MATCH` on a `text` field: any of these words (lower-cased) among the value's
    /// words, as the standard analyzer splits them.
    case anyWord(Set<[UInt8]>)
    /// A fuzzy term (`MATCH` with `fuzziness`): within `maxEdits` insertions, deletions,
    /// substitutions (and swaps of two neighbours, with `transpositions`) of the whole value.
    case fuzzy([UInt8], maxEdits: Int, transpositions: Bool)

    /// Whether the matcher tests a keyword's bytes (not a typed value).
    var readsBytes: Bool {
        switch self {
        case .keyword, .wildcard, .regex, .anyWord, .fuzzy: true
        case .typed, .network: false
        }
    }
}

/// A test of one field's values against literals: `f == "x"`, `f : ("a*", "b")`, `f in (...)`,
/// `f < 5`, `cidrMatch(f, ...)`: what Elasticsearch runs as a term, range or wildcard query.
public struct ValueTest: Sendable, Hashable {
    public var field: Int
    /// How the field is indexed: decides how its JSON values read (and which are absent).
    public var type: FieldType
    public var matchers: [ValueMatcher]
    public var caseInsensitive: Bool
    /// ES|QL `!=`, `NOT IN`, `NOT LIKE`: true when no matcher matches (null still when absent).
    /// EQL negations are `Predicate.complement` instead, as Elasticsearch's `must_not`.
    public var negated: Bool
    public var multiValue: MultiValueMode
}

/// A rule's condition compiled against the field plan: what the evaluator runs per event.
public indirect enum Predicate: Sendable, Hashable {
    case constant(Truth)
    case all([Predicate])
    case any([Predicate])
    /// Three-valued negation (ES|QL): not null is null.
    case not(Predicate)
    /// Elasticsearch's `must_not` (EQL's `not`, `!=`, `not in`): true whenever the inner test
    /// is not true, so an event without the field matches `not f == "x"`.
    case complement(Predicate)
    case value(ValueTest)
    /// A field without any indexed value; `negated` for the not-null forms.
    case isNull(field: Int, type: FieldType, negated: Bool)
    /// Anything else: a computed value (functions, arithmetic, two fields) that must be `true`.
    case test(ValueExpression)
}

/// Byte strings at least one of which appears in any event the rule can match, or none.
///
/// Literals are in the form they take inside a JSON string once `\uXXXX` and `\/` escapes are
/// decoded (`"` as `\"`, `\` as `\\`); the prefilter decodes those escapes in a line before it
/// trusts a miss. Literals holding control characters have no such single form: no requirement.
public struct LiteralRequirement: Sendable, Hashable {
    public var literals: [[UInt8]]
    public var caseInsensitive: Bool
    /// True when every literal tests a low-cardinality field (`event.category`, `event.outcome`,
    /// ...), whose values most events carry: a poor filter, used only when nothing better exists.
    public var isCoarse: Bool

    /// How well the requirement filters, higher is better: a literal of a byte or two ("0",
    /// "nc") is on nearly every line, worse even than a coarse field's value ("exec" on every
    /// exec event); otherwise the longer the shortest literal, the fewer chance hits.
    var selectivity: Int {
        let shortest = literals.map(\.count).min() ?? 0
        if shortest < 3 { return 0 }
        if isCoarse { return 1 }
        return 2 + min(shortest, 8)
    }
}

extension Predicate {
    /// Fields whose few values appear in most events; literals on them filter little.
    public static let coarseFields: Set<String> = [
        "event.category", "event.type", "event.kind", "event.module", "event.dataset", "event.outcome",
        "event.provider", "data_stream.dataset", "data_stream.type", "data_stream.namespace", "host.os.type",
        "host.os.family", "host.os.name", "host.os.platform", "cloud.provider", "agent.type", "ecs.version",
        "network.transport", "network.protocol", "network.direction", "event.agent_id_status",
    ]

    /// A sound literal requirement, or nil where no literal must appear (negations, nulls, field
    /// pairs, numbers). `isCoarse(field)` says which fields make weak filters.
    public func requiredLiterals(isCoarse: (Int) -> Bool) -> LiteralRequirement? {
        switch self {
        case .constant, .not, .complement, .isNull, .test:
            return nil
        case .value(let test):
            guard !test.negated else { return nil }
            var literals: [[UInt8]] = []
            for matcher in test.matchers {
                // Each matcher adds the literals one of which its matches hold.
                let alternatives: [[UInt8]]
                switch matcher {
                case .keyword(.equal, let bytes): alternatives = [bytes]
                case .wildcard(let pattern):
                    guard let longest = pattern.literalRuns.max(by: { $0.count < $1.count }) else { return nil }
                    alternatives = [longest]
                case .regex(let regex):
                    guard let required = regex.requiredLiterals, !required.isEmpty else { return nil }
                    alternatives = required
                case .anyWord(let words):
                    alternatives = words.sorted { $0.lexicographicallyPrecedes($1) }
                default: return nil
                }
                for literal in alternatives {
                    guard !literal.isEmpty, let encoded = Self.jsonStringForm(literal) else { return nil }
                    literals.append(encoded)
                }
            }
            return literals.isEmpty ? nil : LiteralRequirement(literals: literals, caseInsensitive: test.caseInsensitive,
                                                               isCoarse: isCoarse(test.field))
        case .all(let parts):
            // Any one conjunct's requirement is sound: the one that filters best.
            // On a tie, fewer literals: one process name filters better than six event actions.
            return parts.compactMap { $0.requiredLiterals(isCoarse: isCoarse) }.max { a, b in
                a.selectivity != b.selectivity ? a.selectivity < b.selectivity : a.literals.count > b.literals.count
            }
        case .any(let parts):
            var union: [[UInt8]] = []
            var insensitive = false
            var coarse = false
            for part in parts {
                guard let requirement = part.requiredLiterals(isCoarse: isCoarse) else { return nil }
                union.append(contentsOf: requirement.literals)
                insensitive = insensitive || requirement.caseInsensitive
                coarse = coarse || requirement.isCoarse
            }
            return union.isEmpty ? nil : LiteralRequirement(literals: union, caseInsensitive: insensitive, isCoarse: coarse)
        }
    }

    /// `value` as it appears between a JSON string's quotes after `\uXXXX` and `\/` are decoded,
    /// or nil if it holds a control character (written `\n`, `\u000a`, ... in JSON).
    static func jsonStringForm(_ value: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        for byte in value {
            switch byte {
            case 0..<0x20, 0x7F: return nil
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
            default: out.append(byte)
            }
        }
        return out
    }
}
