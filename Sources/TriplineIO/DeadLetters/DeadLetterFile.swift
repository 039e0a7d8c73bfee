#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Appends dead letters to a file as NDJSON: source, offset, reason, detail, the line.
public final class DeadLetterFile: DeadLetterSink {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(path: path, operation: "open dead-letter file") }
    }

    public func write(_ letters: [DeadLetter]) async throws {
        var bytes: [UInt8] = []
        for letter in letters { bytes.append(contentsOf: letter.jsonLine()) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 { if errno == EINTR { continue }; throw FileError(path: path, operation: "write") }
            offset += written
        }
    }

    public func close() async throws {
        fsync(descriptor)
        Glibc.close(descriptor)
    }
}
