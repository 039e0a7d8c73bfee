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
            try Spool.printAlerts(of: SpoolDirectory.segments(in: directory).filter { !$0.isOpen })
        }
    }

    /// Writes the alert lines of these segments to stdout, in order, a megabyte at a time.
    static func printAlerts(of segments: [SpoolDirectory.Segment]) throws {
        var out: [UInt8] = []
        for segment in segments {
            try SpoolReader.forEachLine(ofSegment: segment.path) { line in
                out.append(contentsOf: line)
                out.append(0x0A)
                if out.count > 1 << 20 { FileHandle.standardOutput.write(Data(out)); out.removeAll(keepingCapacity: true) }
            }
        }
        FileHandle.standardOutput.write(Data(out))
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
                let closed = try SpoolDirectory.segments(in: directory).filter { !$0.isOpen && $0.sequence > printedThrough }
                try Spool.printAlerts(of: closed)
                printedThrough = closed.last?.sequence ?? printedThrough
                usleep(UInt32(max(10, pollMilliseconds)) * 1000)
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count segments, alerts, bytes, per-rule alerts and segments recovered after a crash.")

        @Argument(help: "The spool folder.")
        var directory: String

        @Flag(help: "Print one JSON object instead of text.")
        var json = false

        func run() throws {
            let segments = try SpoolDirectory.segments(in: directory)
            let closed = segments.filter { !$0.isOpen }
            var lines = 0, uncompressed = 0, compressed = 0
            var byRule: [String: Int] = [:]
            // A suppression group's alert is written again with its final counts: same uuid.
            var ids = Set<String>()
            var recovered: [SegmentRecovery] = []
            for segment in closed {
                var info = stat()
                if stat(segment.path, &info) == 0 { compressed += Int(info.st_size) }
                if let note = try SpoolRecovery.note(inSegment: segment.path) { recovered.append(note) }
                try SpoolReader.forEachLine(ofSegment: segment.path) { line in
                    lines += 1
                    uncompressed += line.count + 1
                    guard let alert = try? JSONValue.parse(line), case .string(let id)? = alert["kibana.alert.uuid"],
                          ids.insert(id).inserted else { return }
                    if case .string(let rule)? = alert["kibana.alert.rule.rule_id"] { byRule[rule, default: 0] += 1 }
                }
            }
            let kept = recovered.reduce(0) { $0 + $1.alertsKept }
            let dropped = recovered.reduce(0) { $0 + $1.compressedBytesDropped + $1.partialLineBytesDropped }
            if json {
                var out = JSONWriter()
                out.beginObject()
                for (key, value) in [("segments_closed", closed.count), ("segments_open", segments.count - closed.count),
                                     ("alerts", ids.count), ("lines", lines), ("suppression_updates", lines - ids.count),
                                     ("compressed_bytes", compressed), ("uncompressed_bytes", uncompressed),
                                     ("segments_recovered", recovered.count), ("alerts_recovered", kept), ("recovery_bytes_dropped", dropped)] {
                    out.key(key); out.integer(Int64(value))
                }
                out.key("alerts_by_rule"); out.beginObject()
                for (rule, count) in byRule.sorted(by: { $0.key < $1.key }) { out.key(rule); out.integer(Int64(count)) }
                out.endObject()
                out.endObject()
                out.newline()
                FileHandle.standardOutput.write(Data(out.bytes))
                return
            }
            print("segments: \(closed.count) closed, \(segments.count - closed.count) open")
            print("alerts: \(ids.count) (\(lines) lines; \(lines - ids.count) are suppression updates of an alert above)")
            print(String(format: "bytes: %d compressed, %d uncompressed (%.1fx)", compressed, uncompressed, Double(uncompressed) / Double(max(1, compressed))))
            print("recovered after a crash: \(recovered.count) segments, \(kept) alerts kept, \(dropped) bytes dropped")
            for (rule, count) in byRule.sorted(by: { $0.key < $1.key }) { print("  \(rule): \(count)") }
        }
    }
}
