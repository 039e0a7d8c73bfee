import Foundation
import Synchronization
import Testing
@testable import TriplineIO
import TriplineCore

/// Drives the real binary over real files, as a user would.
@Suite(.serialized) struct ReplayEndToEndTests {
    let sample = packageRoot.appendingPathComponent("samples/seed-events.ndjson").path
    let truth = packageRoot.appendingPathComponent("samples/seed-events.expected.json").path

    @Test func replayAlertsOnExactlyTheEventsElasticWould() throws {
        let dir = temporaryDirectory()
        let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", dir + "/spool", "--dead-letter", dir + "/dead.ndjson",
                                              "--stats-json", dir + "/stats.json", sample])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try expectedAlerts(truth: truth)
        #expect(try alertedLines(spool: dir + "/spool", input: sample) == expected.alerts)
        let s = try stats(dir + "/stats.json")
        #expect(integer(s["events"]) == expected.lines)
        #expect(integer(s["rejected"]) == expected.rejected)
        #expect(integer(s["events"]) == integer(s["evaluated"]) + integer(s["rejected"]))
        #expect(integer(s["alerts"]) == expected.alerts.count)
        let deadLetters = try String(contentsOfFile: dir + "/dead.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(deadLetters.count == expected.rejected)
        #expect(deadLetters.allSatisfy { $0.contains("\"offset\":") && $0.contains("\"reason\":") })
    }

    /// The writer's ticker sleeps a quarter of --flush-ms between ticks; the end of a run must not
    /// wait out that sleep (with --flush-ms 60000, 15 s per run before this was pinned).
    @Test func runEndsWithoutWaitingForTheNextTick() throws {
        let dir = temporaryDirectory()
        let started = ContinuousClock.now
        let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--flush-ms", "60000", "--spool", dir + "/spool", "--stats-json", dir + "/stats.json", sample])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 0, "\(result.stderr)")
        #expect(integer(try stats(dir + "/stats.json")["alerts"]) == (try expectedAlerts(truth: truth).alerts.count))
        #expect(elapsed < .seconds(10), "replay of \(sample) took \(elapsed)")
    }

    @Test func gzipLz4StdinAndFoldersGiveTheSameAlerts() throws {
        let dir = temporaryDirectory()
        let folder = dir + "/in/nested"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try run("/usr/bin/env", ["cp", sample, folder + "/a.ndjson"])
        try run("/usr/bin/env", ["sh", "-c", "gzip -c '\(sample)' > '\(dir)/s.ndjson.gz' && lz4 -q -c '\(sample)' > '\(dir)/s.ndjson.lz4'"])
        let expected = try expectedAlerts(truth: truth).alerts.count
        for (name, inputs, stdin) in [("gz", [dir + "/s.ndjson.gz"], nil), ("lz4", [dir + "/s.ndjson.lz4"], nil),
                                      ("folder", [dir + "/in"], nil), ("stdin", ["-"], try Data(contentsOf: URL(fileURLWithPath: sample)))] {
            let out = dir + "/" + name
            let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", out, "--stats-json", out + ".json"] + inputs, stdin: stdin)
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(integer(try stats(out + ".json")["alerts"]) == expected, "\(name)")
        }
    }

    @Test func truncatedArchiveIsAFatalErrorNotSilence() throws {
        let dir = temporaryDirectory()
        try run("/usr/bin/env", ["sh", "-c", "gzip -c '\(sample)' | head -c 2000 > '\(dir)/cut.gz'"])
        let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", dir + "/spool", dir + "/cut.gz"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ends early"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let result = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--workers", "0", sample])
        #expect(result.status == 2)
        let missing = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--spool", temporaryDirectory(), "/no/such/file"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/no/such/file"))
    }

    @Test func rulesValidateReportsEachRuleAsJSON() throws {
        let dir = temporaryDirectory()
        try "[rule]\nrule_id = \"bad\"\nlanguage = \"eql\"\ntype = \"eql\"\nname = \"bad\"\nquery = '''\nprocess where process.name = \"x\"\n'''\n"
            .write(toFile: dir + "/bad.toml", atomically: true, encoding: .utf8)
        let result = try run(triplineBinary, ["rules", "validate", "--json", seedRulesPath, dir + "/bad.toml"])
        #expect(result.status == 1)
        let rows = try String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
        #expect(rows.count == 4, "3 rules and the summary")
        #expect(rows.filter { $0["ok"] == .bool(true) }.count == 2)
        let bad = rows.first { $0["rule_id"] == .string("bad") }
        #expect(bad?["error"].map { "\($0)" }?.contains("bad.toml:7:28") == true)
        let summary = rows.last?["summary"]
        #expect(summary?["ok"] == .number("2"))
        #expect(summary?["failed"] == .number("1"))
        #expect(summary?["eql"]?["failed"] == .number("1"))
        if case .object(let reasons)? = summary?["by_reason"] { #expect(reasons.count == 1) } else { Issue.record("no by_reason") }
    }

    @Test func spoolFolderIsCreatedWithParentsAndItsFailureIsReportedAsSuch() throws {
        let dir = temporaryDirectory()
        let nested = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--spool", dir + "/a/b/spool", sample])
        #expect(nested.status == 0, "\(nested.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/a/b/spool/alerts-0000000001.ndjson.lz4"))
        // A spool path under a regular file: the spool's own error, not a closed channel.
        _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data())
        let failed = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--spool", dir + "/file/spool", sample])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("create spool folder"), "\(failed.stderr)")
        #expect(!failed.stderr.contains("ChannelClosed"))
    }

    /// A long replay says how far it is; stdin has no size, so no percentage.
    @Test func longReplaysPrintProgress() throws {
        let dir = temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: triplineBinary)
        process.arguments = ["replay", "--rules", seedRulesPath, "--progress-seconds", "1", "--spool", dir + "/spool", "-"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let sample = try Data(contentsOf: URL(fileURLWithPath: sample))
        input.fileHandleForWriting.write(sample)
        usleep(2_500_000)  // a pause in the input: the progress line must still come
        input.fileHandleForWriting.write(sample)
        try input.fileHandleForWriting.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let progress = stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(!progress.isEmpty, "\(stderr)")
        #expect(progress.first.map { $0.contains("MB read") && $0.contains("alerts") && !$0.contains("%") } == true)
    }

    @Test func spoolTailFollowsSegmentsAsTheyClose() throws {
        let dir = temporaryDirectory()
        let first = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--spool", dir + "/spool", sample])
        #expect(first.status == 0)
        let tail = Process()
        tail.executableURL = URL(fileURLWithPath: triplineBinary)
        tail.arguments = ["spool", "tail", "--poll-ms", "50", dir + "/spool"]
        let output = Pipe()
        tail.standardOutput = output
        tail.standardError = FileHandle.nullDevice
        try tail.run()
        // Drain the pipe while tail runs: 13 alerts overflow a pipe's 64 KiB, and a writer blocked on a
        // full pipe would be killed mid-write.
        let collected = Mutex(Data())
        let reader = Thread { collected.withLock { $0 = output.fileHandleForReading.readDataToEndOfFile() } }
        reader.start()
        usleep(300_000)
        // Only segments closed after tail started are printed (no --from-start).
        let second = try run(triplineBinary, ["replay", "--rules", seedRulesPath, "--quiet", "--spool", dir + "/spool", sample])
        #expect(second.status == 0)
        usleep(500_000)
        tail.terminate()
        tail.waitUntilExit()
        // Split bytes, not Characters: an alert may hold a combining mark that would join a newline.
        while reader.isExecuting { usleep(10_000) }
        let lines = collected.withLock { $0 }.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines.count == 13, "the second replay's 13 alerts, once")
        #expect(lines.allSatisfy { $0.contains("kibana.alert.uuid") })
    }

    /// DESIGN §2: at most max_signals alerts per rule per interval bucket of event time; the rest
    /// counted as suppressed in the stats.
    @Test func maxSignalsCapsEachIntervalBucket() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        let original = try String(contentsOf: packageRoot.appendingPathComponent("samples/seed-rules/persistence_iam_user_created_access_keys_for_another_user.toml"), encoding: .utf8)
        try original.replacingOccurrences(of: "[rule]\n", with: "[rule]\nmax_signals = 3\ninterval = \"5m\"\n")
            .write(toFile: dir + "/rules/capped.toml", atomically: true, encoding: .utf8)
        let hit = try String(contentsOfFile: sample, encoding: .isoLatin1).split(separator: "\n")[0]
        #expect(hit.hasPrefix(#"{"@timestamp":"2020-01-08T20:43:06.000Z""#))
        var input = ""
        // 10 hits in the 20:40-20:45 bucket, 2 in the next one; each its own event.
        for n in 0..<12 {
            let time = n < 10 ? "2020-01-08T20:4\(n % 5):0\(n % 10)Z" : "2020-01-08T20:47:0\(n % 10)Z"
            input += #"{"@timestamp":"\#(time)","n":\#(n),"# + hit.dropFirst(#"{"@timestamp":"2020-01-08T20:43:06.000Z","#.count) + "\n"
        }
        try input.write(toFile: dir + "/in.ndjson", atomically: true, encoding: .utf8)
        let result = try run(triplineBinary, ["replay", "--quiet", "--rules", dir + "/rules", "--spool", dir + "/spool",
                                              "--stats-json", dir + "/stats.json", dir + "/in.ndjson"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try stats(dir + "/stats.json")
        #expect(integer(summary["alerts"]) == 5)
        #expect(integer(summary["suppressed"]) == 7)
        if case .object(let byRule)? = summary["suppressed_by_rule"] { #expect(byRule.first?.value == .number("7")) }
        var written = 0
        try SpoolReader.forEachLine(in: dir + "/spool") { _ in written += 1 }
        #expect(written == 5)
    }

    /// An ES|QL rule with EVAL, MV_EXPAND and a WHERE on a computed column, through the real
    /// binary: one alert per row, the computed columns in it, the same ids on a second replay.
    @Test func esqlPipelineRulesAlertPerRowWithTheirColumns() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        try #"""
            [rule]
            rule_id = "esql-pipeline"
            name = "Long argument of a shell"
            description = "test"
            type = "esql"
            language = "esql"
            risk_score = 47
            severity = "medium"
            query = '''
            FROM logs-endpoint.events.process-* METADATA _id, _index, _version
            | WHERE process.name IN ("bash", "sh")
            | EVAL Esql.name = TO_UPPER(process.name)
            | MV_EXPAND process.args
            | EVAL Esql.arg_length = LENGTH(process.args)
            | WHERE Esql.arg_length > 3
            | KEEP _id, _index, Esql.*, process.args, host.name
            '''
            """#.write(toFile: dir + "/rules/pipeline.toml", atomically: true, encoding: .utf8)
        let events = [
            #"{"@timestamp":"2026-01-01T00:00:00Z","data_stream":{"type":"logs","dataset":"endpoint.events.process","namespace":"default"},"process":{"name":"bash","args":["bash","-c","curl x|sh"]},"host":{"name":"h1"}}"#,
            #"{"@timestamp":"2026-01-01T00:00:01Z","data_stream":{"type":"logs","dataset":"endpoint.events.process","namespace":"default"},"process":{"name":"zsh","args":["zsh","-c","long argument"]}}"#,
        ]
        try (events.joined(separator: "\n") + "\n").write(toFile: dir + "/in.ndjson", atomically: true, encoding: .utf8)
        var ids: [[String]] = []
        for spool in ["spool1", "spool2"] {
            let result = try run(triplineBinary, ["replay", "--quiet", "--rules", dir + "/rules", "--spool", dir + "/" + spool, dir + "/in.ndjson"])
            #expect(result.status == 0, "\(result.stderr)")
            var alerts: [JSONValue] = []
            try SpoolReader.forEachLine(in: dir + "/" + spool) { alerts.append(try JSONValue.parse(Array($0))) }
            // "bash" has 4 characters and "curl x|sh" 9; "-c" is too short; zsh is not a shell here.
            #expect(alerts.map { $0["process.args"] } == [.string("bash"), .string("curl x|sh")])
            #expect(alerts.allSatisfy { $0["Esql.name"] == .string("BASH") && $0["host"]?["name"] == .string("h1") })
            #expect(alerts.map { $0["Esql.arg_length"] } == [.number("4"), .number("9")])
            ids.append(alerts.compactMap { if case .string(let id)? = $0["kibana.alert.uuid"] { return id } else { return nil } })
        }
        #expect(Set(ids[0]).count == 2)
        #expect(ids[0] == ids[1])
    }
}
