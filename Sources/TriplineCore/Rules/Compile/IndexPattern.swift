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
