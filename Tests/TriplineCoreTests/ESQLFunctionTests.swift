import Testing
@testable import TriplineCore

// Helpers for the ES|QL function tests: every call runs twice, once with its arguments as
// constants (prepared by ESQLCall.init, as literals are) and once computed per row, and both
// must agree. Expected values are Elasticsearch's, from its docs and csv-specs
// (shared/conformance/esql and the upstream specs named in each test).

func kw(_ text: String) -> Value { .keyword(text) }
func mv(_ values: Value...) -> Value { .multi(values) }
func ip(_ text: String) -> Value { .ip(IPAddress(text)!) }
func dt(_ text: String) -> Value { .date(Timestamp.milliseconds(iso8601: text)!) }

/// The result and warnings of `name(args)`, checking the constant and per-row paths agree.
func esqlCall(_ name: String, _ args: [Value], now: Int64 = 0) throws -> (Value, ESQLWarnings) {
    let function = try #require(ESQLFunction(name: name), "unknown function \(name)")
    #expect(function.arity.contains(args.count), "\(name) takes \(function.arity) arguments")
    let location = SourceLocation(line: 1, column: 1)
    var rowWarnings = ESQLWarnings()
    let perRow = try ESQLCall(function, constants: args.map { _ in nil }, at: location)
        .apply(args, now: now, warnings: &rowWarnings)
    var constantWarnings = ESQLWarnings()
    let constant = try ESQLCall(function, constants: args, at: location)
        .apply(args, now: now, warnings: &constantWarnings)
    #expect(perRow == constant, "\(name): per row \(perRow), constant \(constant)")
    #expect(rowWarnings.total == constantWarnings.total, "\(name): warnings differ between per-row and constant")
    return (perRow, rowWarnings)
}

/// `name(args)`, expecting no warning.
func esql(_ name: String, _ args: Value..., now: Int64 = 0) throws -> Value {
    let (value, warnings) = try esqlCall(name, args, now: now)
    #expect(warnings.total == 0, "\(name) warned: \(warnings)")
    return value
}

/// The warnings of `name(args)`, whose result must be `expected`.
func esqlWarnings(_ name: String, _ args: Value..., result expected: Value = .null) throws -> ESQLWarnings {
    let (value, warnings) = try esqlCall(name, args)
    #expect(value == expected, "\(name) gave \(value)")
    return warnings
}

/// `name(args)` with every argument computed per row (for arguments that would not prepare as constants).
func esqlPerRow(_ name: String, _ args: Value...) throws -> (Value, ESQLWarnings) {
    var warnings = ESQLWarnings()
    let call = try ESQLCall(ESQLFunction(name: name)!, constants: args.map { _ in nil }, at: SourceLocation(line: 1, column: 1))
    return (call.apply(args, now: 0, warnings: &warnings), warnings)
}

/// The error ESQLCall.init throws for these constants.
func esqlConstantError(_ name: String, _ args: Value?...) -> QueryError? {
    do {
        _ = try ESQLCall(ESQLFunction(name: name)!, constants: args, at: SourceLocation(line: 2, column: 7))
        return nil
    } catch {
        return error
    }
}

@Suite struct ESQLFunctionTests {
    @Test func namesAreCaseInsensitiveWithAliases() {
        #expect(ESQLFunction(name: "TO_LOWER") == .toLower)
        #expect(ESQLFunction(name: "Mv_First") == .mvFirst)
        #expect(ESQLFunction(name: "date_trunc") == .dateTrunc)
        #expect(ESQLFunction(name: "to_str") == .toString)
        #expect(ESQLFunction(name: "TO_UL") == .toUnsignedLong)
        #expect(ESQLFunction(name: "to_dt") == .toDatetime)
        #expect(ESQLFunction(name: "no_such_function") == nil)
        for function in ESQLFunction.allCases { #expect(ESQLFunction(name: function.rawValue.uppercased()) == function) }
    }

    @Test func arities() {
        #expect(ESQLFunction.now.arity == 0...0)
        #expect(ESQLFunction.concat.arity == 2...Int.max)
        #expect(ESQLFunction.coalesce.arity == 1...Int.max)
        #expect(ESQLFunction.substring.arity == 2...3)
        #expect(ESQLFunction.dateDiff.arity == 3...3)
        #expect(ESQLFunction.case.arity.lowerBound == 2)
    }

    @Test func invalidConstantsAreQueryErrors() throws {
        let unit = try #require(esqlConstantError("date_diff", kw("fortnight"), nil, nil))
        #expect(unit.message.contains("fortnight"))
        #expect(unit.location == SourceLocation(line: 2, column: 7))
        #expect(esqlConstantError("date_trunc", kw("0 hours"), nil)?.message.contains("Zero or negative") == true)
        #expect(esqlConstantError("date_trunc", kw("1 fortnight"), nil) != nil)
        #expect(esqlConstantError("date_extract", kw("day_of_moon"), nil) != nil)
        #expect(esqlConstantError("date_format", kw("yyyy-bb"), nil) != nil)
        #expect(esqlConstantError("cidr_match", nil, kw("10.0.0.0/33")) != nil)
        #expect(esqlConstantError("cidr_match", nil, kw("10.0.0.0/8"), kw("nope")) != nil)
        #expect(esqlConstantError("hash", kw("crc32"), nil) != nil)
        #expect(esqlConstantError("mv_sort", nil, kw("up")) != nil)
        #expect(esqlConstantError("split", nil, kw(";;")) != nil)
        #expect(esqlConstantError("json_extract", nil, kw("a[*]")) != nil)
        // Valid constants, and nulls (null per row), prepare fine.
        #expect(esqlConstantError("date_trunc", kw("1 hour"), nil) == nil)
        #expect(esqlConstantError("cidr_match", nil, kw("10.0.0.0/8"), .null) == nil)
        #expect(esqlConstantError("hash", kw("SHA-256"), nil) == nil)
    }

    // MARK: Conditional (csv-spec conditional, null)

    @Test func caseTakesTheFirstTrueCondition() throws {
        // twoConditionsWithDefault: languages 2 → bilingual, 5 → polyglot, 1 → monolingual.
        func type(_ languages: Int64) throws -> Value {
            try esql("case", .bool(languages <= 1), kw("monolingual"), .bool(languages <= 2), kw("bilingual"), kw("polyglot"))
        }
        #expect(try type(2) == kw("bilingual"))
        #expect(try type(5) == kw("polyglot"))
        #expect(try type(1) == kw("monolingual"))
        // singleCondition: no default gives null.
        #expect(try esql("case", .bool(false), .bool(true)) == .null)
        #expect(try esql("case", .bool(true), .bool(true)) == .bool(true))
        // A null condition is not true.
        #expect(try esql("case", .null, kw("a"), kw("b")) == kw("b"))
        // Values may be multi-valued (caseWithMixedNumericFieldWithMV).
        #expect(try esql("case", .bool(true), mv(.double(-7.06), .double(0.57))) == mv(.double(-7.06), .double(0.57)))
    }

    @Test func caseMultiValuedConditionIsFalseWithWarning() throws {
        // caseOnConstantMvTrueTrue: CASE([true, true], "a", "b") is "b" with a warning.
        let warnings = try esqlWarnings("case", mv(.bool(true), .bool(true)), kw("a"), kw("b"), result: kw("b"))
        #expect(warnings.multiValuedArgument == 1)
    }

    @Test func coalesce() throws {
        #expect(try esql("coalesce", .null, kw("x"), kw("y")) == kw("x"))
        #expect(try esql("coalesce", .null, .null) == .null)
        #expect(try esql("coalesce", mv(.long(1), .long(2)), .long(3)) == mv(.long(1), .long(2)))
    }

    @Test func greatestAndLeast() throws {
        // Docs: GREATEST(10, 20) is 20, LEAST(10, 20) is 10.
        #expect(try esql("greatest", .long(10), .long(20)) == .long(20))
        #expect(try esql("least", .long(10), .long(20)) == .long(10))
        #expect(try esql("greatest", kw("apple"), kw("banana")) == kw("banana"))
        #expect(try esql("greatest", .bool(false), .bool(true)) == .bool(true))
        #expect(try esql("greatest", .long(1), .null) == .null)
        // A multi-value stands for its maximum (minimum).
        #expect(try esql("greatest", mv(.long(1), .long(50)), .long(3)) == .long(50))
        #expect(try esql("least", mv(.long(1), .long(50)), .long(3)) == .long(1))
        // Mixed numbers widen to double.
        #expect(try esql("greatest", .long(2), .double(1.5)) == .double(2.0))
        #expect(try esql("greatest", .long(7)) == .long(7))
    }

    /// CLAMP_MIN / CLAMP_MAX / CLAMP (ES's ClampMin, ClampMax evaluators): the field's type, a
    /// bound cast to it (a double bound of a whole number truncated), single values only.
    @Test func clampKeepsTheFieldBetweenItsBounds() throws {
        // csv-spec clampWithKeywordFields and friends: "Georgi" between "Facello" and "M".
        #expect(try esql("clamp", kw("Georgi"), kw("Facello"), kw("M")) == kw("Georgi"))
        #expect(try esql("clamp_max", kw("Georgi"), kw("Facello")) == kw("Facello"))
        #expect(try esql("clamp_min", kw("Georgi"), kw("Facello")) == kw("Georgi"))
        #expect(try esql("clamp", .long(15), .long(1), .long(10)) == .long(10))
        #expect(try esql("clamp", .long(-3), .long(1), .long(10)) == .long(1))
        #expect(try esql("clamp_min", .long(3), .double(4.7)) == .long(4))
        #expect(try esql("clamp_max", .double(3.5), .long(2)) == .double(2))
        #expect(try esql("clamp_min", .bool(false), .bool(true)) == .bool(true))
        #expect(try esql("clamp", .long(5), .null, .long(10)) == .null)
        let warned = try esqlWarnings("clamp_min", mv(.long(1), .long(9)), .long(4))
        #expect(warned.multiValuedArgument == 1)
    }
}
