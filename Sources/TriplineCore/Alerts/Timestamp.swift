#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ISO 8601 UTC timestamps with milliseconds, as Elasticsearch writes `@timestamp`.
public enum Timestamp {
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    public static func iso8601(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let millis = Int(milliseconds - seconds * 1000)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        var year = yearOfEra + era * 400
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        func pad(_ value: Int64, _ width: Int) -> String {
            // Java's ISO form of a year before year 0: "-0006".
            if value < 0 { return "-" + pad(-value, width) }
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(Int64(secondOfDay / 3600), 2)):"
            + "\(pad(Int64(secondOfDay % 3600 / 60), 2)):\(pad(Int64(secondOfDay % 60), 2)).\(pad(Int64(millis), 3))Z"
    }

    /// Milliseconds since the epoch of a date as Elasticsearch's default date format reads it
    /// (`strict_date_optional_time||epoch_millis`): `2024-06-01T00:00:00.123Z`, with any trailing
    /// part left out (`2024-06-01`, `2024-06-01T10:15`), a fraction of up to nine digits, `Z` or a
    /// `±HH:MM` offset; or a number of epoch milliseconds. Nil otherwise.
    public static func milliseconds(iso8601 text: String) -> Int64? {
        var text = text
        return text.withUTF8 { milliseconds(date: UnsafeRawBufferPointer($0)) }
    }

    public static func milliseconds(date bytes: UnsafeRawBufferPointer) -> Int64? {
        let count = bytes.count
        func digits(_ at: Int, _ n: Int) -> Int64? {
            guard at + n <= count else { return nil }
            var value: Int64 = 0
            for i in at..<(at + n) {
                let byte = bytes[i]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        if let millis = epochMilliseconds(bytes) { return millis }
        // A year before year 1 is written with a minus ("-0006", Java's strict ISO form; year 0 is 1 BC).
        let negative = count > 0 && bytes[0] == 0x2D
        guard let digitsOfYear = digits(negative ? 1 : 0, 4) else { return nil }
        let year = negative ? -digitsOfYear : digitsOfYear
        var month: Int64 = 1, day: Int64 = 1, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, millis: Int64 = 0
        var at = negative ? 5 : 4
        func next(_ separator: UInt8) -> Bool {
            guard at < count, bytes[at] == separator else { return false }
            at += 1
            return true
        }
        if next(0x2D) {
            guard let m = digits(at, 2) else { return nil }
            month = m; at += 2
            if next(0x2D) {
                guard let d = digits(at, 2) else { return nil }
                day = d; at += 2
                if at < count, bytes[at] == 0x54 || bytes[at] == 0x20 {
                    at += 1
                    guard let h = digits(at, 2) else { return nil }
                    hour = h; at += 2
                    if next(0x3A) {
                        guard let mi = digits(at, 2) else { return nil }
                        minute = mi; at += 2
                        if next(0x3A) {
                            guard let s = digits(at, 2) else { return nil }
                            second = s; at += 2
                            if at < count, bytes[at] == 0x2E || bytes[at] == 0x2C {
                                at += 1
                                var scale: Int64 = 100
                                let first = at
                                while at < count, bytes[at] >= 0x30 && bytes[at] <= 0x39 {
                                    millis += Int64(bytes[at] - 0x30) * scale
                                    scale /= 10
                                    at += 1
                                }
                                guard at > first, at - first <= 9 else { return nil }
                            }
                        }
                    }
                }
            }
        }
        var offsetMinutes: Int64 = 0
        if at < count {
            if bytes[at] == 0x5A {
                at += 1
            } else if bytes[at] == 0x2B || bytes[at] == 0x2D {
                let sign: Int64 = bytes[at] == 0x2D ? -1 : 1
                guard let hours = digits(at + 1, 2) else { return nil }
                at += 3
                var minutes: Int64 = 0
                if at < count {
                    if bytes[at] == 0x3A { at += 1 }
                    guard let m = digits(at, 2) else { return nil }
                    minutes = m
                    at += 2
                }
                guard hours <= 18, minutes < 60 else { return nil }
                offsetMinutes = (hours * 60 + minutes) * sign
            }
        }
        guard at == count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) - offsetMinutes * 60) * 1000 + millis
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `epoch_millis`: an optionally signed whole number (a fraction is dropped).
    private static func epochMilliseconds(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var at = 0
        var negative = false
        if at < bytes.count, bytes[at] == 0x2D { negative = true; at += 1 }
        let first = at
        var value: Int64 = 0
        while at < bytes.count, bytes[at] >= 0x30 && bytes[at] <= 0x39 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(bytes[at] - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
            at += 1
        }
        guard at > first else { return nil }
        if at < bytes.count, bytes[at] == 0x2E {
            at += 1
            while at < bytes.count, bytes[at] >= 0x30 && bytes[at] <= 0x39 { at += 1 }
        }
        // A date such as 2024-06-01 starts with digits too: only a whole token is a number.
        guard at == bytes.count else { return nil }
        return negative ? -value : value
    }

    /// Milliseconds of a rule `interval` such as `5m`, `1h`, `30s`, `1d`; nil if unreadable.
    public static func milliseconds(interval text: String) -> Int64? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": return value * 1000
        case "m": return value * 60_000
        case "h": return value * 3_600_000
        case "d": return value * 86_400_000
        default: return nil
        }
    }
}
