/// An ES|QL query's processing commands, compiled to run on one event at a time (DESIGN §2).
///
/// ES|QL runs a query as a pipeline of commands, each taking a table to a new one. On a stream
/// the table is the rows one event gives: one row, several after `MV_EXPAND`, none once a
/// `WHERE` drops it. Conditions on the event's own fields are hoisted into the rule's predicate
/// (the prefilter reads their literals); what needs computed columns stays here.
public struct ESQLPipeline: Sendable, Hashable {
    /// The stages that compute and filter rows, in query order.
    public var stages: [ESQLStage]
    /// How many computed columns a row holds (`EVAL`, `DISSECT`, `GROK`, `MV_EXPAND`).
    public var slotCount: Int
    /// How the result's columns are named and ordered: replayed over an event's fields when
    /// an alert or a result row is written.
    public var columns: [ESQLColumnStep]
    /// Columns `MV_EXPAND` expanded: their values tell an event's alerts apart.
    public var expandedSlots: [Int]
    /// `METADATA _id, _index, ...`.
    public var metadata: [String]

    /// Whether rows need computing per event, or the event is its own single row.
    public var computesRows: Bool { !stages.isEmpty }

    /// Where the first `STATS` is: the stages before it run per event, the rest per window.
    public var firstAggregate: Int? {
        stages.firstIndex { if case .aggregate = $0 { return true } else { return false } }
    }
}

/// One step of the row computation.
public enum ESQLStage: Sendable, Hashable {
    /// `WHERE`: a row stays only when the condition is true (null drops it, as false does).
    case filter(ValueExpression)
    /// `EVAL name = value`: the value into a slot.
    case assign(slot: Int, ValueExpression)
    /// `DISSECT input "pattern"`: each key into its slot; all null when the input does not match.
    case dissect(ValueExpression, DissectPattern, slots: [Int])
    /// `GROK input "pattern"`: each named capture into its slot, all null without a match.
    case grok(ValueExpression, GrokAlternatives, slots: [Int])
    /// `MV_EXPAND column`: one row per value of the column (a null column keeps its one row).
    case expand(slot: Int, ValueExpression)
    /// `SORT` and `LIMIT` order and cut a whole table (`tripline query`); a rule, which runs
    /// per event, has neither.
    case sort([ESQLSortKey.Compiled])
    case limit(Int)
    /// `STATS` or `INLINE STATS`: over every row of a table (a scheduled run's window on a
    /// stream). Everything from the first one on runs per window, not per event.
    case aggregate(ESQLAggregation)
}

extension ESQLStage {
    /// Whether the stage sets the slot.
    func writes(_ slot: Int) -> Bool {
        switch self {
        case .assign(let written, _), .expand(let written, _): return written == slot
        case .dissect(_, _, let slots), .grok(_, _, let slots): return slots.contains(slot)
        case .filter, .sort, .limit, .aggregate: return false
        }
    }
}

/// How the result's columns change along the query, replayed on the event's own columns.
public enum ESQLColumnStep: Sendable, Hashable {
    /// A computed column: replaces one of the same name (which moves to the end, as ES|QL does
    /// for `EVAL`), else is appended.
    case set(name: String, slot: Int)
    /// `MV_EXPAND`: the column keeps its place and takes the expanded value.
    case replace(name: String, slot: Int)
    case rename(from: String, to: String)
    /// `KEEP` patterns (`*` wildcards): only these columns, in the patterns' order.
    case keep([String])
    case drop([String])
    /// `STATS`: exactly these columns from now on (its aggregates, then its groups).
    case reset([(name: String, slot: Int)])

    public static func == (lhs: ESQLColumnStep, rhs: ESQLColumnStep) -> Bool {
        switch (lhs, rhs) {
        case let (.set(a, x), .set(b, y)), let (.replace(a, x), .replace(b, y)): return a == b && x == y
        case let (.rename(a, x), .rename(b, y)): return a == b && x == y
        case let (.keep(a), .keep(b)), let (.drop(a), .drop(b)): return a == b
        case let (.reset(a), .reset(b)): return a.map(\.name) == b.map(\.name) && a.map(\.slot) == b.map(\.slot)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .set(let name, let slot), .replace(let name, let slot): hasher.combine(name); hasher.combine(slot)
        case .rename(let from, let to): hasher.combine(from); hasher.combine(to)
        case .keep(let names), .drop(let names): hasher.combine(names)
        case .reset(let columns): hasher.combine(columns.map(\.name))
        }
    }
}
