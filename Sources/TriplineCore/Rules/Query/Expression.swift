/// A literal value in a query.
public enum Literal: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case decimal(Double)
    case string(String)
    /// ES|QL's `5 minutes`, `1d`, `2 weeks`: a time span.
    case timeSpan(Int64, TimeSpanUnit)
}

/// The units of an ES|QL time span, with the spellings Elasticsearch accepts (the abbreviations of
/// elastic/elasticsearch#108300, and `m` for minutes from #136448). Days and longer are calendar
/// periods (`DATE_PERIOD`), the rest fixed durations (`TIME_DURATION`).
public enum TimeSpanUnit: String, Sendable, Hashable, CaseIterable {
    case millisecond, second, minute, hour, day, week, month, quarter, year

    public init?(spelling: String) {
        switch spelling.lowercased() {
        case "millisecond", "milliseconds", "ms": self = .millisecond
        case "second", "seconds", "sec", "s": self = .second
        case "minute", "minutes", "min", "m": self = .minute
        case "hour", "hours", "h": self = .hour
        case "day", "days", "d": self = .day
        case "week", "weeks", "w": self = .week
        case "month", "months", "mo": self = .month
        case "quarter", "quarters", "q": self = .quarter
        case "year", "years", "yr", "y": self = .year
        default: return nil
        }
    }

    /// A `DATE_PERIOD` unit: its length depends on the calendar.
    public var isCalendarPeriod: Bool { self == .day || self == .week || self == .month || self == .quarter || self == .year }
}

/// The syntax tree of a boolean or value expression, shared by the EQL and ES|QL parsers.
/// Each language's compiler gives the nodes that language's semantics (case rules, nulls,
/// multi-valued fields), so the tree stays a faithful picture of what was written.
public indirect enum Expression: Sendable, Hashable {
    public enum Comparison: String, Sendable, Hashable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    public enum Arithmetic: String, Sendable, Hashable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    }

    /// `?field` in EQL marks an optional field (no error when unmapped).
    case field(String, optional: Bool, at: SourceLocation)
    case literal(Literal, at: SourceLocation)
    case not(Expression, at: SourceLocation)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case compare(Expression, Comparison, Expression, at: SourceLocation)
    /// EQL `field : value` / `field : (a, b)`: case-insensitive, `*` and `?` wildcards.
    case insensitiveMatch(Expression, [Expression], at: SourceLocation)
    /// `in`, `in~` (EQL), `IN` (ES|QL); `negated` for `not in`.
    case inList(Expression, [Expression], caseInsensitive: Bool, negated: Bool, at: SourceLocation)
    /// `like`, `like~` (EQL), `LIKE` (ES|QL).
    case like(Expression, [Expression], caseInsensitive: Bool, negated: Bool, at: SourceLocation)
    /// `regex`, `regex~` (EQL), `RLIKE` (ES|QL).
    case regex(Expression, [Expression], caseInsensitive: Bool, negated: Bool, at: SourceLocation)
    /// ES|QL `IS NULL` / `IS NOT NULL`.
    case isNull(Expression, negated: Bool, at: SourceLocation)
    case call(String, [Expression], at: SourceLocation)
    case arithmetic(Expression, Arithmetic, Expression, at: SourceLocation)
    case negate(Expression, at: SourceLocation)

    /// `and`/`or` over many operands as a balanced tree: a chain of 10,000 `or`s stays about 14
    /// levels deep for every recursive pass after the parser.
    static func balanced(_ operands: ArraySlice<Expression>, _ join: (Expression, Expression) -> Expression) -> Expression {
        if operands.count == 1 { return operands[operands.startIndex] }
        let middle = operands.startIndex + operands.count / 2
        return join(balanced(operands[..<middle], join), balanced(operands[middle...], join))
    }

    public var location: SourceLocation {
        switch self {
        case .field(_, _, let at), .literal(_, let at), .not(_, let at), .compare(_, _, _, let at),
             .insensitiveMatch(_, _, let at), .inList(_, _, _, _, let at), .like(_, _, _, _, let at),
             .regex(_, _, _, _, let at), .isNull(_, _, let at), .call(_, _, let at),
             .arithmetic(_, _, _, let at), .negate(_, let at):
            return at
        case .and(let lhs, _), .or(let lhs, _):
            return lhs.location
        }
    }

    /// Every field the expression reads, in order of appearance.
    public var fields: [String] {
        var found: [String] = []
        visit { if case .field(let name, _, _) = $0, !found.contains(name) { found.append(name) } }
        return found
    }

    /// Calls `body` on this node and every node below it.
    public func visit(_ body: (Expression) -> Void) {
        body(self)
        switch self {
        case .field, .literal: break
        case .not(let e, _), .negate(let e, _), .isNull(let e, _, _): e.visit(body)
        case .and(let a, let b), .or(let a, let b), .compare(let a, _, let b, _), .arithmetic(let a, _, let b, _):
            a.visit(body); b.visit(body)
        case .insensitiveMatch(let e, let list, _), .inList(let e, let list, _, _, _),
             .like(let e, let list, _, _, _), .regex(let e, let list, _, _, _):
            e.visit(body); for item in list { item.visit(body) }
        case .call(_, let args, _): for arg in args { arg.visit(body) }
        }
    }
}
