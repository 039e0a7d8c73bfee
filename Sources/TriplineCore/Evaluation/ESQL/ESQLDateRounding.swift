/// DATE_TRUNC's rounding for one interval, chosen as Elasticsearch's `DateTrunc.createRounding`
/// chooses it (in UTC):
/// - one day, week (Monday), month, quarter or year: the calendar unit;
/// - several days or weeks, and any clock duration: fixed buckets counted from the epoch;
/// - several months or years: calendar buckets counted from 0001-01-01 (`7 years` puts
///   1963 in the bucket of 1961, csv-spec date_trunc: evalDateTruncYearInArbitraryIntervals).
struct ESQLDateRounding: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case fixed(milliseconds: Int64)
        case week
        case months(Int64)
    }

    var kind: Kind

    init(_ text: String) throws(ESQLArgumentError) {
        try self.init(ESQLTimeSpan(text))
    }

    init(_ span: ESQLTimeSpan) throws(ESQLArgumentError) {
        switch span {
        case .duration(let millis):
            guard millis > 0 else { throw ESQLArgumentError("Zero or negative time interval is not supported") }
            kind = .fixed(milliseconds: millis)
        case .period(let count, let unit):
            guard count > 0 else { throw ESQLArgumentError("Zero or negative time interval is not supported") }
            switch unit {
            case .day:
                kind = count == 7 ? .week : .fixed(milliseconds: count * ESQLCalendar.millisPerDay)
            case .week:
                kind = count == 1 ? .week : .fixed(milliseconds: count * 7 * ESQLCalendar.millisPerDay)
            case .month: kind = .months(count)
            case .quarter: kind = .months(count * 3)
            case .year: kind = .months(count * 12)
            }
        }
    }

    func round(_ millis: Int64) -> Int64? {
        switch kind {
        case .fixed(let interval):
            return ESQLCalendar.floorDiv(millis, interval) &* interval
        case .week:
            let days = ESQLCalendar.floorDiv(millis, ESQLCalendar.millisPerDay)
            // 1970-01-01 was a Thursday: Monday is three days before.
            let monday = days - ESQLCalendar.floorMod(days + 3, 7)
            return monday * ESQLCalendar.millisPerDay
        case .months(let count):
            let date = ESQLCalendar(millis: millis)
            let sinceYearOne = (date.year - 1) * 12 + date.month - 1
            let start = sinceYearOne - ESQLCalendar.floorMod(sinceYearOne, count)
            let year = ESQLCalendar.floorDiv(start, 12) + 1
            return ESQLCalendar(year: year, month: ESQLCalendar.floorMod(start, 12) + 1).millis
        }
    }
}
