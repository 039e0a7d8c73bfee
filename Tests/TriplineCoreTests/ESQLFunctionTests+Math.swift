import Testing
@testable import TriplineCore

/// Math functions, with the ES|QL docs' examples.
@Suite struct ESQLFunctionTestsMath {
    @Test func absCeilFloorSignum() throws {
        #expect(try esql("abs", .long(-1)) == .long(1))
        #expect(try esql("abs", .double(-1.0)) == .double(1.0))
        #expect(try esql("abs", .unsignedLong(5)) == .unsignedLong(5))
        // Long overflow: ABS(Long.MIN_VALUE) is null with a warning.
        #expect(try esqlWarnings("abs", .long(.min)).overflow == 1)
        // Docs: CEIL(1.8) is 2.0, FLOOR(1.8) is 1.0; whole numbers stay as they are.
        #expect(try esql("ceil", .double(1.8)) == .double(2.0))
        #expect(try esql("floor", .double(1.8)) == .double(1.0))
        #expect(try esql("floor", .long(-7)) == .long(-7))
        // Docs: SIGNUM(100) is 1.0.
        #expect(try esql("signum", .long(100)) == .double(1.0))
        #expect(try esql("signum", .double(-0.5)) == .double(-1.0))
        #expect(try esqlWarnings("abs", mv(.long(1), .long(2))).multiValuedArgument == 1)
    }

    @Test func round() throws {
        // Half away from zero (Elasticsearch's Maths.round); negative decimals round longs.
        #expect(try esql("round", .double(1.5)) == .double(2.0))
        #expect(try esql("round", .double(-1.5)) == .double(-2.0))
        #expect(try esql("round", .double(2.03 * 3.281), .long(1)) == .double(6.7))
        #expect(try esql("round", .double(1.23456), .long(3)) == .double(1.235))
        #expect(try esql("round", .double(1234.5), .long(-2)) == .double(1200.0))
        #expect(try esql("round", .long(1234), .long(-2)) == .long(1200))
        #expect(try esql("round", .long(-1250), .long(-2)) == .long(-1300))
        #expect(try esql("round", .long(1234), .long(2)) == .long(1234))
        #expect(try esql("round", .unsignedLong(1250), .long(-2)) == .unsignedLong(1300))
        #expect(try esqlWarnings("round", .long(.max), .long(-1)).overflow == 1)
        #expect(try esql("round", .double(1e300), .long(2)) == .double(1e300))
    }

    @Test func powersRootsLogs() throws {
        // Docs: POW(2.0, 2) is 4.0; SQRT(100.0) is 10.0; CBRT(1000.0) is 10.0; LOG10(1000.0) is 3.0;
        // LOG(2.0, 8.0) is 3.0; LOG(100) is 4.605170185988092; EXP(5.0) is 148.4131591025766.
        #expect(try esql("pow", .double(2.0), .long(2)) == .double(4.0))
        #expect(try esql("pow", .long(2), .long(-1)) == .double(0.5))
        #expect(try esql("sqrt", .double(100.0)) == .double(10.0))
        #expect(try esql("cbrt", .double(1000.0)) == .double(10.0))
        #expect(try esql("log10", .double(1000.0)) == .double(3.0))
        #expect(try esql("log", .double(2.0), .double(8.0)) == .double(3.0))
        #expect(try esql("log", .long(100)) == .double(4.605170185988092))
        #expect(try esql("exp", .double(5.0)) == .double(148.4131591025766))
        // Docs: logs of zero or negatives, base one, square roots of negatives: null and a warning.
        #expect(try esqlWarnings("sqrt", .long(-1)).invalidArgument == 1)
        #expect(try esqlWarnings("log10", .long(0)).invalidArgument == 1)
        #expect(try esqlWarnings("log", .long(1), .long(10)).invalidArgument == 1)
        #expect(try esqlWarnings("pow", .double(10), .double(400)).overflow == 1)
    }

    @Test func constantsAndTrigonometry() throws {
        #expect(try esql("pi") == .double(3.141592653589793))
        #expect(try esql("e") == .double(2.718281828459045))
        #expect(try esql("hypot", .long(3), .long(4)) == .double(5.0))
        #expect(try esql("atan2", .double(12.9), .double(0.6)) == .double(1.5243181954438936))
        #expect(try esql("cos", .double(0)) == .double(1))
        #expect(try esql("asin", .double(1)) == .double(Double.pi / 2))
        #expect(try esqlWarnings("acos", .double(2)).invalidArgument == 1)
    }

    /// Geo points as WKT text; ST_DISTANCE in meters on the great circle (ES docs: Copenhagen's
    /// airport to its city centre, 7339.573896618216 m; ES quantizes coordinates, a millimetre here).
    @Test func geoPointsAndDistance() throws {
        #expect(try esql("to_geopoint", .keyword("point( 12.6493508684508 55.6285017221528 )")) == .keyword("POINT (12.6493508684508 55.6285017221528)"))
        #expect(try esqlWarnings("to_geopoint", .keyword("POINT (200 1)")).invalidConversion == 1)
        guard case .double(let meters) = try esql("st_distance", .keyword("POINT (12.6493508684508 55.6285017221528)"),
                                                   .keyword("POINT (12.5683 55.6761)")) else { Issue.record("a distance"); return }
        #expect(abs(meters - 7339.573896618216) < 0.01, "\(meters)")
        guard case .double(let paris) = try esql("st_distance", .keyword("POINT (2.3522 48.8566)"), .keyword("POINT (-0.1276 51.5072)")) else { return }
        #expect(abs(paris - 343_900) < 1_000, "\(paris)")
        #expect(try esqlWarnings("st_distance", .keyword("not a point"), .keyword("POINT (0 0)")).invalidArgument == 1)
    }
}
