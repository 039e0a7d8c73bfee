// The predefined character classes of java.util.regex (ASCII by default, as Java's are without
// UNICODE_CHARACTER_CLASS), POSIX and Unicode properties, and case folding of whole sets.

enum CaptureCharClasses {
    static let digit: [ClosedRange<UInt32>] = [0x30...0x39]
    static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    /// Java's `\s`: space, \t \n \x0B \f \r.
    static let space: [ClosedRange<UInt32>] = [0x09...0x0D, 0x20...0x20]
    static let hexDigit: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x46, 0x61...0x66]
    static let horizontalSpace: [ClosedRange<UInt32>] = [
        0x09...0x09, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x180E...0x180E, 0x2000...0x200A,
        0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000,
    ]
    static let verticalSpace: [ClosedRange<UInt32>] = [0x0A...0x0D, 0x85...0x85, 0x2028...0x2029]
    /// What ends a line for Java's `.`, `^` and `$` (without UNIX_LINES).
    static let lineTerminators: [ClosedRange<UInt32>] = [0x0A...0x0A, 0x0D...0x0D, 0x85...0x85, 0x2028...0x2029]

    static func isWord(_ c: UInt32) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || c == 0x5F || (0x61...0x7A).contains(c)
    }

    static func isLineTerminator(_ c: UInt32) -> Bool {
        c == 0x0A || c == 0x0D || c == 0x85 || c == 0x2028 || c == 0x2029
    }

    /// Java's POSIX classes (US-ASCII only, as `\p{Alpha}` is by default).
    private static let posix: [String: [ClosedRange<UInt32>]] = {
        let lower: [ClosedRange<UInt32>] = [0x61...0x7A], upper: [ClosedRange<UInt32>] = [0x41...0x5A]
        let alpha = lower + upper
        let alnum = alpha + digit
        let punct: [ClosedRange<UInt32>] = [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
        let graph = alnum + punct
        let table: [String: [ClosedRange<UInt32>]] = [
            "Lower": lower, "Upper": upper, "ASCII": [0x00...0x7F], "Alpha": alpha, "Digit": digit,
            "Alnum": alnum, "Punct": punct, "Graph": graph, "Print": graph + [0x20...0x20],
            "Blank": [0x09...0x09, 0x20...0x20], "Cntrl": [0x00...0x1F, 0x7F...0x7F], "XDigit": hexDigit,
            "Space": space,
        ]
        return table.mapValues(RegexCharSet.normalize)
    }()

    /// `\p{name}`: Java's POSIX names, Unicode general categories (`L`, `Lu`, `IsL`,
    /// `general_category=Lu`), and a few binary properties; nil when unknown.
    static func property(_ name: String) -> [ClosedRange<UInt32>]? {
        if let set = posix[name] { return set }
        var key = name
        for prefix in ["general_category=", "gc=", "Is", "is"] where key.hasPrefix(prefix) {
            key.removeFirst(prefix.count)
            break
        }
        let tables = UnicodeTables.shared
        if key == "L&" || key == "LC" { return tables.categories["LC"] }
        if let set = tables.categories[key] { return set }
        // Binary properties (`IsDigit` is Unicode's, unlike POSIX `Digit`).
        switch key.lowercased() {
        case "alphabetic": return tables.alphabetic
        case "letter": return tables.categories["L"]
        case "digit": return tables.categories["Nd"]
        case "white_space", "whitespace": return tables.whiteSpace
        case "uppercase": return tables.uppercase
        case "lowercase": return tables.lowercase
        case "any": return [0...RegexParser.maxCodePoint]
        default: return nil
        }
    }

    /// Oniguruma's `[:name:]` brackets (Unicode-aware for UTF-8 text).
    static func posixBracket(_ name: String) -> [ClosedRange<UInt32>]? {
        let tables = UnicodeTables.shared
        func category(_ code: String) -> [ClosedRange<UInt32>] { tables.categories[code] ?? [] }
        switch name {
        case "alpha": return tables.alphabetic
        case "digit": return category("Nd")
        case "alnum": return RegexCharSet.normalize(tables.alphabetic + category("Nd"))
        case "upper": return tables.uppercase
        case "lower": return tables.lowercase
        case "space": return tables.whiteSpace
        case "blank": return RegexCharSet.normalize([0x09...0x09] + category("Zs"))
        case "cntrl": return category("Cc")
        case "punct": return category("P")
        case "xdigit": return hexDigit
        case "word": return RegexCharSet.normalize(tables.alphabetic + category("M") + category("Nd") + category("Pc"))
        case "ascii": return [0x00...0x7F]
        case "graph", "print":
            let invisible = RegexCharSet.normalize(tables.whiteSpace + category("Cc") + category("Cs") + category("Cn"))
            let visible = RegexCharSet.complement(invisible)
            return name == "print" ? RegexCharSet.normalize(visible + category("Zs")) : visible
        default: return nil
        }
    }

    static func intersect(_ a: [ClosedRange<UInt32>], _ b: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            let low = max(a[i].lowerBound, b[j].lowerBound), high = min(a[i].upperBound, b[j].upperBound)
            if low <= high { out.append(low...high) }
            if a[i].upperBound < b[j].upperBound { i += 1 } else { j += 1 }
        }
        return out
    }

    /// Membership in sorted, disjoint ranges (binary search).
    static func contains(_ set: [ClosedRange<UInt32>], _ c: UInt32) -> Bool {
        var low = 0, high = set.count
        while low < high {
            let mid = (low + high) / 2
            if set[mid].upperBound < c { low = mid + 1 } else if set[mid].lowerBound > c { high = mid } else { return true }
        }
        return false
    }

    /// Java's CASE_INSENSITIVE without UNICODE_CASE: ASCII letters match either case.
    static func foldASCII(_ set: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let normalized = RegexCharSet.normalize(set)
        var out = normalized
        for r in intersect(normalized, [0x41...0x5A]) { out.append((r.lowerBound + 32)...(r.upperBound + 32)) }
        for r in intersect(normalized, [0x61...0x7A]) { out.append((r.lowerBound - 32)...(r.upperBound - 32)) }
        return RegexCharSet.normalize(out)
    }

    /// Simple Unicode case folding (UNICODE_CASE, or Oniguruma): every member's case variants.
    static func foldUnicode(_ set: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let normalized = RegexCharSet.normalize(set)
        var out = normalized
        // A small set (`[a-z0-9-]`, a literal) folds member by member; only a large one needs the
        // list of every cased code point, built once (a pass over Unicode, a tenth of a second).
        let size = normalized.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
        if size <= 4096 {
            for range in normalized {
                for c in range { for v in RegexCaseFolding.variants(of: c) where v != c { out.append(v...v) } }
            }
        } else {
            for c in UnicodeTables.cased where contains(normalized, c) {
                for v in RegexCaseFolding.variants(of: c) { out.append(v...v) }
            }
        }
        return RegexCharSet.normalize(out)
    }
}
