import Synchronization

/// Recycles batch buffers: a batch hands its bytes back when the last stage drops it, and the
/// framer fills them again. Without it every batch is a fresh megabyte the kernel must fault in
/// and zero (measured: a third of replay's time on a 300 MB file went to page faults).
public final class BatchBufferPool: Sendable {
    public static let shared = BatchBufferPool(keep: 64)

    private let buffers = Mutex<[[UInt8]]>([])
    /// Buffers kept at most; more in flight than this are freed when dropped.
    public let keep: Int

    public init(keep: Int) {
        self.keep = keep
    }

    /// An empty buffer with at least `capacity` bytes reserved.
    public func take(capacity: Int) -> [UInt8] {
        if var buffer = buffers.withLock({ $0.popLast() }) {
            buffer.removeAll(keepingCapacity: true)
            if buffer.capacity >= capacity { return buffer }
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(capacity)
        return buffer
    }

    public func give(_ buffer: consuming [UInt8]) {
        let buffer = buffer
        buffers.withLock { if $0.count < keep { $0.append(buffer) } }
    }

    public var count: Int { buffers.withLock { $0.count } }
}

/// How much a source reads at once.
public enum ReadSize {
    public static let replay = 1 << 20
}
