import Testing
@testable import TriplineCore

@Suite struct LineFramerTests {
    func frame(_ chunks: [String], maxLine: Int = 1 << 20, ending: LineFramer.Ending = .endOfFile, batchBytes: Int = 1 << 20)
        -> (lines: [String], offsets: [UInt64], dead: [DeadLetter]) {
        var framer = LineFramer(source: "s", maxLineBytes: maxLine, targetBatchBytes: batchBytes)
        var outputs: [FramedOutput] = []
        for chunk in chunks {
            var bytes = Array(chunk.utf8)
            bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
        }
        outputs += framer.finish(ending)
        var lines: [String] = [], offsets: [UInt64] = [], dead: [DeadLetter] = []
        for output in outputs {
            switch output {
            case .batch(let batch):
                for i in 0..<batch.lineCount {
                    lines.append(String(decoding: batch.lineBytes(i), as: UTF8.self))
                    offsets.append(batch.position(ofLine: i).byteOffset)
                }
            case .deadLetter(let letter): dead.append(letter)
            }
        }
        return (lines, offsets, dead)
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
        let result = frame(pieces, maxLine: 100, batchBytes: 16)
        #expect(result.lines == ["{\"a\":1}", "{\"b\":2}"])
        #expect(result.dead.count == 1)
        #expect(result.dead.first?.reason == .lineTooLong)
        #expect(result.dead.first?.position.byteOffset == 8)
        #expect(result.offsets == [0, UInt64(8 + long.utf8.count + 1)])
    }

    @Test func tooLongLineInsideOneReadIsDeadLettered() {
        let long = "{\"x\":\"" + String(repeating: "y", count: 200) + "\"}"
        let result = frame(["{\"a\":1}\n" + long + "\n{\"b\":2}\n"], maxLine: 100)
        #expect(result.lines == ["{\"a\":1}", "{\"b\":2}"])
        #expect(result.dead.map(\.reason) == [.lineTooLong])
        #expect(result.dead.first?.lineLength == long.utf8.count)
    }
}
