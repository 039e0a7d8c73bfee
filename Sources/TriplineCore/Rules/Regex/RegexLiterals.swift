// Literals a match must contain, read off the parsed tree for the literal prefilter. Every rule
// below only ever claims less than the truth, so a prefilter built on them never drops a match:
// a node either knows its whole (small, finite) language, or a set of strings one of which each
// of its matches contains, or nothing.

enum RegexLiterals {
    static let maxAlternatives = 256
    static let maxLength = 256
    /// A class spells out as alternatives only when this small.
    static let maxClassSize = 8

    struct Info {
        /// The node's whole language, when small and finite (may hold the empty string).
        var exact: [[UInt8]]?
        /// One of these non-empty strings occurs in every match of the node.
        var required: [[UInt8]]?
    }

    static func required(_ root: RegexNode, caseInsensitive: Bool) -> [[UInt8]]? {
        guard let found = analyze(root, caseInsensitive), let set = found.required else { return nil }
        return set.allSatisfy({ !$0.isEmpty }) ? set.sorted { $0.lexicographicallyPrecedes($1) } : nil
    }

    private static func analyze(_ node: RegexNode, _ ci: Bool) -> Info? {
        switch node {
        case .empty:
            return Info(exact: [[]], required: nil)
        case .emptyLanguage, .anyChar, .anyString, .complement:
            return Info(exact: nil, required: nil)
        case .char(let c):
            let exact = spell(ci ? RegexCaseFolding.variants(of: c) : [c], ci)
            return Info(exact: exact, required: exact.flatMap(nonEmpty))
        case .set(let ranges):
            let size = ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
            guard size <= maxClassSize else { return Info(exact: nil, required: nil) }
            let exact = spell(ranges.flatMap { Array($0) }, ci)
            return Info(exact: exact, required: exact.flatMap(nonEmpty))
        case .concat(let items):
            return concat(items.map { analyze($0, ci) ?? Info() })
        case .union(let branches):
            let infos = branches.map { analyze($0, ci) ?? Info() }
            var exact: [[UInt8]]? = []
            var required: [[UInt8]]? = []
            for info in infos {
                if let e = info.exact, let so = exact { exact = so + e } else { exact = nil }
                if let r = usable(info), let so = required { required = so + r } else { required = nil }
            }
            return Info(exact: exact.flatMap(bounded), required: required.flatMap { bounded(minimized($0)) })
        case .intersection(let operands, _):
            // A match of the intersection is a match of each operand.
            let sets = operands.compactMap { analyze($0, ci).flatMap(usable) }
            return Info(exact: nil, required: sets.reduce(nil, better))
        case .repeating(let child, let min, let max, _):
            let inner = analyze(child, ci) ?? Info()
            var exact: [[UInt8]]?
            // Past 64 copies a literal would outgrow maxLength anyway (or repeat only "").
            if let e = inner.exact, let max, max <= 64 {
                exact = []
                var power: [[UInt8]]? = [[]]
                for count in 0...max {
                    if count >= min, let p = power { exact = exact.map { $0 + p } }
                    if count == max { break }
                    power = power.flatMap { product($0, e) }
                    if power == nil { exact = nil; break }
                }
                exact = exact.flatMap(bounded)
            }
            guard min >= 1 else { return Info(exact: exact, required: nil) }
            // At least one copy: what one copy needs, or min copies spelled out.
            var minimum: [[UInt8]]? = [[]]
            if let e = inner.exact, min <= 64 {
                for _ in 0..<min { minimum = minimum.flatMap { product($0, e) }; if minimum == nil { break } }
            } else {
                minimum = nil
            }
            return Info(exact: exact, required: better(minimum.flatMap(nonEmpty), usable(inner)))
        }
    }

    /// Runs of consecutive exactly-known items spell out as their product; each run, and each
    /// other item's requirement, is a candidate; the best candidate is the requirement.
    private static func concat(_ items: [Info]) -> Info {
        var candidates: [[[UInt8]]] = []
        var run: [[UInt8]] = [[]]
        var whole = true
        for item in items {
            if let e = item.exact, let grown = product(run, e) {
                run = grown
                continue
            }
            whole = false
            if let r = nonEmpty(run) { candidates.append(r) }
            if let r = usable(item) { candidates.append(r) }
            run = item.exact ?? [[]]
        }
        if let r = nonEmpty(run) { candidates.append(r) }
        return Info(exact: whole ? run : nil, required: candidates.reduce(nil, better))
    }

    /// What a node guarantees: its requirement, or its whole language if that has no "".
    private static func usable(_ info: Info) -> [[UInt8]]? {
        better(info.required, info.exact.flatMap(nonEmpty))
    }

    private static func nonEmpty(_ set: [[UInt8]]) -> [[UInt8]]? {
        set.contains(where: \.isEmpty) || set.isEmpty ? nil : set
    }

    /// Prefers the longer shortest literal, then fewer alternatives.
    private static func better(_ a: [[UInt8]]?, _ b: [[UInt8]]?) -> [[UInt8]]? {
        guard let a else { return b }
        guard let b else { return a }
        let la = a.map(\.count).min() ?? 0, lb = b.map(\.count).min() ?? 0
        if la != lb { return la > lb ? a : b }
        return a.count <= b.count ? a : b
    }

    private static func product(_ a: [[UInt8]], _ b: [[UInt8]]) -> [[UInt8]]? {
        guard a.count * b.count <= maxAlternatives else { return nil }
        var out: [[UInt8]] = []
        for x in a {
            for y in b {
                guard x.count + y.count <= maxLength else { return nil }
                out.append(x + y)
            }
        }
        return deduplicated(out)
    }

    private static func bounded(_ set: [[UInt8]]) -> [[UInt8]]? {
        let unique = deduplicated(set)
        return unique.count <= maxAlternatives ? unique : nil
    }

    private static func deduplicated(_ set: [[UInt8]]) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        return set.filter { seen.insert($0).inserted }
    }

    /// Drops alternatives that contain another: finding the shorter one is already implied.
    private static func minimized(_ set: [[UInt8]]) -> [[UInt8]] {
        let unique = deduplicated(set).sorted { $0.count < $1.count }
        var kept: [[UInt8]] = []
        for candidate in unique where !kept.contains(where: { contains(candidate, $0) }) {
            kept.append(candidate)
        }
        return kept
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// UTF-8 of each code point; ASCII-lowercased when the search will ignore ASCII case. When
    /// case is ignored, a code point with a non-ASCII case variant (s has LONG S, k has KELVIN
    /// SIGN, é has É) spells nothing: listing its variants would multiply the alternatives of
    /// every literal around it, so the literal is cut there instead.
    private static func spell(_ codePoints: [UInt32], _ ci: Bool) -> [[UInt8]]? {
        if ci, codePoints.contains(where: { c in
            let variants = RegexCaseFolding.variants(of: c)
            return variants.count > 1 && variants.contains { $0 >= 0x80 }
        }) {
            return nil
        }
        return deduplicated(codePoints.compactMap { c in
            guard let scalar = Unicode.Scalar(c) else { return nil }
            var bytes = Array(String(Character(scalar)).utf8)
            if ci, bytes.count == 1, (0x41...0x5A).contains(bytes[0]) { bytes[0] |= 0x20 }
            return bytes
        })
    }
}
