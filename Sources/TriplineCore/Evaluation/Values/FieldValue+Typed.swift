extension FieldValue {
    /// The value as its field's mapped type indexes it, or nil where Elasticsearch would not
    /// index it: a value that does not fit the type (data streams index with `ignore_malformed`,
    /// so the field is absent and the event kept) or a keyword longer than `ignore_above`.
    /// `scratch` holds decoded string bytes.
    public func typed(_ type: FieldType, in raw: UnsafeRawBufferPointer, scratch: inout [UInt8]) -> Value? {
        switch type {
        case .dynamic:
            switch kind {
            case .string, .escapedString: return typed(.keyword(ignoreAbove: FieldType.dynamicIgnoreAbove), in: raw, scratch: &scratch)
            case .bool: return .bool(rawBytes(in: raw).count == 4)
            case .number:
                let bytes = rawBytes(in: raw)
                return Self.long(bytes, coerce: false).map(Value.long) ?? Self.double(bytes).map(Value.double)
            }
        case .unqueryable:
            return nil
        default:
            return withDecodedBytes(in: raw, scratch: &scratch) { Self.typed(text: $0, isString: kind != .number && kind != .bool, type) }
        }
    }

    /// How `type` reads this value when it reads it as a keyword (a keyword field's value, a
    /// dynamic field's string): its `ignore_above` and whether a normalizer lowers it; nil when not.
    private func keywordReading(_ type: FieldType) -> (ignoreAbove: Int?, lowercase: Bool)? {
        switch (type, kind) {
        case (.keyword(let ignoreAbove, let lowercase), _): (ignoreAbove, lowercase)
        case (.dynamic, .string), (.dynamic, .escapedString): (FieldType.dynamicIgnoreAbove, false)
        default: nil
        }
    }

    /// Whether `typed` gives a value, without building a keyword's bytes to say so (`?field`,
    /// `IS NOT NULL` and the like ask only this).
    func isIndexed(as type: FieldType, in raw: UnsafeRawBufferPointer, scratch: inout [UInt8]) -> Bool {
        guard let reading = keywordReading(type) else { return typed(type, in: raw, scratch: &scratch) != nil }
        return withDecodedBytes(in: raw, scratch: &scratch) { Self.fitsIgnoreAbove($0, reading.ignoreAbove) }
    }

    /// `typed`, with a keyword read as its bytes unchanged taken from `interner`.
    func typed(_ type: FieldType, in raw: UnsafeRawBufferPointer, scratch: inout [UInt8], interner: inout KeywordInterner) -> Value? {
        guard let reading = keywordReading(type), !reading.lowercase else { return typed(type, in: raw, scratch: &scratch) }
        return withDecodedBytes(in: raw, scratch: &scratch) { Self.fitsIgnoreAbove($0, reading.ignoreAbove) ? interner.keyword($0) : nil }
    }

    /// A scalar's text (a string's decoded content, or a number's or boolean's token) as `type`.
    static func typed(text bytes: UnsafeRawBufferPointer, isString: Bool, _ type: FieldType) -> Value? {
        switch type {
        case .long: return long(bytes, coerce: true).map(Value.long)
        case .unsignedLong: return unsignedLong(bytes).map(Value.unsignedLong)
        case .double(let storage): return double(bytes).map { .double(storage.stored($0)) }
        case .ip: return isString ? IPAddress(bytes).map(Value.ip) : nil
        case .date: return Timestamp.milliseconds(date: bytes).map(Value.date)
        case .boolean:
            // JSON booleans and the strings "true", "false" (and "" as false), as ES parses them.
            if bytes.elementsEqual("true".utf8) { return .bool(true) }
            if bytes.elementsEqual("false".utf8) || (isString && bytes.isEmpty) { return .bool(false) }
            return nil
        case .keyword(let ignoreAbove, let lowercase):
            guard fitsIgnoreAbove(bytes, ignoreAbove) else { return nil }
            return .keyword(lowercase ? bytes.map(CaseFolding.foldASCII) : Array(bytes))
        case .dynamic: return isString ? .keyword(Array(bytes)) : (long(bytes, coerce: false).map(Value.long) ?? double(bytes).map(Value.double))
        case .unqueryable: return nil
        }
    }

    /// `ignore_above` counts characters (UTF-16 units, as Java does); bytes are never fewer.
    static func fitsIgnoreAbove(_ bytes: UnsafeRawBufferPointer, _ limit: Int?) -> Bool {
        guard let limit, bytes.count > limit else { return true }
        var units = 0
        for byte in bytes where byte & 0xC0 != 0x80 {
            units += byte >= 0xF0 ? 2 : 1
        }
        return units <= limit
    }

    /// A whole number; with `coerce`, a fraction or exponent is truncated as ES's numeric
    /// fields do (`"443.9"` indexes as 443) as long as the result fits.
    static func long(_ bytes: UnsafeRawBufferPointer, coerce: Bool) -> Int64? {
        var at = 0
        var negative = false
        if at < bytes.count, bytes[at] == 0x2D || bytes[at] == 0x2B { negative = bytes[at] == 0x2D; at += 1 }
        let first = at
        var value: Int64 = 0
        var overflow = false
        while at < bytes.count, bytes[at] >= 0x30 && bytes[at] <= 0x39 {
            // Accumulated negatively so Int64.min fits.
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.subtractingReportingOverflow(Int64(bytes[at] - 0x30))
            overflow = overflow || o1 || o2
            value = sum
            at += 1
        }
        if at == bytes.count && at > first && !overflow {
            if negative { return value }
            return value == Int64.min ? nil : -value
        }
        guard coerce, let d = double(bytes) else { return nil }
        let truncated = d.rounded(.towardZero)
        guard truncated >= -9.223372036854775808e18, truncated < 9.223372036854775807e18 else { return nil }
        return Int64(truncated)
    }

    static func unsignedLong(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(String(decoding: bytes, as: UTF8.self))
    }

    /// A finite number in JSON's syntax (leading `+`, spaces or `NaN` are not numbers here).
    static func double(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let first = bytes.first, first == 0x2D || (first >= 0x30 && first <= 0x39) || first == 0x2E,
              bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 | 0x20 == 0x65 }),
              let d = Double(String(decoding: bytes, as: UTF8.self)), d.isFinite else { return nil }
        return d
    }
}
