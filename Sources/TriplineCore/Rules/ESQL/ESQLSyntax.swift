/// The syntax tree of an ES|QL query: a source command and the processing commands after it.
public struct ESQLQuery: Sendable, Hashable {
    public var source: ESQLSource
    public var commands: [ESQLCommand]
}

public struct ESQLSource: Sendable, Hashable {
    /// Index patterns of `FROM`, as written (`logs-aws.cloudtrail-*`); empty for `ROW`.
    public var indices: [String]
    /// `ROW a = 1, b = "x"`: the one row the query starts from (ad-hoc queries, not rules).
    public var row: [ESQLAssignment] = []
    /// `METADATA _id, _version, _index`.
    public var metadata: [String]
    public var location: SourceLocation
}

public struct ESQLAssignment: Sendable, Hashable {
    /// nil when ES|QL names the column after the expression's text.
    public var name: String?
    public var value: Expression
    /// The expression's text, which names the column when no name is given.
    public var text: String
    /// `STATS c = COUNT(*) WHERE cond`: the rows an aggregate reads.
    public var filter: Expression?

    public init(name: String?, value: Expression, text: String, filter: Expression? = nil) {
        self.name = name
        self.value = value
        self.text = text
        self.filter = filter
    }
}

public struct ESQLSortKey: Sendable, Hashable {
    public var key: Expression
    public var ascending: Bool
    public var nullsFirst: Bool?
}

public enum ESQLCommand: Sendable, Hashable {
    case `where`(Expression, at: SourceLocation)
    /// Column patterns with `*` wildcards.
    case keep([String], at: SourceLocation)
    case drop([String], at: SourceLocation)
    case eval([ESQLAssignment], at: SourceLocation)
    case rename([(from: String, to: String)], at: SourceLocation)
    case limit(Int, at: SourceLocation)
    case sort([ESQLSortKey], at: SourceLocation)
    /// `STATS`, or with `inline` `INLINE STATS` (every row kept, its group's aggregates added).
    case stats([ESQLAssignment], by: [ESQLAssignment], inline: Bool, at: SourceLocation)
    case mvExpand(String, at: SourceLocation)
    /// `DISSECT input "pattern" APPEND_SEPARATOR = "sep"`.
    case dissect(Expression, pattern: String, appendSeparator: String, at: SourceLocation)
    /// `GROK input "pattern", "pattern"...`: the first pattern that matches.
    case grok(Expression, patterns: [String], at: SourceLocation)

    public static func == (lhs: ESQLCommand, rhs: ESQLCommand) -> Bool {
        switch (lhs, rhs) {
        case let (.where(a, l1), .where(b, l2)): return a == b && l1 == l2
        case let (.keep(a, l1), .keep(b, l2)), let (.drop(a, l1), .drop(b, l2)): return a == b && l1 == l2
        case let (.eval(a, l1), .eval(b, l2)): return a == b && l1 == l2
        case let (.rename(a, l1), .rename(b, l2)):
            return l1 == l2 && a.count == b.count && zip(a, b).allSatisfy { $0.from == $1.from && $0.to == $1.to }
        case let (.limit(a, l1), .limit(b, l2)): return a == b && l1 == l2
        case let (.sort(a, l1), .sort(b, l2)): return a == b && l1 == l2
        case let (.stats(a, x, i, l1), .stats(b, y, j, l2)): return a == b && x == y && i == j && l1 == l2
        case let (.mvExpand(a, l1), .mvExpand(b, l2)): return a == b && l1 == l2
        case let (.dissect(a, p, s, l1), .dissect(b, q, t, l2)): return a == b && p == q && s == t && l1 == l2
        case let (.grok(a, p, l1), .grok(b, q, l2)): return a == b && p == q && l1 == l2
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(location)
    }

    public var name: String {
        switch self {
        case .where: "WHERE"
        case .keep: "KEEP"
        case .drop: "DROP"
        case .eval: "EVAL"
        case .rename: "RENAME"
        case .limit: "LIMIT"
        case .sort: "SORT"
        case .stats(_, _, let inline, _): inline ? "INLINE STATS" : "STATS"
        case .mvExpand: "MV_EXPAND"
        case .dissect: "DISSECT"
        case .grok: "GROK"
        }
    }

    public var location: SourceLocation {
        switch self {
        case .where(_, let at), .keep(_, let at), .drop(_, let at), .eval(_, let at), .rename(_, let at),
             .limit(_, let at), .sort(_, let at), .stats(_, _, _, let at), .mvExpand(_, let at), .dissect(_, _, _, let at),
             .grok(_, _, let at):
            return at
        }
    }
}
