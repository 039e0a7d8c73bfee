#if canImport(Glibc)
import Glibc
#endif

/// The values of one event, as the extractor located them.
/// - warning: Valid only while the batch's bytes are lent; do not escape it.
public struct EventView {
    public let raw: UnsafeRawBufferPointer
    public let values: UnsafeBufferPointer<FieldValue>

    public init(raw: UnsafeRawBufferPointer, values: UnsafeBufferPointer<FieldValue>) {
        self.raw = raw
        self.values = values
    }

    @inlinable
    public func count(of field: Int) -> Int {
        var n = 0
        for value in values where Int(value.field) == field { n += 1 }
        return n
    }

    @inlinable
    public func first(_ field: Int) -> FieldValue? {
        for value in values where Int(value.field) == field { return value }
        return nil
    }
}

/// Runs compiled predicates over events; holds the scratch buffers so the hot path does not allocate.
public struct PredicateEvaluator {
    private var decoded: [UInt8] = []
    private var folded: [UInt8] = []
    private var other: [UInt8] = []

    public init() {
        decoded.reserveCapacity(4096)
        folded.reserveCapacity(4096)
        other.reserveCapacity(4096)
    }

    public mutating func evaluate(_ predicate: Predicate, _ event: EventView) -> Truth {
        switch predicate {
        case .constant(let truth):
            return truth
        case .all(let parts):
            var result = Truth.true
            for part in parts {
                switch evaluate(part, event) {
                case .false: return .false
                case .unknown: result = .unknown
                case .true: break
                }
            }
            return result
        case .any(let parts):
            var result = Truth.false
            for part in parts {
                switch evaluate(part, event) {
                case .true: return .true
                case .unknown: result = .unknown
                case .false: break
                }
            }
            return result
        case .not(let inner):
            return !evaluate(inner, event)
        case .isNull(let field, let negated):
            let isNull = event.count(of: field) == 0
            return (isNull != negated) ? .true : .false
        case .value(let test):
            return evaluate(test, event)
        case .fieldPair(let test):
            return evaluate(test, event)
        }
    }

    private mutating func evaluate(_ test: ValueTest, _ event: EventView) -> Truth {
        var seen = 0
        var anyMatch = false
        for value in event.values where Int(value.field) == test.field {
            seen += 1
            if test.multiValue == .singleValueOnly && seen > 1 { return .unknown }
            if !anyMatch && matches(value, test, event.raw) {
                anyMatch = true
                if test.multiValue == .anyValue { break }
            }
        }
        if seen == 0 { return .unknown }
        return (anyMatch != test.negated) ? .true : .false
    }

    private mutating func matches(_ value: FieldValue, _ test: ValueTest, _ raw: UnsafeRawBufferPointer) -> Bool {
        withValueBytes(value, raw, caseInsensitive: test.caseInsensitive) { bytes, kind in
            for matcher in test.matchers where Self.matches(bytes, kind: kind, matcher) { return true }
            return false
        }
    }

    static func matches(_ bytes: UnsafeRawBufferPointer, kind: FieldValue.Kind, _ matcher: ValueMatcher) -> Bool {
        switch matcher {
        case .equal(let expected):
            return bytes.count == expected.count
                && expected.withUnsafeBytes { bytes.count == 0 || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
        case .wildcard(let pattern):
            return pattern.matches(bytes)
        case .number(let expected):
            return number(bytes) == expected
        case .orderedNumber(let op, let expected):
            guard let actual = number(bytes) else { return false }
            return compare(actual, expected, op)
        case .ordered(let op, let expected):
            return expected.withUnsafeBytes { compareBytes(bytes, $0, op) }
        }
    }

    static func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
        Double(String(decoding: bytes, as: UTF8.self))
    }

    static func compare<T: Comparable>(_ a: T, _ b: T, _ op: Expression.Comparison) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        }
    }

    static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, _ op: Expression.Comparison) -> Bool {
        let order: Int = a.lexicographicallyPrecedes(b) ? -1 : (b.lexicographicallyPrecedes(a) ? 1 : 0)
        return compare(order, 0, op)
    }

    /// Lends a value's bytes: in place when it has no escapes, else decoded; folded if asked.
    private mutating func withValueBytes<R>(
        _ value: FieldValue, _ raw: UnsafeRawBufferPointer, caseInsensitive: Bool,
        _ body: (UnsafeRawBufferPointer, FieldValue.Kind) -> R
    ) -> R {
        var bytes = UnsafeRawBufferPointer(rebasing: raw[Int(value.start)..<(Int(value.start) + Int(value.length))])
        if value.kind == .escapedString {
            decoded.removeAll(keepingCapacity: true)
            _ = JSONGrammar.unescape(bytes, into: &decoded)
            if caseInsensitive {
                decoded.withUnsafeBytes { CaseFolding.fold($0, into: &folded) }
                return folded.withUnsafeBytes { body($0, value.kind) }
            }
            return decoded.withUnsafeBytes { body($0, value.kind) }
        }
        if caseInsensitive {
            CaseFolding.fold(bytes, into: &folded)
            return folded.withUnsafeBytes { body($0, value.kind) }
        }
        bytes = UnsafeRawBufferPointer(rebasing: raw[Int(value.start)..<(Int(value.start) + Int(value.length))])
        return body(bytes, value.kind)
    }

    private mutating func evaluate(_ test: FieldPairTest, _ event: EventView) -> Truth {
        let left = event.values.filter { Int($0.field) == test.left }
        let right = event.values.filter { Int($0.field) == test.right }
        if left.isEmpty || right.isEmpty { return .unknown }
        if test.multiValue == .singleValueOnly && (left.count > 1 || right.count > 1) { return .unknown }
        for l in left {
            let lhs = decode(l, event.raw)
            for r in right {
                other = lhs
                let rhs = decode(r, event.raw)
                let result = other.withUnsafeBytes { a in rhs.withUnsafeBytes { b in Self.compareBytes(a, b, test.comparison) } }
                if result { return .true }
            }
        }
        return .false
    }

    private mutating func decode(_ value: FieldValue, _ raw: UnsafeRawBufferPointer) -> [UInt8] {
        let bytes = UnsafeRawBufferPointer(rebasing: raw[Int(value.start)..<(Int(value.start) + Int(value.length))])
        guard value.kind == .escapedString else { return Array(bytes) }
        decoded.removeAll(keepingCapacity: true)
        _ = JSONGrammar.unescape(bytes, into: &decoded)
        return decoded
    }
}
