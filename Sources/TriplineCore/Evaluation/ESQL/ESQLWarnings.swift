/// What went wrong while computing functions, counted by kind: Elasticsearch turns each failure
/// into a null result plus a response warning ("evaluation of [...] failed, treating result as null").
public struct ESQLWarnings: Sendable, Hashable {
    /// A function that takes single values met a multi-value ("single-value function encountered multi-value").
    public var multiValuedArgument = 0
    /// Long or unsigned long arithmetic overflowed (`ABS(-9223372036854775808)`, `MV_SUM`).
    public var overflow = 0
    /// A value a conversion could not read (`TO_IP("foo")`, `TO_INTEGER(3e10)`).
    public var invalidConversion = 0
    /// Any other argument a function refused for this row: a negative length, an unparseable
    /// per-row regex or date pattern, invalid JSON, the square root of a negative number.
    public var invalidArgument = 0
    /// Events whose MV_EXPANDs (or multi-valued STATS BY values) reached
    /// `ExpressionEvaluator.maxExpandedRowsPerEvent` rows (keys): the rest were left out (not a
    /// null value: not in `total`).
    public var eventsOverRowCap = 0

    public init() {}

    public var total: Int { multiValuedArgument + overflow + invalidConversion + invalidArgument }

    public mutating func add(_ other: ESQLWarnings) {
        multiValuedArgument += other.multiValuedArgument
        overflow += other.overflow
        invalidConversion += other.invalidConversion
        invalidArgument += other.invalidArgument
        eventsOverRowCap += other.eventsOverRowCap
    }

    /// Each kind's count under a stable name, for `--stats-json`.
    public var byKind: [String: Int] {
        ["multi_valued_argument": multiValuedArgument, "overflow": overflow, "invalid_conversion": invalidConversion,
         "invalid_argument": invalidArgument, "events_over_row_cap": eventsOverRowCap].filter { $0.value > 0 }
    }

    /// One line for people, as Elasticsearch's response warning says it: what became null, and why.
    public var summary: String {
        let kinds = [(multiValuedArgument, "a multi-valued argument of a single-valued function"), (overflow, "an overflow"),
                     (invalidConversion, "a value the conversion could not read"), (invalidArgument, "an argument the function refused")]
        let parts = kinds.filter { $0.0 > 0 }.map { "\($0.0) for \($0.1)" }
        return "\(total) value(s) treated as null: " + parts.joined(separator: ", ")
    }

    /// One line for people on the events past the caps of multi-value products (EQL and ES|QL
    /// rules alike), nil when there were none.
    public var capSummary: String? {
        guard eventsOverRowCap > 0 else { return nil }
        return "\(eventsOverRowCap) event(s) whose multi-valued fields made over \(ExpressionEvaluator.maxExpandedRowsPerEvent) "
            + "rows (MV_EXPAND) or group keys (STATS BY), or over \(PredicateEvaluator.maxJoinKeysPerEvent) sequence join keys: the rest were left out"
    }
}
