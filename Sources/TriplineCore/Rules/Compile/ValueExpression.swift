/// A compiled expression that computes a value: what Elasticsearch runs as a script (functions,
/// arithmetic, comparisons of two computed values). Nulls propagate as ES documents them.
public indirect enum ValueExpression: Sendable, Hashable {
    case constant(Value)
    /// A field's value: with `.anyValue` (EQL) each of its values in turn (a test holds if one
    /// binding makes it true); with `.singleValueOnly` (ES|QL) all of them as one `.multi` value,
    /// which single-valued operators read as null.
    case field(Int, FieldType, MultiValueMode)
    case call(ScalarFunction, caseInsensitive: Bool, [ValueExpression])
    /// ES|QL: a column an earlier command computed (`EVAL`, `DISSECT`, `MV_EXPAND`), by slot.
    case column(Int)
    /// ES|QL's `METADATA _index`: the index the event would be stored in.
    case indexName(IndexNameFields)
    /// An ES|QL function: its own library, on the same values.
    case esql(ESQLCall, [ValueExpression])
    case arithmetic(Expression.Arithmetic, ValueExpression, ValueExpression)
    case negate(ValueExpression)
    case compare(Expression.Comparison, ValueExpression, ValueExpression)
    /// `:`, `like`, `regex`, `in` on a computed value: true if any matcher matches, null if null.
    case matches(ValueExpression, [ValueMatcher], caseInsensitive: Bool)
    case isNull(ValueExpression, negated: Bool)
    case not(ValueExpression)
    case and(ValueExpression, ValueExpression)
    case or(ValueExpression, ValueExpression)
}

/// EQL's functions (Elasticsearch's EQL function reference), each with its arity; the ones
/// marked `allowsInsensitive` have a `~` form.
public enum ScalarFunction: String, Sendable, Hashable, CaseIterable {
    case add, between, cidrMatch, concat, divide, endsWith, indexOf, length, modulo, multiply, number
    case startsWith, string, stringContains, substring, subtract

    /// Looks a name up as EQL does: case-insensitively (`startswith` is `startsWith`).
    public init?(eqlName: String) {
        let lower = eqlName.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lower }) else { return nil }
        self = match
    }

    public var arity: ClosedRange<Int> {
        switch self {
        case .add, .divide, .modulo, .multiply, .subtract, .endsWith, .startsWith, .stringContains: 2...2
        case .between: 3...4
        case .cidrMatch: 2...Int.max
        case .concat: 1...Int.max
        case .indexOf: 2...3
        case .length, .string: 1...1
        case .number: 1...2
        case .substring: 2...3
        }
    }

    public var allowsInsensitive: Bool {
        switch self {
        case .between, .endsWith, .indexOf, .startsWith, .stringContains: true
        default: false
        }
    }
}
