import Testing
@testable import TriplineCore

/// MV_* functions: csv-spec string and ip (copied), and the ES|QL docs' examples.
@Suite struct ESQLFunctionTestsMultiValue {
    let words = mv(kw("foo"), kw("zoo"), kw("bar"))

    @Test func countMinMaxFirstLast() throws {
        // mvCount, mvMax, mvMin.
        #expect(try esql("mv_count", words) == .long(3))
        #expect(try esql("mv_count", kw("one")) == .long(1))
        #expect(try esql("mv_count", .null) == .null)
        #expect(try esql("mv_max", words) == kw("zoo"))
        #expect(try esql("mv_min", mv(kw("foo"), kw("bar"))) == kw("bar"))
        #expect(try esql("mv_max", mv(.long(3), .long(-5), .long(1))) == .long(3))
        #expect(try esql("mv_min", mv(ip("fe80::1"), ip("10.0.0.1"))) == ip("10.0.0.1"))
        // Docs: MV_FIRST(SPLIT("foo;bar;baz", ";")) is "foo", MV_LAST is "baz".
        let split = try esql("split", kw("foo;bar;baz"), kw(";"))
        #expect(try esql("mv_first", split) == kw("foo"))
        #expect(try esql("mv_last", split) == kw("baz"))
        #expect(try esql("mv_first", .long(7)) == .long(7))
    }

    @Test func concatDedupeSort() throws {
        // mvJoin, mvConcatToString, mvDedupe.
        #expect(try esql("mv_concat", words, kw(", ")) == kw("foo, zoo, bar"))
        let numbers = try esql("to_string", mv(.long(10), .long(9), .long(8)))
        #expect(try esql("mv_concat", numbers, kw(", ")) == kw("10, 9, 8"))
        #expect(try esql("mv_dedupe", mv(kw("foo"), kw("foo"), kw("bar"), kw("foo"))) == mv(kw("foo"), kw("bar")))
        #expect(try esql("mv_dedupe", mv(kw("a"), kw("a"))) == kw("a"))
        // Docs: MV_SORT([4, 2, -3, 2]) and with "DESC"; csv-spec ip mvSort.
        let values = mv(.long(4), .long(2), .long(-3), .long(2))
        #expect(try esql("mv_sort", values) == mv(.long(-3), .long(2), .long(2), .long(4)))
        #expect(try esql("mv_sort", values, kw("DESC")) == mv(.long(4), .long(2), .long(2), .long(-3)))
        #expect(try esql("mv_sort", mv(ip("127.0.0.3"), ip("127.0.0.1"), ip("127.0.0.2")), kw("desc"))
            == mv(ip("127.0.0.3"), ip("127.0.0.2"), ip("127.0.0.1")))
        let (bad, warnings) = try esqlPerRow("mv_sort", values, kw("sideways"))
        #expect(bad == .null && warnings.invalidArgument == 1)
    }

    @Test func slice() throws {
        // Docs: mv_slice([1, 2, 2, 3], 1) is 2, (2, 3) is [2, 3], (-2) is 2, (-3, -1) is [2, 2, 3].
        let values = mv(.long(1), .long(2), .long(2), .long(3))
        #expect(try esql("mv_slice", values, .long(1)) == .long(2))
        #expect(try esql("mv_slice", values, .long(2), .long(3)) == mv(.long(2), .long(3)))
        #expect(try esql("mv_slice", values, .long(-2)) == .long(2))
        #expect(try esql("mv_slice", values, .long(-3), .long(-1)) == mv(.long(2), .long(2), .long(3)))
        // csv-spec ip mvSlice: a single value is a column of one.
        #expect(try esql("mv_slice", ip("fe80::cae2:65ff:fece:fec1"), .long(0), .long(1)) == ip("fe80::cae2:65ff:fece:fec1"))
        #expect(try esql("mv_slice", values, .long(10)) == .null)
        #expect(try esqlWarnings("mv_slice", values, .long(3), .long(1)).invalidArgument == 1)
        #expect(try esqlWarnings("mv_slice", values, .long(-1), .long(1)).invalidArgument == 1)
    }

    @Test func sumAvgMedian() throws {
        // Docs: MV_SUM([3, 5, 6]) is 14; MV_AVG([3, 5, 1, 6]) is 3.75; MV_MEDIAN([3, 5, 1]) is 3,
        // MV_MEDIAN([3, 7, 1, 6]) is 4 (whole numbers round down).
        #expect(try esql("mv_sum", mv(.long(3), .long(5), .long(6))) == .long(14))
        #expect(try esql("mv_avg", mv(.long(3), .long(5), .long(1), .long(6))) == .double(3.75))
        #expect(try esql("mv_avg", .long(3)) == .double(3))
        #expect(try esql("mv_median", mv(.long(3), .long(5), .long(1))) == .long(3))
        #expect(try esql("mv_median", mv(.long(3), .long(7), .long(1), .long(6))) == .long(4))
        #expect(try esql("mv_median", mv(.long(-3), .long(2))) == .long(-1))
        #expect(try esql("mv_median", mv(.double(1), .double(2))) == .double(1.5))
        #expect(try esql("mv_sum", mv(.double(0.1), .double(0.2))) == .double(0.30000000000000004))
        #expect(try esqlWarnings("mv_sum", mv(.long(.max), .long(1))).overflow == 1)
    }

    @Test func setFunctions() throws {
        // Docs: mv_contains(["a", "b", "c"], "a"); setB contains setA, not the reverse.
        #expect(try esql("mv_contains", mv(kw("a"), kw("b"), kw("c")), kw("a")) == .bool(true))
        #expect(try esql("mv_contains", mv(kw("a"), kw("b"), kw("c")), mv(kw("a"), kw("c"))) == .bool(true))
        #expect(try esql("mv_contains", mv(kw("a"), kw("c")), mv(kw("a"), kw("b"), kw("c"))) == .bool(false))
        // Null is the empty set.
        #expect(try esql("mv_contains", kw("a"), .null) == .bool(true))
        #expect(try esql("mv_contains", .null, kw("a")) == .bool(false))
        // MV_INTERSECTION(["a","b","c"], ["b","c","d"]) is ["b", "c"]; null when nothing is shared.
        #expect(try esql("mv_intersection", mv(kw("a"), kw("b"), kw("c")), mv(kw("b"), kw("c"), kw("d"))) == mv(kw("b"), kw("c")))
        #expect(try esql("mv_intersection", kw("a"), kw("b")) == .null)
        #expect(try esql("mv_intersection", kw("a"), .null) == .null)
        // Docs: MV_APPEND(birth_date, hire_date), null when either is null.
        #expect(try esql("mv_append", dt("1959-10-01T00:00:00Z"), dt("1988-01-19T00:00:00Z")) == mv(dt("1959-10-01T00:00:00Z"), dt("1988-01-19T00:00:00Z")))
        #expect(try esql("mv_append", .null, dt("1993-02-14T00:00:00Z")) == .null)
        #expect(try esql("mv_append", mv(.long(1), .long(2)), .long(3)) == mv(.long(1), .long(2), .long(3)))
    }

    @Test func zip() throws {
        // Docs: mv_zip(["x", "y", "z"], ["1", "2"], "-") is [x-1, y-2, z]; csv-spec ip mvZip.
        #expect(try esql("mv_zip", mv(kw("x"), kw("y"), kw("z")), mv(kw("1"), kw("2")), kw("-")) == mv(kw("x-1"), kw("y-2"), kw("z")))
        #expect(try esql("mv_zip", kw("gamma k8s server"), kw("fe80::cae2:65ff:fece:feb9"), kw("@@")) == kw("gamma k8s server@@fe80::cae2:65ff:fece:feb9"))
        #expect(try esql("mv_zip", mv(kw("a"), kw("b")), mv(kw("1"), kw("2"))) == mv(kw("a,1"), kw("b,2")))
        #expect(try esql("mv_zip", .null, .null, kw("@@")) == .null)
    }
}

/// REPLACE with Java regexes (CaptureRegex), compiled once when the pattern is a constant.
@Suite struct ESQLFunctionTestsReplace {
    @Test func replace() throws {
        // Docs: REPLACE("Hello World", "World", "Universe"); csv-spec ip: REPLACE(message, "Pinging ", "").
        #expect(try esql("replace", kw("Hello World"), kw("World"), kw("Universe")) == kw("Hello Universe"))
        #expect(try esql("replace", kw("Pinging 192.168.86.046"), kw("Pinging "), kw("")) == kw("192.168.86.046"))
        #expect(try esql("replace", kw("a1b22c333"), kw("\\d+"), kw("#")) == kw("a#b#c#"))
        #expect(try esql("replace", kw("Hello World"), kw("(\\w+) (\\w+)"), kw("$2 $1")) == kw("World Hello"))
        #expect(try esql("replace", .null, kw("a"), kw("b")) == .null)
        // An invalid pattern: a QueryError as a constant, null and a warning per row.
        #expect(esqlConstantError("replace", nil, kw("(unclosed"), nil) != nil)
        let (bad, warnings) = try esqlPerRow("replace", kw("x"), kw("(unclosed"), kw("y"))
        #expect(bad == .null && warnings.invalidArgument == 1)
    }

    /// Large columns are looked up by hashing, numbers also under their other kinds: the same
    /// answers as comparing with every value, over random columns of mixed kinds.
    @Test func largeSetLookupsAnswerAsTheScan() {
        var generator = SystemRandomNumberGenerator()
        func random() -> Value {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: .long(Int64.random(in: -50...50, using: &generator))
            case 1: .double(Double(Int.random(in: -50...50, using: &generator)) / (Bool.random(using: &generator) ? 1 : 2))
            case 2: .unsignedLong(UInt64.random(in: 0...50, using: &generator))
            case 3: .keyword(Array("k\(Int.random(in: 0...50, using: &generator))".utf8))
            case 4: .double(.nan)
            default: .bool(Bool.random(using: &generator))
            }
        }
        for _ in 0..<20 {
            let column = (0..<300).map { _ in random() }
            let lookup = ESQLCall.Membership(column, probes: 300)
            for _ in 0..<300 {
                let probe = random()
                #expect(lookup.contains(probe) == ESQLCall.contains(column, probe), "\(probe)")
            }
        }
    }
}
