#if canImport(Glibc)
import Glibc
#endif

/// ES|QL's string functions. Strings are UTF-8 keywords; positions and lengths count code points
/// (Elasticsearch walks `BytesRef`s with `UnicodeUtil`), unlike EQL's UTF-16 units.
extension ESQLCall {
    /// Elasticsearch refuses to build a string result longer than this (`MAX_BYTES_REF_RESULT_SIZE`).
    static let maxResultBytes = 1_048_576

    func string(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        // TO_LOWER and TO_UPPER change every value of a multi-value (Elasticsearch 9.1's
        // `to_lower_mv` capability); the other string functions take single values.
        if function == .toLower || function == .toUpper {
            let upper = function == .toUpper
            return Self.eachValue(args[0], &warnings) { value in
                guard let bytes = value.keywordBytes else { return nil }
                let text = String(decoding: bytes, as: UTF8.self)
                return .keyword(Array((upper ? text.uppercased() : text.lowercased()).utf8))
            }
        }
        guard let args = Self.singles(args, &warnings) else { return .null }
        switch function {
        case .concat:
            var out: [UInt8] = []
            for arg in args {
                guard let bytes = arg.keywordBytes else { return .null }
                out += bytes
                guard out.count <= Self.maxResultBytes else { warnings.invalidArgument += 1; return .null }
            }
            return .keyword(out)
        case .replace:
            return replace(args, &warnings)
        case .startsWith, .endsWith, .contains:
            guard let text = args[0].keywordBytes, let part = args[1].keywordBytes else { return .null }
            switch function {
            case .startsWith: return .bool(text.starts(with: part))
            case .endsWith: return .bool(text.count >= part.count && text[(text.count - part.count)...].elementsEqual(part))
            default: return .bool(Self.firstIndex(of: part, in: text, from: 0) != nil)
            }
        case .locate:
            guard let text = args[0].keywordBytes, let part = args[1].keywordBytes else { return .null }
            var start: Int64 = 0
            if args.count == 3 {
                guard let n = args[2].integerArgument else { return .null }
                start = n
            }
            // From the first code point (the usual call) no offsets need counting.
            var from = 0
            if start > 1 || start < 0 {
                let offsets = Self.codePointOffsets(text)
                from = offsets[Self.codePointStart(start, count: offsets.count - 1)]
            }
            guard let found = Self.firstIndex(of: part, in: text, from: from) else { return .long(0) }
            // 1-based, in code points.
            return .long(Int64(Self.codePointCount(text[..<found])) + 1)
        case .split:
            guard let text = args[0].keywordBytes, let delimiter = args[1].keywordBytes else { return .null }
            guard delimiter.count == 1 else { warnings.invalidArgument += 1; return .null }
            if text.isEmpty { return .keyword([]) }
            return Value.of(text.split(separator: delimiter[0], omittingEmptySubsequences: false).map { .keyword(Array($0)) })
        case .length:
            guard let text = args[0].keywordBytes else { return .null }
            return .long(Int64(Self.codePointCount(text[...])))
        case .bitLength:
            guard let text = args[0].keywordBytes else { return .null }
            return .long(Int64(text.count) * 8)
        case .byteLength:
            guard let text = args[0].keywordBytes else { return .null }
            return .long(Int64(text.count))
        case .substring:
            guard let text = args[0].keywordBytes, let start = args[1].integerArgument else { return .null }
            var length = Int64.max
            if args.count == 3 {
                guard let n = args[2].integerArgument else { return .null }
                guard n >= 0 else { warnings.invalidArgument += 1; return .null }
                length = n
            }
            if text.isEmpty { return .keyword([]) }
            let offsets = Self.codePointOffsets(text)
            let count = offsets.count - 1
            let first = Self.codePointStart(start, count: count)
            let last = first + Int(min(length, Int64(count - first)))
            return .keyword(Array(text[offsets[first]..<offsets[last]]))
        case .left, .right:
            guard let text = args[0].keywordBytes, let length = args[1].integerArgument else { return .null }
            let offsets = Self.codePointOffsets(text)
            let count = offsets.count - 1
            let take = Int(max(0, min(length, Int64(count))))
            return .keyword(Array(function == .left ? text[..<offsets[take]] : text[offsets[count - take]...]))
        case .trim, .ltrim, .rtrim:
            guard let text = args[0].keywordBytes else { return .null }
            var scalars = Substring(String(decoding: text, as: UTF8.self)).unicodeScalars[...]
            if function != .rtrim { while let first = scalars.first, Self.isJavaWhitespace(first) { scalars.removeFirst() } }
            if function != .ltrim { while let last = scalars.last, Self.isJavaWhitespace(last) { scalars.removeLast() } }
            return .keyword(Array(String(scalars).utf8))
        case .reverse:
            // By grapheme cluster, so an emoji with its modifiers stays whole (Elasticsearch uses a
            // BreakIterator over characters).
            guard let text = args[0].keywordBytes else { return .null }
            return .keyword(Array(String(String(decoding: text, as: UTF8.self).reversed()).utf8))
        case .repeat:
            guard let text = args[0].keywordBytes, let times = args[1].integerArgument else { return .null }
            guard times >= 0 else { warnings.invalidArgument += 1; return .null }
            let (total, overflow) = Int64(text.count).multipliedReportingOverflow(by: times)
            guard !overflow, total <= Self.maxResultBytes else { warnings.invalidArgument += 1; return .null }
            var out: [UInt8] = []
            out.reserveCapacity(Int(total))
            for _ in 0..<times { out += text }
            return .keyword(out)
        case .space:
            guard let count = args[0].integerArgument else { return .null }
            guard count >= 0, count <= Self.maxResultBytes else { warnings.invalidArgument += 1; return .null }
            return .keyword([UInt8](repeating: 0x20, count: Int(count)))
        default:
            return .null
        }
    }

    /// REPLACE(string, regex, newString): Java's `replaceAll`, the regex compiled once when it is a constant.
    private func replace(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        guard let text = args[0].keywordBytes, let replacement = args[2].keywordBytes else { return .null }
        let regex: CaptureRegex
        if case .regex(let prepared) = prepared {
            regex = prepared
        } else {
            guard let pattern = args[1].keywordBytes else { return .null }
            do {
                regex = try CaptureRegex(java: String(decoding: pattern, as: UTF8.self))
            } catch {
                warnings.invalidArgument += 1
                return .null
            }
        }
        return .keyword(regex.replacingAll(in: text, with: replacement))
    }

    /// Byte offsets of each code point's start, plus the end: `count + 1` entries.
    static func codePointOffsets(_ text: [UInt8]) -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(text.count + 1)
        for (i, byte) in text.enumerated() where byte & 0xC0 != 0x80 { offsets.append(i) }
        offsets.append(text.count)
        return offsets
    }

    static func codePointCount(_ text: ArraySlice<UInt8>) -> Int {
        var count = 0
        for byte in text where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// A 1-based start position as SUBSTRING and LOCATE read it, as a 0-based code point index:
    /// 0 and 1 both mean the first, a negative start counts from the end, out of range clamps.
    static func codePointStart(_ start: Int64, count: Int) -> Int {
        let index: Int64 = start > 0 ? start - 1 : (start < 0 ? Int64(count) + start : 0)
        return Int(max(0, min(index, Int64(count))))
    }

    /// Java's `indexOf` over bytes: an empty needle is found at `start`.
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        if needle.isEmpty { return start <= haystack.count ? start : nil }
        guard start <= haystack.count, needle.count <= haystack.count - start else { return nil }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let first = pin[0]
                for i in start...(hay.count - pin.count) where hay[i] == first {
                    if memcmp(hay.baseAddress! + i, pin.baseAddress!, pin.count) == 0 { return i }
                }
                return nil
            }
        }
    }

    /// Java's `Character.isWhitespace`: Unicode space separators except the no-break ones, and
    /// the ASCII controls tab through carriage return and 0x1C-0x1F.
    static func isJavaWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x1F: return true
        case 0x00A0, 0x2007, 0x202F: return false
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }
}
