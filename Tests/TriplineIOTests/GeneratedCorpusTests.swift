import Foundation
import Testing
@testable import TriplineIO

/// A generated corpus (all four event kinds, hits and near misses of both seed rules, nested and
/// dotted keys, shuffled keys, `\uXXXX` and `\/` escapes, malformed lines) against the oracle's
/// verdict, through replay and through the socket.
@Suite(.serialized) struct GeneratedCorpusTests {
    static let corpus: (dir: String, file: String, truth: String) = {
        let dir = temporaryDirectory()
        let file = dir + "/corpus.ndjson", truth = dir + "/truth.json"
        let generated = try? run(packageRoot.appendingPathComponent("scripts/gen-corpus").path,
                                 ["--size", "24M", "--seed", "2", "--out", file, "--truth", truth])
        precondition(generated?.status == 0, "gen-corpus failed: \(generated?.stderr ?? "")")
        return (dir, file, truth)
    }()

    /// Runs scripts/compare-truth; without `deadLetters` only alerts and event counts are compared.
    func compare(_ spool: String, deadLetters: String?, stats: String, parts: [String] = []) throws -> (status: Int32, report: String) {
        var arguments = [Self.corpus.file, Self.corpus.truth, spool, "--stats", stats]
        if let deadLetters { arguments += ["--dead-letter", deadLetters] }
        if !parts.isEmpty { arguments += ["--parts"] + parts }
        let result = try run(packageRoot.appendingPathComponent("scripts/compare-truth").path, arguments)
        return (result.status, String(decoding: result.stdout, as: UTF8.self) + result.stderr)
    }

    @Test func replayWithoutPrefilterAlertsAndRejectsExactlyAsTheOracle() throws {
        let dir = temporaryDirectory()
        let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--no-prefilter", "--spool", dir + "/spool", "--dead-letter", dir + "/dead.ndjson",
                                              "--stats-json", dir + "/stats.json", Self.corpus.file])
        #expect(result.status == 0, "\(result.stderr)")
        let comparison = try compare(dir + "/spool", deadLetters: dir + "/dead.ndjson", stats: dir + "/stats.json")
        #expect(comparison.status == 0, "\(comparison.report)")
        let expected = try expectedAlerts(truth: Self.corpus.truth)
        #expect(expected.alerts.count > 10 && expected.rejected > 0, "the corpus should hold hits and malformed lines")
        #expect(integer(try stats(dir + "/stats.json")["alerts"]) == expected.alerts.count)
    }

    /// The differential test of the prefilter: on (the default) the alerts are the same, most
    /// lines are skipped unparsed, and the counts still add up.
    @Test func replayWithPrefilterGivesTheSameAlerts() throws {
        let dir = temporaryDirectory()
        let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--spool", dir + "/spool", "--dead-letter", dir + "/dead.ndjson",
                                              "--stats-json", dir + "/stats.json", Self.corpus.file])
        #expect(result.status == 0, "\(result.stderr)")
        // Skipped lines are validated too: the dead letters are the oracle's, as without the prefilter.
        let comparison = try compare(dir + "/spool", deadLetters: dir + "/dead.ndjson", stats: dir + "/stats.json")
        #expect(comparison.status == 0, "\(comparison.report)")
        let summary = try stats(dir + "/stats.json")
        let expected = try expectedAlerts(truth: Self.corpus.truth)
        #expect(integer(summary["prefiltered"]) > expected.lines / 2, "most lines hold no rule's literal")
        #expect(integer(summary["events"]) == integer(summary["evaluated"]) + integer(summary["rejected"]))
        #expect(integer(summary["rejected"]) == expected.rejected)
    }

    @Test func eightSocketClientsGiveTheSameAlertsAndCounts() throws {
        let dir = temporaryDirectory()
        // Cut the corpus into 8 parts at line boundaries; each goes over its own connection.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.corpus.file)))
        var parts: [String] = []
        var start = 0
        for index in 0..<8 {
            var end = index == 7 ? bytes.count : min(bytes.count, (index + 1) * bytes.count / 8)
            while end < bytes.count && bytes[end - 1] != 0x0A { end += 1 }
            let path = dir + "/part\(index).ndjson"
            try Data(bytes[start..<end]).write(to: URL(fileURLWithPath: path))
            parts.append(path)
            start = end
        }
        let server = Process()
        server.executeURL(triplineBinary, ["serve", "--rules", seedRulesPath, "--quiet", "--socket", dir + "/t.sock", "--spool", dir + "/spool",
                                           "--dead-letter", dir + "/dead.ndjson", "--stats-json", dir + "/stats.json"])
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        #expect(waitForSocket(dir + "/t.sock"))
        let partPaths = parts
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            guard let client = try? SocketClient(path: dir + "/t.sock"),
                  let payload = try? Data(contentsOf: URL(fileURLWithPath: partPaths[index])) else { return }
            try? client.write(Array(payload))
            client.close()
        }
        // No sleep: what the clients sent before the signal is still read during the drain.
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        // Prefilter on (the default): alerts and event counts, not dead letters, must match.
        let comparison = try compare(dir + "/spool", deadLetters: nil, stats: dir + "/stats.json", parts: parts)
        #expect(comparison.status == 0, "\(comparison.report)")
    }
}

extension Process {
    func executeURL(_ executable: String, _ arguments: [String]) {
        executableURL = URL(fileURLWithPath: executable)
        self.arguments = arguments
        standardOutput = FileHandle.nullDevice
        standardError = FileHandle.nullDevice
    }
}
