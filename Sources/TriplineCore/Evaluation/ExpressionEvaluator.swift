/// Computes `ValueExpression`s over one event: Elasticsearch's scripts (functions, arithmetic,
/// comparisons of computed values), with nulls propagating and three-valued logic.
///
/// EQL runs a script once per combination of the values of the fields it reads, each reference
/// bound on its own (`concat(f, f) == "ab"` holds for `f: ["a", "b"]`), and the test holds if any
/// combination makes it true; a missing field is bound once to null.
public struct ExpressionEvaluator {
    private var scratch: [UInt8] = []
    private var keywords = KeywordInterner()
    /// Per field reference of the expression being tested, in evaluation order: its values.
    /// The first `bound` are the current test's; the rest are kept for their capacity.
    private var bindings: [[Value]] = []
    private var bound = 0
    private var choice: [Int] = []
    /// Argument lists of calls, reused: a list per call was an allocation per function evaluated.
    private var spareArguments: [[Value]] = []
    private var cursor = 0
    private var binding = false
    /// ES|QL: the computed columns of the row being evaluated (`ValueExpression.column`).
    public var row: [Value] = []
    /// The index of events that name none (`--index`), as `METADATA _index` reads it.
    public var defaultIndex: [UInt8]?
    /// ES|QL's `NOW()`, in epoch milliseconds.
    public var now: Int64 = 0
    /// What ES|QL would report as warnings (a multi-valued argument, an overflow): counted.
    public var warnings = ESQLWarnings()

    /// At most this many value combinations are tried per test: a bound on hostile events
    /// (two references to fields of 100 values each make 10,000).
    public static let combinationLimit = 10_000

    /// The current event's field reads, by field, once the caller marks where events start
    /// (`nextEvent`): rules read one field again and again (a `CASE` of 150 `process.name == ...`).
    private var reads: [CachedRead] = []
    /// 0 until `nextEvent` is first called: a caller that never calls it gets no caching.
    private var readStamp: UInt32 = 0

    private struct CachedRead {
        var stamp: UInt32
        var type: FieldType
        var mode: MultiValueMode
        var value: Value
    }

    public init() {}

    /// Every read from now on is of another event than before.
    public mutating func nextEvent() {
        readStamp &+= 1
        if readStamp == 0 {
            for index in reads.indices { reads[index].stamp = 0 }
            readStamp = 1
        }
    }

    /// Whether the expression holds for some combination of its fields' values: `.bool(true)`,
    /// else `.bool(false)` if some combination gave false, else null.
    public mutating func test(_ expression: ValueExpression, _ event: EventView) -> Value {
        bound = 0
        collect(expression, event)
        var combinations = 1
        for values in bindings[..<bound] { combinations = min(combinations * values.count, Self.combinationLimit) }
        choice.removeAll(keepingCapacity: true)
        for _ in 0..<bound { choice.append(0) }
        binding = true
        defer { binding = false }
        var sawFalse = false
        for _ in 0..<combinations {
            cursor = 0
            switch value(expression, event) {
            case .bool(true): return .bool(true)
            case .bool(false): sawFalse = true
            default: break
            }
            // The next combination, the last reference varying fastest.
            var slot = bound - 1
            while slot >= 0 {
                choice[slot] += 1
                if choice[slot] < bindings[slot].count { break }
                choice[slot] = 0
                slot -= 1
            }
        }
        return sawFalse ? .bool(false) : .null
    }

    /// Reads the values of every multi-valued field reference, in the order `value` meets them.
    private mutating func collect(_ expression: ValueExpression, _ event: EventView) {
        switch expression {
        case .constant, .column, .indexName: break
        case .esql(_, let args): for arg in args { collect(arg, event) }
        case .field(let field, let type, let mode):
            guard mode == .anyValue else { return }
            // Into the list this reference had last time, emptied: a fresh list per reference
            // per test was an allocation each.
            if bound == bindings.count { bindings.append([]) }
            bindings[bound].removeAll(keepingCapacity: true)
            for raw in event.values(of: field) {
                if let typed = raw.typed(type, in: event.raw, scratch: &scratch, interner: &keywords) { bindings[bound].append(typed) }
            }
            if bindings[bound].isEmpty { bindings[bound].append(.null) }
            bound += 1
        case .call(_, _, let args): for arg in args { collect(arg, event) }
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            collect(a, event); collect(b, event)
        case .negate(let a), .matches(let a, _, _), .isNull(let a, _), .not(let a):
            collect(a, event)
        }
    }

    /// A call's argument values, in a list from `spareArguments` (calls nest, so each takes its own).
    private mutating func arguments(_ args: [ValueExpression], _ event: EventView) -> [Value] {
        var values = spareArguments.popLast() ?? []
        values.reserveCapacity(args.count)
        for arg in args { values.append(value(arg, event)) }
        return values
    }

    /// A call's argument list back to the spares, emptied (unless the function kept it).
    private mutating func recycle(_ values: inout [Value]) {
        values.removeAll(keepingCapacity: true)
        if spareArguments.count < 16 { spareArguments.append(values) }
    }

    /// Whether an operand may go unevaluated (`false AND x`, a `CASE` branch not taken): only
    /// while no EQL test binds field references, which must meet their bindings in `collect`'s
    /// order.
    private var mayShortCut: Bool { !binding || bound == 0 }

    /// The expression's value; while a test binds field references, every operand is evaluated
    /// (no short cut), so they meet their bindings in `collect`'s order.
    public mutating func value(_ expression: ValueExpression, _ event: EventView) -> Value {
        switch expression {
        case .constant(let value):
            return value
        case .field(let field, let type, let mode):
            if binding && mode == .anyValue {
                let value = bindings[cursor][choice[cursor]]
                cursor += 1
                return value
            }
            return read(field, type, mode, event)
        case .call(let function, let caseInsensitive, let args):
            var values = arguments(args, event)
            defer { recycle(&values) }
            return function.apply(values, caseInsensitive: caseInsensitive)
        case .column(let slot):
            return row[slot]
        case .indexName(let fields):
            return fields.concreteName(of: event, fallback: defaultIndex).map { .keyword($0) } ?? .null
        case .esql(let call, let args):
            if call.function == .case && mayShortCut { return caseValue(call, args, event) }
            var values = arguments(args, event)
            defer { recycle(&values) }
            return call.apply(values, now: now, warnings: &warnings)
        case .arithmetic(let op, let a, let b):
            return Arithmetic.apply(op, value(a, event), value(b, event))
        case .negate(let inner):
            return Arithmetic.negate(value(inner, event))
        case .compare(let op, let a, let b):
            let (x, y) = Value.coerced(value(a, event), value(b, event))
            if x.isNull || y.isNull { return .null }
            if x.isMultiValued || y.isMultiValued { warnings.multiValuedArgument += 1; return .null }
            guard let order = Value.order(x, y) else { return .null }
            return .bool(Value.holds(op, order))
        case .matches(let inner, let matchers, let caseInsensitive):
            let subject = value(inner, event)
            if subject.isNull { return .null }
            if subject.isMultiValued { warnings.multiValuedArgument += 1; return .null }
            var folded = subject
            if caseInsensitive, case .keyword(let bytes) = subject { folded = .keyword(CaseFolding.fold(bytes)) }
            switch subject {
            case .ip, .date:
                // `ip IN ("127.0.0.1", "::1")`: the strings read as addresses (or dates), as ES|QL casts them.
                return .bool(matchers.contains { matcher in
                    guard case .keyword(let op, let bytes) = matcher else { return PredicateEvaluator.matches(subject, matcher) }
                    let (x, y) = Value.coerced(subject, .keyword(bytes))
                    return Value.order(x, y).map { Value.holds(op, $0) } ?? false
                })
            default: break
            }
            // A regex folds case itself: it reads the value unfolded.
            return .bool(matchers.contains { matcher in
                if case .regex = matcher { return PredicateEvaluator.matches(subject, matcher) }
                return PredicateEvaluator.matches(folded, matcher)
            })
        case .isNull(let inner, let negated):
            return .bool(value(inner, event).isNull != negated)
        case .not(let inner):
            if case .bool(let b) = value(inner, event) { return .bool(!b) }
            return .null
        case .and(let a, let b):
            let x = value(a, event)
            if x == .bool(false) && mayShortCut { return x }
            let y = value(b, event)
            if x == .bool(false) || y == .bool(false) { return .bool(false) }
            return x == .bool(true) && y == .bool(true) ? .bool(true) : .null
        case .or(let a, let b):
            let x = value(a, event)
            if x == .bool(true) && mayShortCut { return x }
            let y = value(b, event)
            if x == .bool(true) || y == .bool(true) { return .bool(true) }
            return x == .bool(false) && y == .bool(false) ? .bool(false) : .null
        }
    }

    /// A field read outside a test: the first of its doc values, which are sorted (the
    /// smallest), for EQL's ordering fields; ES|QL reads them all, as a multi-value when several.
    private mutating func read(_ field: Int, _ type: FieldType, _ mode: MultiValueMode, _ event: EventView) -> Value {
        if readStamp != 0, field < reads.count, reads[field].stamp == readStamp, reads[field].type == type, reads[field].mode == mode {
            return reads[field].value
        }
        let value = decode(field, type, mode, event)
        if readStamp != 0 {
            if field >= reads.count {
                reads += repeatElement(CachedRead(stamp: 0, type: .dynamic, mode: .anyValue, value: .null), count: field + 1 - reads.count)
            }
            reads[field] = CachedRead(stamp: readStamp, type: type, mode: mode, value: value)
        }
        return value
    }

    /// `read` without the cache.
    private mutating func decode(_ field: Int, _ type: FieldType, _ mode: MultiValueMode, _ event: EventView) -> Value {
        var chosen: Value = .null
        var several: [Value] = []
        for raw in event.values(of: field) {
            guard let typed = raw.typed(type, in: event.raw, scratch: &scratch, interner: &keywords) else { continue }
            if mode == .singleValueOnly && !chosen.isNull { several.append(typed); continue }
            if chosen.isNull || (Value.order(typed, chosen) ?? 0) < 0 { chosen = typed }
        }
        guard !several.isEmpty else { return chosen }
        return Self.docValues([chosen] + several, type: type)
    }

    /// Several values as Elasticsearch's doc values hold them: sorted, keywords without repeats.
    static func docValues(_ values: [Value], type: FieldType) -> Value {
        var sorted = values.sorted { (Value.order($0, $1) ?? 0) < 0 }
        if type.isKeyword {
            var unique: [Value] = []
            for value in sorted where unique.last != value { unique.append(value) }
            sorted = unique
        }
        return Value.of(sorted)
    }
}

/// EQL's arithmetic: longs stay exact (an overflow, or a division by zero, is null rather than
/// Elasticsearch's query error), any double makes a double; `/` of two longs truncates.
enum Arithmetic {
    static func apply(_ op: Expression.Arithmetic, _ a: Value, _ b: Value) -> Value {
        switch (a, b) {
        // ES|QL: a date plus or minus a time span (`@timestamp - 5 minutes`); spans arrive as "5 minute".
        case (.date(let ms), .keyword(let text)) where op == .add || op == .subtract:
            return span(text).flatMap { $0.added(to: ms, sign: op == .add ? 1 : -1) }.map(Value.date) ?? .null
        case (.keyword(let text), .date(let ms)) where op == .add:
            return span(text).flatMap { $0.added(to: ms, sign: 1) }.map(Value.date) ?? .null
        case (.long(let x), .long(let y)):
            switch op {
            case .add: let (r, o) = x.addingReportingOverflow(y); return o ? .null : .long(r)
            case .subtract: let (r, o) = x.subtractingReportingOverflow(y); return o ? .null : .long(r)
            case .multiply: let (r, o) = x.multipliedReportingOverflow(by: y); return o ? .null : .long(r)
            case .divide: let (r, o) = x.dividedReportingOverflow(by: y); return o ? .null : .long(r)
            case .modulo: let (r, o) = x.remainderReportingOverflow(dividingBy: y); return o ? .null : .long(r)
            }
        default:
            guard let x = a.numeric, let y = b.numeric else { return .null }
            switch op {
            case .add: return .double(x + y)
            case .subtract: return .double(x - y)
            case .multiply: return .double(x * y)
            case .divide: return y == 0 ? .null : .double(x / y)
            case .modulo: return y == 0 ? .null : .double(x.truncatingRemainder(dividingBy: y))
            }
        }
    }

    private static func span(_ text: [UInt8]) -> ESQLTimeSpan? {
        try? ESQLTimeSpan(String(decoding: text, as: UTF8.self))
    }

    static func negate(_ value: Value) -> Value {
        switch value {
        case .long(let n): return n == .min ? .null : .long(-n)
        case .double(let d): return .double(-d)
        default: return .null
        }
    }
}
