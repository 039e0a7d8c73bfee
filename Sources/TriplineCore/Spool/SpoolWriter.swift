#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system failure with the path and the system's reason.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public init(path: String, operation: String, code: Int32 = errno) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// Spool settings (DESIGN §4): rotation by size and age, and how often blocks reach the disk.
public struct SpoolOptions: Sendable {
    public var maxSegmentBytes: Int
    public var maxSegmentAgeMilliseconds: Int64
    public var flushIntervalMilliseconds: Int64

    public init(maxSegmentBytes: Int = 8 << 20, maxSegmentAgeMilliseconds: Int64 = 5_000, flushIntervalMilliseconds: Int64 = 200) {
        self.maxSegmentBytes = maxSegmentBytes
        self.maxSegmentAgeMilliseconds = maxSegmentAgeMilliseconds
        self.flushIntervalMilliseconds = flushIntervalMilliseconds
    }

    /// How often the writer is asked to flush while idle: often enough that no alert waits
    /// longer than `flushIntervalMilliseconds` for its block.
    public var tickMilliseconds: Int64 { max(5, flushIntervalMilliseconds / 4) }
}

/// Writes alert lines into `alerts-<sequence>.ndjson.lz4` segments, one LZ4 frame each.
///
/// A segment is written as `.open` and renamed only after its frame is complete and fsynced, so
/// a shipper that picks up closed segments never reads half a frame.
public final class SpoolWriter {
    public let directory: String
    public let options: SpoolOptions
    private var encoder: LZ4FrameEncoder?
    private var descriptor: Int32 = -1
    private var openPath = ""
    private var sequence: UInt64
    private var segmentStarted: Int64 = 0
    private var lastFlush: Int64 = 0
    private var uncompressedInSegment = 0
    private var unflushed = 0
    /// Bytes made but not yet written (a full disk holds them back), and a close in progress.
    private var pendingOutput: [UInt8] = []
    private var closing = false
    /// When the oldest alert not yet in a flushed block arrived.
    private var firstUnflushedAt: Int64?
    /// Flushes so far (a segment's close counts): alerts appended before one are on disk in whole blocks.
    public private(set) var flushes = 0
    public private(set) var alertsWritten = 0
    public private(set) var segmentsClosed = 0
    public private(set) var closedSegments: [String] = []
    /// Segments a crash had left open, closed at start.
    public let recovered: [SegmentRecovery]

    /// Opens the spool; first closes any segment a crash left open (`SpoolRecovery`).
    public init(directory: String, options: SpoolOptions = SpoolOptions()) throws {
        self.directory = directory
        self.options = options
        try SpoolDirectory.create(directory)
        // A folder we may not write into is a set-up error, said at once rather than as a pause.
        guard access(directory, W_OK) == 0 else { throw FileError(path: directory, operation: "write into spool folder") }
        recovered = try SpoolRecovery.recover(directory: directory)
        sequence = (try SpoolDirectory.segments(in: directory).map(\.sequence).max() ?? 0) + 1
    }

    /// Appends complete alert lines (each ending in a newline).
    ///
    /// When the disk is full or a write fails it throws `SpoolBlocked`: if `committed`, the alerts
    /// are taken and only their bytes wait, so call `resume()` until it succeeds; if not, call
    /// `append` again later.
    public func append(_ lines: [UInt8], alerts: Int, now: Int64 = Timestamp.nowMilliseconds()) throws {
        guard !lines.isEmpty else { return }
        if encoder == nil { try openSegment(now: now) }
        let compressed = try lines.withUnsafeBytes { try encoder!.update($0) }
        pendingOutput += compressed
        uncompressedInSegment += lines.count
        unflushed += lines.count
        if firstUnflushedAt == nil { firstUnflushedAt = now }
        alertsWritten += alerts
        try drain()
        try tick(now: now)
    }

    /// Writes what a blocked disk held back and finishes a close it interrupted; throws
    /// `SpoolBlocked` while the disk still refuses.
    public func resume() throws {
        try drain()
        if closing { try finishClose() }
    }

    /// Flushes blocks and rotates as the clock says; call it regularly while idle too.
    public func tick(now: Int64 = Timestamp.nowMilliseconds()) throws {
        guard encoder != nil else { return }
        if uncompressedInSegment >= options.maxSegmentBytes || now - segmentStarted >= options.maxSegmentAgeMilliseconds {
            try closeSegment()
            return
        }
        // Flush once the oldest waiting alert could not wait another tick within the interval.
        if unflushed > 0, let first = firstUnflushedAt, now - first + options.tickMilliseconds >= options.flushIntervalMilliseconds {
            pendingOutput += try encoder!.flush()
            unflushed = 0
            firstUnflushedAt = nil
            lastFlush = now
            try drain()
            flushes += 1
        }
    }

    /// Completes and closes the open segment, if any.
    public func close() throws {
        try closeSegment()
    }

    private func openSegment(now: Int64) throws {
        let name = SpoolDirectory.segmentName(sequence)
        openPath = directory + "/" + name + SpoolDirectory.openSuffix
        descriptor = open(openPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SpoolBlocked(FileError(path: openPath, operation: "open"), committed: false)
        }
        let encoder = try LZ4FrameEncoder()
        self.encoder = encoder
        segmentStarted = now
        lastFlush = now
        uncompressedInSegment = 0
        // Written with the first alerts: a full disk here must not look like a taken append.
        pendingOutput = try encoder.begin()
    }

    private func closeSegment() throws {
        guard let encoder, !closing else { return }
        pendingOutput += try encoder.end()
        closing = true
        try drain()
        try finishClose()
    }

    private func finishClose() throws {
        guard fsync(descriptor) == 0 else {
            throw SpoolBlocked(FileError(path: openPath, operation: "fsync"), committed: true)
        }
        Glibc.close(descriptor)
        descriptor = -1
        let closedPath = String(openPath.dropLast(SpoolDirectory.openSuffix.count))
        guard rename(openPath, closedPath) == 0 else { throw SpoolBlocked(FileError(path: openPath, operation: "rename"), committed: true) }
        SpoolDirectory.syncDirectory(directory)
        self.encoder = nil
        closing = false
        unflushed = 0
        firstUnflushedAt = nil
        flushes += 1
        segmentsClosed += 1
        closedSegments.append(closedPath)
        sequence += 1
    }

    /// Writes `pendingOutput`; keeps what the disk did not take and throws `SpoolBlocked`.
    private func drain() throws {
        var offset = 0
        defer { pendingOutput.removeSubrange(..<offset) }
        while offset < pendingOutput.count {
            let written = pendingOutput.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SpoolBlocked(FileError(path: openPath, operation: "write"), committed: true)
            }
            offset += written
        }
    }

}

/// The spool's disk refused a write: it is full, over quota, or failing (EIO, EFBIG, EROFS...).
/// Nothing is lost: the writer keeps what it could not write, and the pipeline stops taking
/// input until `resume()` succeeds. (Errors while the spool opens stay fatal: that is set-up.)
public struct SpoolBlocked: Error, Sendable, Hashable, CustomStringConvertible {
    public var error: FileError
    /// Whether the alerts of the failed call were taken (then only `resume()` is needed).
    public var committed: Bool

    public init(_ error: FileError, committed: Bool) {
        self.error = error
        self.committed = committed
    }

    public var description: String { "\(error)" }
}

/// Naming and listing of spool segments.
public enum SpoolDirectory {
    public static let openSuffix = ".open"

    public struct Segment: Sendable, Hashable {
        public var sequence: UInt64
        public var path: String
        public var isOpen: Bool
    }

    public static func segmentName(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return "alerts-" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits + ".ndjson.lz4"
    }

    public static func segments(in directory: String) throws -> [Segment] {
        guard let dir = opendir(directory) else { throw FileError(path: directory, operation: "read spool folder") }
        defer { closedir(dir) }
        var found: [Segment] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix("alerts-") else { continue }
            var stem = name.dropFirst("alerts-".count)
            let isOpen = stem.hasSuffix(".ndjson.lz4" + openSuffix)
            if isOpen { stem = stem.dropLast(openSuffix.count) }
            guard stem.hasSuffix(".ndjson.lz4"), let sequence = UInt64(stem.dropLast(".ndjson.lz4".count)) else { continue }
            found.append(Segment(sequence: sequence, path: directory + "/" + name, isOpen: isOpen))
        }
        return found.sorted { $0.sequence < $1.sequence }
    }

    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

extension SpoolDirectory {
    /// Creates the folder and any missing parents, as `mkdir -p` does.
    static func create(_ directory: String) throws {
        var path = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            path += (path.isEmpty || path.hasSuffix("/") ? "" : "/") + component
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw FileError(path: path, operation: "create spool folder") }
        }
    }
}
