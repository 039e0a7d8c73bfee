import ArgumentParser
import Foundation
import TriplineIO

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hunt over files with an EQL query (events, sequences, samples) or an ES|QL query; results as NDJSON, in Elasticsearch's order.",
        discussion: "A sequence or sample query prints one line per sequence, as Elasticsearch's hits.sequences: {\"join_keys\": [...], \"events\": [...]}.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case ndjson, csv, txt
    }

    @Option(help: "The EQL query, e.g. 'process where process.name : \"cmd.exe\" | head 5'.")
    var eql: String?

    @Option(help: "The ES|QL query, e.g. 'FROM logs-* | EVAL n = LENGTH(process.name) | WHERE n > 10 | KEEP process.name, n'.")
    var esql: String?

    @Option(help: "ES|QL results: ndjson (one object per row), csv, or txt (an aligned table).")
    var format: Format = .ndjson

    @Option(name: .customLong("event-category-field"), help: "EQL: field holding the event category.")
    var eventCategoryField = "event.category"

    @Option(name: .customLong("timestamp-field"), help: "EQL: field ordering the results (events without it are not searched).")
    var timestampField = "@timestamp"

    @Option(name: .customLong("tiebreaker-field"), help: "EQL: field ordering events with equal timestamps.")
    var tiebreakerField: String?

    @Option(help: "EQL: only these fields of each event, comma-separated (default: the whole event; ES|QL has KEEP).")
    var fields: String?

    @Option(help: "EQL: at most this many events or sequences (Elasticsearch's default is 10; ES|QL has LIMIT).")
    var size = 10

    @Option(help: "An Elasticsearch mapping (JSON) typing fields beyond ECS; its fields override ECS's.")
    var mapping: String?

    @Option(name: .customLong("max-line-bytes"), help: "Longer lines are rejected.")
    var maxLineBytes: Int = 1 << 20

    @Argument(help: "Files, folders (recursive, sorted), .gz, .lz4, or - for stdin (none for an ES|QL ROW).")
    var paths: [String] = []

    func validate() throws {
        guard (eql == nil) != (esql == nil) else { throw ValidationError("give exactly one of --eql and --esql") }
        if eql != nil && format != .ndjson { throw ValidationError("--format is for --esql's table; --eql prints events as NDJSON") }
        if esql != nil && fields != nil { throw ValidationError("--fields is for --eql; an ES|QL query picks its columns with KEEP") }
        // An ES|QL `ROW` reads no input.
        let readsRow = esql.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix("row") } ?? false
        guard !paths.isEmpty || readsRow else { throw ValidationError("give at least one input PATH (or - for stdin)") }
        guard size >= 0 else { throw ValidationError("--size must not be negative") }
    }

    func run() async throws {
        if let esql { return try await runESQL(esql) }
        guard let eql else { return }
        var options = Hunt.Options()
        options.eventCategoryField = eventCategoryField
        options.timestampField = timestampField
        options.tiebreakerField = tiebreakerField
        options.size = size
        options.types = try FieldTypes.loading(mapping: mapping)
        var hunt = try compiled("--eql") { () throws(RuleError) in try Hunt(eql: eql, options: options) }
        let unreadable = try await read { hunt.consume($0) }
        let wanted = fields.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        /// The event as read, or only the fields asked for.
        func shown(_ line: [UInt8]) throws -> [UInt8] {
            guard let wanted else { return line }
            let event = try JSONValue.parse(line)
            var members: [(key: String, value: JSONValue)] = []
            for field in wanted {
                let values = event.values(atPath: field)
                if values.isEmpty { continue }
                members.append((field, values.count == 1 ? values[0] : .array(values)))
            }
            return Array(JSONValue.object(members).jsonText.utf8)
        }
        var out = Data()
        if hunt.findsSequences {
            // As Elasticsearch's hits.sequences: the join key's values, then the events in step order.
            for sequence in hunt.sequences() {
                out.append(contentsOf: Array(("{\"join_keys\":" + JSONValue.array(sequence.key.map(\.json)).jsonText + ",\"events\":[").utf8))
                for (position, event) in sequence.events.enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: try shown(event.line))
                }
                out.append(contentsOf: Array("]}\n".utf8))
            }
        } else {
            for hit in hunt.results() {
                out.append(contentsOf: try shown(hit.line))
                out.append(0x0A)
            }
        }
        FileHandle.standardOutput.write(out)
        report(unreadable, hunt.rejected)
    }

    private func runESQL(_ query: String) async throws {
        var options = ESQLHunt.Options()
        options.types = try FieldTypes.loading(mapping: mapping)
        var hunt = try compiled("--esql") { () throws(RuleError) in try ESQLHunt(esql: query, options: options) }
        let unreadable = paths.isEmpty ? 0 : try await read { hunt.consume($0) }
        let table = hunt.result()
        FileHandle.standardOutput.write(Data(ResultTable.render(table, as: format).utf8))
        if table.warnings.total > 0 { Console.error("warning: " + table.warnings.summary) }
        if let caps = table.warnings.capSummary { Console.error("warning: " + caps) }
        if let kept = table.truncatedTo {
            Console.error("note: the result holds more rows; the first \(kept) are shown, as Elasticsearch returns at most "
                          + "\(ESQLHunt.rowLimits.implicit) without a closing LIMIT and \(ESQLHunt.rowLimits.maximum) with one")
        }
        report(unreadable, hunt.rejected)
    }

    /// The query compiled, or its error (line, column, reason) on stderr and exit status 2.
    private func compiled<T>(_ flag: String, _ make: () throws(RuleError) -> T) throws -> T {
        do {
            return try make()
        } catch {
            let place = error.location.map { "\($0.line):\($0.column): " } ?? ""
            Console.error("tripline query: \(flag): \(place)\(error.isUnsupported ? "unsupported: " : "")\(error.message)")
            throw ExitCode(2)
        }
    }

    /// Reads the inputs batch by batch; returns how many outputs were not batches (lines the
    /// framer refused).
    private func read(_ consume: (Batch) -> Void) async throws -> Int {
        var refused = 0
        let source = ReplaySource(paths: paths, maxLineBytes: maxLineBytes, batchBytes: 1 << 20)
        try await source.forEachOutput { output in
            switch output {
            case .batch(let batch): consume(batch)
            default: refused += 1
            }
        }
        return refused
    }

    /// Rejected lines on stderr: the first five with their place and reason, then the count.
    private func report(_ refused: Int, _ letters: [DeadLetter]) {
        for letter in letters.prefix(5) {
            Console.error("rejected \(letter.position.source) at byte \(letter.position.byteOffset): \(letter.reason.rawValue): \(letter.detail)")
        }
        let rejected = refused + letters.count
        if rejected > 0 { Console.error("\(rejected) line(s) rejected") }
    }
}

/// An ES|QL result table as text.
enum ResultTable {
    static func render(_ table: ESQLHunt.Table, as format: Query.Format) -> String {
        switch format {
        case .ndjson:
            return table.rows.map { row in JSONValue.object(Array(zip(table.columns, row)).map { (key: $0, value: $1) }).jsonText + "\n" }.joined()
        case .csv:
            func field(_ text: String) -> String {
                text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
            }
            let lines = [table.columns.map(field).joined(separator: ",")] + table.rows.map { $0.map { field(text($0)) }.joined(separator: ",") }
            return lines.map { $0 + "\n" }.joined()
        case .txt:
            let cells = [table.columns] + table.rows.map { $0.map(text) }
            let widths = table.columns.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
            func line(_ row: [String]) -> String {
                zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: " | ")
                    .trimmingCharacters(in: .whitespaces) + "\n"
            }
            let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "\n"
            return line(table.columns) + rule + cells.dropFirst().map(line).joined()
        }
    }

    /// A cell as people read it: text unquoted, null as `null`, several values as `[a, b]`.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): String(b)
        case .array(let items): "[" + items.map(text).joined(separator: ", ") + "]"
        case .object: value.jsonText
        }
    }
}
