/// DATE_DIFF's units, with the abbreviations the ES|QL reference lists. Differences are
/// java.time's `ChronoUnit.between` in UTC: only whole elapsed units count, truncated toward zero.
enum ESQLDateDiffUnit: String, Sendable, Hashable, CaseIterable {
    case year, quarter, month, dayofyear, day, week, weekday, hour, minute, second, millisecond, microsecond, nanosecond

    private static let aliases: [String: ESQLDateDiffUnit] = [
        "years": .year, "yyyy": .year, "yy": .year,
        "quarters": .quarter, "qq": .quarter, "q": .quarter,
        "months": .month, "mm": .month, "m": .month,
        "dy": .dayofyear, "y": .dayofyear,
        "days": .day, "dd": .day, "d": .day,
        "weeks": .week, "wk": .week, "ww": .week,
        "weekdays": .weekday, "dw": .weekday,
        "hours": .hour, "hh": .hour,
        "minutes": .minute, "mi": .minute, "n": .minute,
        "seconds": .second, "ss": .second, "s": .second,
        "milliseconds": .millisecond, "ms": .millisecond,
        "microseconds": .microsecond, "mcs": .microsecond,
        "nanoseconds": .nanosecond, "ns": .nanosecond,
    ]

    init?(name: String) {
        let key = name.lowercased()
        guard let unit = ESQLDateDiffUnit(rawValue: key) ?? Self.aliases[key] else { return nil }
        self = unit
    }

    static var allNames: String { "[" + allCases.map(\.rawValue).joined(separator: ", ") + "]" }

    /// `end - start` in this unit; nil when it does not fit an integer (ES|QL's result type).
    func between(_ start: Int64, _ end: Int64) -> Int64? {
        let result: Int64?
        switch self {
        case .year, .quarter, .month:
            let months = Self.monthsBetween(start, end)
            result = self == .year ? months / 12 : (self == .quarter ? months / 3 : months)
        case .dayofyear, .day, .weekday, .week:
            let days = Self.daysBetween(start, end)
            result = self == .week ? days / 7 : days
        case .hour: result = (end &- start) / 3_600_000
        case .minute: result = (end &- start) / 60_000
        case .second: result = (end &- start) / 1000
        case .millisecond: result = Self.difference(start, end, scale: 1)
        case .microsecond: result = Self.difference(start, end, scale: 1000)
        case .nanosecond: result = Self.difference(start, end, scale: 1_000_000)
        }
        return result.flatMap { Int32(exactly: $0) != nil ? $0 : nil }
    }

    private static func difference(_ start: Int64, _ end: Int64, scale: Int64) -> Int64? {
        let (diff, o1) = end.subtractingReportingOverflow(start)
        let (scaled, o2) = diff.multipliedReportingOverflow(by: scale)
        return o1 || o2 ? nil : scaled
    }

    /// Whole days, a day counting only once its time of day is reached (`LocalDateTime.until`).
    private static func daysBetween(_ start: Int64, _ end: Int64) -> Int64 {
        let a = ESQLCalendar(millis: start), b = ESQLCalendar(millis: end)
        var endDay = b.epochDay
        if endDay > a.epochDay && b.millisOfDay < a.millisOfDay { endDay -= 1 }
        if endDay < a.epochDay && b.millisOfDay > a.millisOfDay { endDay += 1 }
        return endDay - a.epochDay
    }

    /// Whole months, as `LocalDate.until(_, MONTHS)` after the same time-of-day adjustment.
    private static func monthsBetween(_ start: Int64, _ end: Int64) -> Int64 {
        let a = ESQLCalendar(millis: start), b = ESQLCalendar(millis: end)
        var endDay = b.epochDay
        if endDay > a.epochDay && b.millisOfDay < a.millisOfDay { endDay -= 1 }
        if endDay < a.epochDay && b.millisOfDay > a.millisOfDay { endDay += 1 }
        let (y, m, d) = ESQLCalendar.civil(days: endDay)
        let endKey = (y * 12 + m - 1) * 32 + d
        let startKey = a.prolepticMonth * 32 + a.day
        return (endKey - startKey) / 32
    }
}
