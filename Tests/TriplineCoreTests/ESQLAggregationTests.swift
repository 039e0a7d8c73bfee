import Testing
@testable import TriplineCore

/// The aggregate states of STATS: what a group keeps, how two partials merge, and the caps.
@Suite struct ESQLAggregationTests {
    func aggregate(_ function: ESQLAggregateFunction, percentile: Double = 50) -> ESQLAggregate {
        var aggregate = ESQLAggregate(function: function, argument: .constant(.null), slot: 0)
        aggregate.percentile = percentile
        return aggregate
    }

    func result(_ state: ESQLAccumulator, _ aggregate: ESQLAggregate) -> Value {
        var warnings = ESQLWarnings()
        return state.result(aggregate, warnings: &warnings)
    }

    /// Adding rows into two partials and merging them gives what adding them all into one does.
    @Test(arguments: [ESQLAggregateFunction.count, .countDistinct, .values, .min, .max, .sum, .avg, .median, .top])
    func mergingPartialsEqualsAddingEveryRow(_ function: ESQLAggregateFunction) {
        var top = aggregate(function)
        top.limit = 3
        let values: [Value] = [.long(5), .multi([.long(1), .long(9)]), .null, .long(5), .long(-2), .long(7)]
        var whole = ESQLAccumulator(), first = ESQLAccumulator(), second = ESQLAccumulator()
        for (index, value) in values.enumerated() {
            whole.add(top, value, sortKey: .null, distinctCap: 100)
            if index < 3 { first.add(top, value, sortKey: .null, distinctCap: 100) } else { second.add(top, value, sortKey: .null, distinctCap: 100) }
        }
        first.merge(second, top, distinctCap: 100)
        #expect(result(first, top) == result(whole, top))
    }

    /// TOP(field, limit, order, outputField) ranks rows by the field and gives the output
    /// field's values (Elasticsearch's two-input TOP): a row with either value null adds
    /// nothing, each ranking value pairs with each output value of a multi-valued row, equal
    /// ranks are ordered by their outputs; two partials merge to what one state gives.
    @Test func topWithAnOutputFieldRanksByTheFieldAndGivesTheOutput() {
        let rows: [(rank: Value, output: Value)] = [
            (.long(5), .keyword(Array("e".utf8))), (.multi([.long(1), .long(9)]), .keyword(Array("a".utf8))),
            (.null, .keyword(Array("x".utf8))), (.long(3), .null),
            (.long(7), .multi([.keyword(Array("p".utf8)), .keyword(Array("q".utf8))])), (.long(5), .keyword(Array("d".utf8))),
        ]
        func letters(_ text: String) -> Value { Value.of(text.map { .keyword(Array(String($0).utf8)) }) }
        for (ascending, expected) in [(true, letters("ade")), (false, letters("aqp"))] {
            var top = aggregate(.top)
            top.limit = 3
            top.ascending = ascending
            top.sortKey = .constant(.null)  // present: the two-input form
            var whole = ESQLAccumulator(), first = ESQLAccumulator(), second = ESQLAccumulator()
            for (index, row) in rows.enumerated() {
                whole.add(top, row.output, sortKey: row.rank, distinctCap: 100)
                if index < 3 { first.add(top, row.output, sortKey: row.rank, distinctCap: 100) } else { second.add(top, row.output, sortKey: row.rank, distinctCap: 100) }
            }
            #expect(result(whole, top) == expected)
            first.merge(second, top, distinctCap: 100)
            #expect(result(first, top) == expected)
            var onlyNulls = ESQLAccumulator()
            onlyNulls.add(top, .null, sortKey: .long(1), distinctCap: 100)
            #expect(result(onlyNulls, top) == .null)
        }
    }

    /// FIRST and LAST as Elasticsearch documents them: the row with the lowest (highest) sort
    /// value gives its field value, null or several values included; a null sort value sorts
    /// last, so such a row counts only while no other was seen (the first seen stays); two
    /// partials merge to what one state gives (csv-spec nullLiteralArgInMultiInputAggs).
    @Test func firstAndLastSortNullsLastAndKeepANullValue() {
        let rows: [(value: Value, sort: Value)] = [
            (.long(10), .null), (.long(20), .long(5)), (.null, .long(1)), (.multi([.long(3), .long(4)]), .long(9)), (.long(50), .null),
        ]
        func run(_ function: ESQLAggregateFunction, _ rows: [(value: Value, sort: Value)], split: Int) -> (whole: Value, merged: Value) {
            var top = aggregate(function)
            top.sortKey = .constant(.null)
            var whole = ESQLAccumulator(), first = ESQLAccumulator(), second = ESQLAccumulator()
            for (index, row) in rows.enumerated() {
                whole.add(top, row.value, sortKey: row.sort, distinctCap: 100)
                if index < split { first.add(top, row.value, sortKey: row.sort, distinctCap: 100) } else { second.add(top, row.value, sortKey: row.sort, distinctCap: 100) }
            }
            first.merge(second, top, distinctCap: 100)
            return (result(whole, top), result(first, top))
        }
        for split in 0...rows.count {
            #expect(run(.first, rows, split: split) == (.null, .null), "the earliest row's value is null")
            #expect(run(.last, rows, split: split) == (.multi([.long(3), .long(4)]), .multi([.long(3), .long(4)])))
            let unsorted = rows.map { ($0.value, Value.null) }
            #expect(run(.first, unsorted, split: split).whole == .long(10), "no sort value: the first row seen")
            #expect(run(.last, unsorted, split: split).whole == .long(10))
        }
        #expect(result(ESQLAccumulator(), aggregate(.first)) == .null)
    }

    /// STD_DEV and VARIANCE are the population's (Elasticsearch's Welford), each value of a
    /// multi-value counted; two partials merge to what one state over every row gives; null
    /// when no value was counted.
    @Test func standardDeviationAndVarianceOfThePopulationMerge() {
        let values: [Value] = [.long(2), .multi([.long(4), .long(4)]), .null, .double(4), .long(5), .keyword(Array("x".utf8)), .long(5), .long(7), .long(9)]
        for function in [ESQLAggregateFunction.stdDev, .variance] {
            var whole = ESQLAccumulator(), first = ESQLAccumulator(), second = ESQLAccumulator()
            for (index, value) in values.enumerated() {
                whole.add(aggregate(function), value, sortKey: .null, distinctCap: 100)
                if index < 4 { first.add(aggregate(function), value, sortKey: .null, distinctCap: 100) } else { second.add(aggregate(function), value, sortKey: .null, distinctCap: 100) }
            }
            let expected = function == .stdDev ? 2.0 : 4.0
            #expect(result(whole, aggregate(function)) == .double(expected))
            first.merge(second, aggregate(function), distinctCap: 100)
            guard case .double(let merged) = result(first, aggregate(function)) else { Issue.record("not a double"); continue }
            #expect(abs(merged - expected) < 1e-12)
            #expect(result(ESQLAccumulator(), aggregate(function)) == .null)
        }
    }

    /// MEDIAN_ABSOLUTE_DEVIATION is the median of the distances from the median (csv-spec
    /// medianAbsoluteDeviation...: [1, 3, 4, 7, 11, 18] gives 3.5); PRESENT and ABSENT say
    /// whether any value was counted. Partials merge to what one state gives.
    @Test func medianAbsoluteDeviationPresentAndAbsent() {
        let values: [Value] = [.long(1), .multi([.long(3), .long(4)]), .null, .long(7), .double(11), .long(18)]
        func run(_ function: ESQLAggregateFunction, _ values: [Value], split: Int? = nil) -> Value {
            var first = ESQLAccumulator(), second = ESQLAccumulator()
            for (index, value) in values.enumerated() {
                if index < (split ?? values.count) { first.add(aggregate(function), value, sortKey: .null, distinctCap: 100) } else { second.add(aggregate(function), value, sortKey: .null, distinctCap: 100) }
            }
            first.merge(second, aggregate(function), distinctCap: 100)
            return result(first, aggregate(function))
        }
        #expect(run(.medianAbsoluteDeviation, values) == .double(3.5))
        #expect(run(.medianAbsoluteDeviation, values, split: 3) == .double(3.5))
        #expect(run(.medianAbsoluteDeviation, [.null]) == .null)
        #expect(run(.present, values, split: 2) == .bool(true) && run(.absent, values, split: 2) == .bool(false))
        #expect(run(.present, [.null, .null]) == .bool(false) && run(.absent, [.null]) == .bool(true))
    }

    @Test func valuesOfTheRowsAsElasticsearchComputesThem() {
        let values: [Value] = [.long(5), .multi([.long(1), .long(9)]), .null, .long(5), .long(-2), .long(7)]
        func run(_ function: ESQLAggregateFunction, percentile: Double = 50) -> Value {
            var state = ESQLAccumulator()
            for value in values { state.add(aggregate(function, percentile: percentile), value, sortKey: .null, distinctCap: 100) }
            return result(state, aggregate(function, percentile: percentile))
        }
        // Each value of a multi-value counts on its own; null counts nothing.
        #expect(run(.count) == .long(6))
        #expect(run(.countDistinct) == .long(5))
        #expect(run(.values) == .multi([.long(-2), .long(1), .long(5), .long(7), .long(9)]))
        #expect(run(.sum) == .long(25))
        #expect(run(.avg) == .double(25.0 / 6))
        #expect(run(.median) == .double(5))
        #expect(run(.percentile, percentile: 25) == .double(2))
        #expect(run(.min) == .long(-2))
        #expect(run(.max) == .long(9))
        // A long SUM that overflows is null, with a warning.
        var sum = ESQLAccumulator()
        sum.add(aggregate(.sum), .long(.max), sortKey: .null, distinctCap: 100)
        sum.add(aggregate(.sum), .long(1), sortKey: .null, distinctCap: 100)
        var warnings = ESQLWarnings()
        #expect(sum.result(aggregate(.sum), warnings: &warnings) == .null)
        #expect(warnings.overflow == 1)
    }

    /// Past the cap, VALUES and MEDIAN keep what they hold and count the rest; COUNT_DISTINCT
    /// goes on with a HyperLogLog sketch, within its error.
    @Test func theCapsBoundStateAndAreCounted() {
        var values = ESQLAccumulator(), median = ESQLAccumulator(), distinct = ESQLAccumulator()
        for n in 0..<50_000 {
            values.add(aggregate(.values), .long(Int64(n)), sortKey: .null, distinctCap: 1000)
            median.add(aggregate(.median), .long(Int64(n)), sortKey: .null, distinctCap: 1000)
            distinct.add(aggregate(.countDistinct), .long(Int64(n)), sortKey: .null, distinctCap: 1000)
        }
        #expect(values.distinct.count == 1000 && values.dropped == 49_000)
        #expect(median.samples.count == 1000 && median.dropped == 49_000)
        #expect(distinct.distinct.isEmpty && distinct.sketch != nil)
        guard case .long(let estimate) = result(distinct, aggregate(.countDistinct)) else { Issue.record("a count"); return }
        #expect(abs(Double(estimate) - 50_000) / 50_000 < 0.03, "\(estimate)")
        // Exact up to the precision threshold.
        var small = ESQLAccumulator()
        for n in 0..<3000 { small.add(aggregate(.countDistinct), .long(Int64(n)), sortKey: .null, distinctCap: 1000) }
        #expect(small.sketch == nil && result(small, aggregate(.countDistinct)) == .long(3000))
    }
}
