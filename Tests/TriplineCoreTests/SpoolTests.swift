import Foundation
import TestScratch
import Testing
@testable import TriplineCore

@Suite struct SpoolTests {
    func temporaryDirectory() -> String {
        ScratchFolder.make("spool")
    }

    func lz4(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["lz4"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func segmentsRotateCloseAtomicallyAndReadBackWithTheLz4Tool() throws {
        let directory = temporaryDirectory()
        let writer = try SpoolWriter(directory: directory, options: SpoolOptions(maxSegmentBytes: 10_000, maxSegmentAgeMilliseconds: 60_000, flushIntervalMilliseconds: 0))
        var expected = ""
        for i in 0..<500 {
            let line = #"{"kibana.alert.uuid":"\#(i)","pad":"\#(String(repeating: "x", count: i % 50))"}"# + "\n"
            expected += line
            try writer.append(Array(line.utf8), alerts: 1, now: 0)
        }
        // Before close, the last segment is still `.open`: a shipper must not read it.
        let beforeClose = try SpoolDirectory.segments(in: directory)
        #expect(beforeClose.last?.isOpen == true)
        #expect(beforeClose.dropLast().allSatisfy { !$0.isOpen })
        try writer.close()
        let segments = try SpoolDirectory.segments(in: directory)
        #expect(segments.count > 2)
        #expect(segments.allSatisfy { !$0.isOpen })
        var fromTool = Data()
        for segment in segments {
            #expect(try lz4(["-t", segment.path]).status == 0)
            fromTool.append(try lz4(["-dc", segment.path]).output)
        }
        #expect(String(decoding: fromTool, as: UTF8.self) == expected)
        var fromReader = ""
        try SpoolReader.forEachLine(in: directory) { fromReader += String(decoding: $0, as: UTF8.self) + "\n" }
        #expect(fromReader == expected)
        // A new writer continues the sequence instead of overwriting.
        let next = try SpoolWriter(directory: directory)
        try next.append(Array("{}\n".utf8), alerts: 1)
        try next.close()
        #expect(try SpoolDirectory.segments(in: directory).last?.sequence == segments.last!.sequence + 1)
    }

    @Test func flushedBlocksAreReadableBeforeTheSegmentCloses() throws {
        let directory = temporaryDirectory()
        let writer = try SpoolWriter(directory: directory, options: SpoolOptions(flushIntervalMilliseconds: 0))
        try writer.append(Array("{\"a\":1}\n".utf8), alerts: 1, now: 1)
        let open = try #require(try SpoolDirectory.segments(in: directory).first)
        let decoder = try LZ4FrameDecoder()
        var decoded: [UInt8] = []
        let bytes = try Data(contentsOf: URL(fileURLWithPath: open.path))
        try bytes.withUnsafeBytes { try decoder.decode($0) { decoded.append(contentsOf: $0) } }
        #expect(String(decoding: decoded, as: UTF8.self) == "{\"a\":1}\n")
        try writer.close()
    }

    /// A crash leaves `.open` with whatever reached the file: recovery keeps every complete block,
    /// drops the cut tail and a half alert, and closes a frame `lz4 -t` accepts, at any cut point.
    @Test func openSegmentsLeftByACrashAreRecoveredAtEveryCutPoint() throws {
        let source = temporaryDirectory()
        let writer = try SpoolWriter(directory: source, options: SpoolOptions(maxSegmentBytes: 1 << 30, flushIntervalMilliseconds: 0))
        var written: [UInt8] = []
        for index in 0..<400 {
            // Alerts of uneven sizes so flushed blocks end at every kind of place.
            let line = Array("{\"n\":\(index),\"pad\":\"\(String(repeating: "x", count: (index * 37) % 900))\"}\n".utf8)
            written += line
            try writer.append(line, alerts: 1, now: Int64(index))
        }
        let open = try #require(try SpoolDirectory.segments(in: source).first { $0.isOpen })
        let frame = Array(try Data(contentsOf: URL(fileURLWithPath: open.path)))
        var keptBefore = -1
        for cut in [0, 3, 7, 11, 12, 100, frame.count / 3, frame.count / 2, frame.count - 5, frame.count] {
            let directory = temporaryDirectory()
            let openPath = directory + "/" + SpoolDirectory.segmentName(7) + SpoolDirectory.openSuffix
            try Data(frame[..<cut]).write(to: URL(fileURLWithPath: openPath))
            let reports = try SpoolRecovery.recover(directory: directory)
            #expect(reports.count == 1)
            let segments = try SpoolDirectory.segments(in: directory)
            #expect(segments.map(\.isOpen) == [false], "cut \(cut): the .open is gone, a closed segment stands")
            let closed = try #require(segments.first)
            #expect(try lz4(["-t", closed.path]).status == 0, "cut \(cut)")
            let recovered = Array(try lz4(["-dc", closed.path]).output)
            // Whole alerts only, in order, a prefix of what was written; more kept for a later cut.
            #expect(recovered == Array(written.prefix(recovered.count)), "cut \(cut)")
            #expect(recovered.last.map { $0 == 0x0A } ?? true)
            let kept = recovered.filter { $0 == 0x0A }.count
            #expect(reports.first?.alertsKept == kept)
            // The segment carries its recovery note (a skippable frame lz4 passes over).
            let note = try SpoolRecovery.note(inSegment: closed.path)
            #expect(note?.alertsKept == kept && note?.compressedBytesDropped == reports.first?.compressedBytesDropped
                    && note?.partialLineBytesDropped == reports.first?.partialLineBytesDropped, "cut \(cut)")
            var read = 0
            try SpoolReader.forEachLine(ofSegment: closed.path) { _ in read += 1 }
            #expect(read == kept, "cut \(cut)")
            #expect(kept >= keptBefore, "cut \(cut)")
            keptBefore = kept
            // Recovering again changes nothing; a writer opening the spool continues after it.
            #expect(try SpoolRecovery.recover(directory: directory).isEmpty)
            let next = try SpoolWriter(directory: directory)
            try next.append(Array("{}\n".utf8), alerts: 1)
            try next.close()
            #expect(try SpoolDirectory.segments(in: directory).map(\.sequence) == [7, 8])
            #expect(try SpoolRecovery.note(inSegment: directory + "/" + SpoolDirectory.segmentName(8)) == nil, "a segment closed normally has no note")
        }
        #expect(keptBefore > 300, "flushed blocks hold most alerts before the segment closes")
        try writer.close()
    }

    /// No alert waits longer than the flush interval for its block: the writer flushes when the
    /// oldest waiting alert could not wait another tick.
    @Test func oldestWaitingAlertSetsTheFlush() throws {
        let writer = try SpoolWriter(directory: temporaryDirectory(), options: SpoolOptions(flushIntervalMilliseconds: 200))
        #expect(SpoolOptions(flushIntervalMilliseconds: 200).tickMilliseconds == 50)
        try writer.append(Array("{\"a\":1}\n".utf8), alerts: 1, now: 1_000)
        try writer.append(Array("{\"a\":2}\n".utf8), alerts: 1, now: 1_100)
        try writer.tick(now: 1_149)
        #expect(writer.flushes == 0)
        try writer.tick(now: 1_150)
        #expect(writer.flushes == 1)
        // A new alert starts a new wait.
        try writer.append(Array("{\"a\":3}\n".utf8), alerts: 1, now: 1_160)
        try writer.tick(now: 1_300)
        #expect(writer.flushes == 1)
        try writer.tick(now: 1_310)
        #expect(writer.flushes == 2)
        try writer.close()
        #expect(writer.flushes == 3)
    }

    @Test func latencyHistogramQuantiles() {
        var histogram = LatencyHistogram()
        #expect(histogram.milliseconds(atQuantile: 0.99) == 0)
        for ms in 1...100 { histogram.record(.milliseconds(ms)) }
        histogram.record(.seconds(120), count: 1)
        #expect(histogram.milliseconds(atQuantile: 0.5) == 51)
        #expect(histogram.milliseconds(atQuantile: 0.99) == 100)
        #expect(histogram.milliseconds(atQuantile: 1.0) == 59_999)
        var other = LatencyHistogram()
        other.record(.milliseconds(3), count: 99)
        histogram.merge(other)
        #expect(histogram.total == 200)
        #expect(histogram.milliseconds(atQuantile: 0.5) == 3)
    }
}
