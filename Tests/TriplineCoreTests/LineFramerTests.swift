import Testing
@testable import TriplineCore

@Suite struct LineFramerTests {
    /// Frames the chunks, each handed over as one read: copied in (`append`), or, with `direct`,
    /// read straight into the framer's buffer (`appendReading`, as replay reads plain files).
    func frame(_ chunks: [String], maxLine: Int = 1 << 20, ending: LineFramer.Ending = .endOfFile, batchBytes: Int = 1 << 20,
               direct: Bool = false) -> (lines: [String], offsets: [UInt64], dead: [DeadLetter]) {
        frame(chunks.map { Array($0.utf8) }, maxLine: maxLine, ending: ending, batchBytes: batchBytes, direct: direct)
    }

    func frame(_ chunks: [[UInt8]], maxLine: Int, ending: LineFramer.Ending, batchBytes: Int, direct: Bool)
        -> (lines: [String], offsets: [UInt64], dead: [DeadLetter]) {
        var framer = LineFramer(source: "s", maxLineBytes: maxLine, targetBatchBytes: batchBytes)
        var outputs: [FramedOutput] = []
        for chunk in chunks {
            if direct {
                let (count, output) = framer.appendReading(upTo: chunk.count + 7) { room in
                    chunk.withUnsafeBytes { room.copyMemory(from: $0) }
                    return chunk.count
                }
                #expect(count == chunk.count)
                outputs += output
            } else {
                chunk.withUnsafeBytes { outputs += framer.append($0) }
            }
        }
        outputs += framer.finish(ending)
        var lines: [String] = [], offsets: [UInt64] = [], dead: [DeadLetter] = []
        for output in outputs {
            switch output {
            case .batch(let batch):
                // A batch lends exactly the source's bytes, its lines inside them.
                batch.withUnsafeBytes { #expect($0.count == batch.byteCount) }
                #expect(batch.lines.allSatisfy { $0.end <= batch.byteCount })
                for i in 0..<batch.lineCount {
                    lines.append(String(decoding: batch.lineBytes(i), as: UTF8.self))
                    offsets.append(batch.position(ofLine: i).byteOffset)
                }
            case .deadLetter(let letter): dead.append(letter)
            }
        }
        return (lines, offsets, dead)
    }

    /// Reading straight into the framer's buffer frames exactly as copying reads in does: random
    /// streams of short, blank, CRLF and too-long lines, cut into random reads, tiny batches.
    @Test func readingInPlaceFramesAsCopyingDoes() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                switch Int.random(in: 0..<6, using: &generator) {
                case 0: stream += Array("\n".utf8)
                case 1: stream += Array("{\"a\":1}\r\n".utf8)
                case 2: stream += Array("  \n".utf8)
                case 3: stream += Array(repeating: UInt8(ascii: "x"), count: Int.random(in: 60...300, using: &generator)) + [0x0A]
                default: stream += Array("{\"k\":\"\(round)\"}\n".utf8)
                }
            }
            if Bool.random(using: &generator) { stream += Array("{\"tail\":1}".utf8) }
            var chunks: [[UInt8]] = []
            var at = 0
            while at < stream.count {
                let size = min(stream.count - at, Int.random(in: 1...90, using: &generator))
                chunks.append(Array(stream[at..<(at + size)]))
                at += size
            }
            let ending: LineFramer.Ending = Bool.random(using: &generator) ? .endOfFile : .disconnected
            let batchBytes = Int.random(in: 1...64, using: &generator)
            let copied = frame(chunks, maxLine: 50, ending: ending, batchBytes: batchBytes, direct: false)
            let read = frame(chunks, maxLine: 50, ending: ending, batchBytes: batchBytes, direct: true)
            #expect(read.lines == copied.lines && read.offsets == copied.offsets, "round \(round)")
            #expect(read.dead.map(\.position) == copied.dead.map(\.position) && read.dead.map(\.reason) == copied.dead.map(\.reason),
                    "round \(round)")
        }
    }

    @Test func anEmptyReadChangesNothing() {
        var framer = LineFramer(source: "s")
        var outputs = framer.append(UnsafeRawBufferPointer(start: nil, count: 0))
        outputs += Array(#"{"a":1}"#.utf8).withUnsafeBytes { framer.append($0) }
        outputs += framer.append(UnsafeRawBufferPointer(start: nil, count: 0))
        outputs += framer.finish(.endOfFile)
        guard case .batch(let batch)? = outputs.first, outputs.count == 1 else { Issue.record("one batch expected, got \(outputs.count) outputs"); return }
        #expect(batch.lineCount == 1 && batch.byteCount == 7)
    }

    @Test func crlfAndLfEndLinesAndBlankLinesAreSkipped() {
        let result = frame(["{\"a\":1}\r\n\r\n  \n{\"b\":2}\n"])
        #expect(result.lines == ["{\"a\":1}", "{\"b\":2}"])
        #expect(result.offsets == [0, 14])
    }

    @Test func linesSplitAcrossReadsAreJoined() {
        let result = frame(["{\"a\":", "1}\n{\"b\"", ":2}\n"], batchBytes: 4)
        #expect(result.lines == ["{\"a\":1}", "{\"b\":2}"])
        #expect(result.offsets == [0, 8])
    }

    @Test func lastLineWithoutNewlineIsAnEventAtEndOfFile() {
        let result = frame(["{\"a\":1}\n{\"b\":2}"])
        #expect(result.lines == ["{\"a\":1}", "{\"b\":2}"])
        #expect(result.dead.isEmpty)
    }

    @Test func fragmentOfDisconnectedClientIsDeadLettered() {
        let result = frame(["{\"a\":1}\n{\"b\":"], ending: .disconnected)
        #expect(result.lines == ["{\"a\":1}"])
        #expect(result.dead.count == 1)
        #expect(result.dead.first?.reason == .truncated)
        #expect(result.dead.first?.position.byteOffset == 8)
    }

    @Test func tooLongLineIsDeadLetteredWithOffsetAndCostsNoNeighbour() {
        let long = "{\"x\":\"" + String(repeating: "y", count: 200) + "\"}"
        // The long line arrives in pieces, so the framer must drop it without buffering it whole.
        let pieces = [ "{\"a\":1}\n", String(long.prefix(90)), String(long.dropFirst(90).prefix(90)), String(long.dropFirst(180)) + "\n{\"b\":2}\n"]
        for direct in [false, true] {
            let result = frame(pieces, maxLine: 100, batchBytes: 16, direct: direct)
            #expect(result.lines == ["{\"a\":1}", "{\"b\":2}"])
            #expect(result.dead.count == 1)
            #expect(result.dead.first?.reason == .lineTooLong)
            #expect(result.dead.first?.position.byteOffset == 8)
            #expect(result.offsets == [0, UInt64(8 + long.utf8.count + 1)])
        }
    }

    @Test func tooLongLineInsideOneReadIsDeadLettered() {
        let long = "{\"x\":\"" + String(repeating: "y", count: 200) + "\"}"
        let result = frame(["{\"a\":1}\n" + long + "\n{\"b\":2}\n"], maxLine: 100)
        #expect(result.lines == ["{\"a\":1}", "{\"b\":2}"])
        #expect(result.dead.map(\.reason) == [.lineTooLong])
        #expect(result.dead.first?.lineLength == long.utf8.count)
    }
}
