import ArgumentParser
import Foundation
import TriplineIO

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay files, folders, .gz and .lz4 archives, or - (stdin) through the rules.")

    @OptionGroup var flags: PipelineFlags

    @Option(name: .customLong("progress-seconds"), help: "Seconds between progress lines on stderr (none with --quiet).")
    var progressSeconds: Int = 5

    @Argument(help: "Files, folders (recursive, sorted), .gz, .lz4, or - for stdin.")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one input PATH (or - for stdin)") }
        guard progressSeconds >= 1 else { throw ValidationError("--progress-seconds must be at least 1") }
    }

    func run() async throws {
        let ruleSet = try flags.loadRules()
        let metrics = try await flags.metricsServer()
        let pipeline = try flags.pipeline(ruleSet, metrics: metrics)
        let source = ReplaySource(paths: paths, maxLineBytes: flags.maxLineBytes, batchBytes: pipeline.options.batchBytes)
        _ = try source.inputFiles()  // fail before starting on a missing input
        let total = try source.totalBytes()
        let progress = Task {
            guard !flags.quiet else { return }
            let clock = ContinuousClock()
            let started = clock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(progressSeconds))
                guard !Task.isCancelled else { break }
                let now = pipeline.counters.progressTotals
                let seconds = max(1e-9, (clock.now - started) / .seconds(1))
                let percent = total.map { String(format: " of %.1f MB (%.0f%%)", Double($0) / 1e6, 100 * Double(now.bytes) / Double(max(1, $0))) } ?? ""
                Console.error(String(format: "progress: %.1f MB", Double(now.bytes) / 1e6) + percent
                              + String(format: " read, %.1f MB/s, %.0f events/s, %d alerts",
                                       Double(now.bytes) / 1e6 / seconds, Double(now.lines) / seconds, now.alerts))
            }
        }
        defer { progress.cancel() }
        try await flags.run(pipeline) { try await source.feed(pipeline) }
        await metrics?.stop()
    }
}
