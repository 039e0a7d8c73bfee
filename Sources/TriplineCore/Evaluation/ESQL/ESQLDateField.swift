/// DATE_EXTRACT's parts: java.time's `ChronoField` names, in any case, read in UTC.
enum ESQLDateField: String, Sendable, Hashable, CaseIterable {
    case nanoOfSecond = "NANO_OF_SECOND", nanoOfDay = "NANO_OF_DAY"
    case microOfSecond = "MICRO_OF_SECOND", microOfDay = "MICRO_OF_DAY"
    case milliOfSecond = "MILLI_OF_SECOND", milliOfDay = "MILLI_OF_DAY"
    case secondOfMinute = "SECOND_OF_MINUTE", secondOfDay = "SECOND_OF_DAY"
    case minuteOfHour = "MINUTE_OF_HOUR", minuteOfDay = "MINUTE_OF_DAY"
    case hourOfAmPm = "HOUR_OF_AMPM", clockHourOfAmPm = "CLOCK_HOUR_OF_AMPM"
    case hourOfDay = "HOUR_OF_DAY", clockHourOfDay = "CLOCK_HOUR_OF_DAY", amPmOfDay = "AMPM_OF_DAY"
    case dayOfWeek = "DAY_OF_WEEK"
    case alignedDayOfWeekInMonth = "ALIGNED_DAY_OF_WEEK_IN_MONTH", alignedDayOfWeekInYear = "ALIGNED_DAY_OF_WEEK_IN_YEAR"
    case dayOfMonth = "DAY_OF_MONTH", dayOfYear = "DAY_OF_YEAR", epochDay = "EPOCH_DAY"
    case alignedWeekOfMonth = "ALIGNED_WEEK_OF_MONTH", alignedWeekOfYear = "ALIGNED_WEEK_OF_YEAR"
    case monthOfYear = "MONTH_OF_YEAR", prolepticMonth = "PROLEPTIC_MONTH"
    case yearOfEra = "YEAR_OF_ERA", year = "YEAR", era = "ERA"
    case instantSeconds = "INSTANT_SECONDS", offsetSeconds = "OFFSET_SECONDS"

    init?(name: String) {
        guard let field = ESQLDateField(rawValue: name.uppercased()) else { return nil }
        self = field
    }

    func extract(_ millis: Int64) -> Int64 {
        let date = ESQLCalendar(millis: millis)
        let ofDay = date.millisOfDay
        switch self {
        case .nanoOfSecond: return date.millisecond * 1_000_000
        case .nanoOfDay: return ofDay * 1_000_000
        case .microOfSecond: return date.millisecond * 1000
        case .microOfDay: return ofDay * 1000
        case .milliOfSecond: return date.millisecond
        case .milliOfDay: return ofDay
        case .secondOfMinute: return date.second
        case .secondOfDay: return ofDay / 1000
        case .minuteOfHour: return date.minute
        case .minuteOfDay: return ofDay / 60_000
        case .hourOfAmPm: return date.hour % 12
        case .clockHourOfAmPm: return date.hour % 12 == 0 ? 12 : date.hour % 12
        case .hourOfDay: return date.hour
        case .clockHourOfDay: return date.hour == 0 ? 24 : date.hour
        case .amPmOfDay: return date.hour < 12 ? 0 : 1
        case .dayOfWeek: return date.dayOfWeek
        case .alignedDayOfWeekInMonth: return (date.day - 1) % 7 + 1
        case .alignedDayOfWeekInYear: return (date.dayOfYear - 1) % 7 + 1
        case .dayOfMonth: return date.day
        case .dayOfYear: return date.dayOfYear
        case .epochDay: return date.epochDay
        case .alignedWeekOfMonth: return (date.day - 1) / 7 + 1
        case .alignedWeekOfYear: return (date.dayOfYear - 1) / 7 + 1
        case .monthOfYear: return date.month
        case .prolepticMonth: return date.prolepticMonth
        case .yearOfEra: return date.year >= 1 ? date.year : 1 - date.year
        case .year: return date.year
        case .era: return date.year >= 1 ? 1 : 0
        case .instantSeconds: return ESQLCalendar.floorDiv(millis, 1000)
        case .offsetSeconds: return 0
        }
    }
}
