import ArgumentParser
import Foundation
import TriplineIO

@main
struct Tripline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tripline",
        abstract: "Streaming detection engine: Elastic EQL and ES|QL rules over ECS JSON events, alerts into an LZ4 spool.",
        subcommands: [Replay.self, Serve.self, Query.self, Rules.self, Spool.self])

    /// DESIGN §5: exit 2 on usage errors, 1 on fatal errors.
    static func main() async {
        // A file-size limit must fail the spool's write (EFBIG, a pause) rather than kill us.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Options shared by `replay` and `serve`.
struct PipelineFlags: ParsableArguments {
    @Option(name: .customLong("rules"), help: "Rule file or folder (repeatable). Default: the bundled rules/.")
    var rules: [String] = []

    @Option(help: "Folder of the LZ4 alert spool.")
    var spool: String = "spool"

    @Option(help: "Worker tasks evaluating rules (default: the number of cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("shard-key"), help: "Field that routes events to workers; user.id, aws.cloudtrail.user_identity.arn and host.id follow as fallbacks.")
    var shardKey: String = "user.name"

    @Option(help: "Index name for events with neither _index nor data_stream.* fields.")
    var index: String?

    @Option(name: .customLong("dead-letter"), help: "NDJSON file for rejected lines (source, offset, reason).")
    var deadLetter: String?

    @Option(name: .customLong("stats-json"), help: "Write run statistics as JSON to this file at the end.")
    var statsJSON: String?

    @Option(name: .customLong("max-line-bytes"), help: "Longer lines are rejected to the dead letters.")
    var maxLineBytes: Int = 1 << 20

    @Option(name: .customLong("segment-bytes"), help: "Rotate a spool segment after this many uncompressed bytes.")
    var segmentBytes: Int = 8 << 20

    @Option(name: .customLong("segment-age-ms"), help: "Rotate a spool segment after this many milliseconds.")
    var segmentAgeMilliseconds: Int64 = 5_000

    @Option(name: .customLong("flush-ms"), help: "Flush complete LZ4 blocks at least this often while alerts arrive.")
    var flushMilliseconds: Int64 = 200

    @Flag(help: "Fail the start when a rule cannot be loaded, instead of skipping it.")
    var strict = false

    @Flag(inversion: .prefixedNo,
          help: "Skip lines holding none of a rule's literals without extracting their fields (fast; --no-prefilter parses every line fully, a debugging switch that changes speed, never results).")
    var prefilter = true

    @Flag(name: .customLong("prefilter-every-batch"),
          help: ArgumentHelp("Search every batch for the rules' literals, even where the search skips hardly any line and so backs off (for tests).",
                             visibility: .hidden))
    var prefilterEveryBatch = false

    @Flag(name: .customLong("validate"), inversion: .prefixedNo,
          help: "Validate every line the prefilter skips (SIMD UTF-8 and JSON checks), so every malformed line is a dead letter. --no-validate skips them unchecked: faster, but a malformed line among them is counted as evaluated.")
    var validatesSkipped = true

    @Flag(help: "Print no summary on stderr.")
    var quiet = false

    @Option(help: "An Elasticsearch mapping (JSON) typing fields beyond ECS; its fields override ECS's.")
    var mapping: String?

    @Option(name: .customLong("allowed-lateness"),
            help: "Sequence rules: how far behind the latest event time an event may arrive and still be taken in order (e.g. 30s, 1m, 0). Later events are still evaluated, and counted as late.")
    var allowedLateness = "1m"

    @Option(name: .customLong("max-open-sequences"), help: "Sequence rules: partial sequences kept per rule; past it the oldest are dropped, and counted.")
    var maxOpenSequences = 100_000

    @Option(name: .customLong("max-held-events"), help: "Sequence rules: step matches a correlator holds while their order settles; past it the earliest is taken early, and counted.")
    var maxHeldEvents = 200_000

    @Option(name: .customLong("esql-overlap"), help: "Aggregating ES|QL rules: 'fold' (default) folds a row into the alert of an overlapping earlier run with the same BY values; 'every-run' alerts every run's rows, as Kibana does.")
    var esqlOverlap = "fold"

    @Option(name: .customLong("max-groups"), help: "Aggregating ES|QL rules: groups kept per rule, slice and run; more are refused, counted.")
    var maxGroups = 100_000

    @Option(name: .customLong("max-group-values"), help: "Aggregating ES|QL rules: values VALUES and samples MEDIAN/PERCENTILE keep per group (COUNT_DISTINCT goes on approximately past it); the rest are counted.")
    var maxGroupValues = 10_000

    @Option(help: "Serve live metrics in Prometheus text format at http://ADDRESS/metrics (HOST:PORT, :PORT for all interfaces, or PORT for loopback).")
    var metrics: String?

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard maxLineBytes >= 64 else { throw ValidationError("--max-line-bytes must be at least 64") }
        guard Self.milliseconds(allowedLateness) != nil else {
            throw ValidationError("--allowed-lateness takes a duration such as 500ms, 30s, 1m, 2h or 0, not '\(allowedLateness)'")
        }
        guard maxOpenSequences >= 1 else { throw ValidationError("--max-open-sequences must be at least 1") }
        guard maxHeldEvents >= 1 else { throw ValidationError("--max-held-events must be at least 1") }
        guard ESQLOverlap(rawValue: esqlOverlap) != nil else {
            throw ValidationError("--esql-overlap takes 'fold' or 'every-run', not '\(esqlOverlap)'")
        }
        guard maxGroups >= 1, maxGroupValues >= 1 else { throw ValidationError("--max-groups and --max-group-values must be at least 1") }
    }

    /// A duration as milliseconds: `0`, `500ms`, `30s`, `1m`, `2h`, `1d`.
    static func milliseconds(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        if text.hasSuffix("ms") { return Int64(text.dropLast(2)).flatMap { $0 >= 0 ? $0 : nil } }
        return Timestamp.milliseconds(interval: text)
    }

    func loadRules() throws -> RuleSet {
        let paths = rules.isEmpty ? [try BundledRules.folder()] : rules
        var keys = [shardKey]
        for fallback in RuleSet.defaultShardKeys where !keys.contains(fallback) { keys.append(fallback) }
        let ruleSet = RuleSet.load(paths: paths, shardKeys: keys, types: try FieldTypes.loading(mapping: mapping))
        // Each skipped rule on a line of its own, unless there are many (the bundled set holds
        // rules of syntax still to come): then one line per reason.
        if ruleSet.errors.count > 20 {
            if !quiet {
                Console.error("\(ruleSet.rules.count) rules loaded, \(ruleSet.errors.count) skipped (`tripline rules validate` lists each):")
                for (reason, count) in ruleSet.errors.countsByReason { Console.error("  \(count)\t\(reason)") }
            }
        } else {
            for error in ruleSet.errors { Console.error("rule skipped: \(error)") }
        }
        if strict && !ruleSet.errors.isEmpty {
            throw FatalError("\(ruleSet.errors.count) rule(s) could not be loaded (--strict)")
        }
        if ruleSet.rules.isEmpty { throw FatalError("no rule could be loaded from \(paths.joined(separator: ", "))") }
        return ruleSet
    }

    /// Starts the `--metrics` server, if asked for, before the pipeline that reports into it.
    func metricsServer() async throws -> MetricsServer? {
        guard let metrics else { return nil }
        let server = try await MetricsServer.start(address: metrics)
        if !quiet { Console.error("metrics at http://\(server.address)/metrics") }
        return server
    }

    /// - Parameter live: a socket: event time moves on with the wall clock while no event comes.
    func pipeline(_ ruleSet: RuleSet, metrics: MetricsServer? = nil, live: Bool = false) throws -> Pipeline {
        var options = PipelineOptions(
            workers: workers, shardKeys: [], defaultIndex: index, spoolDirectory: spool,
            spool: SpoolOptions(maxSegmentBytes: segmentBytes, maxSegmentAgeMilliseconds: segmentAgeMilliseconds,
                                flushIntervalMilliseconds: flushMilliseconds),
            maxLineBytes: maxLineBytes, prefilter: prefilter, validatesSkipped: validatesSkipped)
        options.metricsFactory = metrics?.factory
        options.searchesEveryBatch = prefilterEveryBatch
        options.allowedLatenessMilliseconds = Self.milliseconds(allowedLateness) ?? 60_000
        options.maxOpenSequences = maxOpenSequences
        options.esqlOverlap = ESQLOverlap(rawValue: esqlOverlap) ?? .fold
        options.maxGroups = maxGroups
        options.maxGroupValues = maxGroupValues
        options.maxHeldEvents = maxHeldEvents
        options.advancesWhenIdle = live
        options.onSpoolBlocked = { _, detail in Console.error("spool: \(detail)") }
        options.onCapReached = { rule, cap in
            Console.error("warning: aggregating ES|QL rule \(rule) reached \(cap); what it refuses is counted (esql_capped_by_rule in --stats-json)")
        }
        options.onRecovery = { segment in
            // Said even with --quiet: an operator must hear what a crash cost.
            Console.error("recovered \(segment.segment), left open by a crash: \(segment.alertsKept) alerts kept; dropped \(segment.compressedBytesDropped) bytes of an unfinished block and \(segment.partialLineBytesDropped) bytes of a cut alert")
        }
        return Pipeline(ruleSet: ruleSet, options: options, deadLetterSink: try deadLetter.map { try DeadLetterFile(path: $0) })
    }

    /// Runs the stages while `feed` sends into the intake; finishes the intake and reports either way.
    func run(_ pipeline: Pipeline, feed: () async throws -> Void) async throws {
        async let stats = pipeline.run()
        do {
            try await feed()
            pipeline.intake.finish()
        } catch {
            pipeline.intake.finish()
            // A stage that failed closes the intake under the source: report the stage's error.
            do { _ = try await stats } catch { throw FatalError("\(error)") }
            throw FatalError("\(error)")
        }
        try report(try await stats)
    }

    func report(_ stats: PipelineStats) throws {
        if let statsJSON {
            guard FileManager.default.createFile(atPath: statsJSON, contents: Data(stats.jsonLine())) else {
                throw FatalError("cannot write \(statsJSON)")
            }
        }
        guard !quiet else { return }
        let megabytes = Double(stats.bytes) / 1_000_000
        let seconds = max(stats.elapsedSeconds, 1e-9)
        Console.error(String(format: "%d events (%.1f MB) in %.2f s: %.1f MB/s, %.0f events/s; %d alerts, %d rejected, %d without an index, %d skipped by the prefilter",
                             stats.events, megabytes, stats.elapsedSeconds, megabytes / seconds, Double(stats.events) / seconds,
                             stats.alerts, stats.rejected, stats.eventsWithoutIndex, stats.prefiltered))
        if stats.alerts > 0 {
            Console.error("alert latency (framed to flushed block): p50 \(stats.alertLatency.milliseconds(atQuantile: 0.5)) ms, p99 \(stats.alertLatency.milliseconds(atQuantile: 0.99)) ms")
        }
        if stats.sequencesFound > 0 || stats.lateEvents > 0 || stats.sequencesEvicted > 0 || stats.heldReleasedEarly > 0 {
            Console.error("sequences: \(stats.sequencesFound) found, \(stats.lateEvents) late events (past --allowed-lateness \(allowedLateness)), \(stats.sequencesEvicted) partial sequences evicted at --max-open-sequences, \(stats.heldReleasedEarly) events taken before their order settled at --max-held-events")
        }
        if stats.esqlRuns > 0 || stats.esqlRows > 0 {
            Console.error("aggregating ES|QL: \(stats.esqlRuns) scheduled runs, \(stats.esqlRows) rows, \(stats.esqlRowsFolded) folded into an overlapping run's alert (--esql-overlap \(esqlOverlap)), \(stats.lateEvents) late events, \(stats.esqlPartlyLate) partly late")
        }
        if stats.esqlWarnings.total > 0 {
            Console.error("warning: ES|QL rules: " + stats.esqlWarnings.summary + " (esql_warnings_by_kind in --stats-json)")
        }
        if let caps = stats.esqlWarnings.capSummary {
            Console.error("warning: rules: " + caps + " (esql_warnings_by_kind.events_over_row_cap in --stats-json)")
        }
        if stats.esqlGroupsRefused + stats.esqlValuesDropped + stats.esqlRowsRefused > 0 {
            Console.error("warning: aggregating ES|QL rules hit their caps: \(stats.esqlGroupsRefused) groups refused at --max-groups, \(stats.esqlValuesDropped) VALUES values or MEDIAN/PERCENTILE samples dropped at --max-group-values, \(stats.esqlRowsRefused) INLINE STATS rows refused at --max-held-events (by rule: \(stats.esqlCappedByRule.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")))")
        }
        if stats.eventsWithoutIndex > 0 && index == nil {
            Console.error("note: events without _index or data_stream.* fields meet no rule; give --index NAME to route them")
        }
        if stats.rejected > 0 && deadLetter == nil {
            Console.error("note: rejected lines were counted but not kept; give --dead-letter FILE to keep them")
        }
    }
}

extension FieldTypes {
    /// ECS's types, overlaid by the `--mapping` file when one is given.
    static func loading(mapping path: String?) throws -> FieldTypes {
        guard let path else { return .bundled }
        guard let data = FileManager.default.contents(atPath: path) else { throw FatalError("cannot read \(path)") }
        do {
            return FieldTypes.bundled.overlaid(by: try FieldTypes(mapping: Array(data)))
        } catch {
            throw FatalError("\(path): \(error)")
        }
    }
}

struct FatalError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Where the bundled rules are: `./rules`, or `rules/` of the checkout the binary was built in.
enum BundledRules {
    static func folder() throws -> String {
        var candidates = ["rules"]
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // .build/<triple>/<config>/tripline → the package root.
        var dir = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("rules").path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append("/usr/share/tripline/rules")
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
        }
        throw FatalError("no bundled rules folder found; give --rules PATH")
    }
}
