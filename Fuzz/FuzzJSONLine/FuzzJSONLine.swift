// Fuzz target: event lines as a log forwarder or a replayed file sends them, through the line
// framer, the JSON line scanner and the extractor, against every bundled rule.
//
// Input: any bytes. Checks: nothing crashes or hangs; framing in one piece or in small chunks
// gives the same lines and dead letters; the scanner accepts exactly the lines an independent
// strict JSON reader (`StrictJSON`) accepts, refusing for the same kind of reason, and finds the
// needed fields' values where that reader finds them; the extractor agrees with the scanner (it
// adds only @timestamp checks); the literal prefilter changes no match of the bundled rules; the
// alerts of the matches are valid JSON.

import FuzzSupport
import TriplineCore

nonisolated(unsafe) let harness = RuleHarness(ruleSet: RuleSet.load(paths: [repositoryRoot + "/rules"]))
nonisolated(unsafe) var scanner = JSONLineScanner(plan: harness.ruleSet.plan)
let fieldsByPath: [[UInt8]: Int] = {
    var fields: [[UInt8]: Int] = [:]
    for (index, path) in harness.ruleSet.plan.paths.enumerated() { fields[Array(path.utf8)] = index }
    return fields
}()

public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    checkFraming(input)
    var values: [FieldValue] = []
    for case .batch(let batch) in frame(input) {
        var verdicts: [DeadLetter.Reason?] = []
        batch.withUnsafeBytes { raw in
            for span in batch.lines {
                values.removeAll(keepingCapacity: true)
                var rejection: JSONLineScanner.Rejection?
                do throws(JSONLineScanner.Rejection) {
                    try scanner.scan(raw, line: span, into: &values)
                } catch {
                    rejection = error
                }
                let (verdict, found) = StrictJSON.check(raw, from: Int(span.start), to: span.end, fields: fieldsByPath)
                let line = { String(decoding: raw[Int(span.start)..<span.end].prefix(2000), as: UTF8.self) }
                if let rejection {
                    invariant(values.isEmpty, "a rejected line left values")
                    invariant(rejection.offsetInLine >= 0 && rejection.offsetInLine <= Int(span.length),
                              "rejection offset \(rejection.offsetInLine) outside a line of \(span.length) bytes")
                    let expected: StrictJSON.Verdict = switch rejection.reason {
                    case .duplicateKey: .duplicateKey
                    case .tooDeep: .tooDeep
                    default: .invalid
                    }
                    invariant(verdict == expected, "the scanner refuses (\(rejection.reason): \(rejection.detail)), the strict reader says \(verdict): \(line())")
                } else {
                    invariant(verdict == .valid, "the scanner accepts a line the strict reader finds \(verdict): \(line())")
                    let got = values.map { StrictJSON.Found(field: Int($0.field), kind: $0.kind, start: Int($0.start), length: Int($0.length)) }
                    invariant(got == found, "the scanner's values \(got) differ from the strict reader's \(found): \(line())")
                }
                verdicts.append(rejection?.reason)
            }
        }
        let reasons = harness.run(batch)
        for (line, reason) in reasons.enumerated() {
            invariant(reason == verdicts[line] || (verdicts[line] == nil && reason == .invalidTimestamp),
                      "the extractor says \(String(describing: reason)) of line \(line), the scanner \(String(describing: verdicts[line]))")
        }
    }
    return 0
}

/// Lines and dead letters (by source offset, each in order; they go separate ways) must not
/// depend on how the bytes arrive.
func checkFraming(_ input: UnsafeRawBufferPointer) {
    func summary(_ outputs: [FramedOutput]) -> [[String]] {
        var lines: [String] = [], letters: [String] = []
        for output in outputs {
            switch output {
            case .batch(let batch):
                lines += batch.lines.indices.map { "line @\(batch.position(ofLine: $0).byteOffset): \(Array(batch.lineBytes($0)))" }
            case .deadLetter(let letter):
                letters.append("\(letter.reason) @\(letter.position.byteOffset)")
            }
        }
        return [lines, letters]
    }
    let whole = summary(frame(input, maxLineBytes: 300, targetBatchBytes: 256))
    let chunked = summary(frame(input, maxLineBytes: 300, targetBatchBytes: 256, chunk: 1 + input.count % 7))
    invariant(whole == chunked, "framing in chunks differs: \(whole) vs \(chunked)")
}

#if FUZZING
/// libFuzzer's set-up hook: the rules and samples load here, not inside the first input's time
/// and leak check.
@_cdecl("LLVMFuzzerInitialize")
public func libFuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = harness
    _ = fieldsByPath
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func libFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { fuzz(data, size) }
#else
@main struct Replay {
    static func main() { replayMain("FuzzJSONLine", fuzz) }
}
#endif
