/// Where a result column's value comes from.
public enum ESQLCell: Sendable, Hashable {
    /// The event's field at this dotted path.
    case event(String)
    /// A computed column of the row.
    case slot(Int)
    /// `_id`, `_index`, `_version` (asked for with `METADATA`).
    case metadata(String)
}

/// An ES|QL query's result columns: the event's own columns (and its metadata), changed by each
/// command as ES|QL changes them. Names only; values are read per row by whoever writes it.
public enum ESQLResultColumns {
    public static let metadataFields: Set<String> = ["_id", "_index", "_version", "_ignored", "_source", "_score", "_index_mode"]

    /// The columns after `steps`, starting from `initial` (the event's fields, in the order
    /// Elasticsearch lists them: by name).
    public static func resolve(_ steps: [ESQLColumnStep], initial: [(name: String, cell: ESQLCell)]) -> [(name: String, cell: ESQLCell)] {
        var columns = initial
        for step in steps {
            switch step {
            case .set(let name, let slot):
                columns.removeAll { $0.name == name }
                columns.append((name, .slot(slot)))
            case .replace(let name, let slot):
                if let at = columns.firstIndex(where: { $0.name == name }) { columns[at].cell = .slot(slot) } else { columns.append((name, .slot(slot))) }
            case .rename(let from, let to):
                guard let at = columns.firstIndex(where: { $0.name == from }) else { continue }
                columns[at].name = to
                columns = columns.enumerated().filter { $0.offset == at || $0.element.name != to }.map(\.element)
            case .keep(let patterns):
                columns = kept(columns, patterns)
            case .reset(let kept):
                columns = kept.map { ($0.name, .slot($0.slot)) }
            case .drop(let patterns):
                let matchers = patterns.map { WildcardPattern($0, caseInsensitive: false, questionMarkIsWildcard: false) }
                columns.removeAll { column in matchers.contains { $0.matches(column.name) } }
            }
        }
        return columns
    }

    /// `KEEP`: each column goes to the pattern that names it most precisely (a whole name, then a
    /// partial wildcard, then `*`; the rightmost on a tie), and columns come in their patterns'
    /// order. A whole name the event lacks is still a column (null), as a mapped field is.
    static func kept(_ columns: [(name: String, cell: ESQLCell)], _ patterns: [String]) -> [(name: String, cell: ESQLCell)] {
        func precedence(_ pattern: String) -> Int { pattern == "*" ? 0 : pattern.contains("*") ? 1 : 2 }
        var owner: [String: Int] = [:]
        var available = columns
        for (index, pattern) in patterns.enumerated() {
            let names: [String]
            if pattern.contains("*") {
                let matcher = WildcardPattern(pattern, caseInsensitive: false, questionMarkIsWildcard: false)
                names = available.map(\.name).filter { matcher.matches($0) }
            } else {
                names = [pattern]
                if !available.contains(where: { $0.name == pattern }) {
                    available.append((pattern, metadataFields.contains(pattern) ? .metadata(pattern) : .event(pattern)))
                }
            }
            for name in names {
                if let current = owner[name], precedence(patterns[current]) > precedence(pattern) { continue }
                owner[name] = index
            }
        }
        // One pass over the columns, each into its pattern's group (a filter per pattern looked
        // every column up once per pattern: 2% of a seed-rule replay, at each alert).
        var groups = [[(name: String, cell: ESQLCell)]](repeating: [], count: patterns.count)
        for column in available {
            if let index = owner[column.name] { groups[index].append(column) }
        }
        return groups.flatMap { $0 }
    }

    /// The event's leaf fields by dotted name, sorted, then the metadata fields asked for.
    public static func initial(eventFields: [String], metadata: [String]) -> [(name: String, cell: ESQLCell)] {
        var seen = Set<String>()
        var columns: [(name: String, cell: ESQLCell)] = []
        for name in eventFields.sorted() where !metadataFields.contains(name) && seen.insert(name).inserted {
            columns.append((name, .event(name)))
        }
        for name in metadata where seen.insert(name).inserted { columns.append((name, .metadata(name))) }
        return columns
    }
}

extension Value {
    /// The value as a JSON cell of a result: dates as ISO-8601 text, addresses as text, several
    /// values as an array.
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .long(let n): .number(String(n))
        case .unsignedLong(let n): .number(String(n))
        case .double(let d): d.isFinite ? .number(Self.javaDouble(d)) : .string(Self.javaDouble(d))
        case .keyword(let bytes): .string(String(decoding: bytes, as: UTF8.self))
        case .ip(let address): .string(address.description)
        case .date(let ms): .string(Timestamp.iso8601(milliseconds: ms))
        case .multi(let values): .array(values.map(\.json))
        }
    }
}
