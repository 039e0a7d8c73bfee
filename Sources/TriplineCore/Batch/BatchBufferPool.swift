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

    /// A buffer of at least `count` bytes, holding whatever its last batch left: the framer
    /// writes (and reads straight into) its bytes and keeps its own count of those filled, so
    /// a recycled buffer is never cleared or zeroed again.
    public func take(count: Int) -> [UInt8] {
        if let buffer = buffers.withLock({ $0.popLast() }), buffer.count >= count { return buffer }
        return Self.unzeroed(count: count)
    }

    /// A buffer of `count` bytes left as the allocator gives them: zeroing would make every
    /// page of its room resident before anything is read into it (a stalled pipeline's memory
    /// grew 5 -> 34 MiB).
    static func unzeroed(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
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
