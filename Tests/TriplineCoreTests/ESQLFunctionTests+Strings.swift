import Testing
@testable import TriplineCore

/// String functions: csv-spec string (copied) and the ES|QL docs' examples.
@Suite struct ESQLFunctionTestsStrings {
    @Test func lengthCountsCodePoints() throws {
        // length, lengthWithNonAsciiChars: the emoji "❗️" is two code points.
        #expect(try esql("length", kw("hello")) == .long(5))
        #expect(try esql("length", kw("")) == .long(0))
        #expect(try esql("length", kw("¡")) == .long(1))
        #expect(try esql("length", kw("❗️")) == .long(2))
        #expect(try esql("length", .null) == .null)
        // Docs (airports): "Agwār" is 5 code points, 6 bytes.
        #expect(try esql("byte_length", kw("Agwār")) == .long(6))
        #expect(try esql("bit_length", kw("Agwār")) == .long(48))
    }

    @Test func substring() throws {
        // substring, substring with length, negative start, nested negative start, pair.
        #expect(try esql("substring", kw("Facello"), .long(3)) == kw("cello"))
        #expect(try esql("substring", kw("Facello"), .long(3), .long(1)) == kw("c"))
        #expect(try esql("substring", kw("Facello"), .long(-3)) == kw("llo"))
        #expect(try esql("substring", kw("llo"), .long(-1)) == kw("o"))
        #expect(try esql("substring", kw("abcdef"), .long(1), .long(1)) == kw("a"))
        // substringOfText: a start of 0 is the first character.
        #expect(try esql("substring", kw("epsilon gw instance"), .long(0), .long(5)) == kw("epsil"))
        #expect(try esql("substring", kw("Ünîcødé"), .long(2), .long(3)) == kw("nîc"))
        #expect(try esql("substring", kw("abc"), .long(10)) == kw(""))
        #expect(try esql("substring", kw(""), .long(1)) == kw(""))
        // A negative length is refused with a warning.
        #expect(try esqlWarnings("substring", kw("abc"), .long(1), .long(-1)).invalidArgument == 1)
    }

    @Test func trims() throws {
        // ltrimRow, rtrimRow, trimRow.
        #expect(try esql("ltrim", kw("   some text  ")) == kw("some text  "))
        #expect(try esql("rtrim", kw("   some text  ")) == kw("   some text"))
        #expect(try esql("trim", kw("   some text  ")) == kw("some text"))
        #expect(try esql("trim", kw(" red ")) == kw("red"))
        #expect(try esql("trim", kw("\t\n x \r")) == kw("x"))
    }

    @Test func concat() throws {
        // concat, concatComplex: a null part makes the whole null.
        #expect(try esql("concat", kw("Georgi"), kw(" "), kw("Facello")) == kw("Georgi Facello"))
        #expect(try esql("concat", kw("M - "), .null) == .null)
        // A multi-valued part: null with a warning.
        #expect(try esqlWarnings("concat", kw("a"), mv(kw("b"), kw("c"))).multiValuedArgument == 1)
    }

    @Test func startsEndsContainsLocate() throws {
        // startsWithConstant, startsWithField (null gender → null).
        #expect(try esql("starts_with", kw("Saniya"), kw("S")) == .bool(true))
        #expect(try esql("starts_with", kw("Georgi"), kw("S")) == .bool(false))
        #expect(try esql("starts_with", kw("Maliniak"), kw("M")) == .bool(true))
        #expect(try esql("starts_with", kw("Piveteau"), .null) == .null)
        #expect(try esql("ends_with", kw("Facello"), kw("llo")) == .bool(true))
        #expect(try esql("ends_with", kw("lo"), kw("llo")) == .bool(false))
        // Docs: CONTAINS("hello", "ll") is true.
        #expect(try esql("contains", kw("hello"), kw("ll")) == .bool(true))
        #expect(try esql("contains", kw("hello"), kw("xyz")) == .bool(false))
        #expect(try esql("contains", kw("hello"), kw("")) == .bool(true))
        // Docs: LOCATE("hello", "ll") is 3; 0 when absent; 1-based in code points.
        #expect(try esql("locate", kw("hello"), kw("ll")) == .long(3))
        #expect(try esql("locate", kw("hello"), kw("z")) == .long(0))
        #expect(try esql("locate", kw("hello hello"), kw("ll"), .long(5)) == .long(9))
        #expect(try esql("locate", kw("hello hello"), kw("ll"), .long(-3)) == .long(9))
        #expect(try esql("locate", kw("ünî ünî"), kw("nî")) == .long(2))
    }

    @Test func split() throws {
        // split: SPLIT("foo;bar;baz;qux;quux;corge", ";").
        #expect(try esql("split", kw("foo;bar;baz;qux;quux;corge"), kw(";"))
            == mv(kw("foo"), kw("bar"), kw("baz"), kw("qux"), kw("quux"), kw("corge")))
        #expect(try esql("split", kw("single"), kw(";")) == kw("single"))
        #expect(try esql("split", kw("a;;b"), kw(";")) == mv(kw("a"), kw(""), kw("b")))
        // A delimiter must be one byte; per row that is a warning.
        #expect(try esqlConstantError("split", nil, kw("ab")) != nil)
        var warnings = ESQLWarnings()
        let call = try ESQLCall(.split, constants: [nil, nil], at: SourceLocation(line: 1, column: 1))
        #expect(call.apply([kw("a"), kw("ab")], now: 0, warnings: &warnings) == .null)
        #expect(warnings.invalidArgument == 1)
    }

    @Test func leftAndRight() throws {
        // left, right (employees' last names).
        #expect(try esql("left", kw("Awdeh"), .long(3)) == kw("Awd"))
        #expect(try esql("right", kw("Bernatsky"), .long(3)) == kw("sky"))
        #expect(try esql("left", kw("ab"), .long(5)) == kw("ab"))
        #expect(try esql("right", kw("ab"), .long(-1)) == kw(""))
        #expect(try esql("left", kw("Ünî"), .long(2)) == kw("Ün"))
    }

    @Test func caseChangeTakesMultiValues() throws {
        // Docs: TO_LOWER("Some Text"); since 9.1 every value of a multi-value changes.
        #expect(try esql("to_lower", kw("Some Text")) == kw("some text"))
        #expect(try esql("to_upper", kw("Some Text")) == kw("SOME TEXT"))
        #expect(try esql("to_lower", mv(kw("Some"), kw("Text"))) == mv(kw("some"), kw("text")))
        #expect(try esql("to_upper", kw("ünîcødé")) == kw("ÜNÎCØDÉ"))
        #expect(try esql("to_lower", .null) == .null)
    }

    @Test func reverseRepeatSpace() throws {
        // Docs: REVERSE("Some Text"), and emoji stay whole.
        #expect(try esql("reverse", kw("Some Text")) == kw("txeT emoS"))
        #expect(try esql("reverse", kw("💧🪨🔥💨")) == kw("💨🔥🪨💧"))
        // Docs: REPEAT("Hello!", 3); CONCAT("Hello", SPACE(1), "World!").
        #expect(try esql("repeat", kw("Hello!"), .long(3)) == kw("Hello!Hello!Hello!"))
        #expect(try esql("repeat", kw("x"), .long(0)) == kw(""))
        #expect(try esql("space", .long(1)) == kw(" "))
        #expect(try esqlWarnings("repeat", kw("x"), .long(-1)).invalidArgument == 1)
        #expect(try esqlWarnings("space", .long(-1)).invalidArgument == 1)
        // Results past 1 MB are refused.
        #expect(try esqlWarnings("repeat", kw("abcd"), .long(300_000)).invalidArgument == 1)
    }

    @Test func multiValuedArgumentsGiveNullAndAWarning() throws {
        let warnings = try esqlWarnings("starts_with", mv(kw("a"), kw("b")), kw("a"))
        #expect(warnings.multiValuedArgument == 1)
        #expect(try esqlWarnings("length", mv(kw("a"), kw("b"))).multiValuedArgument == 1)
        // A null before the multi-value decides first: null, no warning.
        #expect(try esqlWarnings("starts_with", .null, mv(kw("a"), kw("b"))).total == 0)
    }
}

/// URL and base64 encodings, digests and JSON_EXTRACT, with the ES|QL docs' examples.
@Suite struct ESQLFunctionTestsEncodings {
    @Test func urlEncodings() throws {
        let url = kw("https://example.com/?x=foo bar&y=baz")
        #expect(try esql("url_encode", url) == kw("https%3A%2F%2Fexample.com%2F%3Fx%3Dfoo+bar%26y%3Dbaz"))
        #expect(try esql("url_encode_component", url) == kw("https%3A%2F%2Fexample.com%2F%3Fx%3Dfoo%20bar%26y%3Dbaz"))
        #expect(try esql("url_decode", kw("https%3A%2F%2Fexample.com%2F%3Fx%3Dfoo%20bar%26y%3Dbaz")) == kw("https://example.com/?x=foo bar&y=baz"))
        #expect(try esql("url_decode", kw("a+b%C3%BC")) == kw("a bü"))
        #expect(try esql("url_encode", kw("ü~*")) == kw("%C3%BC%7E*"))
        #expect(try esql("url_encode_component", kw("ü~*")) == kw("%C3%BC~%2A"))
        #expect(try esqlWarnings("url_decode", kw("100%")).invalidArgument == 1)
    }

    @Test func base64() throws {
        // Docs: TO_BASE64("elastic") is "ZWxhc3RpYw==", and back.
        #expect(try esql("to_base64", kw("elastic")) == kw("ZWxhc3RpYw=="))
        #expect(try esql("from_base64", kw("ZWxhc3RpYw==")) == kw("elastic"))
        #expect(try esql("from_base64", kw("ZWxhc3RpYw")) == kw("elastic"))
        #expect(try esql("to_base64", kw("")) == kw(""))
        #expect(try esqlWarnings("from_base64", kw("not base64!")).invalidArgument == 1)
    }

    @Test func digests() throws {
        // Docs (sample_data): hash("md5", ...) and hash("sha256", ...) of "Connected to 10.1.0.1".
        let message = kw("Connected to 10.1.0.1")
        #expect(try esql("md5", message) == kw("abd7d1ce2bb636842a29246b3512dcae"))
        #expect(try esql("hash", kw("md5"), message) == kw("abd7d1ce2bb636842a29246b3512dcae"))
        #expect(try esql("sha256", message) == kw("6d8372129ad78770f7185554dd39864749a62690216460752d6c075fa38ad85c"))
        #expect(try esql("hash", kw("sha256"), message) == kw("6d8372129ad78770f7185554dd39864749a62690216460752d6c075fa38ad85c"))
        #expect(try esql("hash", kw("SHA-256"), message) == kw("6d8372129ad78770f7185554dd39864749a62690216460752d6c075fa38ad85c"))
        #expect(try esql("sha1", message) == kw("42b85531a79088036a17759db7d2de292b92f57f"))
        #expect(try esql("md5", .null) == .null)
    }

    @Test func jsonExtract() throws {
        // The JSON_EXTRACT docs' examples.
        let log = kw(#"{"severity":"ERROR","body":"Payment processing failed"}"#)
        #expect(try esql("json_extract", log, kw("severity")) == kw("ERROR"))
        #expect(try esql("json_extract", log, kw("$.severity")) == kw("ERROR"))
        #expect(try esql("json_extract", kw(#"{"resource":{"service":{"name":"order-service"}}}"#), kw("resource.service.name")) == kw("order-service"))
        let spans = kw(#"{"spans":[{"name":"auth","duration":12},{"name":"db-query","duration":45}]}"#)
        #expect(try esql("json_extract", spans, kw("spans[1].name")) == kw("db-query"))
        #expect(try esql("json_extract", spans, kw("spans[0].duration")) == kw("12"))
        let resource = kw(#"{"resource":{"service.name":"api-gateway","host.name":"api-server-03"},"severity":"INFO"}"#)
        #expect(try esql("json_extract", resource, kw("resource")) == kw(#"{"service.name":"api-gateway","host.name":"api-server-03"}"#))
        #expect(try esql("json_extract", resource, kw("resource['service.name']")) == kw("api-gateway"))
        #expect(try esql("json_extract", kw(#"["a","b","c"]"#), kw("$[1]")) == kw("b"))
        #expect(try esql("json_extract", kw(#"["a","b","c"]"#), kw("[ 2 ]")) == kw("c"))
        let nested = kw(#"{"trace":{"spans":[{"name":"auth","events":[{"type":"start"},{"type":"end"}]},{"name":"db","events":[{"type":"query"}]}]}}"#)
        #expect(try esql("json_extract", nested, kw("trace.spans[0].events[1].type")) == kw("end"))
        #expect(try esql("json_extract", kw(#"{"a":true,"b":null}"#), kw("a")) == kw("true"))
        // A JSON null is null without a warning; a missing path, bad JSON or index: warnings.
        #expect(try esql("json_extract", kw(#"{"a":true,"b":null}"#), kw("b")) == .null)
        #expect(try esqlWarnings("json_extract", kw(#"{"a":1}"#), kw("b")).invalidArgument == 1)
        #expect(try esqlWarnings("json_extract", kw("{not json"), kw("a")).invalidArgument == 1)
        #expect(try esqlWarnings("json_extract", kw(#"[1]"#), kw("[3]")).invalidArgument == 1)
    }
}
