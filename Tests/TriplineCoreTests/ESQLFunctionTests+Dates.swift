import Testing
@testable import TriplineCore

/// Date functions: csv-spec date_trunc (copied) and the ES|QL docs' examples, in UTC.
@Suite struct ESQLFunctionTestsDates {
    func trunc(_ interval: String, _ date: String) throws -> Value {
        try esql("date_trunc", kw(interval), dt(date))
    }

    @Test func dateTruncCalendarUnits() throws {
        // evalDateTruncIntervalExpressionPeriod, WeeklyInterval (Monday), QuarterlyInterval, Grouping.
        #expect(try trunc("1 month", "1985-02-18T00:00:00.000Z") == dt("1985-02-01T00:00:00.000Z"))
        #expect(try trunc("1 week", "1985-02-24T00:00:00.000Z") == dt("1985-02-18T00:00:00.000Z"))
        #expect(try trunc("1 week", "1986-06-26T00:00:00.000Z") == dt("1986-06-23T00:00:00.000Z"))
        #expect(try trunc("3 month", "1985-05-13T00:00:00.000Z") == dt("1985-04-01T00:00:00.000Z"))
        #expect(try trunc("3 month", "1985-09-17T00:00:00.000Z") == dt("1985-07-01T00:00:00.000Z"))
        #expect(try trunc("1 quarter", "1985-09-17T00:00:00.000Z") == dt("1985-07-01T00:00:00.000Z"))
        #expect(try trunc("1 year", "1991-06-26T00:00:00.000Z") == dt("1991-01-01T00:00:00.000Z"))
        #expect(try trunc("1 day", "1988-02-10T13:14:15.000Z") == dt("1988-02-10T00:00:00.000Z"))
        // dateTruncHour, dateTruncMinute (sample_data).
        #expect(try trunc("1 HOUR", "2023-10-23T12:15:03.360Z") == dt("2023-10-23T12:00:00.000Z"))
        #expect(try trunc("1 minute", "2023-10-23T13:33:34.937Z") == dt("2023-10-23T13:33:00.000Z"))
        #expect(try trunc("1h", "2023-10-23T13:33:34.937Z") == dt("2023-10-23T13:00:00.000Z"))
    }

    @Test func dateTruncFixedAndArbitraryIntervals() throws {
        // evalDateTruncIntervalExpressionDuration: 240 hours from the epoch.
        #expect(try trunc("240 hours", "1985-02-18T00:00:00.000Z") == dt("1985-02-11T00:00:00.000Z"))
        #expect(try trunc("240 hours", "1985-09-17T00:00:00.000Z") == dt("1985-09-09T00:00:00.000Z"))
        #expect(try trunc("240 hours", "1989-11-12T00:00:00.000Z") == dt("1989-11-07T00:00:00.000Z"))
        // evalDateTruncYearInArbitraryIntervals, evalDateTruncMonthInArbitraryIntervals.
        #expect(try trunc("7 years", "1963-01-01T00:00:00.000Z") == dt("1961-01-01T00:00:00.000Z"))
        #expect(try trunc("7 years", "1978-04-12T00:00:00.000Z") == dt("1975-01-01T00:00:00.000Z"))
        #expect(try trunc("7 months", "1969-11-12T00:00:00.000Z") == dt("1969-10-01T00:00:00.000Z"))
        #expect(try trunc("7 months", "1972-01-12T00:00:00.000Z") == dt("1971-07-01T00:00:00.000Z"))
        #expect(try trunc("7 months", "0001-01-01T00:00:00.000Z") == dt("0001-01-01T00:00:00.000Z"))
        #expect(try trunc("7 months", "0000-12-01T00:00:00.000Z") == dt("0000-06-01T00:00:00.000Z"))
        // Before the epoch, buckets still round down.
        #expect(try trunc("1 hour", "1969-12-31T23:59:59.999Z") == dt("1969-12-31T23:00:00.000Z"))
        // evalDateTruncString: a string date is read in the default format; evalDateTruncNullDate.
        #expect(try esql("date_trunc", kw("1 year"), kw("1991-06-26T00:00:00.000Z")) == dt("1991-01-01T00:00:00.000Z"))
        #expect(try esql("date_trunc", kw("1 day"), .null) == .null)
        #expect(try esqlWarnings("date_trunc", kw("1 day"), mv(dt("1991-06-26"), dt("1991-06-27"))).multiValuedArgument == 1)
    }

    @Test func dateDiff() throws {
        // Docs: DATE_DIFF("microseconds", ...11:00:00.000Z, ...11:00:00.001Z) is 1000.
        #expect(try esql("date_diff", kw("microseconds"), dt("2023-12-02T11:00:00.000Z"), dt("2023-12-02T11:00:00.001Z")) == .long(1000))
        // Docs (evalDateDiffYearForDocs): only whole elapsed units count.
        let end23 = dt("2023-12-31T23:59:59.999Z"), start24 = dt("2024-01-01T00:00:00.000Z"), end24 = dt("2024-12-31T23:59:59.999Z")
        #expect(try esql("date_diff", kw("year"), end23, start24) == .long(0))
        #expect(try esql("date_diff", kw("year"), end23, end24) == .long(1))
        #expect(try esql("date_diff", kw("year"), start24, end24) == .long(0))
        #expect(try esql("date_diff", kw("month"), dt("2024-01-31T00:00:00Z"), dt("2024-02-29T00:00:00Z")) == .long(0))
        #expect(try esql("date_diff", kw("mm"), dt("2024-01-31T00:00:00Z"), dt("2024-03-31T00:00:00Z")) == .long(2))
        #expect(try esql("date_diff", kw("quarter"), dt("2024-01-01T00:00:00Z"), dt("2024-12-31T00:00:00Z")) == .long(3))
        #expect(try esql("date_diff", kw("day"), dt("2024-01-02T12:00:00Z"), dt("2024-01-01T13:00:00Z")) == .long(0))
        #expect(try esql("date_diff", kw("weeks"), dt("2024-01-01T00:00:00Z"), dt("2024-01-15T00:00:00Z")) == .long(2))
        #expect(try esql("date_diff", kw("hours"), dt("2024-01-01T00:00:00Z"), dt("2023-12-31T22:30:00Z")) == .long(-1))
        #expect(try esql("date_diff", kw("second"), dt("2024-01-01T00:00:00Z"), dt("2024-01-01T00:01:00.500Z")) == .long(60))
        // The result is an integer: nanoseconds over a few seconds overflow with a warning.
        #expect(try esqlWarnings("date_diff", kw("ns"), dt("2024-01-01T00:00:00Z"), dt("2024-01-01T00:01:00Z")).overflow == 1)
    }

    @Test func dateExtract() throws {
        // Docs: DATE_EXTRACT("year", DATE_PARSE("yyyy-MM-dd", "2022-05-06")) is 2022.
        let date = dt("2022-05-06T13:14:15.678Z")
        #expect(try esql("date_extract", kw("year"), date) == .long(2022))
        #expect(try esql("date_extract", kw("MONTH_OF_YEAR"), date) == .long(5))
        #expect(try esql("date_extract", kw("day_of_week"), date) == .long(5))
        #expect(try esql("date_extract", kw("day_of_year"), date) == .long(126))
        #expect(try esql("date_extract", kw("hour_of_day"), date) == .long(13))
        #expect(try esql("date_extract", kw("clock_hour_of_ampm"), date) == .long(1))
        #expect(try esql("date_extract", kw("milli_of_second"), date) == .long(678))
        #expect(try esql("date_extract", kw("epoch_day"), dt("1970-01-02T00:00:00Z")) == .long(1))
        let (bad, warnings) = try esqlPerRow("date_extract", kw("no_such_field"), date)
        #expect(bad == .null && warnings.invalidArgument == 1)
    }

    @Test func dateFormatAndParse() throws {
        // Docs: DATE_FORMAT("yyyy-MM-dd", hire_date); DATE_PARSE("yyyy-MM-dd", "2022-05-06").
        #expect(try esql("date_format", kw("yyyy-MM-dd"), dt("1985-11-21T00:00:00.000Z")) == kw("1985-11-21"))
        #expect(try esql("date_format", dt("2023-10-23T12:15:03.360Z")) == kw("2023-10-23T12:15:03.360Z"))
        #expect(try esql("date_format", kw("EEE, dd MMM yyyy HH:mm:ss.SSS 'UTC' a Z"), dt("2023-10-23T13:05:03.360Z"))
            == kw("Mon, 23 Oct 2023 13:05:03.360 UTC PM +0000"))
        #expect(try esql("date_format", kw("yyMMdd'T'hh:mm xxx EEEE MMMM"), dt("2023-10-23T00:05:03.360Z"))
            == kw("231023T12:05 +00:00 Monday October"))
        #expect(try esql("date_parse", kw("yyyy-MM-dd"), kw("2022-05-06")) == dt("2022-05-06T00:00:00.000Z"))
        #expect(try esql("date_parse", kw("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), kw("2023-10-23T13:55:01.543+02:00")) == dt("2023-10-23T11:55:01.543Z"))
        #expect(try esql("date_parse", kw("dd/MMM/yyyy:HH:mm:ss Z"), kw("23/Oct/2023:13:55:01 -0500")) == dt("2023-10-23T18:55:01.000Z"))
        #expect(try esql("date_parse", kw("yyyyMMddHHmm"), kw("202310231355")) == dt("2023-10-23T13:55:00.000Z"))
        #expect(try esql("date_parse", kw("2023-10-23T13:55:01.543Z")) == dt("2023-10-23T13:55:01.543Z"))
        #expect(try esqlWarnings("date_parse", kw("yyyy-MM-dd"), kw("2022-02-30")).invalidArgument == 1)
        #expect(try esqlWarnings("date_parse", kw("yyyy-MM-dd"), kw("not a date")).invalidArgument == 1)
    }

    @Test func now() throws {
        #expect(try esql("now", now: 1_698_063_303_360) == .date(1_698_063_303_360))
    }
}
