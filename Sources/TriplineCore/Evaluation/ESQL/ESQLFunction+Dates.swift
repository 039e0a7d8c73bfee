/// DATE_TRUNC, DATE_DIFF, DATE_EXTRACT, DATE_FORMAT, DATE_PARSE and NOW, in UTC. Units,
/// parts and patterns given as constants were prepared by `ESQLCall.init`; given per row, they
/// are read here and a bad one is null with a warning.
extension ESQLCall {
    func date(_ args: [Value], now: Int64, _ warnings: inout ESQLWarnings) -> Value {
        if function == .now { return .date(now) }
        guard let args = Self.singles(args, &warnings) else { return .null }
        switch function {
        case .dateTrunc:
            guard let millis = Self.dateArgument(args[1]) else { return .null }
            let rounding: ESQLDateRounding
            if case .rounding(let prepared) = prepared {
                rounding = prepared
            } else {
                guard let text = args[0].keywordBytes else { return .null }
                guard let parsed = try? ESQLDateRounding(String(decoding: text, as: UTF8.self)) else {
                    warnings.invalidArgument += 1
                    return .null
                }
                rounding = parsed
            }
            guard let rounded = rounding.round(millis) else { warnings.overflow += 1; return .null }
            return .date(rounded)
        case .dateDiff:
            guard let start = Self.dateArgument(args[1]), let end = Self.dateArgument(args[2]) else { return .null }
            let unit: ESQLDateDiffUnit
            if case .diffUnit(let prepared) = prepared {
                unit = prepared
            } else {
                guard let text = args[0].keywordBytes else { return .null }
                guard let parsed = ESQLDateDiffUnit(name: String(decoding: text, as: UTF8.self)) else {
                    warnings.invalidArgument += 1
                    return .null
                }
                unit = parsed
            }
            // The result is an integer: a difference past its range is null with a warning.
            guard let difference = unit.between(start, end) else { warnings.overflow += 1; return .null }
            return .long(difference)
        case .dateExtract:
            guard let millis = Self.dateArgument(args[1]) else { return .null }
            let field: ESQLDateField
            if case .dateField(let prepared) = prepared {
                field = prepared
            } else {
                guard let text = args[0].keywordBytes else { return .null }
                guard let parsed = ESQLDateField(name: String(decoding: text, as: UTF8.self)) else {
                    warnings.invalidArgument += 1
                    return .null
                }
                field = parsed
            }
            return .long(field.extract(millis))
        case .dateFormat:
            guard let millis = Self.dateArgument(args[args.count - 1]) else { return .null }
            guard args.count == 2 else { return .keyword(Timestamp.iso8601(milliseconds: millis)) }
            guard let pattern = pattern(args[0], &warnings) else { return .null }
            return .keyword(pattern.format(millis))
        case .dateParse:
            guard let text = args[args.count - 1].keywordBytes else { return .null }
            let parsed: Int64?
            if args.count == 2 {
                guard let pattern = pattern(args[0], &warnings) else { return .null }
                parsed = pattern.parse(text)
            } else {
                parsed = Self.parseDefaultDate(text)
            }
            guard let parsed else { warnings.invalidArgument += 1; return .null }
            return .date(parsed)
        default:
            return .null
        }
    }

    /// The prepared pattern, or this row's; a bad one counts a warning.
    private func pattern(_ value: Value, _ warnings: inout ESQLWarnings) -> ESQLDatePattern? {
        if case .datePattern(let prepared) = prepared { return prepared }
        guard let text = value.keywordBytes else { return nil }
        guard let parsed = try? ESQLDatePattern(String(decoding: text, as: UTF8.self)) else {
            warnings.invalidArgument += 1
            return nil
        }
        return parsed
    }

    /// A date argument; text is read in the default format, as ES|QL casts string literals
    /// (`DATE_TRUNC(1 year, "1991-06-26T00:00:00.000Z")`).
    static func dateArgument(_ value: Value) -> Int64? {
        switch value {
        case .date(let millis): return millis
        case .keyword(let bytes): return parseDefaultDate(bytes)
        default: return nil
        }
    }
}
