/// CASE, COALESCE, GREATEST, LEAST and the CLAMPs. The caller evaluates every argument first (ES|QL
/// expressions have no side effects), so these pick among values.
extension ESQLCall {
    func conditional(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        switch function {
        case .case:
            // Pairs of condition and value, then an optional default. A multi-valued condition
            // counts as false with a warning (csv-spec conditional: caseOnConstantMvFalseTrue).
            var i = 0
            while i + 1 < args.count {
                switch args[i] {
                case .bool(true): return args[i + 1]
                case .multi: warnings.multiValuedArgument += 1
                default: break
                }
                i += 2
            }
            return i < args.count ? args[i] : .null
        case .coalesce:
            return args.first { !$0.isNull } ?? .null
        case .greatest, .least:
            return Self.extreme(args, greatest: function == .greatest)
        case .clamp, .clampMin, .clampMax:
            // Single values only (ES's evaluators); CLAMP is CLAMP_MAX(CLAMP_MIN(field, min), max).
            guard let singles = Self.singles(args, &warnings) else { return .null }
            let lower = function == .clampMax ? nil : singles[1]
            let upper = function == .clamp ? singles[2] : function == .clampMax ? singles[1] : nil
            var value = singles[0]
            for (bound, below) in [(lower, true), (upper, false)] {
                guard let bound else { continue }
                guard let typed = Self.cast(bound, like: value), let order = Value.order(value, typed) else { return .null }
                if below ? order < 0 : order > 0 { value = typed }
            }
            return value
        default:
            return .null
        }
    }

    /// GREATEST/LEAST: null if any argument is null; a multi-value stands for its own maximum
    /// (minimum), as Elasticsearch wraps each argument in MV_MAX (MV_MIN). Mixed numbers widen
    /// to double, as the planner does (`mixed_numeric_types_in_case_greatest_least`).
    static func extreme(_ args: [Value], greatest: Bool) -> Value {
        var best: Value?
        var widen = false
        for arg in args {
            guard let value = extreme(of: arg.values, greatest: greatest) else { return .null }
            if case .double = value { widen = true }
            guard let current = best else { best = value; continue }
            guard let order = Value.order(value, current) else { return .null }
            if greatest ? order > 0 : order < 0 { best = value }
        }
        guard let best else { return .null }
        if widen, let d = best.numeric { return .double(d) }
        return best
    }

    /// A CLAMP bound as the field's type, as Elasticsearch casts it (a double bound of a whole-number
    /// field truncated); nil for a bound of another kind (a type error in ES).
    static func cast(_ bound: Value, like field: Value) -> Value? {
        switch (field, bound) {
        case (.long, .double(let d)):
            guard d.isFinite, d >= -9.2e18, d <= 9.2e18 else { return nil }
            return .long(Int64(d))
        case (.double, _):
            return bound.numeric.map(Value.double)
        case (.long, .long), (.unsignedLong, .unsignedLong), (.keyword, .keyword), (.ip, .ip), (.date, .date), (.bool, .bool):
            return bound
        default:
            return nil
        }
    }

    /// The largest (smallest) of some values of one column, nil when there are none.
    static func extreme(of values: [Value], greatest: Bool) -> Value? {
        var best: Value?
        for value in values {
            guard let current = best else { best = value; continue }
            if let order = Value.order(value, current), greatest ? order > 0 : order < 0 { best = value }
        }
        return best
    }
}
