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

/// One way a value can match.
public enum ValueMatcher: Sendable, Hashable {
    /// Equal bytes (already case-folded when the test is case-insensitive).
    case equal([UInt8])
    case wildcard(WildcardPattern)
    case number(Double)
    case ordered(Expression.Comparison, [UInt8])
    case orderedNumber(Expression.Comparison, Double)
}

/// A test of one field's values against literals: `f == "x"`, `f : ("a*", "b")`, `f in (...)`.
public struct ValueTest: Sendable, Hashable {
    public var field: Int
    public var matchers: [ValueMatcher]
    public var caseInsensitive: Bool
    /// `!=`, `not in`, `not like`: true when no matcher matches (null still when absent).
    public var negated: Bool
    public var multiValue: MultiValueMode
}

/// ES|QL `a != b` between two fields.
public struct FieldPairTest: Sendable, Hashable {
    public var left: Int
    public var right: Int
    public var comparison: Expression.Comparison
    public var multiValue: MultiValueMode
}

/// A rule's condition compiled against the field plan: what the evaluator runs per event.
public indirect enum Predicate: Sendable, Hashable {
    case constant(Truth)
    case all([Predicate])
    case any([Predicate])
    case not(Predicate)
    case value(ValueTest)
    case fieldPair(FieldPairTest)
    /// `IS NULL` (ES|QL) / `== null` (EQL); `negated` for the not-null forms.
    case isNull(field: Int, negated: Bool)
}

/// Byte strings at least one of which appears in any event the rule can match, or none.
public struct LiteralRequirement: Sendable, Hashable {
    public var literals: [[UInt8]]
    public var caseInsensitive: Bool
}

extension Predicate {
    /// A sound literal requirement, or nil where no literal must appear (negations, nulls, field pairs).
    /// Callers that scan raw JSON must still allow for escaped spellings of these literals.
    public var requiredLiterals: LiteralRequirement? {
        switch self {
        case .constant, .not, .fieldPair, .isNull:
            return nil
        case .value(let test):
            guard !test.negated else { return nil }
            var literals: [[UInt8]] = []
            for matcher in test.matchers {
                switch matcher {
                case .equal(let bytes) where !bytes.isEmpty: literals.append(bytes)
                case .wildcard(let pattern):
                    guard let longest = pattern.literalRuns.max(by: { $0.count < $1.count }) else { return nil }
                    literals.append(longest)
                default: return nil
                }
            }
            return literals.isEmpty ? nil : LiteralRequirement(literals: literals, caseInsensitive: test.caseInsensitive)
        case .all(let parts):
            // Any one conjunct's requirement is sound; prefer the one whose shortest literal is longest.
            return parts.compactMap(\.requiredLiterals).max { a, b in
                (a.literals.map(\.count).min() ?? 0) < (b.literals.map(\.count).min() ?? 0)
            }
        case .any(let parts):
            var union: [[UInt8]] = []
            var insensitive = false
            for part in parts {
                guard let requirement = part.requiredLiterals else { return nil }
                union.append(contentsOf: requirement.literals)
                insensitive = insensitive || requirement.caseInsensitive
            }
            return union.isEmpty ? nil : LiteralRequirement(literals: union, caseInsensitive: insensitive)
        }
    }
}
