import ArgumentParser
import Foundation
import TriplineIO

struct Spool: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the LZ4 alert spool back.", subcommands: [Cat.self, Tail.self, Stats.self])

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

    struct Tail: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print alerts as their segments close, like tail -f; until interrupted.")

        @Argument(help: "The spool folder.")
        var directory: String

        @Flag(help: "Print the alerts of segments already closed first (default: only new ones).")
        var fromStart = false

        @Option(name: .customLong("poll-ms"), help: "How often to look for newly closed segments.")
        var pollMilliseconds: Int = 200

        func run() throws {
            StopSignals.unblock()
            // Segments close by rename, never change afterwards, and take rising sequence numbers.
            var printedThrough: UInt64 = fromStart ? 0 : (try SpoolDirectory.segments(in: directory).filter { !$0.isOpen }.last?.sequence ?? 0)
            while true {
                for segment in try SpoolDirectory.segments(in: directory) where !segment.isOpen && segment.sequence > printedThrough {
                    var out: [UInt8] = []
                    try SpoolReader.forEachLine(ofSegment: segment.path) { line in
                        out.append(contentsOf: line)
                        out.append(0x0A)
                    }
                    FileHandle.standardOutput.write(Data(out))
                    printedThrough = segment.sequence
                }
                usleep(UInt32(max(10, pollMilliseconds)) * 1000)
            }
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
