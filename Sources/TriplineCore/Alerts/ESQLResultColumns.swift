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
                var kept: [(name: String, cell: ESQLCell)] = []
                var taken = Set<String>()
                for pattern in patterns {
                    if pattern.contains("*") {
                        let matcher = WildcardPattern(pattern, caseInsensitive: false, questionMarkIsWildcard: false)
                        for column in columns where matcher.matches(column.name) && taken.insert(column.name).inserted {
                            kept.append(column)
                        }
                    } else if taken.insert(pattern).inserted {
                        // A name the event lacks is still a column (null), as a mapped field is.
                        kept.append(columns.first { $0.name == pattern }
                                    ?? (pattern, metadataFields.contains(pattern) ? .metadata(pattern) : .event(pattern)))
                    }
                }
                columns = kept
            case .drop(let patterns):
                let matchers = patterns.map { WildcardPattern($0, caseInsensitive: false, questionMarkIsWildcard: false) }
                columns.removeAll { column in matchers.contains { $0.matches(column.name) } }
            }
        }
        return columns
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
