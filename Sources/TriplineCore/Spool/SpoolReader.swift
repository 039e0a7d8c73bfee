#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads closed spool segments back, in order (`tripline spool cat`).
public enum SpoolReader {
    /// Calls `line` with each alert line of each closed segment, in order.
    public static func forEachLine(in directory: String, _ line: (ArraySlice<UInt8>) throws -> Void) throws {
        for segment in try SpoolDirectory.segments(in: directory) where !segment.isOpen {
            try forEachLine(ofSegment: segment.path, line)
        }
    }

    public static func forEachLine(ofSegment path: String, _ line: (ArraySlice<UInt8>) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open") }
        defer { close(fd) }
        let decoder = try LZ4FrameDecoder()
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; throw FileError(path: path, operation: "read") }
            if count == 0 { break }
            try buffer.withUnsafeBytes { raw in
                try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[..<count])) { pending.append(contentsOf: $0) }
            }
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                try line(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(..<start)
        }
        guard decoder.atFrameBoundary else { throw LZ4Error(message: "\(path): the frame ends early") }
        if !pending.isEmpty { try line(pending[...]) }
    }
}
