/// An ES|QL time span literal such as `1 hour` or `3 months`, which the caller hands over as the
/// keyword "<count> <unit>". Calendar units make a period (java.time's `Period`); clock units a
/// fixed duration (`Duration`): the two round dates differently.
enum ESQLTimeSpan: Sendable, Hashable {
    enum CalendarUnit: Sendable, Hashable { case day, week, month, quarter, year }

    case period(count: Int64, unit: CalendarUnit)
    case duration(milliseconds: Int64)

    /// Units as the ES|QL time span reference lists them, with their abbreviations.
    private static let units: [String: Either] = [
        "millisecond": .clock(1), "milliseconds": .clock(1), "ms": .clock(1),
        "second": .clock(1000), "seconds": .clock(1000), "sec": .clock(1000), "s": .clock(1000),
        "minute": .clock(60_000), "minutes": .clock(60_000), "min": .clock(60_000), "m": .clock(60_000),
        "hour": .clock(3_600_000), "hours": .clock(3_600_000), "h": .clock(3_600_000),
        "day": .calendar(.day), "days": .calendar(.day), "d": .calendar(.day),
        "week": .calendar(.week), "weeks": .calendar(.week), "w": .calendar(.week),
        "month": .calendar(.month), "months": .calendar(.month), "mo": .calendar(.month),
        "quarter": .calendar(.quarter), "quarters": .calendar(.quarter), "q": .calendar(.quarter),
        "year": .calendar(.year), "years": .calendar(.year), "yr": .calendar(.year), "y": .calendar(.year),
    ]

    private enum Either { case clock(Int64), calendar(CalendarUnit) }

    /// Reads "<count> <unit>" (the space optional, the unit in any case).
    init(_ text: String) throws(ESQLArgumentError) {
        let trimmed = text.trimmingCharacters(in: " ")
        let digits = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }
        let unitText = trimmed.dropFirst(digits.count).trimmingCharacters(in: " ").lowercased()
        guard let count = Int64(digits) else { throw ESQLArgumentError("expected a time span such as [1 hour], found [\(text)]") }
        guard let unit = Self.units[unitText] else {
            throw ESQLArgumentError("unknown time unit [\(unitText)]; expected one of year, quarter, month, week, day, hour, minute, second, millisecond")
        }
        switch unit {
        case .clock(let scale):
            let (millis, overflow) = count.multipliedReportingOverflow(by: scale)
            guard !overflow else { throw ESQLArgumentError("time span [\(text)] is too large") }
            self = .duration(milliseconds: millis)
        case .calendar(let unit):
            self = .period(count: count, unit: unit)
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}

extension ESQLTimeSpan {
    /// `date + span` (or `- span` with `sign` -1), as java.time adds a `Period` or a `Duration` in
    /// UTC: months and years keep the day of month, clamped to the month's last day.
    func added(to milliseconds: Int64, sign: Int64) -> Int64? {
        switch self {
        case .duration(let span):
            let (result, overflow) = milliseconds.addingReportingOverflow(sign * span)
            return overflow ? nil : result
        case .period(let count, let unit):
            let day = ESQLCalendar.floorDiv(milliseconds, ESQLCalendar.millisPerDay)
            let timeOfDay = milliseconds - day * ESQLCalendar.millisPerDay
            let months: Int64
            switch unit {
            case .day, .week:
                let days = sign * count * (unit == .week ? 7 : 1)
                return milliseconds + days * ESQLCalendar.millisPerDay
            case .month: months = count
            case .quarter: months = count * 3
            case .year: months = count * 12
            }
            let civil = ESQLCalendar.civil(days: day)
            let total = civil.year * 12 + (civil.month - 1) + sign * months
            let year = ESQLCalendar.floorDiv(total, 12), month = ESQLCalendar.floorMod(total, 12) + 1
            let dayOfMonth = min(civil.day, ESQLCalendar.daysIn(month: month, year: year))
            return ESQLCalendar.days(year: year, month: month, day: dayOfMonth) * ESQLCalendar.millisPerDay + timeOfDay
        }
    }
}
