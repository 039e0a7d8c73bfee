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
        try writeSynced(frame, to: temporary)
        guard rename(temporary, closedPath) == 0 else { throw FileError(path: temporary, operation: "rename") }
        SpoolDirectory.syncDirectory(directory)
        unlink(openPath)
        SpoolDirectory.syncDirectory(directory)
        // What the decoder could not turn into whole blocks is what the crash cut off.
        let undecoded = decoder.atFrameBoundary ? 0 : max(0, compressed.count - decodedPrefix(compressed))
        return SegmentRecovery(segment: closedPath, alertsKept: alerts, compressedBytesDropped: undecoded,
                               partialLineBytesDropped: partial)
    }

    /// The length of the longest prefix of complete blocks (header included), by walking the frame.
    static func decodedPrefix(_ frame: [UInt8]) -> Int {
        // Header: magic (4), FLG, BD, optional content size (8) and dictionary id (4), HC (1).
        guard frame.count >= 7 else { return 0 }
        let flags = frame[4]
        var at = 4 + 2 + ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1
        let blockChecksum = (flags & 0x10) != 0
        guard at <= frame.count else { return 0 }
        var complete = at
        while at + 4 <= frame.count {
            let word = UInt32(frame[at]) | UInt32(frame[at + 1]) << 8 | UInt32(frame[at + 2]) << 16 | UInt32(frame[at + 3]) << 24
            if word == 0 { break }  // end mark: the frame was complete
            let size = Int(word & 0x7FFF_FFFF)
            let next = at + 4 + size + (blockChecksum ? 4 : 0)
            guard next <= frame.count else { break }
            at = next
            complete = at
        }
        return complete
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
