import ArgumentParser
import Foundation
import TriplineIO

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check and list rule files.", subcommands: [Validate.self, List.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load and compile rule files; report each one's status.")

        @Flag(help: "Print one JSON object per rule: file, rule_id, language, ok, error.")
        var json = false

        @Argument(help: "Rule files or folders (default: the bundled rules/).")
        var paths: [String] = []

        func run() throws {
            let ruleSet = RuleSet.load(paths: paths.isEmpty ? [try BundledRules.folder()] : paths)
            var rows: [(file: String, id: String?, language: String?, error: String?)] = []
            for rule in ruleSet.rules {
                rows.append((rule.definition.file, rule.ruleID, rule.definition.language.rawValue, nil))
            }
            for error in ruleSet.errors {
                let place = error.location.map { "\(error.file):\($0.line):\($0.column)" } ?? error.file
                rows.append((error.file, error.ruleID, error.language, "\(place): \(error.message)"))
            }
            rows.sort { $0.file < $1.file }
            for row in rows {
                if json {
                    var out = JSONWriter()
                    out.beginObject()
                    out.key("file"); out.string(row.file)
                    out.key("rule_id"); if let id = row.id { out.string(id) } else { out.null() }
                    out.key("language"); if let language = row.language { out.string(language) } else { out.null() }
                    out.key("ok"); out.bool(row.error == nil)
                    out.key("error"); if let error = row.error { out.string(error) } else { out.null() }
                    out.endObject()
                    print(String(decoding: out.bytes, as: UTF8.self))
                } else {
                    print("\(row.file)\t\(row.id ?? "-")\t\(row.language ?? "-")\t\(row.error ?? "ok")")
                }
            }
            if json {
                // Last, one summary object: counts by language and each reason with its count.
                var out = JSONWriter()
                out.beginObject()
                out.key("summary"); out.beginObject()
                out.key("rules"); out.integer(Int64(rows.count))
                out.key("ok"); out.integer(Int64(ruleSet.rules.count))
                out.key("failed"); out.integer(Int64(ruleSet.errors.count))
                for language in ["eql", "esql"] {
                    out.key(language); out.beginObject()
                    out.key("ok"); out.integer(Int64(ruleSet.rules.filter { $0.definition.language.rawValue == language }.count))
                    out.key("failed"); out.integer(Int64(ruleSet.errors.filter { $0.language == language }.count))
                    out.endObject()
                }
                out.key("by_reason"); out.beginObject()
                for (reason, count) in ruleSet.errors.countsByReason { out.key(reason); out.integer(Int64(count)) }
                out.endObject()
                out.endObject()
                out.endObject()
                print(String(decoding: out.bytes, as: UTF8.self))
            } else {
                Console.error("\(ruleSet.rules.count) ok, \(ruleSet.errors.count) with errors")
                for (reason, count) in ruleSet.errors.countsByReason { Console.error("  \(count)\t\(reason)") }
            }
            if !ruleSet.errors.isEmpty { throw ExitCode.failure }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules that load: id, language, name, indices.")

        @Flag(help: "Add each rule's prefilter literals (one of which a line must hold before it is parsed for the rule), or 'none'.")
        var literals = false

        @Argument(help: "Rule files or folders (default: the bundled rules/).")
        var paths: [String] = []

        func run() throws {
            let ruleSet = RuleSet.load(paths: paths.isEmpty ? [try BundledRules.folder()] : paths)
            for rule in ruleSet.rules {
                var row = "\(rule.ruleID)\t\(rule.definition.language.rawValue)\t\(rule.name)\t\(rule.indexPatterns.patterns.joined(separator: ","))"
                if literals {
                    if let requirement = rule.literals {
                        let texts = requirement.literals.map { String(decoding: $0, as: UTF8.self) }
                        row += "\t\(requirement.isCoarse ? "coarse" : "selective")\t\(texts.joined(separator: "|"))"
                    } else {
                        row += "\tnone\t"
                    }
                }
                print(row)
            }
            for error in ruleSet.errors { Console.error("skipped: \(error)") }
        }
    }
}
