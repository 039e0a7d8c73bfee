/// The proleptic Gregorian calendar in UTC, as java.time computes it, for ES|QL's date
/// functions (ES|QL's default time zone is UTC; `SET time_zone` is not supported here).
struct ESQLCalendar: Sendable, Hashable {
    static let millisPerDay: Int64 = 86_400_000

    var year: Int64
    var month: Int64
    var day: Int64
    var hour: Int64
    var minute: Int64
    var second: Int64
    var millisecond: Int64

    init(year: Int64, month: Int64 = 1, day: Int64 = 1, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, millisecond: Int64 = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
    }

    init(millis: Int64) {
        let days = Self.floorDiv(millis, Self.millisPerDay)
        let ofDay = millis - days * Self.millisPerDay
        (year, month, day) = Self.civil(days: days)
        hour = ofDay / 3_600_000
        minute = ofDay / 60_000 % 60
        second = ofDay / 1000 % 60
        millisecond = ofDay % 1000
    }

    var epochDay: Int64 { Self.days(year: year, month: month, day: day) }

    var millisOfDay: Int64 { ((hour * 60 + minute) * 60 + second) * 1000 + millisecond }

    /// Milliseconds since the epoch; nil past the long range.
    var millis: Int64? {
        let (scaled, o1) = epochDay.multipliedReportingOverflow(by: Self.millisPerDay)
        let (sum, o2) = scaled.addingReportingOverflow(millisOfDay)
        return o1 || o2 ? nil : sum
    }

    /// ISO day of week: 1 is Monday, 7 Sunday (1970-01-01 was a Thursday).
    var dayOfWeek: Int64 { Self.floorMod(epochDay + 3, 7) + 1 }

    var dayOfYear: Int64 { epochDay - Self.days(year: year, month: 1, day: 1) + 1 }

    /// Months since year 0 (java.time's PROLEPTIC_MONTH).
    var prolepticMonth: Int64 { year * 12 + month - 1 }

    static func isLeap(_ year: Int64) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The ISO week-based year and week of this date (weeks start on Monday; week 1 holds the
    /// first Thursday), as Locale.ROOT's WeekFields give them.
    var isoWeek: (year: Int64, week: Int64) {
        let week = (dayOfYear - dayOfWeek + 10) / 7
        if week < 1 { return (year - 1, Self.isoWeeks(in: year - 1)) }
        if week > Self.isoWeeks(in: year) { return (year + 1, 1) }
        return (year, week)
    }

    static func isoWeeks(in year: Int64) -> Int64 {
        let jan1 = ESQLCalendar(year: year).dayOfWeek
        return jan1 == 4 || (jan1 == 3 && isLeap(year)) ? 53 : 52
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}
