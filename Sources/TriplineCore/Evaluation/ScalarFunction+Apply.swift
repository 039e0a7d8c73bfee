/// EQL's functions on values, as Elasticsearch's EQL function reference defines them. String
/// positions count UTF-16 units, as Java's strings do.
extension ScalarFunction {
    func apply(_ args: [Value], caseInsensitive: Bool) -> Value {
        switch self {
        case .add: return Arithmetic.apply(.add, args[0], args[1])
        case .subtract: return Arithmetic.apply(.subtract, args[0], args[1])
        case .multiply: return Arithmetic.apply(.multiply, args[0], args[1])
        case .divide: return Arithmetic.apply(.divide, args[0], args[1])
        case .modulo: return Arithmetic.apply(.modulo, args[0], args[1])
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
            guard let text = Self.string(args[0]) else { return .null }
            return .long(Int64(text.utf16.count))
        case .startsWith, .endsWith, .stringContains:
            // Case-sensitive, on valid UTF-8 (every value here is): a byte match is a UTF-16 one,
            // without building two strings and their UTF-16 arrays per call.
            if !caseInsensitive, case .keyword(let source) = args[0], case .keyword(let part) = args[1] {
                switch self {
                case .startsWith: return .bool(source.starts(with: part))
                case .endsWith: return .bool(source.count >= part.count && source.suffix(part.count).elementsEqual(part))
                default: return .bool(!part.isEmpty && Self.contains(part, in: source))
                }
            }
            guard let source = Self.string(args[0]), let part = Self.string(args[1]) else { return .null }
            let s = caseInsensitive ? source.lowercased() : source
            let p = caseInsensitive ? part.lowercased() : part
            switch self {
            case .startsWith: return .bool(s.utf16.starts(with: p.utf16))
            case .endsWith: return .bool(s.utf16.reversed().starts(with: p.utf16.reversed()))
            // An empty part is not contained (Elasticsearch's stringContains).
            default: return .bool(!p.isEmpty && Self.index(of: Array(p.utf16), in: Array(s.utf16), from: 0) != nil)
            }
        case .indexOf:
            guard let source = Self.string(args[0]), let part = Self.string(args[1]) else { return .null }
            var start = 0
            // A null start is 0, as Elasticsearch's processor reads it.
            if args.count == 3, !args[2].isNull {
                guard case .long(let n) = args[2] else { return .null }
                start = Int(clamping: max(0, n))
            }
            let s = Array((caseInsensitive ? source.lowercased() : source).utf16)
            let p = Array((caseInsensitive ? part.lowercased() : part).utf16)
            return Self.index(of: p, in: s, from: start).map { .long(Int64($0)) } ?? .null
        case .between:
            guard let source = Self.string(args[0]), let left = Self.string(args[1]), let right = Self.string(args[2]) else { return .null }
            var greedy = false
            if args.count == 4 {
                guard case .bool(let g) = args[3] else { return .null }
                greedy = g
            }
            // An empty source, left or right gives the source back unchanged.
            if source.isEmpty || left.isEmpty || right.isEmpty { return .keyword(Array(source.utf8)) }
            let original = Array(source.utf16)
            let s = caseInsensitive ? Array(source.lowercased().utf16) : original
            let l = Array((caseInsensitive ? left.lowercased() : left).utf16)
            let r = Array((caseInsensitive ? right.lowercased() : right).utf16)
            guard s.count == original.count, let found = Self.index(of: l, in: s, from: 0) else { return .keyword([]) }
            let start = found + l.count
            let end = greedy ? Self.lastIndex(of: r, in: s, from: start) : Self.index(of: r, in: s, from: start)
            guard let end else { return .keyword([]) }
            return .keyword(Array(String(decoding: original[start..<end], as: UTF16.self).utf8))
        case .substring:
            guard let source = Self.string(args[0]) else { return .null }
            // A null start gives the source back unchanged.
            if args[1].isNull { return args[0] }
            guard case .long(let startArg) = args[1] else { return .null }
            let units = Array(source.utf16)
            var endArg = Int64(units.count)
            if args.count == 3 {
                switch args[2] {
                case .long(let n): endArg = n
                case .null: break
                default: return .null
                }
            }
            // Python's slicing: negative positions count from the end; out of range clamps.
            func position(_ n: Int64) -> Int {
                let count = Int64(units.count)
                return Int(n < 0 ? max(0, count + n) : min(n, count))
            }
            let start = position(startArg), end = position(endArg)
            guard start < end else { return .keyword([]) }
            return .keyword(Array(String(decoding: units[start..<end], as: UTF16.self).utf8))
        case .number:
            guard let text = Self.string(args[0]) else { return .null }
            var base = 10
            if args.count == 2 {
                guard case .long(let b) = args[1], (2...36).contains(b) else { return .null }
                base = Int(b)
            }
            var digits = Substring(text)
            var negative = false
            if digits.first == "-" || digits.first == "+" { negative = digits.first == "-"; digits = digits.dropFirst() }
            if base == 16, digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
            if let n = Int64(digits, radix: base) { return .long(negative ? -n : n) }
            if base == 10, let d = Double(text), d.isFinite { return .double(d) }
            return .null
        case .cidrMatch:
            let address: IPAddress
            switch args[0] {
            case .ip(let a): address = a
            case .keyword(let bytes):
                guard let a = IPAddress(bytes) else { return .null }
                address = a
            default: return .null
            }
            for block in args.dropFirst() {
                guard case .keyword(let bytes) = block, let network = IPNetwork(String(decoding: bytes, as: UTF8.self)) else { return .null }
                if network.contains(address) { return .bool(true) }
            }
            return .bool(false)
        }
    }

    /// A string argument's text; numbers and other kinds are not strings here.
    private static func string(_ value: Value) -> String? {
        guard case .keyword(let bytes) = value else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the bytes hold the part.
    private static func contains(_ part: [UInt8], in source: [UInt8]) -> Bool {
        source.withUnsafeBytes { source in
            part.withUnsafeBytes { ByteSearch.firstIndex(of: $0, in: source, from: 0, to: source.count) != nil }
        }
    }

    /// Java's `indexOf`: an empty needle is found at `min(start, count)`.
    private static func index(of needle: [UInt16], in haystack: [UInt16], from start: Int) -> Int? {
        if needle.isEmpty { return min(start, haystack.count) }
        guard start <= haystack.count, needle.count <= haystack.count - start else { return nil }
        for i in start...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    private static func lastIndex(of needle: [UInt16], in haystack: [UInt16], from start: Int) -> Int? {
        guard start <= haystack.count, needle.count <= haystack.count - start else { return nil }
        for i in stride(from: haystack.count - needle.count, through: start, by: -1)
        where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}
