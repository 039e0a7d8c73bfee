/// Reading arguments the way Elasticsearch's generated evaluators read their blocks.
extension ESQLCall {
    /// The arguments of a function that takes single values, or nil when the result is null:
    /// arguments are checked in order, a null gives null, a multi-value gives null and a warning.
    static func singles(_ args: [Value], _ warnings: inout ESQLWarnings) -> [Value]? {
        for arg in args {
            switch arg {
            case .null: return nil
            case .multi:
                warnings.multiValuedArgument += 1
                return nil
            default: continue
            }
        }
        return args
    }

    /// Applies a conversion to every value of a column (conversions take multi-values): values it
    /// cannot convert are dropped with a warning, as Elasticsearch's `AbstractConvertFunction` does.
    static func eachValue(_ value: Value, _ warnings: inout ESQLWarnings, _ convert: (Value) -> Value?) -> Value {
        switch value {
        case .null: return .null
        case .multi: break
        default:
            // One value (nearly always): no array built.
            if let converted = convert(value) { return converted }
            warnings.invalidConversion += 1
            return .null
        }
        var out: [Value] = []
        for item in value.values {
            if let converted = convert(item) {
                out.append(converted)
            } else {
                warnings.invalidConversion += 1
            }
        }
        return Value.of(out)
    }
}

extension Value {
    /// The bytes of a keyword; nil for other kinds.
    var keywordBytes: [UInt8]? {
        if case .keyword(let bytes) = self { return bytes }
        return nil
    }

    /// An integer argument (a count, a length, a position): ES|QL's integer parameters.
    var integerArgument: Int64? {
        switch self {
        case .long(let n): return n
        case .unsignedLong(let n): return n <= UInt64(Int64.max) ? Int64(n) : nil
        default: return nil
        }
    }
}
