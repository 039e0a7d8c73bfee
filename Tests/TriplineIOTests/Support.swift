import Foundation
import TestScratch
@testable import TriplineIO

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The two seed rules alone: the end-to-end tests' expectations are theirs (`rules/` bundles
/// every rule of the rule set).
let seedRulesPath = packageRoot.appendingPathComponent("samples/seed-rules").path

/// The built `tripline` binary (the test target depends on it, so `swift test` builds it).
var triplineBinary: String {
    if let path = ProcessInfo.processInfo.environment["TRIPLINE_BINARY"] { return path }
    let products = Bundle.main.bundleURL
    let candidate = products.appendingPathComponent("tripline").path
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    return packageRoot.appendingPathComponent(".build/debug/tripline").path
}

func temporaryDirectory() -> String {
    ScratchFolder.make("test")
}

@discardableResult
func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin); try input.fileHandleForWriting.close() }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
}

/// (rule id, 1-based line) of every alert in a spool, from the alerts' source offsets.
func alertedLines(spool: String, input: String) throws -> Set<String> {
    let data = try Data(contentsOf: URL(fileURLWithPath: input))
    var lineStarts: [Int] = [0]
    for (i, byte) in data.enumerated() where byte == 0x0A { lineStarts.append(i + 1) }
    var found = Set<String>()
    try SpoolReader.forEachLine(in: spool) { line in
        let alert = try JSONValue.parse(line)
        guard case .string(let rule)? = alert["kibana.alert.rule.rule_id"],
              case .object(let source)? = alert["tripline.source"],
              case .number(let offsetText)? = source.first(where: { $0.key == "offset" })?.value,
              let offset = Int(offsetText), let lineIndex = lineStarts.firstIndex(of: offset) else { return }
        found.insert("\(rule)#\(lineIndex + 1)")
    }
    return found
}

/// The oracle's expectation in a truth file: {"alerts": {"rule": [lines]}, "rejected": [...], "lines": N}.
func expectedAlerts(truth: String) throws -> (alerts: Set<String>, rejected: Int, lines: Int) {
    let value = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: truth)))
    var alerts = Set<String>()
    if case .object(let byRule)? = value["alerts"] {
        for (rule, lines) in byRule {
            if case .array(let numbers) = lines {
                for case .number(let n) in numbers { alerts.insert("\(rule)#\(n)") }
            }
        }
    }
    var rejected = 0
    if case .array(let items)? = value["rejected"] { rejected = items.count }
    var lines = 0
    if case .number(let n)? = value["lines"] { lines = Int(n) ?? 0 }
    return (alerts, rejected, lines)
}

func stats(_ path: String) throws -> JSONValue {
    try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: path)))
}

func integer(_ value: JSONValue?) -> Int {
    if case .number(let n)? = value { return Int(n) ?? -1 }
    return -1
}

/// Streams of distinct alerts for the spool tests: the sample's first line (an ES|QL hit) as the
/// n-th event, with its own sequence number (so its own alert id) and an @timestamp ten minutes
/// after the previous one, so max_signals (100 per 5-minute bucket) keeps every alert.
enum HitStream {
    static let sampleTimestamp = #"{"@timestamp":"2020-01-08T20:43:06.000Z","#
    static let hit: String = {
        let sample = try? String(contentsOfFile: packageRoot.appendingPathComponent("samples/seed-events.ndjson").path, encoding: .isoLatin1)
        let first = sample.map { String($0.split(separator: "\n")[0]) } ?? ""
        precondition(first.hasPrefix(sampleTimestamp), "the sample's first line changed")
        return first
    }()

    static func line(_ n: Int) -> String {
        let time = Timestamp.iso8601(milliseconds: 1_578_516_186_000 + Int64(n) * 600_000)
        return #"{"@timestamp":""# + time + #"","tripline_test_seq":"# + "\(n)," + hit.dropFirst(sampleTimestamp.count) + "\n"
    }
}

/// A small deterministic generator (SplitMix64): a failure's corpus comes back on the next run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
