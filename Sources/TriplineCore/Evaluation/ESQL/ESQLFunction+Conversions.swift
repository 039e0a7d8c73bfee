/// The TO_* conversions. Each value of a multi-value is converted on its own; a value that does
/// not convert is dropped with a warning (`TO_INTEGER([5013792, 2147483647, 501379200000])` is
/// `[5013792, 2147483647]` plus "[501379200000] out of [integer] range").
extension ESQLCall {
    func conversion(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        let convert: (Value) -> Value?
        switch function {
        case .toString: convert = Self.toText
        case .toDouble: convert = Self.toDouble
        case .toInteger: convert = { Self.toLong($0).flatMap { Int32(exactly: $0) != nil ? .long($0) : nil } }
        case .toLong: convert = { Self.toLong($0).map(Value.long) }
        case .toUnsignedLong: convert = Self.toUnsignedLong
        case .toBoolean: convert = Self.toBoolean
        case .toIP: convert = Self.toIP
        case .toDatetime: convert = Self.toDatetime
        case .toVersion: convert = { $0.keywordBytes.map(Value.keyword) }
        default: return .null
        }
        return Self.eachValue(args[0], &warnings, convert)
    }

    /// TO_STRING of one value: dates as `2023-10-23T12:15:03.360Z`, doubles as Java prints them.
    static func toText(_ value: Value) -> Value? {
        switch value {
        case .double(let d): return .keyword(ESQLNumberText.javaDouble(d))
        case .null, .multi: return nil
        default: return value.text.map(Value.keyword)
        }
    }

    static func toDouble(_ value: Value) -> Value? {
        switch value {
        case .double: return value
        case .long(let n), .date(let n): return .double(Double(n))
        case .unsignedLong(let n): return .double(Double(n))
        case .bool(let b): return .double(b ? 1 : 0)
        case .keyword(let bytes): return ESQLNumberText.parseDouble(bytes).map(Value.double)
        default: return nil
        }
    }

    /// A value as a long, as TO_LONG (and, range-checked again, TO_INTEGER) reads it: doubles
    /// rounded half up (`Math.round`), text as a whole number or else as a double.
    static func toLong(_ value: Value) -> Int64? {
        switch value {
        case .long(let n), .date(let n): return n
        case .unsignedLong(let n): return Int64(exactly: n)
        case .double(let d): return ESQLNumberText.roundToLong(d)
        case .bool(let b): return b ? 1 : 0
        case .keyword(let bytes):
            if let n = ESQLNumberText.parseLong(bytes) { return n }
            return ESQLNumberText.parseDouble(bytes).flatMap(ESQLNumberText.roundToLong)
        default: return nil
        }
    }

    /// Negative numbers and doubles of 2^64 or more are out of range; fractions are dropped
    /// (Elasticsearch goes through `BigDecimal.toBigInteger`).
    static func toUnsignedLong(_ value: Value) -> Value? {
        switch value {
        case .unsignedLong: return value
        case .long(let n), .date(let n): return n >= 0 ? .unsignedLong(UInt64(n)) : nil
        case .double(let d): return d >= 0 && d < 1.8446744073709552e19 ? .unsignedLong(UInt64(d)) : nil
        case .bool(let b): return .unsignedLong(b ? 1 : 0)
        case .keyword(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            if let n = UInt64(text.hasPrefix("+") ? String(text.dropFirst()) : text) { return .unsignedLong(n) }
            return ESQLNumberText.parseDouble(bytes).flatMap { toUnsignedLong(.double($0)) }
        default: return nil
        }
    }

    /// Text is true only for "true" in any case (Java's `Boolean.parseBoolean`); numbers are true unless zero.
    static func toBoolean(_ value: Value) -> Value? {
        switch value {
        case .bool: return value
        case .long(let n): return .bool(n != 0)
        case .unsignedLong(let n): return .bool(n != 0)
        case .double(let d): return .bool(d != 0)
        case .keyword(let bytes): return .bool(String(decoding: bytes, as: UTF8.self).lowercased() == "true")
        default: return nil
        }
    }

    /// Text must be an IPv4 or IPv6 literal; leading zeros are refused (Elasticsearch 9.1's
    /// default `leading_zeros: reject`; the options map is not supported here).
    static func toIP(_ value: Value) -> Value? {
        switch value {
        case .ip: return value
        case .keyword(let bytes): return IPAddress(bytes).map(Value.ip)
        default: return nil
        }
    }

    /// Text in Elasticsearch's default date format (`strict_date_optional_time`); numbers are
    /// epoch milliseconds.
    static func toDatetime(_ value: Value) -> Value? {
        switch value {
        case .date: return value
        case .long(let n): return .date(n)
        case .unsignedLong(let n): return Int64(exactly: n).map(Value.date)
        case .double(let d): return ESQLNumberText.roundToLong(d).map(Value.date)
        case .keyword(let bytes): return parseDefaultDate(bytes).map(Value.date)
        default: return nil
        }
    }

    /// `strict_date_optional_time` only: unlike an index mapping's default, ES|QL's text-to-date
    /// conversion does not read epoch millis, and `2023` alone is a year.
    static func parseDefaultDate(_ bytes: [UInt8]) -> Int64? {
        let digitsOnly = !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        if digitsOnly {
            guard bytes.count == 4 else { return nil }
            return Timestamp.milliseconds(iso8601: String(decoding: bytes, as: UTF8.self) + "-01-01")
        }
        // A year and a month at least ("2023-10"): anything shorter would read as epoch millis.
        // The date and time meet at a 'T' only: "1964-06-02 00:00:00" is refused (TO_DATETIME docs).
        // A year before year 1 carries a minus ("-0006-01-01").
        let yearEnd = bytes.first == UInt8(ascii: "-") ? 5 : 4
        guard bytes.count >= yearEnd + 3, bytes[yearEnd] == UInt8(ascii: "-"), !bytes.contains(0x20) else { return nil }
        return Timestamp.milliseconds(iso8601: String(decoding: bytes, as: UTF8.self))
    }
}
