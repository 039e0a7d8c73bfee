import ArgumentParser
import TriplineIO

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay files, folders, .gz and .lz4 archives, or - (stdin) through the rules.")

    @OptionGroup var flags: PipelineFlags

    @Argument(help: "Files, folders (recursive, sorted), .gz, .lz4, or - for stdin.")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one input PATH (or - for stdin)") }
    }

    func run() async throws {
        let ruleSet = try flags.loadRules()
        let pipeline = try flags.pipeline(ruleSet)
        let source = ReplaySource(paths: paths, maxLineBytes: flags.maxLineBytes, batchBytes: pipeline.options.batchBytes)
        _ = try source.inputFiles()  // fail before starting on a missing input
        try await flags.run(pipeline) { try await source.feed(pipeline) }
    }
}
