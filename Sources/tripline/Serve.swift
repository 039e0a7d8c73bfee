import ArgumentParser
import Dispatch
import Foundation
import TriplineIO

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a Unix stream socket of newline-delimited JSON until SIGINT or SIGTERM, then drain and exit.")

    @Option(help: "Path of the Unix socket to create.")
    var socket: String

    @Option(name: .customLong("socket-mode"), help: "Permissions of the socket file, in octal.")
    var socketMode: String = "660"

    @Option(name: .customLong("drain-timeout-ms"),
            help: "On the first SIGINT/SIGTERM, how long connected clients may finish sending before they are disconnected; a second signal disconnects them at once.")
    var drainTimeoutMilliseconds: Int = 3000

    @OptionGroup var flags: PipelineFlags

    func validate() throws {
        guard mode_t(socketMode, radix: 8) != nil else { throw ValidationError("--socket-mode takes an octal mode such as 660") }
    }

    func run() async throws {
        let ruleSet = try flags.loadRules()
        let metrics = try await flags.metricsServer()
        let pipeline = try flags.pipeline(ruleSet, metrics: metrics, live: true)
        let source = UnixSocketSource(path: socket, mode: mode_t(socketMode, radix: 8) ?? 0o660,
                                      maxLineBytes: flags.maxLineBytes, batchBytes: pipeline.options.batchBytes,
                                      drainMilliseconds: drainTimeoutMilliseconds)
        try source.prepareSocketPath()
        StopSignals.unblock()
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            let handler = DispatchSource.makeSignalSource(signal: number, queue: .global())
            handler.setEventHandler { source.stop() }
            handler.resume()
            return handler
        }
        defer { signals.forEach { $0.cancel() } }
        try await flags.run(pipeline) {
            try await source.serve(into: pipeline) {
                if !flags.quiet { Console.error("listening on \(socket) with \(ruleSet.rules.count) rules") }
            }
        }
        await metrics?.stop()
    }
}

enum StopSignals {
    /// A parent may have spawned us with SIGINT and SIGTERM blocked (Dispatch's worker threads
    /// block signals, and children inherit the mask); stopping must work anyway.
    static func unblock() {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
