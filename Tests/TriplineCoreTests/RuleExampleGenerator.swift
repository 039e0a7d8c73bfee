import Foundation
@testable import TriplineCore

// Builds, from a compiled EQL rule's own predicate, an event that satisfies it and near misses
// that break one of its conditions at a time: test support for `RuleCoverageTests`.
//
// The generator does not trust the engine's evaluator: it decides what holds with its own small
// model of the documented semantics (`ExampleOracle`: any value of a field may match, `must_not`
// for EQL negations, ignore_above, types, wildcards, Lucene regexes, EQL functions), so the
// engine, run end to end over the generated JSON, is checked against an independent verdict.
//
// How: a depth-first search walks the predicate choosing what each part needs (`all`: every part;
// `any`: one branch; `complement`: the inner part not true; EQL's must_not) down to leaf
// constraints on fields; each field's values are then synthesized from its literals (wildcards
// instantiated, regexes sampled, numbers, addresses and dates around the bound), several values
// when several tests want the field, and fields tied by computed conditions are searched together
// over candidates built from the expressions' literals. A complete choice counts once the oracle
// says the whole predicate is true. Near misses flip one leaf constraint at a time, solve its
// field again, and are kept only when the oracle says the predicate is then not true.

/// A generated event before it is written as JSON: per field (the plan's index), its values;
/// a field absent from the map, or with no values, is absent from the event.
typealias GeneratedFields = [Int: [Value]]

/// One requirement a chosen way through the predicate puts on the event.
enum ExampleConstraint: Hashable {
    /// Some value of the field matches one of the test's matchers (the leaf holds).
    case want(ValueTest)
    /// No value of the field matches (the leaf does not hold; absence also does).
    case avoid(ValueTest)
    /// The field has no indexed value.
    case absent(Int, FieldType)
    /// The field has an indexed value.
    case present(Int, FieldType)
    /// A computed condition that must be true (`holds`), or must not be.
    case expression(ValueExpression, holds: Bool)

    var field: Int? {
        switch self {
        case .want(let test), .avoid(let test): test.field
        case .absent(let field, _), .present(let field, _): field
        case .expression: nil
        }
    }

    /// The same leaf broken.
    var flipped: ExampleConstraint {
        switch self {
        case .want(let test): .avoid(test)
        case .avoid(let test): .want(test)
        case .absent(let field, let type): .present(field, type)
        case .present(let field, let type): .absent(field, type)
        case .expression(let expression, let holds): .expression(expression, holds: !holds)
        }
    }
}

// MARK: - The independent oracle

/// The generator's own model of how a predicate reads an event, written from Elasticsearch's
/// documented behaviour rather than from the engine's evaluator.
final class ExampleOracle {
    private var regexes: [String: ExampleRegex?] = [:]

    static func foldASCII(_ bytes: [UInt8]) -> [UInt8] { bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }

    static func swapCase(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { b in (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) ? b ^ 0x20 : b }
    }

    /// The value as a field of `type` indexes it, or nil when it would not be indexed.
    static func indexed(_ value: Value, _ type: FieldType) -> Value? {
        switch (type, value) {
        case (.keyword(let limit, let lowercase), .keyword(let bytes)):
            guard fits(bytes, limit) else { return nil }
            return lowercase ? .keyword(CaseFolding.fold(bytes)) : value
        case (.dynamic, .keyword(let bytes)): return fits(bytes, FieldType.dynamicIgnoreAbove) ? value : nil
        case (.dynamic, .long), (.dynamic, .double), (.dynamic, .bool): return value
        case (.long, .long), (.unsignedLong, .unsignedLong), (.double, .double), (.ip, .ip), (.date, .date), (.boolean, .bool):
            return value
        case (.unsignedLong, .long(let n)) where n >= 0: return .unsignedLong(UInt64(n))
        case (.double, .long(let n)): return .double(Double(n))
        default: return nil
        }
    }

    /// ignore_above counts UTF-16 units, as Java does.
    static func fits(_ bytes: [UInt8], _ limit: Int?) -> Bool {
        guard let limit, bytes.count > limit else { return true }
        return String(decoding: bytes, as: UTF8.self).utf16.count <= limit
    }

    static func order(_ a: Value, _ b: Value) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (.long(let x), .long(let y)): return cmp(x, y)
        case (.keyword(let x), .keyword(let y)): return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
        case (.ip(let x), .ip(let y)): return cmp(x, y)
        case (.date(let x), .date(let y)): return cmp(x, y)
        case (.bool(let x), .bool(let y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        default:
            guard let x = number(a), let y = number(b) else { return nil }
            return cmp(x, y)
        }
    }

    static func number(_ value: Value) -> Double? {
        switch value {
        case .long(let n): Double(n)
        case .unsignedLong(let n): Double(n)
        case .double(let d): d
        default: nil
        }
    }

    /// Bytes in the UTF-8 character that starts with `lead` (1 for a stray continuation byte).
    @inline(__always) static func characterLength(_ lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// A whole-value glob: `*` any run, `?` one character (when it is a wildcard); with `folding`,
    /// both sides ASCII-case-folded. Backtracks to the last `*` a character at a time.
    static func glob(_ pattern: [UInt8], _ value: [UInt8], questionMark: Bool = true, folding: Bool = false) -> Bool {
        pattern.withUnsafeBufferPointer { p in
            value.withUnsafeBufferPointer { s in glob(p, s, questionMark: questionMark, folding: folding) }
        }
    }

    static func glob(_ pattern: String, _ value: [UInt8], folding: Bool) -> Bool {
        var text = pattern
        return text.withUTF8 { p in value.withUnsafeBufferPointer { s in glob(p, s, questionMark: true, folding: folding) } }
    }

    static func glob(_ p: UnsafeBufferPointer<UInt8>, _ s: UnsafeBufferPointer<UInt8>, questionMark: Bool, folding: Bool) -> Bool {
        var pi = 0, si = 0, starP = -1, starS = 0
        while si < s.count {
            if pi < p.count {
                let pc = p[pi]
                if pc == 0x2A { starP = pi; starS = si; pi += 1; continue }
                if pc == 0x3F && questionMark { pi += 1; si = min(s.count, si + characterLength(s[si])); continue }
                if folding ? CaseFolding.foldASCII(pc) == CaseFolding.foldASCII(s[si]) : pc == s[si] { pi += 1; si += 1; continue }
            }
            guard starP >= 0 else { return false }
            starS = min(s.count, starS + characterLength(s[starS]))
            si = starS
            pi = starP + 1
        }
        while pi < p.count && p[pi] == 0x2A { pi += 1 }
        return pi == p.count
    }

    /// Whether a keyword equals a literal (already folded when `folding`).
    static func equal(_ value: [UInt8], _ literal: [UInt8], folding: Bool) -> Bool {
        guard value.count == literal.count else { return false }
        if !folding { return value == literal }
        return value.withUnsafeBufferPointer { v in
            literal.withUnsafeBufferPointer { l in
                for i in 0..<v.count where CaseFolding.foldASCII(v[i]) != l[i] { return false }
                return true
            }
        }
    }

    func regex(_ regex: LuceneRegex) -> ExampleRegex? {
        let key = (regex.caseInsensitive ? "i:" : "s:") + regex.pattern
        if let cached = regexes[key] { return cached }
        let model = try? ExampleRegex(regex.pattern, caseInsensitive: regex.caseInsensitive)
        regexes[key] = model
        return model
    }

    func matches(_ value: Value, _ matcher: ValueMatcher, caseInsensitive: Bool) -> Bool {
        switch matcher {
        case .keyword(let op, let expected):
            guard case .keyword(let bytes) = value else { return false }
            if op == .equal { return Self.equal(bytes, expected, folding: caseInsensitive) }
            let subject = caseInsensitive ? Self.foldASCII(bytes) : bytes
            return Value.holds(op, Self.order(.keyword(subject), .keyword(expected))!)
        case .wildcard(let pattern):
            guard case .keyword(let bytes) = value else { return false }
            return Self.glob(pattern.text, bytes, folding: caseInsensitive || pattern.caseInsensitive)
        case .regex(let regex):
            guard case .keyword(let bytes) = value, let model = self.regex(regex) else { return false }
            return model.matches(bytes) == true
        case .typed(let op, let expected):
            return Self.order(value, expected).map { Value.holds(op, $0) } ?? false
        case .network(let network):
            guard case .ip(let address) = value else { return false }
            return Self.contains(network, address)
        case .anyWord, .fuzzy:
            guard case .keyword(let bytes) = value else { return false }
            return bytes.withUnsafeBytes { PredicateEvaluator.matches($0, matcher) }
        }
    }

    static func contains(_ network: IPNetwork, _ address: IPAddress) -> Bool {
        for bit in 0..<network.prefix {
            let word = bit < 64 ? (network.address.high, address.high) : (network.address.low, address.low)
            let shift = UInt64(63 - bit % 64)
            if (word.0 >> shift) & 1 != (word.1 >> shift) & 1 { return false }
        }
        return true
    }

    /// Whether some value of the field matches the test (unknown when the field has none).
    func truth(_ test: ValueTest, _ values: [Value]) -> Truth {
        let indexed = values.compactMap { Self.indexed($0, test.type) }
        if indexed.isEmpty { return .unknown }
        if test.multiValue == .singleValueOnly && indexed.count > 1 { return .unknown }
        let hit = indexed.contains { v in test.matchers.contains { matches(v, $0, caseInsensitive: test.caseInsensitive) } }
        return hit != test.negated ? .true : .false
    }

    func truth(_ predicate: TriplineCore.Predicate, _ event: GeneratedFields) -> Truth {
        switch predicate {
        case .constant(let truth):
            return truth
        case .all(let parts):
            var result = Truth.true
            for part in parts {
                switch truth(part, event) {
                case .false: return .false
                case .unknown: result = .unknown
                case .true: break
                }
            }
            return result
        case .any(let parts):
            var result = Truth.false
            for part in parts {
                switch truth(part, event) {
                case .true: return .true
                case .unknown: result = .unknown
                case .false: break
                }
            }
            return result
        case .not(let inner):
            return !truth(inner, event)
        case .complement(let inner):
            return truth(inner, event) == .true ? .false : .true
        case .value(let test):
            return truth(test, event[test.field] ?? [])
        case .isNull(let field, let type, let negated):
            let isNull = (event[field] ?? []).allSatisfy { Self.indexed($0, type) == nil }
            return isNull != negated ? .true : .false
        case .test(let expression):
            switch test(expression, event) {
            case .bool(true): return .true
            case .null: return .unknown
            default: return .false
            }
        }
    }

    // MARK: Expressions (EQL scripts: every combination of the referenced fields' values)

    func test(_ expression: ValueExpression, _ event: GeneratedFields) -> Value {
        var bindings: [[Value]] = []
        collect(expression, event, &bindings)
        var combinations = 1
        for values in bindings { combinations = min(combinations * values.count, 10_000) }
        var choice = [Int](repeating: 0, count: bindings.count)
        var sawFalse = false
        for _ in 0..<combinations {
            var cursor = 0
            switch value(expression, event, bindings, choice, &cursor) {
            case .bool(true): return .bool(true)
            case .bool(false): sawFalse = true
            default: break
            }
            var slot = bindings.count - 1
            while slot >= 0 {
                choice[slot] += 1
                if choice[slot] < bindings[slot].count { break }
                choice[slot] = 0
                slot -= 1
            }
        }
        return sawFalse ? .bool(false) : .null
    }

    private func collect(_ expression: ValueExpression, _ event: GeneratedFields, _ bindings: inout [[Value]]) {
        switch expression {
        case .constant, .column, .indexName: break
        case .esql(_, let args): for arg in args { collect(arg, event, &bindings) }
        case .field(let field, let type, let mode):
            guard mode == .anyValue else { return }
            let values = (event[field] ?? []).compactMap { Self.indexed($0, type) }
            bindings.append(values.isEmpty ? [.null] : values)
        case .call(_, _, let args): for arg in args { collect(arg, event, &bindings) }
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            collect(a, event, &bindings); collect(b, event, &bindings)
        case .negate(let a), .matches(let a, _, _), .isNull(let a, _), .not(let a):
            collect(a, event, &bindings)
        }
    }

    private func value(_ expression: ValueExpression, _ event: GeneratedFields, _ bindings: [[Value]], _ choice: [Int], _ cursor: inout Int) -> Value {
        func eval(_ e: ValueExpression) -> Value { value(e, event, bindings, choice, &cursor) }
        switch expression {
        case .constant(let value):
            return value
        case .field(let field, let type, let mode):
            if mode == .anyValue {
                defer { cursor += 1 }
                return bindings[cursor][choice[cursor]]
            }
            let values = (event[field] ?? []).compactMap { Self.indexed($0, type) }
            return values.count == 1 ? values[0] : .null
        case .call(let function, let caseInsensitive, let args):
            var values: [Value] = []
            for arg in args { values.append(eval(arg)) }
            return Self.apply(function, values, caseInsensitive: caseInsensitive)
        case .column, .indexName:
            return .null
        case .esql(let call, let args):
            var warnings = ESQLWarnings()
            return call.apply(args.map(eval), now: 0, warnings: &warnings)
        case .arithmetic(let op, let a, let b):
            let x = eval(a), y = eval(b)
            return Self.arithmetic(op, x, y)
        case .negate(let inner):
            switch eval(inner) {
            case .long(let n): return n == .min ? .null : .long(-n)
            case .double(let d): return .double(-d)
            default: return .null
            }
        case .compare(let op, let a, let b):
            let x = eval(a), y = eval(b)
            if x.isNull || y.isNull { return .null }
            return Self.order(x, y).map { .bool(Value.holds(op, $0)) } ?? .null
        case .matches(let inner, let matchers, let caseInsensitive):
            let subject = eval(inner)
            if subject.isNull { return .null }
            return .bool(matchers.contains { matches(subject, $0, caseInsensitive: caseInsensitive) })
        case .isNull(let inner, let negated):
            return .bool(eval(inner).isNull != negated)
        case .not(let inner):
            if case .bool(let b) = eval(inner) { return .bool(!b) }
            return .null
        case .and(let a, let b):
            let x = eval(a), y = eval(b)
            if x == .bool(false) || y == .bool(false) { return .bool(false) }
            return x == .bool(true) && y == .bool(true) ? .bool(true) : .null
        case .or(let a, let b):
            let x = eval(a), y = eval(b)
            if x == .bool(true) || y == .bool(true) { return .bool(true) }
            return x == .bool(false) && y == .bool(false) ? .bool(false) : .null
        }
    }

    static func arithmetic(_ op: TriplineCore.Expression.Arithmetic, _ a: Value, _ b: Value) -> Value {
        if case .long(let x) = a, case .long(let y) = b {
            let (r, overflow): (Int64, Bool)
            switch op {
            case .add: (r, overflow) = x.addingReportingOverflow(y)
            case .subtract: (r, overflow) = x.subtractingReportingOverflow(y)
            case .multiply: (r, overflow) = x.multipliedReportingOverflow(by: y)
            case .divide: (r, overflow) = x.dividedReportingOverflow(by: y)
            case .modulo: (r, overflow) = x.remainderReportingOverflow(dividingBy: y)
            }
            return overflow ? .null : .long(r)
        }
        guard let x = number(a), let y = number(b) else { return .null }
        switch op {
        case .add: return .double(x + y)
        case .subtract: return .double(x - y)
        case .multiply: return .double(x * y)
        case .divide: return y == 0 ? .null : .double(x / y)
        case .modulo: return y == 0 ? .null : .double(x.truncatingRemainder(dividingBy: y))
        }
    }

    private static func string(_ value: Value) -> [UInt16]? {
        guard case .keyword(let bytes) = value else { return nil }
        return Array(String(decoding: bytes, as: UTF8.self).utf16)
    }

    private static func lower(_ units: [UInt16]) -> [UInt16] {
        Array(String(decoding: units, as: UTF16.self).lowercased().utf16)
    }

    private static func keyword(_ units: ArraySlice<UInt16>) -> Value {
        .keyword(Array(String(decoding: units, as: UTF16.self).utf8))
    }

    /// EQL's functions, from Elasticsearch's function reference; the rarely used ones defer to the engine.
    static func apply(_ function: ScalarFunction, _ args: [Value], caseInsensitive: Bool) -> Value {
        switch function {
        case .add: return arithmetic(.add, args[0], args[1])
        case .subtract: return arithmetic(.subtract, args[0], args[1])
        case .multiply: return arithmetic(.multiply, args[0], args[1])
        case .divide: return arithmetic(.divide, args[0], args[1])
        case .modulo: return arithmetic(.modulo, args[0], args[1])
        case .concat:
            var out: [UInt8] = []
            for arg in args {
                guard let text = arg.text else { return .null }
                out += text
            }
            return .keyword(out)
        case .string:
            return args[0].text.map(Value.keyword) ?? .null
        case .length:
            return string(args[0]).map { .long(Int64($0.count)) } ?? .null
        case .startsWith, .endsWith, .stringContains:
            guard var s = string(args[0]), var p = string(args[1]) else { return .null }
            if caseInsensitive { s = lower(s); p = lower(p) }
            switch function {
            case .startsWith: return .bool(s.starts(with: p))
            case .endsWith: return .bool(s.count >= p.count && Array(s.suffix(p.count)) == p)
            default:
                guard !p.isEmpty, s.count >= p.count else { return .bool(false) }
                return .bool((0...(s.count - p.count)).contains { Array(s[$0..<($0 + p.count)]) == p })
            }
        case .substring:
            guard let s = string(args[0]) else { return .null }
            if args[1].isNull { return args[0] }
            guard case .long(let start) = args[1] else { return .null }
            var end = Int64(s.count)
            if args.count == 3 {
                switch args[2] {
                case .long(let n): end = n
                case .null: break
                default: return .null
                }
            }
            func position(_ n: Int64) -> Int { Int(n < 0 ? max(0, Int64(s.count) + n) : min(n, Int64(s.count))) }
            let a = position(start), b = position(end)
            return a < b ? keyword(s[a..<b]) : .keyword([])
        case .between, .cidrMatch, .indexOf, .number:
            return function.apply(args, caseInsensitive: caseInsensitive)
        }
    }
}

// MARK: - Lucene regular expressions (own parser, matcher and sampler)

/// The common part of Lucene's RegExp syntax, enough to build and check examples: unions,
/// repeats, classes with ranges and `\d \s \w`, quoted strings, `.`, `@`, `#`. Intersection,
/// complement and numeric intervals are refused (the generator then gives up on the rule).
struct ExampleRegex {
    indirect enum Node {
        case empty, nothing, anyChar, anyString
        case set([ClosedRange<UInt32>])
        case concat([Node])
        case union([Node])
        case repeating(Node, Int, Int?)
    }

    struct Unsupported: Error { var what: String }

    let root: Node

    init(_ pattern: String, caseInsensitive: Bool) throws {
        var parser = Parser(text: pattern.unicodeScalars.map(\.value), caseInsensitive: caseInsensitive)
        root = parser.text.isEmpty ? .empty : try parser.union()
        guard parser.pos == parser.text.count else { throw Unsupported(what: "trailing text") }
    }

    private struct Parser {
        let text: [UInt32]
        let caseInsensitive: Bool
        var pos = 0

        var more: Bool { pos < text.count }
        func peek(_ c: Character) -> Bool { more && text[pos] == c.unicodeScalars.first!.value }
        mutating func take(_ c: Character) -> Bool {
            if peek(c) { pos += 1; return true }
            return false
        }
        mutating func next() throws -> UInt32 {
            guard more else { throw Unsupported(what: "end of pattern") }
            pos += 1
            return text[pos - 1]
        }

        func single(_ c: UInt32) -> Node {
            var ranges: [ClosedRange<UInt32>] = [c...c]
            if caseInsensitive, (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) { ranges.append((c ^ 0x20)...(c ^ 0x20)) }
            return .set(ranges)
        }

        static func shorthand(_ c: UInt32) -> [ClosedRange<UInt32>]? {
            let digits: [ClosedRange<UInt32>] = [0x30...0x39]
            let space: [ClosedRange<UInt32>] = [0x09...0x0D, 0x20...0x20]
            let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
            switch Character(Unicode.Scalar(c)!) {
            case "d": return digits
            case "D": return complement(digits)
            case "s": return space
            case "S": return complement(space)
            case "w": return word
            case "W": return complement(word)
            default: return nil
            }
        }

        static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var out: [ClosedRange<UInt32>] = []
            var start: UInt32 = 0
            for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if r.lowerBound > start { out.append(start...(r.lowerBound - 1)) }
                start = max(start, r.upperBound + 1)
            }
            if start <= 0x10FFFF { out.append(start...0x10FFFF) }
            return out
        }

        mutating func union() throws -> Node {
            var branches = [try concat()]
            while take("|") { branches.append(try concat()) }
            return branches.count == 1 ? branches[0] : .union(branches)
        }

        mutating func concat() throws -> Node {
            var items: [Node] = []
            while more && !peek("|") && !peek(")") {
                if peek("&") { throw Unsupported(what: "intersection") }
                items.append(try repeated())
            }
            return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concat(items)
        }

        mutating func number() -> Int? {
            var n: Int?
            while more, (0x30...0x39).contains(text[pos]) { n = (n ?? 0) * 10 + Int(text[pos] - 0x30); pos += 1 }
            return n
        }

        mutating func repeated() throws -> Node {
            var node = try atom()
            while true {
                if take("?") { node = .repeating(node, 0, 1) }
                else if take("*") { node = .repeating(node, 0, nil) }
                else if take("+") { node = .repeating(node, 1, nil) }
                else if take("{") {
                    guard let n = number() else { throw Unsupported(what: "repeat without a count") }
                    var m: Int? = n
                    if take(",") { m = number() }
                    guard take("}") else { throw Unsupported(what: "unclosed repeat") }
                    node = .repeating(node, n, m)
                } else { return node }
            }
        }

        mutating func atom() throws -> Node {
            let c = try next()
            switch Character(Unicode.Scalar(c)!) {
            case "~": throw Unsupported(what: "complement")
            case "<": throw Unsupported(what: "numeric interval")
            case ".": return .anyChar
            case "@": return .anyString
            case "#": return .nothing
            case "(":
                if take(")") { return .empty }
                let inner = try union()
                guard take(")") else { throw Unsupported(what: "unclosed group") }
                return inner
            case "\"":
                var items: [Node] = []
                while !take("\"") { items.append(single(try next())) }
                return .concat(items)
            case "[":
                let negated = take("^")
                var ranges: [ClosedRange<UInt32>] = []
                while !take("]") {
                    var c = try next()
                    if c == 0x5C {
                        c = try next()
                        if let set = Self.shorthand(c) { ranges += set; continue }
                    }
                    if peek("-"), pos + 1 < text.count, text[pos + 1] != 0x5D {
                        pos += 1
                        var d = try next()
                        if d == 0x5C { d = try next() }
                        guard c <= d else { throw Unsupported(what: "reversed range") }
                        ranges.append(c...d)
                    } else if case .set(let folded) = single(c) {
                        ranges += folded
                    }
                }
                return .set(negated ? Self.complement(ranges) : ranges)
            case "\\":
                let e = try next()
                if let set = Self.shorthand(e) { return .set(set) }
                return single(e)
            default:
                return single(c)
            }
        }
    }

    private final class Budget {
        var left = 2_000_000
    }

    /// Whether the whole value matches; nil when the backtracking budget runs out.
    func matches(_ bytes: [UInt8]) -> Bool? {
        let s = String(decoding: bytes, as: UTF8.self).unicodeScalars.map(\.value)
        let budget = Budget()
        let result = match(root, s, 0, budget) { $0 == s.count }
        return budget.left <= 0 ? nil : result
    }

    private func match(_ node: Node, _ s: [UInt32], _ i: Int, _ budget: Budget, _ k: (Int) -> Bool) -> Bool {
        budget.left -= 1
        if budget.left <= 0 { return false }
        switch node {
        case .empty: return k(i)
        case .nothing: return false
        case .anyChar: return i < s.count && k(i + 1)
        case .anyString:
            for j in i...s.count where k(j) { return true }
            return false
        case .set(let ranges):
            return i < s.count && ranges.contains { $0.contains(s[i]) } && k(i + 1)
        case .union(let branches):
            for branch in branches where match(branch, s, i, budget, k) { return true }
            return false
        case .concat(let items):
            return sequence(items[...], s, i, budget, k)
        case .repeating(let inner, let min, let max):
            return repeatMatch(inner, min, max, 0, s, i, budget, k)
        }
    }

    private func sequence(_ items: ArraySlice<Node>, _ s: [UInt32], _ i: Int, _ budget: Budget, _ k: (Int) -> Bool) -> Bool {
        guard let first = items.first else { return k(i) }
        return match(first, s, i, budget) { j in sequence(items.dropFirst(), s, j, budget, k) }
    }

    private func repeatMatch(_ inner: Node, _ min: Int, _ max: Int?, _ count: Int, _ s: [UInt32], _ i: Int,
                             _ budget: Budget, _ k: (Int) -> Bool) -> Bool {
        if count >= min && k(i) { return true }
        if let max, count >= max { return false }
        return match(inner, s, i, budget) { j in
            (j > i || count < min) && repeatMatch(inner, min, max, count + 1, s, j, budget, k)
        }
    }

    /// A few strings the pattern matches, the shortest first; `variant` picks other branches and counts.
    func samples() -> [[UInt8]] {
        var out: [[UInt8]] = []
        for variant in 0..<6 {
            guard let scalars = sample(root, variant) else { continue }
            var text = String.UnicodeScalarView()
            for c in scalars { if let scalar = Unicode.Scalar(c) { text.append(scalar) } }
            let bytes = Array(String(text).utf8)
            if !out.contains(bytes) { out.append(bytes) }
        }
        return out
    }

    private func sample(_ node: Node, _ variant: Int) -> [UInt32]? {
        switch node {
        case .empty: return []
        case .nothing: return nil
        case .anyChar: return [0x78]
        case .anyString: return variant == 0 ? [] : [0x78]
        case .set(let ranges):
            let preferred: [UInt32] = [0x78, 0x61, 0x30, 0x31, 0x58, 0x41, 0x5F, 0x2D, 0x2E, 0x20, 0x2F]
            let inSet = preferred.filter { c in ranges.contains { $0.contains(c) } }
            if !inSet.isEmpty { return [inSet[variant % inSet.count]] }
            return ranges.first(where: { Unicode.Scalar($0.lowerBound) != nil }).map { [$0.lowerBound] }
        case .concat(let items):
            var out: [UInt32] = []
            for item in items {
                guard let part = sample(item, variant) else { return nil }
                out += part
            }
            return out
        case .union(let branches):
            for offset in 0..<branches.count {
                if let part = sample(branches[(variant + offset) % branches.count], variant) { return part }
            }
            return nil
        case .repeating(let inner, let min, let max):
            var count = min
            if variant % 2 == 1, max.map({ $0 > min }) ?? true { count += 1 }
            var out: [UInt32] = []
            for _ in 0..<count {
                guard let part = sample(inner, variant) else { return nil }
                out += part
            }
            return out
        }
    }
}

// MARK: - The generator

/// An event that satisfies a rule, and events that each break one of its conditions.
struct RuleExamples {
    struct Event {
        var json: String
        var note: String
    }

    var positives: [Event]
    var nearMisses: [Event]
}

struct RuleExampleGenerator {
    /// The field plan's paths: a predicate's field index names one.
    let paths: [String]
    let oracle = ExampleOracle()
    private let dateFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    init(paths: [String]) {
        self.paths = paths
    }

    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// When a field only has to not match, whether to give it a harmless value or leave it out.
    enum Policy: CaseIterable { case preferPresent, preferAbsent }

    func examples(for rule: CompiledRule) -> Result<RuleExamples, Failure> {
        guard let index = indexName(for: rule.indexPatterns) else {
            return .failure(Failure(reason: "no concrete index name matches its index patterns \(rule.indexPatterns.patterns)"))
        }
        let solver = Solver(generator: self, predicate: rule.predicate)
        guard let solution = solver.solve() else {
            return .failure(Failure(reason: solver.failure ?? "no satisfying event found"))
        }
        let predicate = rule.predicate
        var positives = [RuleExamples.Event(json: json(solution.event, index: index), note: "generated event (\(solution.policy))")]
        // The other policy's event too, when it differs and holds.
        for policy in Policy.allCases where policy != solution.policy {
            if case .success(let other) = synthesize(solution.constraints, policy: policy), other != solution.event,
               oracle.truth(predicate, other) == .true {
                positives.append(.init(json: json(other, index: index), note: "generated event (\(policy))"))
            }
        }
        // Routed by data_stream.* instead of _index, when the name has that form and the rule does not read those fields.
        let parts = index.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let dataStreamFields = ["_index", "data_stream.type", "data_stream.dataset", "data_stream.namespace"]
        if parts.count == 3, !parts.contains(where: \.isEmpty), !rule.fields.contains(where: dataStreamFields.contains) {
            positives.append(.init(json: json(solution.event, index: nil, dataStream: parts), note: "generated event, indexed by data_stream.*"))
        }

        var nearMisses: [RuleExamples.Event] = []
        var seen: Set<GeneratedFields> = [solution.event]
        func addMiss(_ event: GeneratedFields, _ note: String) {
            guard !seen.contains(event), oracle.truth(predicate, event) != .true else { return }
            seen.insert(event)
            nearMisses.append(.init(json: json(event, index: index), note: note))
        }
        for (i, constraint) in solution.constraints.enumerated() {
            var broken = solution.constraints
            broken[i] = constraint.flipped
            // Broken with a value that does not match, and with the field left out.
            for policy in Policy.allCases {
                if let event = resolve(solution.event, constraints: broken, around: constraint, policy: policy) {
                    addMiss(event, "breaks: " + describe(constraint))
                }
            }
            // A case-sensitive test given its value in the other case.
            if case .want(let test) = constraint, !test.caseInsensitive, let values = solution.event[test.field] {
                let swapped = values.map { v -> Value in
                    guard case .keyword(let bytes) = v, oracle.truth(test, [v]) == .true else { return v }
                    return .keyword(ExampleOracle.swapCase(bytes))
                }
                if swapped != values {
                    var event = solution.event
                    event[test.field] = swapped
                    addMiss(event, "case-swapped: " + describe(constraint))
                }
            }
        }
        let elsewhere = "tripline-unread-index"
        if !ownIndexMatch(rule.indexPatterns, elsewhere) {
            nearMisses.append(.init(json: json(solution.event, index: elsewhere), note: "an index the rule does not read"))
        }
        return .success(RuleExamples(positives: positives, nearMisses: nearMisses))
    }

    // MARK: Search

    /// One part of the predicate to make true (`wantTrue`) or not true.
    struct Goal {
        var predicate: TriplineCore.Predicate
        var wantTrue: Bool
    }

    struct Solution {
        var event: GeneratedFields
        var constraints: [ExampleConstraint]
        var policy: Policy
    }

    /// Depth-first over the predicate's choices (`any` branches, which conjunct of a negated `all`
    /// to break), pruning on fields no value can satisfy; each complete choice is synthesized and
    /// checked by the oracle.
    final class Solver {
        let generator: RuleExampleGenerator
        let predicate: TriplineCore.Predicate
        var steps = 0
        var completions = 0
        var failure: String?

        init(generator: RuleExampleGenerator, predicate: TriplineCore.Predicate) {
            self.generator = generator
            self.predicate = predicate
        }

        func solve() -> Solution? {
            walk([Goal(predicate: predicate, wantTrue: true)][...], [])
        }

        private func walk(_ goals: ArraySlice<Goal>, _ constraints: [ExampleConstraint]) -> Solution? {
            guard steps < 50_000, completions < 60 else {
                if failure == nil { failure = "search budget exhausted" }
                return nil
            }
            steps += 1
            guard let goal = goals.first else { return complete(constraints) }
            let rest = goals.dropFirst()
            let t = goal.wantTrue
            switch goal.predicate {
            case .all(let parts) where t, .any(let parts) where !t:
                return walk(ArraySlice(parts.map { Goal(predicate: $0, wantTrue: t) } + rest), constraints)
            case .all(let parts), .any(let parts):
                for part in parts {
                    if let found = walk(ArraySlice([Goal(predicate: part, wantTrue: t)] + rest), constraints) { return found }
                }
                return nil
            case .complement(let inner):
                return walk(ArraySlice([Goal(predicate: inner, wantTrue: !t)] + rest), constraints)
            case .not:
                failure = "three-valued not (ES|QL) is not modelled"
                return nil
            case .constant(let truth):
                return (truth == .true) == t ? walk(rest, constraints) : nil
            case .value(let test):
                return add(t ? .want(test) : .avoid(test), rest, constraints)
            case .isNull(let field, let type, let negated):
                let wantNull = t != negated
                return add(wantNull ? .absent(field, type) : .present(field, type), rest, constraints)
            case .test(let expression):
                return add(.expression(expression, holds: t), rest, constraints)
            }
        }

        private func add(_ constraint: ExampleConstraint, _ rest: ArraySlice<Goal>, _ constraints: [ExampleConstraint]) -> Solution? {
            if constraints.contains(constraint) { return walk(rest, constraints) }
            let next = constraints + [constraint]
            if let field = constraint.field {
                let local = next.filter { $0.field == field }
                let lone = local.count == 1
                if case .want = constraint {} else if lone { return walk(rest, next) }
                if generator.localOptions(field: field, local, policy: .preferAbsent).isEmpty {
                    failure = "no value of \(generator.paths[field]) satisfies " + local.map(generator.describe).joined(separator: " and ")
                    return nil
                }
            }
            return walk(rest, next)
        }

        private func complete(_ constraints: [ExampleConstraint]) -> Solution? {
            completions += 1
            for policy in Policy.allCases {
                switch generator.synthesize(constraints, policy: policy) {
                case .success(let event):
                    if generator.oracle.truth(predicate, event) == .true {
                        return Solution(event: event, constraints: constraints, policy: policy)
                    }
                    failure = "the synthesized event does not satisfy the predicate (oracle)"
                case .failure(let error):
                    failure = error.reason
                }
            }
            return nil
        }
    }

    // MARK: Synthesis

    private func fieldsOf(_ expression: ValueExpression) -> [(Int, FieldType)] {
        switch expression {
        case .constant, .column, .indexName: return []
        case .field(let field, let type, _): return [(field, type)]
        case .call(_, _, let args), .esql(_, let args): return args.flatMap(fieldsOf)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return fieldsOf(a) + fieldsOf(b)
        case .negate(let a), .matches(let a, _, _), .isNull(let a, _), .not(let a):
            return fieldsOf(a)
        }
    }

    /// Values for every field the constraints name, or why there are none.
    func synthesize(_ constraints: [ExampleConstraint], policy: Policy) -> Result<GeneratedFields, Failure> {
        var byField: [Int: [ExampleConstraint]] = [:]
        var expressions: [(ValueExpression, Bool)] = []
        for constraint in constraints {
            if let field = constraint.field { byField[field, default: []].append(constraint) }
            if case .expression(let e, let holds) = constraint { expressions.append((e, holds)) }
        }
        // Fields tied together by expressions are solved together.
        var component: [Int: Int] = [:]
        var types: [Int: FieldType] = [:]
        func root(_ f: Int) -> Int {
            var f = f
            while let parent = component[f], parent != f { f = parent }
            return f
        }
        for (e, _) in expressions {
            let fields = fieldsOf(e)
            for (f, type) in fields {
                types[f] = type
                if component[f] == nil { component[f] = f }
            }
            for (f, _) in fields.dropFirst() { component[root(f)] = root(fields[0].0) }
        }
        var event = GeneratedFields()
        for (field, local) in byField where component[field] == nil {
            guard let values = localOptions(field: field, local, policy: policy).first else {
                return .failure(Failure(reason: "no value of \(paths[field]) satisfies " + local.map(describe).joined(separator: " and ")))
            }
            if !values.isEmpty { event[field] = values }
        }
        var groups: [Int: [Int]] = [:]
        for f in component.keys { groups[root(f), default: []].append(f) }
        for (_, var fields) in groups {
            fields.sort()
            let group = Set(fields)
            let tests = expressions.filter { e, _ in fieldsOf(e).contains { group.contains($0.0) } }
            let constants = tests.flatMap { constantsOf($0.0) }
            var options: [[[Value]]] = []
            for f in fields {
                let local = byField[f] ?? []
                var list = localOptions(field: f, local, policy: policy, type: types[f], all: true)
                let wanted = list.first ?? []
                for value in pool(for: types[f] ?? .dynamic, constants: constants) {
                    for candidate in [[value], wanted + [value]] where !list.contains(candidate) && satisfies(candidate, local) {
                        list.append(candidate)
                    }
                }
                if list.isEmpty { return .failure(Failure(reason: "no value of \(paths[f]) satisfies its tests")) }
                options.append(Array(list.prefix(40)))
            }
            var choice = [Int](repeating: 0, count: fields.count)
            var found = false
            var tries = 0
            search: while tries < 4_000 {
                tries += 1
                var trial = event
                for (slot, f) in fields.enumerated() {
                    let values = options[slot][choice[slot]]
                    trial[f] = values.isEmpty ? nil : values
                }
                let ok = tests.allSatisfy { e, holds in (oracle.test(e, trial) == .bool(true)) == holds }
                if ok { event = trial; found = true; break }
                var slot = fields.count - 1
                while slot >= 0 {
                    choice[slot] += 1
                    if choice[slot] < options[slot].count { continue search }
                    choice[slot] = 0
                    slot -= 1
                }
                break
            }
            if !found {
                let shown = tests.map { describe(.expression($0.0, holds: $0.1)) }.joined(separator: " and ")
                let typed = fields.map { "\(paths[$0]) is \(describe(types[$0] ?? .dynamic))" }.joined(separator: ", ")
                return .failure(Failure(reason: "no values found for the expression: \(shown) (\(typed))"))
            }
        }
        return .success(event)
    }

    /// Whether a field's values meet its own constraints.
    func satisfies(_ values: [Value], _ constraints: [ExampleConstraint]) -> Bool {
        constraints.allSatisfy { constraint in
            switch constraint {
            case .want(let test): oracle.truth(test, values) == .true
            case .avoid(let test): oracle.truth(test, values) != .true
            case .absent(_, let type): values.allSatisfy { ExampleOracle.indexed($0, type) == nil }
            case .present(_, let type): values.contains { ExampleOracle.indexed($0, type) != nil }
            case .expression: true
            }
        }
    }

    /// Value lists for one field meeting its constraints, best first (empty: absent). With `all`,
    /// every alternative; else at most the first few.
    func localOptions(field: Int, _ constraints: [ExampleConstraint], policy: Policy, type: FieldType? = nil, all: Bool = false) -> [[Value]] {
        var wants: [ValueTest] = []
        var avoids: [ValueTest] = []
        var absent = false, present = false
        var fieldType = type
        for constraint in constraints {
            switch constraint {
            case .want(let test): wants.append(test); fieldType = test.type
            case .avoid(let test): avoids.append(test); fieldType = test.type
            case .absent(_, let t): absent = true; fieldType = t
            case .present(_, let t): present = true; fieldType = t
            case .expression: break
            }
        }
        let type = fieldType ?? .dynamic
        func allowed(_ v: Value) -> Bool {
            ExampleOracle.indexed(v, type) != nil && avoids.allSatisfy { oracle.truth($0, [v]) != .true }
        }
        if absent { return wants.isEmpty && !present ? [[]] : [] }
        var values: [Value] = []
        for test in wants where oracle.truth(test, values) != .true {
            // The first value that fits, or better one that also meets the other wanted tests.
            var chosen: Value?
            var tried = 0
            search: for source in test.matchers.map(Optional.some) + [nil] {
                for c in source.map({ candidates(for: $0, in: test) }) ?? genericValues(type)
                where oracle.truth(test, [c]) == .true && allowed(c) {
                    if chosen == nil { chosen = c }
                    if wants.count == 1 { break search }
                    if wants.allSatisfy({ oracle.truth($0, [c]) == .true }) { chosen = c; break search }
                    tried += 1
                    if tried >= 16 { break search }
                }
            }
            guard let chosen else { return [] }
            values.append(chosen)
        }
        var options: [[Value]] = []
        if !values.isEmpty { options.append(values) }
        if all, let first = wants.first {
            // Other values for the first wanted test: expressions over the field may need them.
            for c in candidates(for: first) where options.count < 24 && allowed(c) {
                let alternative = [c] + values.dropFirst()
                if !options.contains(alternative) && satisfies(alternative, constraints) { options.append(alternative) }
            }
        }
        let generic = genericValues(type).filter(allowed).map { [$0] }
        if wants.isEmpty {
            if present { options += generic }
            else if policy == .preferPresent { options += generic.prefix(all ? generic.count : 1) + [[]] }
            else { options += [[]] + generic.prefix(all ? generic.count : 1) }
        }
        return options
    }

    /// Values likely to match one test (the caller filters them by the oracle).
    func candidates(for test: ValueTest) -> [Value] {
        test.matchers.flatMap { candidates(for: $0, in: test) } + genericValues(test.type)
    }

    /// Values likely to match one matcher of a test.
    func candidates(for matcher: ValueMatcher, in test: ValueTest) -> [Value] {
        var out: [Value] = []
        let keywordish = test.type.isKeyword || test.type == .dynamic
        switch matcher {
        case .keyword(let op, let bytes) where keywordish:
            var base: [[UInt8]]
            switch op {
            case .greater: base = [bytes + [0x61]]
            case .less: base = bytes.isEmpty ? [] : [Array(bytes.dropLast())]
            default: base = [bytes]
            }
            if test.caseInsensitive { base = base.map { $0.map { b in b >= 0x61 && b <= 0x7A ? b ^ 0x20 : b } } + base }
            out += base.map(Value.keyword)
        case .wildcard(let pattern):
            for fill in ["", "x", "tripline"] {
                var text: [UInt8] = []
                for b in pattern.text.utf8 {
                    if b == UInt8(ascii: "*") { text += fill.utf8 } else if b == UInt8(ascii: "?") { text.append(0x78) } else { text.append(b) }
                }
                if test.caseInsensitive || pattern.caseInsensitive { out.append(.keyword(ExampleOracle.swapCase(text))) }
                out.append(.keyword(text))
            }
        case .regex(let regex):
            for sample in oracle.regex(regex)?.samples() ?? [] {
                out.append(.keyword(sample))
                if regex.caseInsensitive { out.append(.keyword(ExampleOracle.swapCase(sample))) }
            }
        case .typed(let op, let value):
            out += around(value, type: test.type, op: op)
        case .network(let network):
            var address = network.address
            if network.prefix < 128 { address.low |= 1 }
            out += [.ip(address), .ip(network.address)]
        default:
            break
        }
        return out
    }

    /// Values of `type` at and around a literal, the likeliest for `op` first.
    private func around(_ value: Value, type: FieldType, op: TriplineCore.Expression.Comparison) -> [Value] {
        let ordered: [Int64]
        switch op {
        case .greater: ordered = [1, 2, 0, -1]
        case .less: ordered = [-1, -2, 0, 1]
        default: ordered = [0, 1, -1]
        }
        switch (type, value) {
        case (.date, .date(let ms)):
            return ordered.map { ms + $0 * 1000 }.filter { $0 >= 0 }.map(Value.date)
        case (.ip, .ip(let address)):
            return ordered.map { d in
                var a = address
                a.low = a.low &+ UInt64(bitPattern: d)
                return .ip(a)
            }
        case (.boolean, .bool(let b)), (.dynamic, .bool(let b)):
            return [.bool(b), .bool(!b)]
        case (.double, _), (.dynamic, .double):
            guard let d = ExampleOracle.number(value) else { return [] }
            return ordered.map { .double(d + Double($0) * 0.5) }
        case (.unsignedLong, _):
            guard let d = ExampleOracle.number(value) else { return [] }
            return ordered.compactMap { n in
                let x = d.rounded(.down) + Double(n)
                return x >= 0 && x < 1.8e19 ? .unsignedLong(UInt64(x)) : nil
            }
        case (.long, _), (.dynamic, .long):
            guard let d = ExampleOracle.number(value) else { return [] }
            let bases = d == d.rounded() ? [d] : [d.rounded(.down), d.rounded(.up)]
            return bases.flatMap { b in ordered.compactMap { n in
                let x = b + Double(n)
                return abs(x) < 9e18 ? Value.long(Int64(x)) : nil
            } }
        default:
            return []
        }
    }

    /// Ordinary values of a type, for fields that need a value but no particular one.
    func genericValues(_ type: FieldType) -> [Value] {
        switch type {
        case .keyword, .dynamic:
            let words = ["tripline", "Tripline Miss", "zq", "x", "0", "C:\\tripline\\none.exe", "/tmp/tripline", ""]
            return words.map(Value.keyword) + (type == .dynamic ? [.long(7)] : [])
        case .long: return [7, 0, -1, 65_000, 123_456_789].map(Value.long)
        case .unsignedLong: return [7, 0, 123_456_789].map(Value.unsignedLong)
        case .double: return [7.5, 0, -1.25, 1e6].map(Value.double)
        case .ip:
            return ["192.0.2.7", "198.51.100.9", "203.0.113.77", "2001:db8::7", "8.8.8.8", "1.1.1.1", "10.1.2.3",
                    "172.16.1.1", "192.168.1.1", "127.0.0.1", "::1", "100.64.0.1", "169.254.1.1", "fe80::1", "224.0.0.1"]
                .compactMap { IPAddress($0).map(Value.ip) }
        case .date: return [1_714_564_800_000, 0, 4_102_444_800_000].map(Value.date)
        case .boolean: return [.bool(true), .bool(false)]
        case .unqueryable: return []
        }
    }

    /// The literals inside expressions: what their fields' candidate values are built from.
    private func constantsOf(_ expression: ValueExpression) -> [Value] {
        switch expression {
        case .constant(let value): return [value]
        case .field, .column, .indexName: return []
        case .call(_, _, let args), .esql(_, let args): return args.flatMap(constantsOf)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return constantsOf(a) + constantsOf(b)
        case .negate(let a), .isNull(let a, _), .not(let a):
            return constantsOf(a)
        case .matches(let a, let matchers, let ci):
            let test = ValueTest(field: -1, type: .dynamic, matchers: matchers, caseInsensitive: ci, negated: false, multiValue: .anyValue)
            return constantsOf(a) + candidates(for: test).filter { oracle.truth(test, [$0]) == .true }.prefix(6)
        }
    }

    /// Candidate values for a field read by expressions, built from the expressions' literals.
    private func pool(for type: FieldType, constants: [Value]) -> [Value] {
        var out: [Value] = []
        func add(_ v: Value) { if ExampleOracle.indexed(v, type) != nil, !out.contains(v) { out.append(v) } }
        let strings = constants.compactMap { v -> [UInt8]? in if case .keyword(let b) = v { return b } else { return nil } }
        let numbers = constants.compactMap { v -> Int64? in if case .long(let n) = v { return n } else { return nil } }
        switch type {
        case .keyword, .dynamic:
            for generic in ["x", "xx", "xy", "ab", "a.b"] { add(.keyword(generic)) }
            for s in strings {
                for variant in [s, Array("x".utf8) + s, s + Array("x".utf8), Array("x".utf8) + s + Array("x".utf8), ExampleOracle.swapCase(s)] {
                    add(.keyword(variant))
                }
            }
            for a in strings.prefix(4) { for b in strings.prefix(4) { add(.keyword(a + b)) } }
            for n in numbers where n >= 0 && n <= 5000 {
                for length in [n, n + 1, n - 1] where length >= 0 { add(.keyword(String(repeating: "a", count: Int(length)))) }
            }
            if type == .dynamic { for n in numbers { add(.long(n)) } }
        case .long, .unsignedLong, .double:
            for n in numbers + [0, 1] { for d in [n, n + 1, n - 1] { add(.long(d)); add(.double(Double(d))); if d >= 0 { add(.unsignedLong(UInt64(d))) } } }
        case .ip:
            for s in strings { if let a = IPAddress(s) { add(.ip(a)) } else if let n = IPNetwork(String(decoding: s, as: UTF8.self)) { add(.ip(n.address)) } }
        default:
            break
        }
        for v in genericValues(type) { add(v) }
        return out
    }

    /// The event with the fields around one broken constraint solved again; nil when that leaf
    /// cannot be broken alone.
    func resolve(_ event: GeneratedFields, constraints: [ExampleConstraint], around changed: ExampleConstraint, policy: Policy) -> GeneratedFields? {
        var fields: Set<Int> = []
        if let f = changed.field { fields.insert(f) }
        if case .expression(let e, _) = changed { fields.formUnion(fieldsOf(e).map(\.0)) }
        // Close over expressions that tie these fields to others.
        var grew = true
        while grew {
            grew = false
            for case .expression(let e, _) in constraints {
                let fs = Set(fieldsOf(e).map(\.0))
                if !fs.isDisjoint(with: fields) && !fs.isSubset(of: fields) { fields.formUnion(fs); grew = true }
            }
        }
        let relevant = constraints.filter { c in
            if let f = c.field { return fields.contains(f) }
            if case .expression(let e, _) = c { return fieldsOf(e).contains { fields.contains($0.0) } }
            return false
        }
        guard case .success(let solved) = synthesize(relevant, policy: policy) else { return nil }
        var result = event
        for f in fields { result[f] = solved[f] }
        return result
    }

    // MARK: Index names and JSON

    private func localPatterns(_ patterns: IndexPatternSet) -> (includes: [String], excludes: [String]) {
        let local = patterns.patterns.map { p -> String in
            guard let colon = p.lastIndex(of: ":") else { return p }
            return String(p[p.index(after: colon)...])
        }
        return (local.filter { !$0.hasPrefix("-") }, local.filter { $0.hasPrefix("-") }.map { String($0.dropFirst()) })
    }

    func ownIndexMatch(_ patterns: IndexPatternSet, _ name: String) -> Bool {
        let (includes, excludes) = localPatterns(patterns)
        let bytes = Array(name.utf8)
        return includes.contains { ExampleOracle.glob(Array($0.utf8), bytes, questionMark: false) }
            && !excludes.contains { ExampleOracle.glob(Array($0.utf8), bytes, questionMark: false) }
    }

    /// A concrete index one of the rule's patterns reads: `*` made `default` (`-default` after a
    /// name, so `logs-system.security*` reads `logs-system.security-default`), else `x`.
    func indexName(for patterns: IndexPatternSet) -> String? {
        let (includes, _) = localPatterns(patterns)
        for fill in ["-default", "default", "x", "tripline"] {
            for include in includes {
                var name = ""
                for c in include {
                    if c != "*" { name.append(c); continue }
                    let afterName = name.last.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false
                    name += fill.hasPrefix("-") && !afterName ? String(fill.dropFirst()) : fill
                }
                if ownIndexMatch(patterns, name) { return name }
            }
        }
        return nil
    }

    static func jsonString(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        let hex = Array("0123456789abcdef".utf8)
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), b]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    func jsonValue(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .long(let n): String(n)
        case .unsignedLong(let n): String(n)
        case .double(let d): "\(d)"
        case .keyword(let bytes): Self.jsonString(bytes)
        case .ip(let address): Self.jsonString(Array(address.description.utf8))
        case .date(let ms): Self.jsonString(Array(dateFormatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)).utf8))
        case .multi(let values): "[" + values.map(jsonValue).joined(separator: ",") + "]"
        }
    }

    /// A JSON object node: keys in insertion order.
    private final class Node {
        var keys: [String] = []
        var leaves: [String: String] = [:]
        var children: [String: Node] = [:]

        func insert(_ components: ArraySlice<String>, _ json: String) {
            let key = components.first!
            if components.count == 1 {
                precondition(leaves[key] == nil && children[key] == nil, "paths sorted by depth never collide")
                keys.append(key)
                leaves[key] = json
            } else if leaves[key] != nil {
                // A shorter path holds a value here: the rest goes in as one dotted key.
                let dotted = components.joined(separator: ".")
                precondition(leaves[dotted] == nil && children[dotted] == nil)
                keys.append(dotted)
                leaves[dotted] = json
            } else {
                if children[key] == nil { children[key] = Node(); keys.append(key) }
                children[key]!.insert(components.dropFirst(), json)
            }
        }

        func render() -> String {
            "{" + keys.map { key in
                RuleExampleGenerator.jsonString(Array(key.utf8)) + ":" + (leaves[key] ?? children[key]!.render())
            }.joined(separator: ",") + "}"
        }
    }

    /// The event as one NDJSON line: nested objects from the dotted paths, arrays for several values.
    func json(_ event: GeneratedFields, index: String?, dataStream: [String]? = nil) -> String {
        var entries: [(path: String, json: String)] = []
        if let index { entries.append(("_index", Self.jsonString(Array(index.utf8)))) }
        if let dataStream {
            for (name, value) in zip(["type", "dataset", "namespace"], dataStream) {
                entries.append(("data_stream." + name, Self.jsonString(Array(value.utf8))))
            }
        }
        if !event.keys.contains(where: { paths[$0] == "@timestamp" }) {
            entries.append(("@timestamp", Self.jsonString(Array("2024-05-01T12:00:00.000Z".utf8))))
        }
        for field in event.keys.sorted() {
            guard let values = event[field], !values.isEmpty else { continue }
            let json = values.count == 1 ? jsonValue(values[0]) : "[" + values.map(jsonValue).joined(separator: ",") + "]"
            entries.append((paths[field], json))
        }
        let root = Node()
        let depth = { (path: String) in path.split(separator: ".", omittingEmptySubsequences: false).count }
        for entry in entries.enumerated().sorted(by: { (depth($0.element.path), $0.offset) < (depth($1.element.path), $1.offset) }) {
            root.insert(entry.element.path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)[...], entry.element.json)
        }
        return root.render()
    }

    // MARK: Descriptions

    func describe(_ constraint: ExampleConstraint) -> String {
        let text: String
        switch constraint {
        case .want(let test): text = "\(paths[test.field]) \(describe(test.matchers, test.caseInsensitive))"
        case .avoid(let test): text = "not \(paths[test.field]) \(describe(test.matchers, test.caseInsensitive))"
        case .absent(let f, _): text = "\(paths[f]) == null"
        case .present(let f, _): text = "\(paths[f]) != null"
        case .expression(let e, let holds): text = (holds ? "" : "not ") + describe(e)
        }
        return text.count > 160 ? String(text.prefix(157)) + "..." : text
    }

    func describe(_ type: FieldType) -> String {
        switch type {
        case .keyword(let limit?, let lowercase): "keyword, ignore_above \(limit)" + (lowercase ? ", lowercase" : "")
        case .dynamic: "unmapped (dynamic: strings as keyword, ignore_above \(FieldType.dynamicIgnoreAbove))"
        default: type.name
        }
    }

    private func describe(_ matchers: [ValueMatcher], _ ci: Bool) -> String {
        let items = matchers.prefix(3).map { m -> String in
            switch m {
            case .keyword(let op, let b): "\(op.rawValue) \"\(String(decoding: b, as: UTF8.self))\""
            case .wildcard(let p): "like \"\(p.text)\""
            case .regex(let r): "regex \"\(r.pattern)\""
            case .typed(let op, let v): "\(op.rawValue) \(jsonValue(v))"
            case .network(let n): "in \(n.address)/\(n.address.isV4 ? n.prefix - 96 : n.prefix)"
            case .anyWord(let words): "matches words \(words.map { String(decoding: $0, as: UTF8.self) }.sorted())"
            case .fuzzy(let term, let edits, _): "~\(edits) \"\(String(decoding: term, as: UTF8.self))\""
            }
        }
        return (ci ? "~" : "") + "(" + items.joined(separator: ", ") + (matchers.count > 3 ? ", +\(matchers.count - 3)" : "") + ")"
    }

    func describe(_ e: ValueExpression) -> String {
        switch e {
        case .constant(let v): return jsonValue(v)
        case .field(let f, _, _): return paths[f]
        case .call(let fn, let ci, let args): return fn.rawValue + (ci ? "~" : "") + "(" + args.map(describe).joined(separator: ", ") + ")"
        case .column(let slot): return "column \(slot)"
        case .indexName: return "_index"
        case .esql(let call, let args): return call.function.rawValue + "(" + args.map(describe).joined(separator: ", ") + ")"
        case .arithmetic(let op, let a, let b): return "(\(describe(a)) \(op.rawValue) \(describe(b)))"
        case .negate(let a): return "-\(describe(a))"
        case .compare(let op, let a, let b): return "\(describe(a)) \(op.rawValue) \(describe(b))"
        case .matches(let a, let m, let ci): return "\(describe(a)) matches \(describe(m, ci))"
        case .isNull(let a, let negated): return "\(describe(a)) \(negated ? "!=" : "==") null"
        case .not(let a): return "not \(describe(a))"
        case .and(let a, let b): return "(\(describe(a)) and \(describe(b)))"
        case .or(let a, let b): return "(\(describe(a)) or \(describe(b)))"
        }
    }
}
