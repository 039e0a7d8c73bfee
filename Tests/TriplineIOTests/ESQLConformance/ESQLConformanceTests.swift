import Foundation
import Testing
@testable import TriplineCore

/// Elasticsearch's ES|QL csv-spec suite (Tests/Conformance/esql): every test in scope
/// (`ESQLConformanceScope`) through the real binary, `tripline query --esql QUERY [--mapping M] [EVENTS...]`,
/// its NDJSON rows compared with the spec's expected table (`ESQLResultComparison`).
///
/// Prints "ES|QL conformance: P passed, F failed, S skipped", each failure, the failures grouped
/// by cause and the skips grouped by reason. Fails if a test named in
/// Tests/Conformance/esql/baseline.txt no longer passes; `ESQL_CONFORMANCE_UPDATE=1` rewrites that
/// file with the tests that pass now (scripts/esql-conformance --update).
@Suite(.serialized) struct ESQLConformanceTests {
    static let folder = packageRoot.appendingPathComponent("Tests/Conformance/esql")
    static let baseline = folder.appendingPathComponent("baseline.txt")

    /// Every test of every copied spec file, files in name order.
    static func allTests() throws -> [CSVSpecTest] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".csv-spec") }.sorted()
        return try files.flatMap { try CSVSpecReader.tests(in: folder.appendingPathComponent($0)) }
    }

    enum Outcome {
        case passed
        case failed(cause: String, detail: String)
        case skipped(String)
    }

    /// The events and mapping each `FROM` needs, written once per run.
    final class Inputs {
        let directory = temporaryDirectory()
        private var written: [String: (events: String, mapping: String)] = [:]

        /// Event files and one mapping for the indices (a merged mapping for several).
        func arguments(for indices: [String]) throws -> [String] {
            var events: [String] = [], mappings: [String] = []
            for index in indices {
                guard let dataset = CSVDataLoader.datasets[index] else { continue }
                if written[index] == nil { written[index] = try CSVDataLoader.write(dataset, from: ESQLConformanceTests.folder, into: directory) }
                if let paths = written[index], !events.contains(paths.events) {
                    events.append(paths.events)
                    mappings.append(paths.mapping)
                }
            }
            guard !events.isEmpty else { return [] }
            var mapping = mappings[0]
            if mappings.count > 1 {
                var properties: [(key: String, value: JSONValue)] = []
                for path in mappings {
                    guard case .object(let members)? = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: path)))["properties"] else { continue }
                    for member in members where !properties.contains(where: { $0.key == member.key }) { properties.append(member) }
                }
                mapping = directory + "/" + indices.joined(separator: "+") + ".mapping.json"
                try Data(JSONValue.object([("properties", .object(properties))]).jsonText.utf8).write(to: URL(fileURLWithPath: mapping))
            }
            return ["--mapping", mapping] + events
        }
    }

    static func outcome(of test: CSVSpecTest, inputs: Inputs) throws -> Outcome {
        if let reason = ESQLConformanceScope.skipReason(test) { return .skipped(reason) }
        let table = try test.expectedTable()
        let shape = ESQLQueryShape(test.query)
        let result = try runCLI(["query", "--esql", test.query] + inputs.arguments(for: shape.sources), in: inputs.directory)
        let stdout = String(decoding: result.stdout, as: UTF8.self)
        if result.timedOut {
            return .failed(cause: "timed out (\(Int(cliTimeout)) s)", detail: "killed after \(Int(cliTimeout)) s")
        }
        if result.status != 0 {
            let message = result.stderr.split(separator: "\n").first.map(String.init) ?? "no message"
            return .failed(cause: cause(status: result.status, message: message), detail: "exit \(result.status): \(ESQLResultComparison.clip(message, to: 240))")
        }
        var rows: [JSONValue] = []
        for line in stdout.split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
            guard let row = try? JSONValue.parse(Array(line.utf8)) else {
                return .failed(cause: "output is not NDJSON", detail: "line: \(ESQLResultComparison.clip(String(line)))")
            }
            rows.append(row)
        }
        if let difference = ESQLResultComparison.difference(expected: table, ignoreOrder: test.ignoreOrder, got: rows) {
            let kind = difference.hasPrefix("columns") ? "columns differ"
                : difference.contains(" rows, expected ") ? "row count differs" : "values differ"
            return .failed(cause: "wrong result: " + kind, detail: difference)
        }
        return .passed
    }

    /// One query's time limit: an engine under construction may loop, and one hang must not stall the suite.
    static let cliTimeout: TimeInterval = 30

    /// `run(triplineBinary, ...)` (Support.swift) with a time limit; stderr goes to a file, so a
    /// chatty stderr cannot block the process while stdout is read.
    static func runCLI(_ arguments: [String], in directory: String) throws -> (status: Int32, stdout: Data, stderr: String, timedOut: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: triplineBinary)
        process.arguments = arguments
        let out = Pipe()
        let errPath = directory + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let timedOut = TimedOut()
        let watchdog = DispatchWorkItem { [process] in
            if process.isRunning { timedOut.set(); process.terminate() }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + cliTimeout, execute: watchdog)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        try err.close()
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout, stderr, timedOut.value)
    }

    final class TimedOut: @unchecked Sendable {
        private let lock = NSLock()
        private var flag = false
        func set() { lock.withLock { flag = true } }
        var value: Bool { lock.withLock { flag } }
    }

    /// A failure's cause for grouping: the CLI's message without its prefix and positions.
    static func cause(status: Int32, message: String) -> String {
        var text = message
        for prefix in ["tripline query: ", "--esql: ", "Error: "] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        text = text.replacingOccurrences(of: #"^(line )?\d+:\d+:\s*"#, with: "", options: [.regularExpression, .caseInsensitive])
        let lower = text.lowercased()
        guard lower.contains("not supported") || lower.contains("unsupported") else {
            return "error (exit \(status)): " + ESQLResultComparison.clip(text, to: 100)
        }
        if lower.hasPrefix("unsupported:") { text = text.dropFirst("unsupported:".count).trimmingCharacters(in: .whitespaces) }
        return "unsupported: " + ESQLResultComparison.clip(text, to: 100)
    }

    static func readBaseline() -> Set<String> {
        guard let text = try? String(contentsOf: baseline, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    @Test func everyInScopeSpecTestReturnsElasticsearchsTable() throws {
        let tests = try Self.allTests()
        let inputs = Inputs()
        var passed: [String] = [], failed: [(test: CSVSpecTest, cause: String, detail: String)] = [], skipped: [(String, String)] = []
        // Passing, but too slow to pin in the baseline: CI runs a debug build, several times slower.
        var slow: [String] = []
        for test in tests {
            let started = Date()
            switch try Self.outcome(of: test, inputs: inputs) {
            case .passed:
                passed.append(test.id)
                if Date().timeIntervalSince(started) > Self.cliTimeout / 6 { slow.append(test.id) }
            case .failed(let cause, let detail): failed.append((test, cause, detail))
            case .skipped(let reason): skipped.append((test.id, reason))
            }
        }

        print("ES|QL conformance: \(passed.count) passed, \(failed.count) failed, \(skipped.count) skipped (\(tests.count) tests)")
        for failure in failed {
            let query = failure.test.query.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            print("  FAILED \(failure.test.id) (\(failure.test.file).csv-spec:\(failure.test.line)): \(ESQLResultComparison.clip(query, to: 200))")
            print("    \(failure.detail)")
        }
        func grouped(_ reasons: [String]) -> [(String, Int)] {
            Dictionary(reasons.map { ($0, 1) }, uniquingKeysWith: +).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        }
        print("failures by cause:")
        for (cause, count) in grouped(failed.map(\.cause)) { print(String(format: "  %4d  ", count) + cause) }
        print("skipped by reason:")
        for (reason, count) in grouped(skipped.map(\.1)) { print(String(format: "  %4d  ", count) + reason) }

        let passing = Set(passed)
        if ProcessInfo.processInfo.environment["ESQL_CONFORMANCE_UPDATE"] == "1" {
            let header = "# ES|QL conformance tests that pass (file.name), rewritten by scripts/esql-conformance --update.\n"
            let pinned = Set(passed).subtracting(slow)
            try Data((header + pinned.sorted().map { $0 + "\n" }.joined()).utf8).write(to: Self.baseline)
            print("baseline rewritten: \(pinned.count) tests (\(slow.count) too slow to pin: \(slow.sorted()))")
        }
        let baseline = Self.readBaseline()
        let regressed = baseline.subtracting(passing).sorted()
        for name in regressed { print("  REGRESSED \(name) (in baseline.txt, no longer passes)") }
        #expect(passed.count + failed.count + skipped.count == tests.count)
        #expect(regressed.isEmpty, "\(regressed.count) baseline test(s) no longer pass: \(regressed.prefix(10))")
        #expect(passed.count >= baseline.count, "\(passed.count) pass, the baseline holds \(baseline.count)")
    }
}
