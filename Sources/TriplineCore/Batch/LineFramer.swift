#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a framer hands on: batches of whole lines, and lines it had to reject.
public enum FramedOutput: Sendable {
    case batch(Batch)
    case deadLetter(DeadLetter)
}

/// Cuts one source's byte stream into batches of whole lines.
///
/// CRLF and LF both end a line; blank lines are skipped; a line longer than `maxLineBytes`
/// becomes a dead letter without being buffered whole, so one huge line never holds memory
/// or costs its neighbours. Each source (file, socket connection) has its own framer, so a
/// fragment from one client never joins another client's data.
public struct LineFramer {
    public enum Ending: Sendable {
        /// A last line without a newline is an event, as users of line-based tools expect.
        case endOfFile
        /// A client went away mid-line: the fragment is incomplete and goes to the dead letters.
        case disconnected
    }

    public let source: String
    public let maxLineBytes: Int
    public let targetBatchBytes: Int

    /// The batch being filled: its first `filled` bytes are the source's, the rest is room.
    private var pending: [UInt8] = []
    private var filled = 0
    private var pendingBase: UInt64 = 0
    private var lines: [LineSpan] = []
    /// Start of the line not yet ended by a newline.
    private var tailStart = 0
    /// Dropping the rest of a line already reported as too long.
    private var discarding = false
    public private(set) var blankLines = 0
    public private(set) var linesFramed = 0

    public init(source: String, maxLineBytes: Int = 1 << 20, targetBatchBytes: Int = 1 << 20, startOffset: UInt64 = 0,
                pool: BatchBufferPool = .shared) {
        self.source = source
        self.maxLineBytes = max(1, maxLineBytes)
        self.targetBatchBytes = max(1, targetBatchBytes)
        self.pendingBase = startOffset
        self.pool = pool
        pending = pool.take(count: bufferCapacity)
    }

    private let pool: BatchBufferPool
    /// A batch's bytes plus room for the read that completes it, so appends rarely reallocate.
    private var bufferCapacity: Int { targetBatchBytes + 2 * ReadSize.replay }

    /// Appends bytes read from the source; returns any batches and dead letters now complete.
    public mutating func append(_ chunk: UnsafeRawBufferPointer) -> [FramedOutput] {
        var out: [FramedOutput] = []
        var chunk = chunk
        if discarding {
            guard let newline = Self.firstNewline(in: chunk) else {
                pendingBase += UInt64(chunk.count)
                return out
            }
            pendingBase += UInt64(newline + 1)
            chunk = UnsafeRawBufferPointer(rebasing: chunk[(newline + 1)...])
            discarding = false
        }
        let scanFrom = filled
        guard let bytes = chunk.baseAddress, chunk.count > 0 else { return out }
        makeRoom(chunk.count)
        pending.withUnsafeMutableBytes { _ = memcpy($0.baseAddress! + filled, bytes, chunk.count) }
        filled += chunk.count
        framed(from: scanFrom, into: &out)
        return out
    }

    /// Lets `read` fill up to `limit` bytes straight into the batch being built (saving the copy
    /// `append` makes); `read` returns how many it wrote, 0 at the end of the source.
    public mutating func appendReading(upTo limit: Int, _ read: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> (count: Int, output: [FramedOutput]) {
        var out: [FramedOutput] = []
        makeRoom(limit)
        let start = filled
        let count = try pending.withUnsafeMutableBytes { try read(UnsafeMutableRawBufferPointer(rebasing: $0[start..<(start + limit)])) }
        guard count > 0 else { return (0, out) }
        filled += count
        if discarding {
            // The rest of a line already reported as too long: dropped up to its newline.
            let read = pending.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[start..<filled]) }
            guard let newline = Self.firstNewline(in: read) else {
                pendingBase += UInt64(count)
                filled = start
                return (count, out)
            }
            pendingBase += UInt64(newline + 1)
            pending.withUnsafeMutableBytes { _ = memmove($0.baseAddress! + start, $0.baseAddress! + start + newline + 1, count - newline - 1) }
            filled -= newline + 1
            discarding = false
        }
        framed(from: start, into: &out)
        return (count, out)
    }

    /// After bytes from `scanFrom` on were added: their lines, an oversized tail, a full batch.
    private mutating func framed(from scanFrom: Int, into out: inout [FramedOutput]) {
        scanLines(from: scanFrom, into: &out)
        if filled - tailStart > maxLineBytes {
            rejectOversizedTail(into: &out)
        }
        if tailStart >= targetBatchBytes {
            cutBatch(into: &out)
        }
    }

    /// At least `count` bytes of room after the filled ones (a long line grows the buffer).
    private mutating func makeRoom(_ count: Int) {
        guard filled + count > pending.count else { return }
        var larger = BatchBufferPool.unzeroed(count: max(filled + count, 2 * pending.count))
        larger.withUnsafeMutableBytes { to in pending.withUnsafeBytes { from in _ = memcpy(to.baseAddress!, from.baseAddress!, filled) } }
        pending = larger
    }

    /// Hands on the whole lines buffered so far, however few; for sources where latency matters.
    public mutating func flush() -> [FramedOutput] {
        var out: [FramedOutput] = []
        cutBatch(into: &out)
        return out
    }

    /// Ends the source: the last line without a newline is handled as `ending` says.
    public mutating func finish(_ ending: Ending) -> [FramedOutput] {
        var out: [FramedOutput] = []
        if !discarding && tailStart < filled {
            let span = Self.trimmedSpan(start: tailStart, end: filled, in: pending)
            if let span {
                switch ending {
                case .endOfFile:
                    lines.append(span)
                    linesFramed += 1
                case .disconnected:
                    linesFramed += 1
                    let excerpt = Array(pending[Int(span.start)..<min(span.end, Int(span.start) + DeadLetter.excerptLimit)])
                    out.append(.deadLetter(DeadLetter(
                        position: SourcePosition(source: source, byteOffset: pendingBase + UInt64(span.start)),
                        reason: .truncated,
                        detail: "connection closed before the line's newline",
                        excerpt: excerpt,
                        lineLength: Int(span.length))))
                }
            }
            tailStart = filled
        }
        cutBatch(into: &out)
        return out
    }

    private mutating func scanLines(from scanFrom: Int, into out: inout [FramedOutput]) {
        let filled = filled
        pending.withUnsafeBytes { whole in
            let raw = UnsafeRawBufferPointer(rebasing: whole[..<filled])
            var cursor = scanFrom
            while cursor < raw.count {
                guard let newline = Self.firstNewline(in: UnsafeRawBufferPointer(rebasing: raw[cursor...])) else { break }
                let end = cursor + newline
                if end - tailStart > maxLineBytes {
                    linesFramed += 1
                    out.append(.deadLetter(tooLong(start: tailStart, knownLength: end - tailStart, raw: raw)))
                } else if let span = Self.trimmedSpan(start: tailStart, end: end, raw: raw) {
                    lines.append(span)
                    linesFramed += 1
                } else {
                    blankLines += 1
                }
                cursor = end + 1
                tailStart = cursor
            }
        }
    }

    private mutating func rejectOversizedTail(into out: inout [FramedOutput]) {
        let dropped = filled - tailStart
        let start = tailStart, filled = filled
        let letter = pending.withUnsafeBytes { tooLong(start: start, knownLength: nil, raw: UnsafeRawBufferPointer(rebasing: $0[..<filled])) }
        linesFramed += 1
        self.filled = tailStart
        cutBatch(into: &out)  // leaves pendingBase at the start of the too-long line
        out.append(.deadLetter(letter))
        pendingBase += UInt64(dropped)
        discarding = true
    }

    private func tooLong(start: Int, knownLength: Int?, raw: UnsafeRawBufferPointer) -> DeadLetter {
        let excerptEnd = min(raw.count, start + DeadLetter.excerptLimit)
        let length = knownLength ?? (raw.count - start)
        return DeadLetter(
            position: SourcePosition(source: source, byteOffset: pendingBase + UInt64(start)),
            reason: .lineTooLong,
            detail: knownLength == nil
                ? "line longer than --max-line-bytes \(maxLineBytes); the rest of it was skipped"
                : "line of \(length) bytes is longer than --max-line-bytes \(maxLineBytes)",
            excerpt: Array(raw[start..<excerptEnd]),
            lineLength: length)
    }

    private mutating func cutBatch(into out: inout [FramedOutput]) {
        let consumed = tailStart
        let tail = filled - consumed
        if !lines.isEmpty {
            // The unfinished tail moves to a recycled buffer; the lines leave in this one, uncopied.
            var next = pool.take(count: max(bufferCapacity, tail))
            next.withUnsafeMutableBytes { to in pending.withUnsafeBytes { from in _ = memcpy(to.baseAddress!, from.baseAddress! + consumed, tail) } }
            swap(&pending, &next)
            out.append(.batch(Batch(source: source, baseOffset: pendingBase, storage: next, byteCount: consumed, lines: lines, pool: pool)))
            lines.removeAll(keepingCapacity: true)
        } else if consumed > 0 {
            pending.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + consumed, tail) }
        }
        filled = tail
        pendingBase += UInt64(consumed)
        tailStart = 0
    }

    @inline(__always)
    static func firstNewline(in buffer: UnsafeRawBufferPointer) -> Int? {
        guard let base = buffer.baseAddress, buffer.count > 0,
              let hit = memchr(base, 0x0A, buffer.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// The line without its CR and surrounding blanks' effect; nil for a blank line.
    static func trimmedSpan(start: Int, end: Int, raw: UnsafeRawBufferPointer) -> LineSpan? {
        var last = end
        if last > start && raw[last - 1] == 0x0D { last -= 1 }
        var probe = start
        while probe < last, raw[probe] == 0x20 || raw[probe] == 0x09 || raw[probe] == 0x0D { probe += 1 }
        if probe == last { return nil }
        return LineSpan(start: UInt32(start), length: UInt32(last - start))
    }

    static func trimmedSpan(start: Int, end: Int, in bytes: [UInt8]) -> LineSpan? {
        bytes.withUnsafeBytes { trimmedSpan(start: start, end: end, raw: $0) }
    }
}
