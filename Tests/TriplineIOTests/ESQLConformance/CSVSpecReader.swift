import Foundation

/// Reads Elasticsearch's ES|QL `.csv-spec` files (Tests/Conformance/esql, format in its README):
/// the rules of Elasticsearch's `SpecReader` and `CsvSpecParser`, and of `CsvTestUtils` for the
/// expected table. Written from those rules, not from their code.
///
/// A file is a list of tests:
///
///     name#[instructions]            (name ending in -Ignore: disabled upstream)
///     required_capability: cap       (any number; other `key: value` directives alike)
///     FROM employees                 (query lines, up to the first line ending in `;`;
///     | KEEP emp_no;                  a line ending in `\;` belongs to a SET prefix)
///     warning:...  warningRegex:...  ignoreOrder:true
///     emp_no:integer | name:keyword  (header, then rows; `|`-separated, `"` quotes)
///     10001          | Georgi
///     ;
///
/// Lines are trimmed; empty lines and lines starting with `//` or `#` are skipped everywhere.
struct CSVSpecReader {
    /// Where a spec file went wrong.
    struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        var file: String
        var line: Int
        var message: String
        var description: String { "\(file):\(line): \(message)" }
    }

    /// Lines before the query that carry a `key: value` directive rather than query text. Upstream
    /// readers know `required_capability:` and `schema::`; newer files also use the others.
    static let directivePrefixes = ["required_capability:", "skip_flattened_rewrite:", "request_stored:", "approximate:", "schema::"]

    /// The tests of one spec file, in file order.
    static func tests(in url: URL) throws -> [CSVSpecTest] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let file = url.deletingPathExtension().lastPathComponent
        return try tests(parsing: text, file: file)
    }

    static func tests(parsing text: String, file: String) throws(ParseError) -> [CSVSpecTest] {
        enum State {
            case name
            case query(CSVSpecTest)
            case results(CSVSpecTest)
        }
        var state = State.name
        var tests: [CSVSpecTest] = []
        var seen: [String: Int] = [:]
        var queryLines: [String] = []
        // Split on "\n" only: a CRLF file keeps its "\r", which trimming removes.
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("//") || line.hasPrefix("#") { continue }
            let lower = line.lowercased()
            switch state {
            case .name:
                var test = CSVSpecTest(file: file, line: number)
                if let hash = line.firstIndex(of: "#") {
                    test.name = String(line[..<hash])
                    test.instructions = String(line[line.index(after: hash)...])
                } else {
                    test.name = line
                }
                // Upstream names are unique per file, but two copied files repeat one: keep both.
                let count = seen[test.name, default: 0] + 1
                seen[test.name] = count
                test.occurrence = count
                queryLines = []
                state = .query(test)
            case .query(var test):
                if let prefix = directivePrefixes.first(where: { lower.hasPrefix($0) }) {
                    let value = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
                    if prefix == "required_capability:" {
                        test.requiredCapabilities.append(value)
                    } else {
                        test.directives.append((String(prefix.dropLast(prefix.hasSuffix("::") ? 2 : 1)), value))
                    }
                    state = .query(test)
                } else if line.hasSuffix("\\;") {
                    // `SET name = value\;`: the escaped `;` ends the statement, not the query.
                    queryLines.append(String(line.dropLast(2)) + ";")
                    state = .query(test)
                } else if line.hasSuffix(";") {
                    let last = line.dropLast().trimmingCharacters(in: .whitespaces)
                    if !last.isEmpty { queryLines.append(last) }
                    test.query = queryLines.joined(separator: "\n")
                    test.resultsLine = number + 1
                    state = .results(test)
                } else {
                    queryLines.append(line)
                    state = .query(test)
                }
            case .results(var test):
                if lower.hasPrefix("warning:") {
                    test.warnings.append(line.dropFirst("warning:".count).trimmingCharacters(in: .whitespaces))
                    if !test.warningRegexes.isEmpty {
                        throw ParseError(file: file, line: number, message: "a test mixes warning: and warningRegex:")
                    }
                } else if lower.hasPrefix("warningregex:") {
                    test.warningRegexes.append(line.dropFirst("warningregex:".count).trimmingCharacters(in: .whitespaces))
                    if !test.warnings.isEmpty {
                        throw ParseError(file: file, line: number, message: "a test mixes warning: and warningRegex:")
                    }
                } else if lower.hasPrefix("ignoreorder:") {
                    test.ignoreOrder = lower.dropFirst("ignoreorder:".count).trimmingCharacters(in: .whitespaces) == "true"
                } else if line.hasPrefix(";") {
                    tests.append(test)
                    state = .name
                    continue
                } else {
                    test.resultLines.append(.init(number: number, text: line))
                }
                state = .results(test)
            }
        }
        switch state {
        case .name: return tests
        case .query(let test), .results(let test):
            throw ParseError(file: file, line: test.line, message: "test '\(test.name)' has no end (`;`) before the end of the file")
        }
    }
}

/// One test of a csv-spec file.
struct CSVSpecTest: Sendable {
    struct Line: Sendable, Hashable {
        var number: Int
        var text: String
    }

    /// The spec file's name without `.csv-spec`.
    var file: String
    /// The line of the test's name.
    var line: Int
    var name = ""
    /// What follows `#` on the name line, e.g. `[skip:-8.13.99, reason:...]`.
    var instructions = ""
    /// 1 for the first test of this name in its file, 2 for a repeat.
    var occurrence = 1
    var requiredCapabilities: [String] = []
    /// Other directives before the query (`skip_flattened_rewrite`, `request_stored`, ...).
    var directives: [(key: String, value: String)] = []
    /// The query, lines joined by line breaks, without the final `;`.
    var query = ""
    var warnings: [String] = []
    var warningRegexes: [String] = []
    var ignoreOrder = false
    /// The expected table's lines (header first), trimmed, comments and blank lines left out.
    var resultLines: [Line] = []
    var resultsLine = 0

    /// Disabled upstream (`CsvTestUtils.isEnabled`).
    var isIgnored: Bool { name.hasSuffix("-Ignore") }

    /// The Elasticsearch version this engine follows, for `[skip:-X.Y.Z]` (skipped up to X.Y.Z).
    static let emulatedVersion = [9, 2, 0]

    /// Skipped upstream on the version this engine follows: `[skip:-9.99.99, reason:not yet fixed]`.
    var isSkippedForVersion: Bool {
        guard let range = instructions.range(of: "skip:-") else { return false }
        let version = instructions[range.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        return !version.isEmpty && !version.lexicographicallyPrecedes(Self.emulatedVersion)
    }

    /// A name unique over the suite: `file.name`, with `#2` for a repeated name.
    var id: String { occurrence == 1 ? "\(file).\(name)" : "\(file).\(name)#\(occurrence)" }

    /// The expected result table.
    func expectedTable() throws(CSVSpecReader.ParseError) -> CSVSpecTable {
        try CSVSpecTable(lines: resultLines, file: file)
    }
}

/// An ES|QL result column's type as a spec header writes it (`CsvTestUtils.Type`, with its short names).
enum ESQLColumnType: Sendable, Hashable, CustomStringConvertible {
    case integer, long, unsignedLong, double, keyword, text, boolean, date, ip, null
    /// A type the runner does not compare (geo_point, version, date_nanos, ...), by its lowercase name.
    case other(String)

    init(specName: String) {
        let name = specName.trimmingCharacters(in: .whitespaces).lowercased()
        switch name {
        case "integer", "i", "short", "byte", "counter_integer": self = .integer
        case "long", "l", "counter_long": self = .long
        case "unsigned_long", "ul": self = .unsignedLong
        case "double", "d", "float", "half_float", "scaled_float", "counter_double", "counter_float": self = .double
        case "keyword", "k", "s", "string": self = .keyword
        case "text", "txt": self = .text
        case "boolean", "bool": self = .boolean
        case "date", "datetime", "dt": self = .date
        case "ip": self = .ip
        case "null", "n": self = .null
        case "v": self = .other("version")
        default: self = .other(name)
        }
    }

    var description: String {
        switch self {
        case .integer: "integer"
        case .long: "long"
        case .unsignedLong: "unsigned_long"
        case .double: "double"
        case .keyword: "keyword"
        case .text: "text"
        case .boolean: "boolean"
        case .date: "date"
        case .ip: "ip"
        case .null: "null"
        case .other(let name): name
        }
    }
}

/// One expected cell: `null`, a value, or a multi-value written `[a, b]`. Values are the spec's
/// text; the column type decides how they compare.
enum ExpectedCell: Sendable, Hashable {
    case null
    case value(String)
    case values([String])
}

/// The expected result of a test: a header `name:type | ...` and rows of cells.
struct CSVSpecTable: Sendable {
    struct Column: Sendable, Hashable {
        var name: String
        var type: ESQLColumnType
    }

    var columns: [Column]
    var rows: [[ExpectedCell]]

    /// Parses the lines as `CsvTestUtils` does: a CSV reader with `|` as delimiter and `"` as quote
    /// (a quote anywhere in a cell opens a quoted run, `""` inside one is a quote, a quoted run
    /// may span lines), each cell trimmed; `null` (any case) is a null cell; `[a, b\, c]` is a
    /// multi-value split on commas not escaped by `\` (one element is a plain value).
    init(lines: [CSVSpecTest.Line], file: String) throws(CSVSpecReader.ParseError) {
        let records = try Self.records(lines, file: file)
        guard let header = records.first else {
            throw CSVSpecReader.ParseError(file: file, line: lines.first?.number ?? 0, message: "the test has no expected header")
        }
        columns = []
        for cell in header.cells {
            // `::` is a cast inside a column name, not the name/type separator.
            let parts = cell.replacingOccurrences(of: "::", with: "\u{1}").split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw CSVSpecReader.ParseError(file: file, line: header.line, message: "invalid header cell '\(cell)' (want name:type)")
            }
            let name = parts[0].replacingOccurrences(of: "\u{1}", with: "::").trimmingCharacters(in: .whitespaces)
            let type = parts[1].replacingOccurrences(of: "\u{1}", with: "::").trimmingCharacters(in: .whitespaces)
            guard !type.isEmpty else {
                throw CSVSpecReader.ParseError(file: file, line: header.line, message: "header cell '\(cell)' has no type")
            }
            columns.append(Column(name: name, type: ESQLColumnType(specName: type)))
        }
        rows = []
        for record in records.dropFirst() {
            guard record.cells.count == columns.count else {
                throw CSVSpecReader.ParseError(
                    file: file, line: record.line,
                    message: "row has \(record.cells.count) cells, the header \(columns.count)")
            }
            rows.append(record.cells.map(Self.cell))
        }
    }

    static func cell(_ text: String) -> ExpectedCell {
        let value = text.trimmingCharacters(in: .whitespaces)
        if value.lowercased() == "null" { return .null }
        guard value.hasPrefix("["), value.hasSuffix("]"), value.count >= 2 else { return .value(value) }
        let parts = splitUnescapedCommas(String(value.dropFirst().dropLast()))
        if parts.count == 1 { return .value(parts[0].replacingOccurrences(of: "\\,", with: ",")) }
        return .values(parts.map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\\,", with: ",") })
    }

    /// Splits on `,` not preceded by `\` (the escape stays; callers unescape).
    static func splitUnescapedCommas(_ text: String) -> [String] {
        var parts: [String] = [], current = "", previous: Character? = nil
        for character in text {
            if character == ",", previous != "\\" {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        parts.append(current)
        return parts
    }

    /// The CSV records of the lines (`|`-delimited, `"`-quoted), each with its first line's number.
    static func records(_ lines: [CSVSpecTest.Line], file: String) throws(CSVSpecReader.ParseError) -> [(line: Int, cells: [String])] {
        var records: [(line: Int, cells: [String])] = []
        var cells: [String] = [], cell = "", quoted = false, start = 0
        for line in lines {
            if !quoted { start = line.number }
            var characters = line.text[...]
            while let character = characters.popFirst() {
                if quoted {
                    if character == "\"" {
                        if characters.first == "\"" {
                            cell.append("\"")
                            characters.removeFirst()
                        } else {
                            quoted = false
                        }
                    } else {
                        cell.append(character)
                    }
                } else if character == "\"" {
                    quoted = true
                } else if character == "|" {
                    cells.append(cell)
                    cell = ""
                } else {
                    cell.append(character)
                }
            }
            if quoted {
                cell.append("\n")
            } else {
                cells.append(cell)
                records.append((start, cells))
                cells = []
                cell = ""
            }
        }
        if quoted {
            throw CSVSpecReader.ParseError(file: file, line: start, message: "a quoted cell has no closing quote")
        }
        return records
    }
}
