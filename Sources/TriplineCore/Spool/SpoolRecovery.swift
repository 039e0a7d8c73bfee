#if canImport(Glibc)
import Glibc
#endif

/// What recovery made of one `.open` segment a crash left behind.
public struct SegmentRecovery: Sendable, Hashable {
    public var segment: String
    /// Whole alert lines kept (from every complete, checksummed block).
    public var alertsKept: Int
    /// Compressed bytes after the last complete block, and bytes of a last alert cut in half:
    /// what the crash cost of what had reached the file.
    public var compressedBytesDropped: Int
    public var partialLineBytesDropped: Int

    func noteJSON() -> [UInt8] {
        var out = JSONWriter()
        out.beginObject()
        out.key("tripline"); out.string("recovered after a crash")
        out.key("alerts_kept"); out.integer(Int64(alertsKept))
        out.key("compressed_bytes_dropped"); out.integer(Int64(compressedBytesDropped))
        out.key("partial_line_bytes_dropped"); out.integer(Int64(partialLineBytesDropped))
        out.key("recovered_at"); out.string(Timestamp.iso8601(milliseconds: Timestamp.nowMilliseconds()))
        out.endObject()
        return out.bytes
    }
}

/// Closes the segments a crash left open (DESIGN §4): every complete block is kept, the cut tail
/// dropped, and the alerts written into a complete frame under the segment's closed name, so
/// `lz4 -t` passes and shippers see it. Closed segments are never touched. Idempotent: a crash
/// during recovery is recovered on the next start.
public enum SpoolRecovery {
    static let recoveringSuffix = ".recovering"

    public static func recover(directory: String) throws -> [SegmentRecovery] {
        var reports: [SegmentRecovery] = []
        let segments = try SpoolDirectory.segments(in: directory)
        let closed = Set(segments.filter { !$0.isOpen }.map(\.sequence))
        for segment in segments where segment.isOpen {
            let closedPath = String(segment.path.dropLast(SpoolDirectory.openSuffix.count))
            if closed.contains(segment.sequence) {
                // Recovered (or closed) already; the crash came before the `.open` was removed.
                unlink(segment.path)
                continue
            }
            reports.append(try recover(segment.path, into: closedPath, directory: directory))
        }
        return reports
    }

    static func recover(_ openPath: String, into closedPath: String, directory: String) throws -> SegmentRecovery {
        let compressed = try readWhole(openPath)
        // Decode as far as complete blocks go: a torn last block only makes the decoder wait for
        // more input, and a damaged one fails its checksum; either way what came before stands.
        var content: [UInt8] = []
        var consumed = 0
        let decoder = try LZ4FrameDecoder()
        let step = 64 * 1024
        while consumed < compressed.count {
            let end = min(compressed.count, consumed + step)
            do {
                try compressed.withUnsafeBytes { raw in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[consumed..<end])) { content.append(contentsOf: $0) }
                }
            } catch {
                break
            }
            consumed = end
        }
        let lastNewline = content.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let partial = content.count - lastNewline
        content.removeSubrange(lastNewline...)
        let alerts = content.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }

        // Write the kept alerts as a complete frame beside it, then swap names atomically.
        let temporary = closedPath + recoveringSuffix
        let encoder = try LZ4FrameEncoder()
        var frame = try encoder.begin()
        frame += try content.withUnsafeBytes { try encoder.update($0) }
        frame += try encoder.end()
        let report = SegmentRecovery(segment: closedPath, alertsKept: alerts,
                                     compressedBytesDropped: decoder.atFrameBoundary ? 0 : max(0, compressed.count - frameWalk(compressed).complete),
                                     partialLineBytesDropped: partial)
        // The segment keeps its own record of the recovery, in a skippable frame that lz4 and
        // every LZ4 reader pass over, so `spool stats` can count recovered segments later.
        frame += skippableFrame(report.noteJSON())
        try writeSynced(frame, to: temporary)
        guard rename(temporary, closedPath) == 0 else { throw FileError(path: temporary, operation: "rename") }
        SpoolDirectory.syncDirectory(directory)
        unlink(openPath)
        SpoolDirectory.syncDirectory(directory)
        return report
    }

    /// Walks an LZ4 frame's blocks: `complete` is the longest prefix of whole blocks (header
    /// included: what a crash left readable); `end` is where the frame ends (after its end mark
    /// and content checksum) if it is whole.
    static func frameWalk(_ frame: [UInt8]) -> (complete: Int, end: Int?) {
        // Header: magic (4), FLG, BD, optional content size (8) and dictionary id (4), HC (1).
        guard frame.count >= 7 else { return (0, nil) }
        let flags = frame[4]
        var at = 4 + 2 + ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1
        let blockChecksum = (flags & 0x10) != 0
        guard at <= frame.count else { return (0, nil) }
        var complete = at
        while at + 4 <= frame.count {
            let word = littleEndianWord(frame, at)
            if word == 0 {  // end mark
                let end = at + 4 + ((flags & 0x04) != 0 ? 4 : 0)
                return (complete, end <= frame.count ? end : nil)
            }
            let next = at + 4 + Int(word & 0x7FFF_FFFF) + (blockChecksum ? 4 : 0)
            guard next <= frame.count else { break }
            at = next
            complete = at
        }
        return (complete, nil)
    }

    static func littleEndianWord(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    /// The LZ4 skippable frame that holds recovery notes (magic 0x184D2A5E).
    static let noteMagic: UInt32 = 0x184D_2A5E

    static func skippableFrame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for word in [noteMagic, UInt32(payload.count)] { for shift in [0, 8, 16, 24] { out.append(UInt8((word >> UInt32(shift)) & 0xFF)) } }
        return out + payload
    }

    /// The recovery note a recovered segment carries after its frame, if it has one.
    public static func note(inSegment path: String) throws -> SegmentRecovery? {
        let bytes = try readWhole(path)
        guard let end = frameWalk(bytes).end, end + 8 <= bytes.count, littleEndianWord(bytes, end) == noteMagic else { return nil }
        let size = Int(littleEndianWord(bytes, end + 4))
        guard end + 8 + size <= bytes.count, let note = try? JSONValue.parse(bytes[(end + 8)..<(end + 8 + size)]) else { return nil }
        func count(_ key: String) -> Int { if case .number(let n)? = note[key] { return Int(n) ?? 0 }; return 0 }
        return SegmentRecovery(segment: path, alertsKept: count("alerts_kept"), compressedBytesDropped: count("compressed_bytes_dropped"),
                               partialLineBytesDropped: count("partial_line_bytes_dropped"))
    }

    static func readWhole(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; throw FileError(path: path, operation: "read") }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[..<count])
        }
    }

    static func writeSynced(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, operation: "open") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 { if errno == EINTR { continue }; throw FileError(path: path, operation: "write") }
            offset += written
        }
        guard fsync(fd) == 0 else { throw FileError(path: path, operation: "fsync") }
    }
}
