/// `STATS` and `INLINE STATS`, compiled: what groups the rows, and each aggregate's input.
public struct ESQLAggregation: Sendable, Hashable {
    public struct Group: Sendable, Hashable {
        public var slot: Int
        public var value: ValueExpression
        /// An earlier group this one only renames (`EVAL z = y | STATS ... BY y, z`): it takes
        /// that group's key instead of multiplying the groups by its values, as Elasticsearch's
        /// planner resolves the alias to the one column.
        public var sameAs: Int? = nil
    }

    public var groups: [Group]
    public var aggregates: [ESQLAggregate]
    /// `INLINE STATS`: every row stays, with its group's aggregates added to it.
    public var inline: Bool
}

/// One aggregate of a `STATS` command.
public struct ESQLAggregate: Sendable, Hashable {
    public var function: ESQLAggregateFunction
    /// The values aggregated; nil for `COUNT(*)`.
    public var argument: ValueExpression?
    /// `COUNT(*) WHERE ...`: only rows where it is true.
    public var filter: ValueExpression?
    /// PERCENTILE's percentile (0-100).
    public var percentile: Double = 50
    /// TOP's count and order.
    public var limit: Int = 1
    public var ascending = true
    /// FIRST/LAST: the value that orders the rows. TOP with an output field (its fourth
    /// argument): the field it ranks by, the output field being the argument.
    public var sortKey: ValueExpression?
    /// Where the result goes in the row.
    public var slot: Int
}

/// ES|QL's aggregate functions the rules use (Elasticsearch's aggregation reference).
public enum ESQLAggregateFunction: String, Sendable, Hashable, CaseIterable {
    case count, countDistinct = "count_distinct", values, min, max, sum, avg, median, percentile, top, first, last
    case stdDev = "std_dev", variance, medianAbsoluteDeviation = "median_absolute_deviation", present, absent

    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// How many arguments ES|QL accepts.
    var arity: ClosedRange<Int> {
        switch self {
        case .count: 0...1
        case .countDistinct: 1...2
        case .percentile, .first, .last: 2...2
        case .top: 3...4
        default: 1...1
        }
    }
}
