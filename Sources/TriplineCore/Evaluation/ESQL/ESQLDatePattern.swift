/// A java.time `DateTimeFormatter` pattern (`yyyy-MM-dd'T'HH:mm:ss.SSSZ`), for DATE_FORMAT and
/// DATE_PARSE, in UTC with Locale.ROOT's English names. The common letters are supported:
/// y u M L d D H h k K m s S n A N a E e c Q q G w Y V z O X x Z; others are refused.
struct ESQLDatePattern: Sendable, Hashable {
    enum Item: Sendable, Hashable {
        case literal([UInt8])
        case field(letter: Character, count: Int)
    }

    var items: [Item]

    private static let letters = Set("yuMLdDHhkKmsSnANaEecQqGwYVzOXxZ")

    init(_ pattern: String) throws(ESQLArgumentError) {
        var items: [Item] = []
        let chars = Array(pattern)
        var i = 0
        func appendLiteral(_ text: String) {
            if case .literal(let previous)? = items.last {
                items[items.count - 1] = .literal(previous + Array(text.utf8))
            } else {
                items.append(.literal(Array(text.utf8)))
            }
        }
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                // Quoted text; '' is a quote.
                var j = i + 1
                var text = ""
                while j < chars.count {
                    if chars[j] == "'" {
                        if j + 1 < chars.count && chars[j + 1] == "'" { text.append("'"); j += 2; continue }
                        break
                    }
                    text.append(chars[j])
                    j += 1
                }
                // '' outside quotes is a quote.
                if j == i + 1 && j < chars.count { text = "'" }
                guard j < chars.count else { throw ESQLArgumentError("unterminated quote in pattern") }
                appendLiteral(text)
                i = j + 1
            } else if c.isLetter && c.isASCII {
                guard Self.letters.contains(c) else { throw ESQLArgumentError("unsupported pattern letter '\(c)'") }
                var count = 1
                while i + count < chars.count && chars[i + count] == c { count += 1 }
                guard count <= Self.maxCount(c) else { throw ESQLArgumentError("too many pattern letters: \(String(repeating: c, count: count))") }
                items.append(.field(letter: c, count: count))
                i += count
            } else if c == "[" || c == "]" {
                // Optional sections: everything is present when formatting; parsing treats them as required.
                i += 1
            } else if c == "{" || c == "}" || c == "#" {
                throw ESQLArgumentError("reserved pattern character '\(c)'")
            } else {
                appendLiteral(String(c))
                i += 1
            }
        }
        self.items = items
    }

    private static func maxCount(_ letter: Character) -> Int {
        switch letter {
        case "d", "H", "h", "k", "K", "m", "s", "w": 2
        case "D": 3
        case "S", "n", "A", "N", "y", "u", "Y": 19
        case "V": 2
        case "z", "O": 4
        default: 5
        }
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    // MARK: Formatting

    func format(_ millis: Int64) -> [UInt8] {
        let date = ESQLCalendar(millis: millis)
        var out: [UInt8] = []
        for item in items {
            switch item {
            case .literal(let bytes): out += bytes
            case .field(let letter, let count): out += Array(Self.text(letter, count, date).utf8)
            }
        }
        return out
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(Swift.abs(value))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }

    private static func text(_ letter: Character, _ count: Int, _ date: ESQLCalendar) -> String {
        switch letter {
        case "y", "u", "Y":
            var year = letter == "Y" ? date.isoWeek.year : date.year
            if letter == "y" && year < 1 { year = 1 - year }
            if count == 2 { return pad(ESQLCalendar.floorMod(year, 100), 2) }
            return pad(year, count)
        case "M", "L":
            switch count {
            case 1, 2: return pad(date.month, count)
            case 3: return String(months[Int(date.month) - 1].prefix(3))
            case 4: return months[Int(date.month) - 1]
            default: return String(months[Int(date.month) - 1].prefix(1))
            }
        case "d": return pad(date.day, count)
        case "D": return pad(date.dayOfYear, count)
        case "H": return pad(date.hour, count)
        case "k": return pad(date.hour == 0 ? 24 : date.hour, count)
        case "K": return pad(date.hour % 12, count)
        case "h": return pad(date.hour % 12 == 0 ? 12 : date.hour % 12, count)
        case "m": return pad(date.minute, count)
        case "s": return pad(date.second, count)
        case "S":
            // A fraction of the second, `count` digits of the nanoseconds.
            let nanos = pad(date.millisecond * 1_000_000, 9)
            return count <= 9 ? String(nanos.prefix(count)) : nanos + String(repeating: "0", count: count - 9)
        case "n": return pad(date.millisecond * 1_000_000, count)
        case "A": return pad(date.millisOfDay, count)
        case "N": return pad(date.millisOfDay * 1_000_000, count)
        case "a": return date.hour < 12 ? "AM" : "PM"
        case "E", "e", "c":
            let name = weekdays[Int(date.dayOfWeek) - 1]
            if letter != "E" && count <= 2 { return pad(date.dayOfWeek, count) }
            switch count {
            case 4: return name
            case 5: return String(name.prefix(1))
            default: return String(name.prefix(3))
            }
        case "Q", "q":
            let quarter = (date.month - 1) / 3 + 1
            switch count {
            case 1, 2: return pad(quarter, count)
            case 3: return "Q\(quarter)"
            case 4: return ["1st", "2nd", "3rd", "4th"][Int(quarter) - 1] + " quarter"
            default: return String(quarter)
            }
        case "G":
            switch count {
            case 4: return date.year >= 1 ? "Anno Domini" : "Before Christ"
            case 5: return date.year >= 1 ? "A" : "B"
            default: return date.year >= 1 ? "AD" : "BC"
            }
        case "w": return pad(date.isoWeek.week, count)
        case "V", "z", "X": return "Z"
        case "O": return "GMT"
        case "x": return count == 1 ? "+00" : (count == 3 || count == 5 ? "+00:00" : "+0000")
        case "Z": return count == 4 ? "GMT" : (count == 5 ? "Z" : "+0000")
        default: return ""
        }
    }

    // MARK: Parsing

    /// Epoch millis of `text` read with this pattern; nil when it does not match or names an
    /// impossible date. Missing fields default to 1970-01-01T00:00:00Z.
    func parse(_ text: [UInt8]) -> Int64? {
        var at = 0
        var year: Int64?, month: Int64?, day: Int64?, dayOfYear: Int64?
        var hour: Int64?, hour12: Int64?, pm: Bool?, minute: Int64 = 0, second: Int64 = 0, millis: Int64 = 0
        var offsetMinutes: Int64 = 0
        var bce = false

        func number(min: Int, max: Int, signed: Bool = false) -> Int64? {
            var i = at
            var negative = false
            if signed, i < text.count, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
                negative = text[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            var value: Int64 = 0
            while i < text.count, i - start < max, text[i] >= 0x30 && text[i] <= 0x39 {
                guard value < Int64.max / 10 - 1 else { return nil }
                value = value * 10 + Int64(text[i] - 0x30)
                i += 1
            }
            guard i - start >= min else { return nil }
            at = i
            return negative ? -value : value
        }
        func word(_ choices: [String]) -> Int? {
            for (index, choice) in choices.enumerated() {
                let bytes = Array(choice.lowercased().utf8)
                guard at + bytes.count <= text.count else { continue }
                let slice = text[at..<(at + bytes.count)].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
                if slice.elementsEqual(bytes) { at += bytes.count; return index }
            }
            return nil
        }
        func offset() -> Int64? {
            if at < text.count, text[at] == UInt8(ascii: "Z") { at += 1; return 0 }
            guard at < text.count, text[at] == UInt8(ascii: "+") || text[at] == UInt8(ascii: "-") else { return nil }
            let sign: Int64 = text[at] == UInt8(ascii: "-") ? -1 : 1
            at += 1
            guard let hours = number(min: 2, max: 2) else { return nil }
            var minutes: Int64 = 0
            if at < text.count, text[at] == UInt8(ascii: ":") { at += 1 }
            if let m = number(min: 2, max: 2) { minutes = m }
            guard hours <= 18, minutes < 60 else { return nil }
            return sign * (hours * 60 + minutes)
        }

        for (index, item) in items.enumerated() {
            switch item {
            case .literal(let bytes):
                guard at + bytes.count <= text.count, text[at..<(at + bytes.count)].elementsEqual(bytes) else { return nil }
                at += bytes.count
            case .field(let letter, let count):
                // Adjacent numbers ("yyyyMMdd") take exactly their width.
                var nextIsNumber = false
                if index + 1 < items.count, case .field(let next, let nextCount) = items[index + 1] {
                    nextIsNumber = "yuMLdDHhkKmsSnAN".contains(next) && !("ML".contains(next) && nextCount >= 3)
                }
                let fixed = count >= 2 || nextIsNumber
                func field(_ maxWidth: Int) -> Int64? { number(min: fixed ? count : 1, max: fixed ? Swift.max(count, 1) : maxWidth) }
                switch letter {
                case "y", "u", "Y":
                    if count == 2 {
                        guard let n = number(min: 2, max: 2) else { return nil }
                        year = 2000 + n
                    } else {
                        guard let n = number(min: count, max: nextIsNumber ? count : 10, signed: letter == "u") else { return nil }
                        year = n
                    }
                case "M", "L":
                    if count >= 3 {
                        let names = count == 3 ? Self.months.map { String($0.prefix(3)) } : Self.months
                        guard let found = word(names) else { return nil }
                        month = Int64(found + 1)
                    } else {
                        guard let n = field(2) else { return nil }
                        month = n
                    }
                case "d": guard let n = field(2) else { return nil }; day = n
                case "D": guard let n = field(3) else { return nil }; dayOfYear = n
                case "H", "k":
                    guard let n = field(2) else { return nil }
                    hour = letter == "k" && n == 24 ? 0 : n
                case "h", "K":
                    guard let n = field(2) else { return nil }
                    hour12 = letter == "h" && n == 12 ? 0 : n
                case "m": guard let n = field(2) else { return nil }; minute = n
                case "s": guard let n = field(2) else { return nil }; second = n
                case "S":
                    let start = at
                    guard let n = number(min: count, max: count) else { return nil }
                    let digits = at - start
                    // The fraction's digits as milliseconds: "5" is 500, "123456" is 123.
                    millis = digits <= 3 ? n * ESQLCall.powerOfTen(3 - digits) : n / ESQLCall.powerOfTen(digits - 3)
                case "a":
                    guard let found = word(["AM", "PM"]) else { return nil }
                    pm = found == 1
                case "E", "e", "c":
                    if letter != "E" && count <= 2 {
                        guard field(1) != nil else { return nil }
                    } else {
                        let names = count == 4 ? Self.weekdays : Self.weekdays.map { String($0.prefix(3)) }
                        guard word(names) != nil else { return nil }
                    }
                case "G":
                    guard let found = word(count == 4 ? ["Anno Domini", "Before Christ"] : ["AD", "BC"]) else { return nil }
                    bce = found == 1
                case "X", "x", "Z", "V", "z", "O":
                    if letter == "O" || letter == "z" || letter == "V" { _ = word(["GMT", "UTC"]) }
                    if let minutes = offset() { offsetMinutes = minutes } else if letter != "O" && letter != "z" && letter != "V" { return nil }
                default:
                    // Quarters, weeks and nanosecond fields are read but not used.
                    guard number(min: 1, max: 19) != nil else { return nil }
                }
            }
        }
        guard at == text.count else { return nil }
        var resolvedYear = year ?? 1970
        if bce { resolvedYear = 1 - resolvedYear }
        var date = ESQLCalendar(year: resolvedYear)
        if let dayOfYear, month == nil, day == nil {
            guard dayOfYear >= 1, dayOfYear <= (ESQLCalendar.isLeap(resolvedYear) ? 366 : 365) else { return nil }
            (date.year, date.month, date.day) = ESQLCalendar.civil(days: date.epochDay + dayOfYear - 1)
        } else {
            date.month = month ?? 1
            date.day = day ?? 1
            guard (1...12).contains(date.month), date.day >= 1, date.day <= ESQLCalendar.daysIn(month: date.month, year: resolvedYear) else { return nil }
        }
        if let hour12 {
            guard hour12 < 12 else { return nil }
            date.hour = hour12 + ((pm ?? false) ? 12 : 0)
        } else {
            date.hour = hour ?? 0
        }
        guard date.hour < 24, minute < 60, second < 60 else { return nil }
        date.minute = minute
        date.second = second
        date.millisecond = millis
        return date.millis.map { $0 - offsetMinutes * 60_000 }
    }
}
