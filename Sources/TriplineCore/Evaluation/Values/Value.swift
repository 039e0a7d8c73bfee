/// One value as the rule languages see it, shared by EQL and ES|QL (DESIGN §2).
///
/// Field values stay slices of their batch (`FieldValue`) until an operator needs them; this is
/// the decoded form: what a function returns, what a literal compiles to, what a typed field
/// reads as. Numbers keep their kind so `9007199254740993` stays exact as a long.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case long(Int64)
    case unsignedLong(UInt64)
    case double(Double)
    /// A keyword: UTF-8 bytes, escapes decoded.
    case keyword([UInt8])
    case ip(IPAddress)
    /// Milliseconds since the epoch.
    case date(Int64)
    /// Several values of one column (ES|QL's multi-values): two or more, none null, in the order
    /// Elasticsearch returns them. EQL never sees one: it binds each value of a field on its own.
    indirect case multi([Value])

    /// A column's values as one value: none is null, one is itself, several are `.multi`.
    public static func of(_ values: [Value]) -> Value {
        let present = values.filter { !$0.isNull }
        switch present.count {
        case 0: return .null
        case 1: return present[0]
        default: return .multi(present)
        }
    }

    /// The values without repeats, in the order they first appear.
    static func distinct(_ values: [Value]) -> [Value] {
        var seen = Set<Value>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Each of `keys` extended by each of `values` in turn (a multi-valued part's combinations
    /// with the parts before it), at most `limit` keys; `capped` is set when the limit cut them.
    static func product(_ keys: [[Value]], _ values: [Value], limit: Int, capped: inout Bool) -> [[Value]] {
        var product: [[Value]] = []
        product.reserveCapacity(min(limit, keys.count * values.count))
        for key in keys {
            for value in values {
                guard product.count < limit else { capped = true; return product }
                product.append(key + [value])
            }
        }
        return product
    }

    /// The values a column holds: none for null, the elements of a multi-value.
    public var values: [Value] {
        switch self {
        case .null: []
        case .multi(let values): values
        default: [self]
        }
    }

    /// `values` one by one, without building an array for a single value (aggregates read one
    /// per row and aggregate).
    @inline(__always)
    func forEachValue(_ body: (Value) throws -> Void) rethrows {
        switch self {
        case .null: return
        case .multi(let items): for item in items { try body(item) }
        default: try body(self)
        }
    }

    /// `values.count`, without building the array.
    var valueCount: Int {
        switch self {
        case .null: 0
        case .multi(let items): items.count
        default: 1
        }
    }

    public var isMultiValued: Bool { if case .multi = self { return true } else { return false } }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public static func keyword(_ text: String) -> Value { .keyword(Array(text.utf8)) }

    /// The value as text, as EQL's `string()` and `concat()` render it.
    public var text: [UInt8]? {
        switch self {
        case .null: return nil
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .long(let n): return Array(String(n).utf8)
        case .unsignedLong(let n): return Array(String(n).utf8)
        case .double(let d): return Array(Self.javaDouble(d).utf8)
        case .keyword(let bytes): return bytes
        case .ip(let address): return Array(address.description.utf8)
        case .date(let ms): return Array(Timestamp.iso8601(milliseconds: ms).utf8)
        case .multi: return nil
        }
    }

    /// Java's `Double.toString` for the values rules meet: integral values keep a `.0`.
    static func javaDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == d.rounded(), abs(d) < 1e7 { return String(Int64(d)) + ".0" }
        return String(d)
    }

    /// A number as a double, for mixed arithmetic and comparisons.
    var numeric: Double? {
        switch self {
        case .long(let n): return Double(n)
        case .unsignedLong(let n): return Double(n)
        case .double(let d): return d
        default: return nil
        }
    }

    var isNumber: Bool { numeric != nil }
}

extension Value {
    /// How two values order, as Elasticsearch compares them: numbers by value across kinds
    /// (exactly for two longs), keywords by their UTF-8 bytes (Lucene's term order), addresses
    /// and dates by value; nil for kinds that do not compare (a keyword and a number).
    public static func order(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.long(let x), .long(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.unsignedLong(let x), .unsignedLong(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.long(let x), .unsignedLong(let y)): return x < 0 ? -1 : orderUnsigned(UInt64(x), y)
        case (.unsignedLong(let x), .long(let y)): return y < 0 ? 1 : orderUnsigned(x, UInt64(y))
        case (.long(let x), .double(let y)): return orderLong(x, y)
        case (.double(let x), .long(let y)): return orderLong(y, x).map { -$0 }
        case (.unsignedLong(let x), .double(let y)): return orderDouble(Double(x), y)
        case (.double(let x), .unsignedLong(let y)): return orderDouble(x, Double(y))
        case (.double(let x), .double(let y)): return orderDouble(x, y)
        case (.keyword(let x), .keyword(let y)): return orderBytes(x, y)
        case (.ip(let x), .ip(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.date(let x), .date(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        default: return nil
        }
    }

    private static func orderUnsigned(_ x: UInt64, _ y: UInt64) -> Int { x < y ? -1 : (x > y ? 1 : 0) }

    private static func orderDouble(_ x: Double, _ y: Double) -> Int? {
        if x.isNaN || y.isNaN { return nil }
        return x < y ? -1 : (x > y ? 1 : 0)
    }

    /// A long against a double without rounding the long: 9007199254740993 > 9007199254740992.0.
    private static func orderLong(_ x: Int64, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        if y >= 9.223372036854775807e18 { return -1 }
        if y < -9.223372036854775808e18 { return 1 }
        let whole = y.rounded(.down)
        let w = Int64(whole)
        if x != w { return x < w ? -1 : 1 }
        return y > whole ? -1 : 0
    }

    static func orderBytes(_ x: [UInt8], _ y: [UInt8]) -> Int {
        x.withUnsafeBytes { a in y.withUnsafeBytes { b in orderBytes(a, b) } }
    }

    static func orderBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
    }

    /// A string compared with an address or a date reads as one, as ES|QL casts a string
    /// literal compared with an ip or datetime (`MV_FIRST(ip) == "127.0.0.1"`).
    static func coerced(_ a: Value, _ b: Value) -> (Value, Value) {
        func read(_ text: Value, like other: Value) -> Value {
            guard case .keyword(let bytes) = text else { return text }
            switch other {
            case .ip: return IPAddress(bytes).map(Value.ip) ?? text
            case .date: return Timestamp.milliseconds(iso8601: String(decoding: bytes, as: UTF8.self)).map(Value.date) ?? text
            default: return text
            }
        }
        return (read(a, like: b), read(b, like: a))
    }

    /// Whether `order` satisfies the comparison.
    static func holds(_ op: Expression.Comparison, _ order: Int) -> Bool {
        switch op {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        }
    }
}

extension Value {
    /// As the synthesized hash, but a keyword's bytes go to the hasher in one piece, not one
    /// call per byte (join keys hash on every sequence step match).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
        case .long(let n): hasher.combine(2 as UInt8); hasher.combine(n)
        case .unsignedLong(let n): hasher.combine(3 as UInt8); hasher.combine(n)
        case .double(let d): hasher.combine(4 as UInt8); hasher.combine(d)
        case .keyword(let bytes):
            hasher.combine(5 as UInt8)
            hasher.combine(bytes.count)
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        case .ip(let address): hasher.combine(6 as UInt8); hasher.combine(address)
        case .date(let ms): hasher.combine(7 as UInt8); hasher.combine(ms)
        case .multi(let values): hasher.combine(8 as UInt8); hasher.combine(values)
        }
    }
}
