import ArgumentParser
import Foundation
import TriplineIO

struct Spool: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the LZ4 alert spool back.", subcommands: [Cat.self, Stats.self])

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every alert of the closed segments, in order.")

        @Argument(help: "The spool folder.")
        var directory: String

        func run() throws {
            var out: [UInt8] = []
            try SpoolReader.forEachLine(in: directory) { line in
                out.append(contentsOf: line)
                out.append(0x0A)
                if out.count > 1 << 20 { FileHandle.standardOutput.write(Data(out)); out.removeAll(keepingCapacity: true) }
            }
            FileHandle.standardOutput.write(Data(out))
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count segments, alerts and bytes, per rule.")

        @Argument(help: "The spool folder.")
        var directory: String

        func run() throws {
            let segments = try SpoolDirectory.segments(in: directory)
            var alerts = 0
            var byRule: [String: Int] = [:]
            for segment in segments where !segment.isOpen {
                try SpoolReader.forEachLine(ofSegment: segment.path) { line in
                    alerts += 1
                    if case .string(let id)? = (try? JSONValue.parse(line))?["kibana.alert.rule.rule_id"] { byRule[id, default: 0] += 1 }
                }
            }
            print("segments: \(segments.filter { !$0.isOpen }.count) closed, \(segments.filter(\.isOpen).count) open")
            print("alerts: \(alerts)")
            for (rule, count) in byRule.sorted(by: { $0.key < $1.key }) { print("  \(rule): \(count)") }
        }
    }
}
