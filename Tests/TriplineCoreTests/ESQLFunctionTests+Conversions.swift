import Testing
@testable import TriplineCore

/// TO_* conversions: csv-spec string and ip (copied), and the ES|QL docs' examples.
@Suite struct ESQLFunctionTestsConversions {
    @Test func toString() throws {
        // convertFromIntSimple, convertFromIntMultivalue, convertFromBoolean, convertFromDatetime.
        #expect(try esql("to_string", .long(10)) == kw("10"))
        #expect(try esql("to_string", mv(.long(10), .long(9), .long(8))) == mv(kw("10"), kw("9"), kw("8")))
        #expect(try esql("to_string", mv(.bool(false), .bool(true))) == mv(kw("false"), kw("true")))
        #expect(try esql("to_string", dt("1986-06-26T00:00:00.000Z")) == kw("1986-06-26T00:00:00.000Z"))
        // convertFromIP, convertFromFloats, convertFromUnsignedLong.
        #expect(try esql("to_string", ip("fe80::cae2:65ff:fece:feb9")) == kw("fe80::cae2:65ff:fece:feb9"))
        #expect(try esql("to_string", ip("127.0.0.1")) == kw("127.0.0.1"))
        #expect(try esql("to_string", .double(2.03)) == kw("2.03"))
        #expect(try esql("to_string", .double(2.0299999713897705)) == kw("2.0299999713897705"))
        #expect(try esql("to_str", mv(.unsignedLong(9223372036854775808), .unsignedLong(1))) == mv(kw("9223372036854775808"), kw("1")))
        // Java's Double.toString.
        #expect(try esql("to_string", .double(1.0)) == kw("1.0"))
        #expect(try esql("to_string", .double(1e20)) == kw("1.0E20"))
        #expect(try esql("to_string", .double(1.5e-5)) == kw("1.5E-5"))
        #expect(try esql("to_string", .double(12345678.9)) == kw("1.23456789E7"))
        #expect(try esql("to_string", .double(0.001)) == kw("0.001"))
        #expect(try esql("to_string", .double(-250.5)) == kw("-250.5"))
        #expect(try esql("to_string", .null) == .null)
    }

    @Test func toIP() throws {
        // convertFromString: TO_IP("foo") is null with "'foo' is not an IP string literal".
        #expect(try esql("to_ip", kw("1.1.1.1")) == ip("1.1.1.1"))
        #expect(try esqlWarnings("to_ip", kw("foo")).invalidConversion == 1)
        // convertFromIP: multi-values convert value by value.
        let pair = mv(ip("fe81::cae2:65ff:fece:feb9"), ip("fe82::cae2:65ff:fece:fec0"))
        #expect(try esql("to_ip", pair) == pair)
        #expect(try esqlWarnings("to_ip", mv(kw("1.2.3.4"), kw("x")), result: ip("1.2.3.4")).invalidConversion == 1)
        // Leading zeros are refused by default.
        #expect(try esqlWarnings("to_ip", kw("1.1.010.1")).invalidConversion == 1)
    }

    @Test func toIntegerAndLong() throws {
        // Docs: TO_INTEGER([5013792, 2147483647, 501379200000]) drops the value out of range.
        let warnings = try esqlWarnings("to_integer", mv(.long(5013792), .long(2147483647), .long(501379200000)),
                                        result: mv(.long(5013792), .long(2147483647)))
        #expect(warnings.invalidConversion == 1)
        #expect(try esql("to_integer", .bool(true)) == .long(1))
        #expect(try esql("to_integer", .double(2.5)) == .long(3))
        #expect(try esql("to_integer", .double(-2.5)) == .long(-2))
        #expect(try esql("to_int", kw("42")) == .long(42))
        // Docs: TO_LONG("2147483648"), TO_LONG("2147483648.2"), TO_LONG("foo").
        #expect(try esql("to_long", kw("2147483648")) == .long(2147483648))
        #expect(try esql("to_long", kw("2147483648.2")) == .long(2147483648))
        #expect(try esqlWarnings("to_long", kw("foo")).invalidConversion == 1)
        #expect(try esql("to_long", dt("1970-01-01T00:00:01.000Z")) == .long(1000))
        #expect(try esqlWarnings("to_long", .unsignedLong(UInt64.max)).invalidConversion == 1)
        #expect(try esqlWarnings("to_long", .double(1e19)).invalidConversion == 1)
    }

    @Test func toDoubleAndUnsignedLong() throws {
        // Docs: TO_DOUBLE("5.20128E11") and TO_DOUBLE("foo").
        #expect(try esql("to_double", kw("5.20128E11")) == .double(5.20128e11))
        #expect(try esqlWarnings("to_double", kw("foo")).invalidConversion == 1)
        #expect(try esqlWarnings("to_double", kw("NaN")).invalidConversion == 1)
        #expect(try esql("to_double", kw(" .5 ")) == .double(0.5))
        #expect(try esql("to_double", .long(3)) == .double(3))
        #expect(try esql("to_double", .bool(true)) == .double(1))
        // Docs: TO_UNSIGNED_LONG of the same strings as TO_LONG.
        #expect(try esql("to_unsigned_long", kw("2147483648")) == .unsignedLong(2147483648))
        #expect(try esql("to_ul", kw("2147483648.2")) == .unsignedLong(2147483648))
        #expect(try esqlWarnings("to_ulong", kw("foo")).invalidConversion == 1)
        #expect(try esql("to_unsigned_long", kw("18446744073709551615")) == .unsignedLong(UInt64.max))
        #expect(try esqlWarnings("to_unsigned_long", .long(-1)).invalidConversion == 1)
    }

    @Test func toBoolean() throws {
        // Docs: ["true", "TRuE", "false", "", "yes", "1"] → [true, true, false, false, false, false].
        let words = mv(kw("true"), kw("TRuE"), kw("false"), kw(""), kw("yes"), kw("1"))
        #expect(try esql("to_boolean", words) == mv(.bool(true), .bool(true), .bool(false), .bool(false), .bool(false), .bool(false)))
        #expect(try esql("to_bool", .long(0)) == .bool(false))
        #expect(try esql("to_boolean", .double(0.5)) == .bool(true))
    }

    @Test func toDatetime() throws {
        // Docs: the third string has a space instead of 'T' and is dropped with a warning.
        let strings = mv(kw("1953-09-02T00:00:00.000Z"), kw("1964-06-02T00:00:00.000Z"), kw("1964-06-02 00:00:00"))
        let warnings = try esqlWarnings("to_datetime", strings, result: mv(dt("1953-09-02T00:00:00.000Z"), dt("1964-06-02T00:00:00.000Z")))
        #expect(warnings.invalidConversion == 1)
        // Docs: TO_DATETIME([0, 1]) are epoch millis.
        #expect(try esql("to_datetime", mv(.long(0), .long(1))) == mv(.date(0), .date(1)))
        #expect(try esql("to_dt", kw("2023-10-23")) == dt("2023-10-23T00:00:00.000Z"))
        #expect(try esqlWarnings("to_datetime", kw("1698063303360")).invalidConversion == 1)
        #expect(try esql("to_version", kw("1.2.3")) == kw("1.2.3"))
    }
}

/// CIDR_MATCH and IP_PREFIX: csv-spec ip (copied).
@Suite struct ESQLFunctionTestsIP {
    @Test func cidrMatch() throws {
        // cidrMatchSimple, cdirMatchMultipleArgs.
        #expect(try esql("cidr_match", ip("127.0.0.2"), kw("127.0.0.2/32")) == .bool(true))
        #expect(try esql("cidr_match", ip("127.0.0.3"), kw("127.0.0.2/32"), kw("127.0.0.3/32")) == .bool(true))
        #expect(try esql("cidr_match", ip("128.0.0.1"), kw("127.0.0.2/32"), kw("127.0.0.3/32")) == .bool(false))
        // The docs' example: TO_IP("1.1.1.1") is in 1.0.0.0/8; a block without a length is one address.
        #expect(try esql("cidr_match", ip("1.1.1.1"), kw("1.0.0.0/8")) == .bool(true))
        #expect(try esql("cidr_match", ip("127.0.0.1"), kw("127.0.0.1")) == .bool(true))
        #expect(try esql("cidr_match", ip("fe80::cae2:65ff:fece:feb9"), kw("fe80::/10")) == .bool(true))
        // cidrMatchNullField: a multi-valued address is null with a warning; a null address is null.
        let warnings = try esqlWarnings("cidr_match", mv(ip("127.0.0.1"), ip("127.0.0.2")), kw("127.0.0.2/32"))
        #expect(warnings.multiValuedArgument == 1)
        #expect(try esql("cidr_match", .null, kw("127.0.0.2/32")) == .null)
    }

    @Test func ipPrefix() throws {
        // ipPrefix, ipPrefixCompleteIp, ipPrefixZeroBits, ipPrefixWithBits, ipPrefixLengthFromColumn.
        #expect(try esql("ip_prefix", ip("1.2.3.4"), .long(24), .long(0)) == ip("1.2.3.0"))
        #expect(try esql("ip_prefix", ip("fe80::cae2:65ff:fece:feb9"), .long(0), .long(112)) == ip("fe80::cae2:65ff:fece:0000"))
        #expect(try esql("ip_prefix", ip("1.2.3.4"), .long(32), .long(0)) == ip("1.2.3.4"))
        #expect(try esql("ip_prefix", ip("1.2.3.4"), .long(0), .long(128)) == ip("0.0.0.0"))
        #expect(try esql("ip_prefix", ip("fe80::cae2:65ff:fece:feb9"), .long(32), .long(0)) == ip("::0"))
        #expect(try esql("ip_prefix", ip("1.2.3.255"), .long(25), .long(0)) == ip("1.2.3.128"))
        #expect(try esql("ip_prefix", ip("fe80::cae2:65ff:fece:feff"), .long(0), .long(121)) == ip("fe80::cae2:65ff:fece:fe80"))
        #expect(try esql("ip_prefix", ip("::1"), .long(24), .long(120)) == ip("::0"))
        // ipPrefixWithWrongLengths: both lengths are checked; ipPrefixWithNullArguments.
        for (v4, v6) in [(-1, 128), (32, -1), (33, 0), (32, 129)] {
            #expect(try esqlWarnings("ip_prefix", ip("1.2.3.4"), .long(Int64(v4)), .long(Int64(v6))).invalidArgument == 1)
        }
        #expect(try esql("ip_prefix", .null, .long(32), .long(128)) == .null)
        #expect(try esql("ip_prefix", ip("1.2.3.4"), .null, .long(128)) == .null)
    }
}
