/// The MV_* functions: they take a column's values (a single value is a column of one) and
/// give one value or a new multi-value. Their other arguments (a delimiter, offsets, an order)
/// take single values.
extension ESQLCall {
    func multiValue(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        switch function {
        case .mvContains:
            // Null is the empty set: everything contains it, it contains nothing.
            let subset = args[1].values
            let superset = Membership(args[0].values, probes: subset.count)
            return .bool(subset.allSatisfy { superset.contains($0) })
        case .mvIntersection:
            guard !args[0].isNull, !args[1].isNull else { return .null }
            let values = Value.distinct(args[0].values)
            let other = Membership(args[1].values, probes: values.count)
            return Value.of(values.filter { other.contains($0) })
        case .mvAppend:
            guard !args[0].isNull, !args[1].isNull else { return .null }
            return Value.of(args[0].values + args[1].values)
        case .mvZip:
            return zip(args, &warnings)
        default:
            break
        }
        let values = args[0].values
        guard !values.isEmpty else { return .null }
        switch function {
        case .mvFirst: return values[0]
        case .mvLast: return values[values.count - 1]
        case .mvCount: return .long(Int64(values.count))
        case .mvMin: return Self.extreme(of: values, greatest: false) ?? .null
        case .mvMax: return Self.extreme(of: values, greatest: true) ?? .null
        case .mvDedupe: return Value.of(Value.distinct(values))
        case .mvSum: return Self.sum(values, &warnings)
        case .mvAvg:
            // In double, whatever the input (Elasticsearch averages with a compensated sum).
            let doubles = values.compactMap { $0.numeric.map(Value.double) }
            guard doubles.count == values.count, case .double(let total) = Self.sum(doubles, &warnings) else { return .null }
            return .double(total / Double(values.count))
        case .mvMedian: return Self.median(values)
        default: break
        }
        guard let rest = Self.singles(Array(args.dropFirst()), &warnings) else { return .null }
        switch function {
        case .mvConcat:
            guard let delimiter = rest[0].keywordBytes else { return .null }
            var out: [UInt8] = []
            for (i, value) in values.enumerated() {
                guard let bytes = value.keywordBytes else { return .null }
                if i > 0 { out += delimiter }
                out += bytes
            }
            return .keyword(out)
        case .mvSlice:
            return Self.slice(values, rest, &warnings)
        case .mvSort:
            var descending = false
            if case .descending(let prepared) = prepared {
                descending = prepared
            } else if let order = rest.first {
                switch order.keywordBytes.map({ String(decoding: $0, as: UTF8.self).lowercased() }) {
                case "asc": descending = false
                case "desc": descending = true
                default: warnings.invalidArgument += 1; return .null
                }
            }
            let sorted = values.sorted { (Value.order($0, $1) ?? 0) < 0 }
            return Value.of(descending ? sorted.reversed() : sorted)
        default:
            return .null
        }
    }

    static func contains(_ values: [Value], _ value: Value) -> Bool {
        values.contains { Value.order($0, value) == 0 || $0 == value }
    }

    /// `contains` over one column asked many times: a scan while the column and the questions
    /// are few, else a hash lookup, a number also under its value in the other numeric kinds (two
    /// event fields of 100,000 values each would otherwise take 10^10 comparisons).
    struct Membership {
        private let values: [Value]
        private let hashed: Set<Value>?

        init(_ values: [Value], probes: Int) {
            self.values = values
            hashed = values.count * probes > 4_096 ? Set(values) : nil
        }

        func contains(_ value: Value) -> Bool {
            guard let hashed else { return ESQLCall.contains(values, value) }
            if hashed.contains(value) { return true }
            switch value {
            case .long(let x):
                return (Double(exactly: x).map { hashed.contains(.double($0)) } ?? false)
                    || (x >= 0 && hashed.contains(.unsignedLong(UInt64(x))))
            case .unsignedLong(let x):
                return hashed.contains(.double(Double(x))) || (Int64(exactly: x).map { hashed.contains(.long($0)) } ?? false)
            case .double(let d):
                return (Int64(exactly: d).map { hashed.contains(.long($0)) } ?? false)
                    || (UInt64(exactly: d).map { hashed.contains(.unsignedLong($0)) } ?? false)
            default:
                return false
            }
        }
    }

    /// MV_SUM: longs exactly (an overflow is null with a warning), doubles with Kahan compensation
    /// as Elasticsearch's `CompensatedSum`.
    static func sum(_ values: [Value], _ warnings: inout ESQLWarnings) -> Value {
        switch values[0] {
        case .long:
            var total: Int64 = 0
            for value in values {
                guard case .long(let n) = value else { return .null }
                let (next, overflow) = total.addingReportingOverflow(n)
                guard !overflow else { warnings.overflow += 1; return .null }
                total = next
            }
            return .long(total)
        case .unsignedLong:
            var total: UInt64 = 0
            for value in values {
                guard case .unsignedLong(let n) = value else { return .null }
                let (next, overflow) = total.addingReportingOverflow(n)
                guard !overflow else { warnings.overflow += 1; return .null }
                total = next
            }
            return .unsignedLong(total)
        case .double:
            var total = 0.0, compensation = 0.0
            for value in values {
                guard case .double(let d) = value else { return .null }
                let corrected = d - compensation
                let next = total + corrected
                compensation = (next - total) - corrected
                total = next
            }
            guard total.isFinite else { warnings.overflow += 1; return .null }
            return .double(total)
        default:
            return .null
        }
    }

    /// The middle value; of an even count, the mean of the two middle ones, rounded down for
    /// whole numbers (`MV_MEDIAN([1, 2])` is 1).
    static func median(_ values: [Value]) -> Value {
        let sorted = values.sorted { (Value.order($0, $1) ?? 0) < 0 }
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        switch (sorted[middle - 1], sorted[middle]) {
        case (.long(let a), .long(let b)): return .long((a >> 1) + (b >> 1) + (a & b & 1))
        case (.unsignedLong(let a), .unsignedLong(let b)): return .unsignedLong((a >> 1) + (b >> 1) + (a & b & 1))
        case (.double(let a), .double(let b)): return .double((a + b) / 2)
        default: return .null
        }
    }

    /// MV_SLICE(field, start, end): 0-based and inclusive, negative offsets counting from the
    /// end; `end` defaults to `start`. Offsets of different signs, or a start after the end, are
    /// refused with a warning.
    static func slice(_ values: [Value], _ offsets: [Value], _ warnings: inout ESQLWarnings) -> Value {
        guard let start = offsets[0].integerArgument else { return .null }
        var end = start
        if offsets.count == 2 {
            guard let n = offsets[1].integerArgument else { return .null }
            end = n
        }
        guard start <= end, !(start < 0 && end >= 0) else { warnings.invalidArgument += 1; return .null }
        let count = Int64(values.count)
        let first = max(0, start < 0 ? start + count : start)
        let last = min(count - 1, end < 0 ? end + count : end)
        guard first < count, last >= 0, first <= last else { return .null }
        return Value.of(Array(values[Int(first)...Int(last)]))
    }

    /// MV_ZIP(left, right, delimiter = ","): pairs joined by the delimiter; the longer side's
    /// extra values stay alone; null only when both sides are.
    private func zip(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        var delimiter = Array(",".utf8)
        if args.count == 3 {
            guard let rest = Self.singles([args[2]], &warnings), let bytes = rest[0].keywordBytes else { return .null }
            delimiter = bytes
        }
        let left = args[0].values, right = args[1].values
        if left.isEmpty && right.isEmpty { return .null }
        var out: [Value] = []
        for i in 0..<max(left.count, right.count) {
            var bytes: [UInt8] = []
            if i < left.count {
                guard let text = left[i].keywordBytes else { return .null }
                bytes += text
            }
            if i < left.count && i < right.count { bytes += delimiter }
            if i < right.count {
                guard let text = right[i].keywordBytes else { return .null }
                bytes += text
            }
            out.append(.keyword(bytes))
        }
        return Value.of(out)
    }
}
