// What the three fuzz targets share: the invariant check, the corpus replayer of a normal
// build, the repository's sample files, and framing bytes into batches as a source would.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TriplineCore

/// Stops the process when a property the fuzz target checks does not hold: libFuzzer reports it
/// as a crash (with the message) and keeps the input.
@inline(__always)
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("fuzz invariant failed: \(message())", file: file, line: line) }
}

/// The checkout these targets were built from: they read its rules and sample events.
/// `TRIPLINE_ROOT` overrides it (for binaries run from elsewhere).
public let repositoryRoot: String = {
    if let root = ProcessInfo.processInfo.environment["TRIPLINE_ROOT"] { return root }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}()

/// The lines of a file of the checkout (`samples/seed-events.ndjson`...), without blank ones.
public func repositoryLines(_ path: String) -> [[UInt8]] {
    guard let data = FileManager.default.contents(atPath: repositoryRoot + "/" + path) else {
        fatalError("cannot read \(repositoryRoot)/\(path) (set TRIPLINE_ROOT to the checkout)")
    }
    return data.split(separator: 0x0A).map(Array.init)
}

/// Frames bytes into batches and framer dead letters, as a replayed file is.
public func frame(_ bytes: UnsafeRawBufferPointer, source: String = "fuzz", maxLineBytes: Int = 1 << 20,
                  targetBatchBytes: Int = 1 << 20, chunk: Int? = nil) -> [FramedOutput] {
    var framer = LineFramer(source: source, maxLineBytes: maxLineBytes, targetBatchBytes: targetBatchBytes)
    var outputs: [FramedOutput] = []
    if let chunk {
        var at = 0
        while at < bytes.count {
            let end = min(bytes.count, at + chunk)
            outputs += framer.append(UnsafeRawBufferPointer(rebasing: bytes[at..<end]))
            at = end
        }
    } else {
        outputs += framer.append(bytes)
    }
    outputs += framer.finish(.endOfFile)
    return outputs
}

/// A normal build's `main`: runs each file named (a folder: every file inside, recursively,
/// sorted) through the fuzz function once and says how many. An input that breaks an invariant
/// stops the process, as it would under libFuzzer; the file being run is named on stderr first.
public func replayMain(_ name: String, _ fuzz: (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
    let arguments = CommandLine.arguments.dropFirst()
    let verbose = arguments.contains("-v")
    let paths = arguments.filter { $0 != "-v" }
    guard !paths.isEmpty, !paths.contains(where: { $0.hasPrefix("-") }) else {
        FileHandle.standardError.write(Data("""
            usage: \(name) [-v] FILE|DIR...
            Replays inputs through the fuzz function (a normal build; the libFuzzer build comes from
            scripts/fuzz). An input breaking an invariant stops the process with its message.\n
            """.utf8))
        exit(2)
    }
    var files: [String] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            FileHandle.standardError.write(Data("\(name): no such file: \(path)\n".utf8))
            exit(2)
        }
        if isDirectory.boolValue {
            let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            for relative in found.sorted() {
                let full = path + "/" + relative
                var nested: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &nested), !nested.boolValue { files.append(full) }
            }
        } else {
            files.append(path)
        }
    }
    for file in files {
        if verbose { FileHandle.standardError.write(Data("\(name): \(file)\n".utf8)) }
        guard let data = FileManager.default.contents(atPath: file) else {
            FileHandle.standardError.write(Data("\(name): cannot read \(file)\n".utf8))
            exit(2)
        }
        // A copy of exactly the input's size, so a read past its end is a read past an allocation.
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, data.count))
        data.copyBytes(to: bytes, count: data.count)
        currentInput = file
        _ = fuzz(bytes, data.count)
        bytes.deallocate()
    }
    let tally = counters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    print("\(name): replayed \(files.count) inputs, all invariants held" + (tally.isEmpty ? "" : " (\(tally))"))
    exit(0)
}

/// What the inputs exercised (lines, matches, compiled rules...), for the replayer's summary.
nonisolated(unsafe) public var counters: [String: Int] = [:]

/// The file being replayed, for messages (the replayer only).
nonisolated(unsafe) public var currentInput = "libFuzzer input"
