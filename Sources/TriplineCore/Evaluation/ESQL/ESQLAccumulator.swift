/// One aggregate's running state for one group: values are added row by row, two states of
/// the same aggregate merge (partials of several slices of time, or of several workers), and
/// `result` gives the column's value as Elasticsearch computes it.
///
/// One struct for every function (only the fields its function uses are touched): a dictionary
/// of them is mutated in place, with no enum payload copied out and back.
struct ESQLAccumulator: Sendable {
    var count: Int64 = 0
    /// COUNT_DISTINCT and VALUES: the distinct values, up to the cap.
    var distinct: Set<Value> = []
    /// COUNT_DISTINCT past the cap: a HyperLogLog sketch, as Elasticsearch counts above its
    /// precision threshold.
    var sketch: DistinctSketch?
    /// MIN, MAX, FIRST, LAST: the value so far (FIRST/LAST: all values of the chosen row).
    var extreme: Value?
    var sortKey: Value?
    var longSum: Int64 = 0
    var doubleSum = 0.0
    var sawDouble = false
    var overflowed = false
    /// STD_DEV, VARIANCE: the running mean and sum of squared differences from it (Welford's
    /// method, as Elasticsearch computes them), with `count`.
    var mean = 0.0
    var squares = 0.0
    /// MEDIAN, PERCENTILE: every value (a sample per row value), up to the cap.
    var samples: [Double] = []
    /// TOP: the best values so far, at most the limit; with an output field, the best rows'
    /// (ranking value, output value) pairs instead.
    var top: [Value] = []
    var topPairs: [(rank: Value, output: Value)] = []
    /// Values VALUES, MEDIAN and PERCENTILE left out at the cap (counted, never silent).
    var dropped = 0

    /// Adds one row's argument (each value of a multi-value on its own, as ES|QL aggregates).
    mutating func add(_ aggregate: ESQLAggregate, _ value: Value, sortKey: Value, distinctCap: Int) {
        switch aggregate.function {
        case .count:
            count += aggregate.argument == nil ? 1 : Int64(value.valueCount)
        case .countDistinct:
            value.forEachValue { insertDistinct($0, cap: distinctCap) }
        case .values:
            value.forEachValue { item in
                // Below the cap, one insert (it hashes the value once); at it, a value not kept is counted.
                if distinct.count < distinctCap { distinct.insert(item) } else if !distinct.contains(item) { dropped += 1 }
            }
        case .min, .max:
            value.forEachValue { keepExtreme($0, wantLess: aggregate.function == .min) }
        case .sum:
            value.forEachValue { addToSum($0) }
        case .avg:
            value.forEachValue { if let number = $0.numeric { doubleSum += number; count += 1 } }
        case .stdDev, .variance:
            value.forEachValue { item in
                guard let number = item.numeric else { return }
                count += 1
                let delta = number - mean
                mean += delta / Double(count)
                squares += delta * (number - mean)
            }
        case .present, .absent:
            count += Int64(value.valueCount)
        case .median, .percentile, .medianAbsoluteDeviation:
            value.forEachValue { item in
                guard let number = item.numeric else { return }
                if samples.count >= distinctCap { dropped += 1 } else { samples.append(number) }
            }
        case .top where aggregate.sortKey != nil:
            // As Elasticsearch's two-input TOP: a row with either value null adds nothing, and
            // each ranking value pairs with each output value of a multi-valued row.
            guard !value.isNull, !sortKey.isNull else { return }
            sortKey.forEachValue { rank in value.forEachValue { topPairs.append((rank, $0)) } }
            if topPairs.count > aggregate.limit * 4 + 16 { trimTop(aggregate) }
        case .top:
            value.forEachValue { top.append($0) }
            if top.count > aggregate.limit * 4 + 16 { trimTop(aggregate) }
        case .first, .last:
            // As Elasticsearch documents them: the rows in the sort field's order (FIRST
            // ascending, LAST descending) with a null sort value last, and the chosen row's field
            // value, null or several values included. Among equals the first row seen stays.
            // `count` counts the rows seen, `sortKey` is nil for a null sort value.
            let key = sortKey.values.sorted { (Value.order($0, $1) ?? 0) < 0 }
            let candidate = sortKey.isNull ? nil : (aggregate.function == .first ? key.first : key.last) ?? sortKey
            if count > 0 {
                guard let candidate else { return }
                if let current = self.sortKey {
                    let order = Value.order(candidate, current) ?? 0
                    guard aggregate.function == .first ? order < 0 : order > 0 else { return }
                }
            }
            count += 1
            self.sortKey = candidate
            extreme = value
        }
    }

    /// Folds another state of the same aggregate into this one.
    mutating func merge(_ other: ESQLAccumulator, _ aggregate: ESQLAggregate, distinctCap: Int) {
        switch aggregate.function {
        case .count, .present, .absent:
            count += other.count
        case .countDistinct:
            if let theirs = other.sketch {
                if sketch == nil { sketch = DistinctSketch(distinct) ; distinct = [] }
                sketch!.merge(theirs)
            }
            for item in other.distinct { insertDistinct(item, cap: distinctCap) }
        case .values:
            dropped += other.dropped
            add(aggregate, .multi(Array(other.distinct)), sortKey: .null, distinctCap: distinctCap)
        case .min, .max:
            if let value = other.extreme { keepExtreme(value, wantLess: aggregate.function == .min) }
        case .sum:
            let (total, overflow) = longSum.addingReportingOverflow(other.longSum)
            longSum = total
            overflowed = overflowed || overflow || other.overflowed
            doubleSum += other.doubleSum
            sawDouble = sawDouble || other.sawDouble
            count += other.count
        case .avg:
            doubleSum += other.doubleSum
            count += other.count
        case .stdDev, .variance:
            // Chan et al.'s combination of two partial means and sums of squares.
            guard other.count > 0 else { return }
            let total = count + other.count
            let delta = other.mean - mean
            squares += other.squares + delta * delta * Double(count) * Double(other.count) / Double(total)
            mean += delta * Double(other.count) / Double(total)
            count = total
        case .median, .percentile, .medianAbsoluteDeviation:
            let room = max(0, distinctCap - samples.count)
            samples += other.samples.prefix(room)
            dropped += other.dropped + max(0, other.samples.count - room)
        case .top:
            top += other.top
            topPairs += other.topPairs
            trimTop(aggregate)
        case .first, .last:
            if other.count > 0 { add(aggregate, other.extreme ?? .null, sortKey: other.sortKey ?? .null, distinctCap: distinctCap) }
        }
    }

    /// The aggregate's value; overflow of a long SUM is null with a warning, as in ES|QL.
    func result(_ aggregate: ESQLAggregate, warnings: inout ESQLWarnings) -> Value {
        switch aggregate.function {
        case .count:
            return .long(count)
        case .countDistinct:
            if let sketch { return .long(sketch.estimate) }
            return .long(Int64(distinct.count))
        case .values:
            return Value.of(Self.sorted(Array(distinct)))
        case .min, .max, .first, .last:
            return extreme ?? .null
        case .sum:
            guard count > 0 else { return .null }
            if sawDouble { return .double(doubleSum + Double(longSum)) }
            if overflowed { warnings.overflow += 1; return .null }
            return .long(longSum)
        case .avg:
            return count > 0 ? .double(doubleSum / Double(count)) : .null
        case .stdDev, .variance:
            // The population's: over every value counted, not a sample's n - 1.
            guard count > 0 else { return .null }
            let variance = squares / Double(count)
            return .double(aggregate.function == .variance ? variance : variance.squareRoot())
        case .median, .percentile:
            return Self.percentile(samples, aggregate.function == .median ? 50 : aggregate.percentile).map(Value.double) ?? .null
        case .medianAbsoluteDeviation:
            // The median of the values' distances from their median.
            guard let median = Self.percentile(samples, 50) else { return .null }
            return Self.percentile(samples.map { abs($0 - median) }, 50).map(Value.double) ?? .null
        case .present, .absent:
            return .bool((count > 0) == (aggregate.function == .present))
        case .top:
            var copy = self
            copy.trimTop(aggregate)
            return aggregate.sortKey != nil ? Value.of(copy.topPairs.map(\.output)) : Value.of(copy.top)
        }
    }

    private mutating func insertDistinct(_ item: Value, cap: Int) {
        if sketch != nil { sketch!.insert(item); return }
        distinct.insert(item)
        if distinct.count > max(cap, Self.precisionThreshold) {
            sketch = DistinctSketch(distinct)
            distinct = []
        }
    }

    private mutating func keepExtreme(_ item: Value, wantLess: Bool) {
        guard let current = extreme else { extreme = item; return }
        guard let order = Value.order(item, current) else { return }
        if wantLess ? order < 0 : order > 0 { extreme = item }
    }

    private mutating func addToSum(_ item: Value) {
        switch item {
        case .long(let n):
            let (total, overflow) = longSum.addingReportingOverflow(n)
            longSum = total
            overflowed = overflowed || overflow
        case .unsignedLong(let n):
            doubleSum += Double(n); sawDouble = true
        case .double(let d):
            doubleSum += d; sawDouble = true
        default:
            return
        }
        count += 1
    }

    private mutating func trimTop(_ aggregate: ESQLAggregate) {
        top = Array(Self.sorted(top, ascending: aggregate.ascending).prefix(aggregate.limit))
        guard !topPairs.isEmpty else { return }
        // Equal ranks are ordered by their outputs, the same way, so the result never depends on arrival.
        let ascending = aggregate.ascending
        topPairs = Array(topPairs.sorted { a, b in
            let order = Self.order(a.rank, b.rank)
            let tie = order == 0 ? Self.order(a.output, b.output) : order
            return ascending ? tie < 0 : tie > 0
        }.prefix(aggregate.limit))
    }

    /// Two values in `sorted`'s order: Elasticsearch's where it has one, else by their text.
    private static func order(_ a: Value, _ b: Value) -> Int {
        if let order = Value.order(a, b) { return order }
        let (x, y) = (String(describing: a), String(describing: b))
        return x == y ? 0 : x < y ? -1 : 1
    }

    /// Elasticsearch's default precision threshold of COUNT_DISTINCT: counts up to it are exact.
    static let precisionThreshold = 3000

    /// Values in ES's order, for deterministic VALUES and TOP results.
    static func sorted(_ values: [Value], ascending: Bool = true) -> [Value] {
        values.sorted { a, b in
            let comparison = order(a, b)
            return ascending ? comparison < 0 : comparison > 0
        }
    }

    /// The percentile by linear interpolation between the closest ranks (what Elasticsearch's
    /// TDigest gives exactly while it holds every sample).
    static func percentile(_ samples: [Double], _ p: Double) -> Double? {
        guard !samples.isEmpty, p >= 0, p <= 100 else { return nil }
        let sorted = samples.sorted()
        let rank = p / 100 * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down)), high = Int(rank.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// HyperLogLog (precision 14, about 0.8% standard error) for COUNT_DISTINCT above the cap.
struct DistinctSketch: Sendable {
    private static let precision = 14
    private var registers = [UInt8](repeating: 0, count: 1 << precision)

    init(_ values: Set<Value>) {
        for value in values { insert(value) }
    }

    mutating func insert(_ value: Value) {
        var hasher = Hasher()
        hasher.combine(value)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        let index = Int(hash >> UInt64(64 - Self.precision))
        let rest = hash << UInt64(Self.precision) | (1 << UInt64(Self.precision - 1))
        registers[index] = max(registers[index], UInt8(rest.leadingZeroBitCount + 1))
    }

    mutating func merge(_ other: DistinctSketch) {
        for index in registers.indices { registers[index] = max(registers[index], other.registers[index]) }
    }

    var estimate: Int64 {
        let m = Double(registers.count)
        var sum = 0.0, zeros = 0
        for register in registers {
            sum += 1 / Double(1 << UInt64(register))
            if register == 0 { zeros += 1 }
        }
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
        if raw <= 2.5 * m, zeros > 0 { return Int64((m * log(m / Double(zeros))).rounded()) }
        return Int64(raw.rounded())
    }
}
