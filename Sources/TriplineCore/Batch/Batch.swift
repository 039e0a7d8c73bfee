/// Where a line came from, for dead-letter records and alert ancestry.
public struct SourcePosition: Sendable, Hashable {
    public var source: String
    public var byteOffset: UInt64

    public init(source: String, byteOffset: UInt64) {
        self.source = source
        self.byteOffset = byteOffset
    }
}

/// A line inside a batch's buffer: `[start, start + length)`, terminator excluded.
public struct LineSpan: Sendable, Hashable {
    public var start: UInt32
    public var length: UInt32

    public init(start: UInt32, length: UInt32) {
        self.start = start
        self.length = length
    }

    @inlinable public var end: Int { Int(start) + Int(length) }
}

/// One contiguous slice of a source's bytes holding whole lines, and where each line lies.
///
/// Immutable once built and shared by reference between stages, so no stage copies events.
/// The buffer's first `byteCount` bytes are a verbatim copy of the source range
/// `[baseOffset, baseOffset + byteCount)`, which makes a line's source offset
/// `baseOffset + span.start` without any per-line bookkeeping. Bytes past them are the
/// framer's room for reads, and are never lent.
public final class Batch: Sendable {
    public let source: String
    public let baseOffset: UInt64
    private let storage: [UInt8]
    public let byteCount: Int
    public let lines: [LineSpan]
    /// Where the buffer goes back when the batch is dropped; nil: freed.
    let pool: BatchBufferPool?
    /// When the framer cut it (for sockets, the read that completed it): alert latency starts here.
    public let framedAt = ContinuousClock.now

    public convenience init(source: String, baseOffset: UInt64, bytes: [UInt8], lines: [LineSpan], pool: BatchBufferPool? = nil) {
        self.init(source: source, baseOffset: baseOffset, storage: bytes, byteCount: bytes.count, lines: lines, pool: pool)
    }

    /// - Parameter storage: a buffer whose first `byteCount` bytes hold the lines.
    init(source: String, baseOffset: UInt64, storage: [UInt8], byteCount: Int, lines: [LineSpan], pool: BatchBufferPool?) {
        precondition(byteCount <= storage.count && lines.allSatisfy { $0.end <= byteCount }, "a batch's lines lie in its bytes")
        self.source = source
        self.baseOffset = baseOffset
        self.storage = storage
        self.byteCount = byteCount
        self.lines = lines
        self.pool = pool
    }

    deinit {
        pool?.give(storage)
    }

    public var lineCount: Int { lines.count }

    public func position(ofLine index: Int) -> SourcePosition {
        SourcePosition(source: source, byteOffset: baseOffset + UInt64(lines[index].start))
    }

    /// The bytes of one line, copied; for slow paths only (alerts, dead letters, tests).
    public func lineBytes(_ index: Int) -> ArraySlice<UInt8> {
        let span = lines[index]
        return storage[Int(span.start)..<span.end]
    }

    /// Lends the batch's bytes (`byteCount` of them).
    /// - warning: Do not escape the pointer.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<byteCount])) }
    }
}
