import ArgumentParser
import Foundation
import TriplineIO

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hunt over files with an EQL event query; matching events as NDJSON, in Elasticsearch's order.")

    @Option(help: "The EQL query, e.g. 'process where process.name : \"cmd.exe\" | head 5'.")
    var eql: String

    @Option(name: .customLong("event-category-field"), help: "Field holding the event category.")
    var eventCategoryField = "event.category"

    @Option(name: .customLong("timestamp-field"), help: "Field ordering the results (events without it are not searched).")
    var timestampField = "@timestamp"

    @Option(name: .customLong("tiebreaker-field"), help: "Field ordering events with equal timestamps.")
    var tiebreakerField: String?

    @Option(help: "Only these fields of each event, comma-separated (default: the whole event).")
    var fields: String?

    @Option(help: "At most this many events (Elasticsearch's default is 10).")
    var size = 10

    @Option(help: "An Elasticsearch mapping (JSON) typing fields beyond ECS; its fields override ECS's.")
    var mapping: String?

    @Option(name: .customLong("max-line-bytes"), help: "Longer lines are rejected.")
    var maxLineBytes: Int = 1 << 20

    @Argument(help: "Files, folders (recursive, sorted), .gz, .lz4, or - for stdin.")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one input PATH (or - for stdin)") }
        guard size >= 0 else { throw ValidationError("--size must not be negative") }
    }

    func run() async throws {
        var options = Hunt.Options()
        options.eventCategoryField = eventCategoryField
        options.timestampField = timestampField
        options.tiebreakerField = tiebreakerField
        options.size = size
        options.types = try FieldTypes.loading(mapping: mapping)
        var hunt: Hunt
        do {
            hunt = try Hunt(eql: eql, options: options)
        } catch {
            let place = error.location.map { "\($0.line):\($0.column): " } ?? ""
            Console.error("tripline query: --eql: \(place)\(error.isUnsupported ? "unsupported: " : "")\(error.message)")
            throw ExitCode(2)
        }
        let source = ReplaySource(paths: paths, maxLineBytes: maxLineBytes, batchBytes: 1 << 20)
        var rejected = 0
        try await source.forEachOutput { output in
            switch output {
            case .batch(let batch): hunt.consume(batch)
            default: rejected += 1
            }
        }
        let wanted = fields.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        var out = Data()
        for hit in hunt.results() {
            if let wanted {
                let event = try JSONValue.parse(hit.line)
                var members: [(key: String, value: JSONValue)] = []
                for field in wanted {
                    let values = event.values(atPath: field)
                    if values.isEmpty { continue }
                    members.append((field, values.count == 1 ? values[0] : .array(values)))
                }
                out.append(contentsOf: Array(JSONValue.object(members).jsonText.utf8))
            } else {
                out.append(contentsOf: hit.line)
            }
            out.append(0x0A)
        }
        FileHandle.standardOutput.write(out)
        rejected += hunt.rejected.count
        for letter in hunt.rejected.prefix(5) {
            Console.error("rejected \(letter.position.source) at byte \(letter.position.byteOffset): \(letter.reason.rawValue): \(letter.detail)")
        }
        if rejected > 0 { Console.error("\(rejected) line(s) rejected") }
    }
}
