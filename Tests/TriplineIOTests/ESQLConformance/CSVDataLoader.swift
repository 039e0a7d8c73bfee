import Foundation
@testable import TriplineCore

/// Turns Elasticsearch's ES|QL test data (Tests/Conformance/esql/data/*.csv) into NDJSON events, and
/// each index's mapping into the file `tripline query --mapping` reads.
///
/// The CSV format is `CsvTestsDataLoader`'s (described in Tests/Conformance/esql/README.md): a header of
/// `name:type` columns, then rows of comma-separated cells, each trimmed; an empty cell is a
/// missing field; `[a,b]` is a multi-value, as is a cell with unescaped commas once the brackets
/// are gone; `\,` is a literal comma; a keyword or text value in `"..."` loses the quotes.
struct CSVDataLoader {
    struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        var file: String
        var line: Int
        var message: String
        var description: String { "\(file):\(line): \(message)" }
    }

    /// An index the spec queries read with `FROM`, and where its data and mapping are.
    struct Dataset: Sendable, Hashable {
        var index: String
        /// Under Tests/Conformance/esql/data.
        var data: String
        /// Under Tests/Conformance/esql/mappings; nil when no usable mapping was copied (the CSV
        /// header's types are the mapping then).
        var mapping: String?
    }

    /// The data sets copied from Elasticsearch (the index names of `CsvTestsDataLoader`).
    static let datasets: [String: Dataset] = [
        "employees": Dataset(index: "employees", data: "employees.csv", mapping: "mapping-default.json"),
        "hosts": Dataset(index: "hosts", data: "hosts.csv", mapping: "mapping-hosts.json"),
        // The only upstream mapping-sample_data.json names other fields (see the README).
        "sample_data": Dataset(index: "sample_data", data: "sample_data.csv", mapping: nil),
    ]

    struct Column: Sendable, Hashable {
        var name: String
        /// The Elasticsearch field type, e.g. `keyword`, `integer`, `date`.
        var type: String
    }

    /// The columns and rows of a data CSV; a row's nil cell is a missing value, a cell is one or
    /// more raw values.
    struct Table: Sendable {
        var columns: [Column]
        var rows: [[[String]?]]
    }

    static func table(parsing text: String, file: String) throws(LoadError) -> Table {
        var columns: [Column]?
        var rows: [[[String]?]] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("//") { continue }
            let entries = try entries(of: line, file: file, line: index + 1)
            guard let header = columns else {
                columns = try entries.map { entry throws(LoadError) in
                    guard let colon = entry.firstIndex(of: ":") else {
                        throw LoadError(file: file, line: index + 1, message: "header cell '\(entry)' has no type")
                    }
                    return Column(
                        name: entry[..<colon].trimmingCharacters(in: .whitespaces),
                        type: entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased())
                }
                continue
            }
            guard entries.count == header.count else {
                throw LoadError(file: file, line: index + 1, message: "\(entries.count) cells, the header has \(header.count)")
            }
            rows.append(entries.map { entry in
                if entry.isEmpty { return nil }
                return CSVSpecTable.splitUnescapedCommas(entry).map { $0.replacingOccurrences(of: "\\,", with: ",") }
            })
        }
        guard let columns else { throw LoadError(file: file, line: 1, message: "no header") }
        return Table(columns: columns, rows: rows)
    }

    /// A data line's cells: split on unescaped commas and trimmed, a `[...]` run (over commas)
    /// joined back into one cell without its brackets (`[]` is an empty cell).
    static func entries(of line: String, file: String, line number: Int) throws(LoadError) -> [String] {
        var entries: [String] = []
        var open: [String]?
        for part in CSVSpecTable.splitUnescapedCommas(line) {
            let piece = part.trimmingCharacters(in: .whitespaces)
            if var values = open {
                if piece.hasSuffix("]") {
                    values.append(String(piece.dropLast()))
                    entries.append(values.joined(separator: ","))
                    open = nil
                } else {
                    guard !piece.isEmpty else {
                        throw LoadError(file: file, line: number, message: "an empty value inside a multi-value")
                    }
                    values.append(piece)
                    open = values
                }
            } else if piece.hasPrefix("[") {
                if piece.hasSuffix("]") {
                    entries.append(String(piece.dropFirst().dropLast()))
                } else {
                    open = [String(piece.dropFirst())]
                }
            } else if piece.hasSuffix("]") {
                throw LoadError(file: file, line: number, message: "']' without '[' in '\(piece)'")
            } else {
                entries.append(piece)
            }
        }
        if open != nil { throw LoadError(file: file, line: number, message: "'[' without ']'") }
        return entries
    }

    /// One JSON value of a column, typed as the field's mapping reads it: numbers as JSON
    /// numbers, booleans as true/false, everything else (dates, ips, keywords) as strings.
    static func json(_ raw: String, type: String) -> JSONValue {
        switch type {
        case "integer", "long", "short", "byte", "unsigned_long":
            if Int64(raw) != nil || UInt64(raw) != nil { return .number(raw) }
        case "double", "float", "half_float", "scaled_float":
            if let value = Double(raw), value.isFinite { return .number(raw.hasPrefix("+") ? String(raw.dropFirst()) : raw) }
        case "boolean":
            switch raw.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: break
            }
        case "keyword", "text":
            if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") { return .string(String(raw.dropFirst().dropLast())) }
        default:
            break
        }
        return .string(raw)
    }

    /// The rows as NDJSON events, keys in column order. A column named `parent.child` is a dotted
    /// key: Elasticsearch fills such a sub-field (`languages.long`) from its parent through the
    /// mapping's multi-fields; writing the CSV's value spares the engine that step.
    static func ndjson(_ table: Table) -> String {
        var out = ""
        for row in table.rows {
            var members: [(key: String, value: JSONValue)] = []
            for (column, cell) in zip(table.columns, row) {
                guard let values = cell else { continue }
                let typed = values.map { json($0, type: column.type) }
                members.append((column.name, typed.count == 1 ? typed[0] : .array(typed)))
            }
            out += JSONValue.object(members).jsonText + "\n"
        }
        return out
    }

    /// The mapping for `--mapping`: the copied index mapping with any column it lacks added with
    /// the CSV header's type (hosts.csv has two text columns its old mapping leaves out). Columns
    /// under a mapped field (multi-fields such as `languages.long`) are the mapping's already.
    static func mapping(_ table: Table, upstream: Data?) throws -> JSONValue {
        var properties: [(key: String, value: JSONValue)] = []
        if let upstream {
            let root = try JSONValue.parse(upstream)
            if case .object(let members)? = root["properties"] ?? root["mappings"]?["properties"] { properties = members }
        }
        let mapped = Set(properties.map(\.key))
        for column in table.columns {
            let top = column.name.split(separator: ".").first.map(String.init) ?? column.name
            if mapped.contains(top) || properties.contains(where: { $0.key == column.name }) { continue }
            properties.append((column.name, .object([("type", .string(column.type))])))
        }
        return .object([("properties", .object(properties))])
    }

    /// Writes `index.ndjson` and `index.mapping.json` into `directory`; returns their paths.
    static func write(_ dataset: Dataset, from folder: URL, into directory: String) throws -> (events: String, mapping: String) {
        let dataURL = folder.appendingPathComponent("data").appendingPathComponent(dataset.data)
        let table = try table(parsing: String(contentsOf: dataURL, encoding: .utf8), file: dataset.data)
        let upstream = try dataset.mapping.map { try Data(contentsOf: folder.appendingPathComponent("mappings").appendingPathComponent($0)) }
        let events = "\(directory)/\(dataset.index).ndjson"
        let mapping = "\(directory)/\(dataset.index).mapping.json"
        try Data(ndjson(table).utf8).write(to: URL(fileURLWithPath: events))
        try Data(self.mapping(table, upstream: upstream).jsonText.utf8).write(to: URL(fileURLWithPath: mapping))
        return (events, mapping)
    }
}
