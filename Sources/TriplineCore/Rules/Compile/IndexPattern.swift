/// The index patterns a rule reads (`index = [...]` or ES|QL `FROM`), matched against an
/// event's index name. `*` wildcards, comma lists, and `-pattern` exclusions as in Elasticsearch.
public struct IndexPatternSet: Sendable, Hashable {
    let includes: [WildcardPattern]
    let excludes: [WildcardPattern]
    public let patterns: [String]

    public init(_ patterns: [String]) {
        let expanded = patterns.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: " ") } }.filter { !$0.isEmpty }
        self.patterns = expanded
        // A `cluster:index` prefix names a remote cluster; a stream has no clusters.
        let local = expanded.map { pattern -> String in
            guard let colon = pattern.lastIndex(of: ":") else { return pattern }
            return String(pattern[pattern.index(after: colon)...])
        }
        includes = local.filter { !$0.hasPrefix("-") }.map { WildcardPattern($0, caseInsensitive: false, questionMarkIsWildcard: false) }
        excludes = local.filter { $0.hasPrefix("-") }.map { WildcardPattern(String($0.dropFirst()), caseInsensitive: false, questionMarkIsWildcard: false) }
    }

    public func matches(_ index: UnsafeRawBufferPointer) -> Bool {
        guard includes.contains(where: { $0.matches(index) }) else { return false }
        return !excludes.contains { $0.matches(index) }
    }

    public func matches(_ index: String) -> Bool {
        var bytes = Array(index.utf8)
        return bytes.withUnsafeMutableBytes { matches(UnsafeRawBufferPointer($0)) }
    }
}

extension IndexPatternSet {
    /// Literals one of which any event routed to these patterns by its own fields holds, or nil.
    ///
    /// An index name is `_index`, or `data_stream.type-dataset-namespace` joined by dashes, so a
    /// dash-free piece of a pattern's literal text lies inside one field's value: the event's raw
    /// bytes hold it. Per include pattern its longest such piece; nil if one has none worth it.
    /// Not for events that take a default index (`--index`): they hold no index field.
    public var requiredLiterals: [[UInt8]]? {
        guard !includes.isEmpty else { return nil }
        var literals: [[UInt8]] = []
        for include in includes {
            let pieces = include.literalRuns.flatMap { $0.split(separator: UInt8(ascii: "-")).map(Array.init) }
            guard let longest = pieces.max(by: { $0.count < $1.count }), longest.count >= 4,
                  let encoded = Predicate.jsonStringForm(longest) else { return nil }
            literals.append(encoded)
        }
        return literals
    }
}
