import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves the pipeline's live metrics in Prometheus text format at `GET /metrics`.
public final class MetricsServer: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let channel: any Channel

    /// The factory to hand `PipelineOptions.metricsFactory`: it records into `registry`.
    public var factory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    /// Where the server listens (the port is the real one when 0 was asked for).
    public var address: String {
        guard let local = channel.localAddress else { return "?" }
        return "\(local.ipAddress ?? "?"):\(local.port ?? 0)"
    }

    /// Binds `address`: `HOST:PORT`, `:PORT` (all interfaces) or `PORT` (loopback only).
    public static func start(address: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) async throws -> MetricsServer {
        let (host, port) = try parse(address)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(MetricsHandler(registry: registry))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return MetricsServer(registry: registry, channel: channel)
        } catch {
            throw SourceError(message: "cannot serve metrics on \(address): \(error)")
        }
    }

    private init(registry: PrometheusCollectorRegistry, channel: any Channel) {
        self.registry = registry
        self.channel = channel
    }

    public func stop() async {
        try? await channel.close()
    }

    static func parse(_ address: String) throws -> (host: String, port: Int) {
        let invalid = SourceError(message: "--metrics takes HOST:PORT, :PORT or PORT, not \"\(address)\"")
        guard let colon = address.lastIndex(of: ":") else {
            guard let port = Int(address), (0...65535).contains(port) else { throw invalid }
            return ("127.0.0.1", port)
        }
        var host = String(address[..<colon])
        guard let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else { throw invalid }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// Answers `GET /metrics` (and `HEAD`) with the registry's text; anything else gets 404 or 405.
private final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        var status = HTTPResponseStatus.ok
        var body: [UInt8]
        var contentType = "text/plain; version=0.0.4; charset=utf-8"
        switch (request.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            body = registry.emitToBuffer()
        case (_, "/metrics"):
            status = .methodNotAllowed
            body = Array("only GET /metrics\n".utf8)
        default:
            status = .notFound
            body = Array("metrics are at /metrics\n".utf8)
            contentType = "text/plain; charset=utf-8"
        }
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(body.count))])
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !request.isKeepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
