#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Synchronization

/// Serves newline-delimited JSON on a Unix stream socket, many clients at once.
///
/// Each connection has its own framer, so a fragment left by one client never joins another
/// client's lines. Backpressure: a connection task waits on the pipeline's intake; while it
/// waits it reads nothing, NIO stops reading at its high watermark, the kernel buffer fills and
/// the forwarder's writes block. Nothing is dropped.
public final class UnixSocketSource: Sendable {
    public let path: String
    public let mode: mode_t
    public let maxLineBytes: Int
    public let batchBytes: Int
    /// After `stop()`, how long connected clients may go on sending (and what they already sent,
    /// still in the kernel's buffer, is read) before their connections are closed.
    public let drainMilliseconds: Int
    private let state = Mutex<(stopped: Bool, server: (any Channel)?, connections: [Int: any Channel], nextID: Int)>(
        (false, nil, [:], 0))

    public init(path: String, mode: mode_t = 0o660, maxLineBytes: Int, batchBytes: Int, drainMilliseconds: Int = 3000) {
        self.path = path
        self.drainMilliseconds = drainMilliseconds
        self.mode = mode
        self.maxLineBytes = maxLineBytes
        self.batchBytes = batchBytes
    }

    /// Replaces a stale socket file; refuses a live one or a file that is not a socket.
    public func prepareSocketPath() throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw SourceError(message: "\(path) exists and is not a socket; refusing to replace it")
        }
        if Self.isLive(path) {
            throw SourceError(message: "\(path) is in use by a running process (a connection to it succeeded); stop it or choose another --socket")
        }
        guard unlink(path) == 0 else { throw SourceError(message: "cannot remove stale socket \(path): \(String(cString: strerror(errno)))") }
    }

    static func isLive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(capacity - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }

    /// Accepts connections and feeds them into the pipeline until `stop()`; then returns once
    /// every connection's lines are in the intake. Does not finish the intake.
    public func serve(into pipeline: Pipeline, onReady: @Sendable () -> Void = {}) async throws {
        try prepareSocketPath()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 1 << 20))
            .bind(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8)))
                }
            }
        defer { unlink(path) }
        guard chmod(path, mode) == 0 else { throw SourceError(message: "cannot set mode of \(path): \(String(cString: strerror(errno)))") }
        let alreadyStopped = state.withLock { state -> Bool in
            state.server = server.channel
            return state.stopped
        }
        if alreadyStopped { try? await server.channel.close() }
        onReady()
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    let id = register(connection.channel)
                    group.addTask {
                        await self.handle(connection, id: id, pipeline: pipeline)
                    }
                }
            }
        }
    }

    private func register(_ channel: any Channel) -> Int {
        let (id, stopped) = state.withLock { state -> (Int, Bool) in
            state.nextID += 1
            state.connections[state.nextID] = channel
            return (state.nextID, state.stopped)
        }
        if stopped { channel.close(promise: nil) }
        return id
    }

    private func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, id: Int, pipeline: Pipeline) async {
        var framer = LineFramer(source: "socket:\(path)#\(id)", maxLineBytes: maxLineBytes, targetBatchBytes: batchBytes)
        var bytes = 0
        do {
            try await connection.executeThenClose { inbound, _ in
                for try await buffer in inbound {
                    bytes += buffer.readableBytes
                    var outputs = buffer.withUnsafeReadableBytes { framer.append($0) }
                    // Hand on what this read completed now: a quiet client must not wait for a full batch.
                    outputs.append(contentsOf: framer.flush())
                    for output in outputs { try await pipeline.intake.send(output) }
                }
            }
        } catch {
            // The connection broke; what it sent before is in, its fragment goes to the dead letters.
        }
        for output in framer.finish(.disconnected) { try? await pipeline.intake.send(output) }
        pipeline.counters.add(bytes: bytes, lines: framer.linesFramed, blank: framer.blankLines)
        _ = state.withLock { $0.connections.removeValue(forKey: id) }
    }

    /// Stops accepting; clients still connected get `drainMilliseconds` to finish (so lines they
    /// sent before the signal are read, not discarded with the socket), then their connections
    /// are closed. A second `stop()` closes them at once. `serve` returns once every connection's
    /// lines are handed on.
    public func stop() {
        let (server, again) = state.withLock { state -> ((any Channel)?, Bool) in
            defer { state.stopped = true }
            return (state.server, state.stopped)
        }
        server?.close(promise: nil)
        let grace = again ? 0 : drainMilliseconds
        Task {
            if grace > 0 { try? await Task.sleep(for: .milliseconds(grace)) }
            let connections = self.state.withLock { Array($0.connections.values) }
            for connection in connections { connection.close(promise: nil) }
        }
    }
}
