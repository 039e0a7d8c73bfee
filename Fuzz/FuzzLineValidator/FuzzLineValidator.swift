// Fuzz target: the validator of the lines the prefilter skips (SIMD classification, Keiser–Lemire
// UTF-8, the compact bit-mask check and the token walk).
//
// Input: any bytes, framed into lines as a replayed file is. Checks, per line: nothing crashes or
// hangs; the SIMD classification (AVX2, AVX-512) and UTF-8 kernels agree with their scalar twins;
// the validator gives the same verdict with and without them; and it never passes a line that the
// extractor without a prefilter (the scanner and its @timestamp rule) or an independent strict
// JSON reader (`StrictJSON`) refuses, by either of its two stage-2 paths.

import FuzzSupport
import TriplineCore

nonisolated(unsafe) var vectorized = LineValidator(vectorized: true)
nonisolated(unsafe) var scalar = LineValidator(vectorized: false)
nonisolated(unsafe) var utf8 = UTF8Validator()
/// Without a prefilter: the scanner and its @timestamp rule, the reference for the validator.
nonisolated(unsafe) var extractor = Extractor(plan: FieldPlan(paths: ["@timestamp"]))

public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    for case .batch(let batch) in frame(input) {
        let reference = extractor.extract(batch).0
        batch.withUnsafeBytes { raw in
            for (index, span) in batch.lines.enumerated() {
                let text = UnsafeRawBufferPointer(rebasing: raw[Int(span.start)..<span.end])
                let line = { String(decoding: text.prefix(2000), as: UTF8.self) }
                checkTwins(text, line)
                let accepted = vectorized.accepts(raw, line: span)
                invariant(accepted == scalar.accepts(raw, line: span), "the validator's verdict depends on AVX2: \(line())")
                let scannerAccepts = reference.isValid[index]
                let strict = StrictJSON.check(raw, from: Int(span.start), to: span.end, fields: [:]).0
                invariant(!accepted || scannerAccepts, "the validator passes a line the extractor refuses: \(line())")
                invariant(!accepted || strict == .valid, "the validator passes a line the strict reader finds \(strict): \(line())")
                counters[accepted ? "accepted" : scannerAccepts ? "left to the scanner" : "refused", default: 0] += 1
                guard text.count > 0 else { continue }
                let paths = vectorized.stageTwoVerdicts(text)
                if paths.compact == true { counters["compact", default: 0] += 1 }
                let validUTF8 = UTF8Validator.isValidScalar(text)
                invariant(!validUTF8 || !paths.walk || scannerAccepts, "the walk passes a line the extractor refuses: \(line())")
                invariant(!validUTF8 || paths.compact != true || scannerAccepts, "the compact check passes a line the extractor refuses: \(line())")
            }
        }
    }
    return 0
}

/// The SIMD kernels this CPU runs (AVX2, AVX-512) against their scalar twins on one line.
func checkTwins(_ text: UnsafeRawBufferPointer, _ line: () -> String) {
    let count = JSONBlockClassifier.blocks(text.count) * JSONBlockClassifier.masksPerBlock
    var slow = [UInt64](repeating: 2, count: count)
    slow.withUnsafeMutableBufferPointer { JSONBlockClassifier.classifyScalar(text, into: $0.baseAddress!) }
    for kernel in JSONBlockClassifier.Kernel.allCases where kernel != .scalar && kernel.isAvailable {
        var fast = [UInt64](repeating: 1, count: count)
        fast.withUnsafeMutableBufferPointer { JSONBlockClassifier.classify(text, into: $0.baseAddress!, kernel: kernel) }
        invariant(fast == slow, "the \(kernel) classification differs from its scalar twin: \(line())")
    }
    invariant(utf8.isValid(text, vectorized: true) == UTF8Validator.isValidScalar(text), "the SIMD UTF-8 check differs from its scalar twin: \(line())")
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func libFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { fuzz(data, size) }
#else
@main struct Replay {
    static func main() { replayMain("FuzzLineValidator", fuzz) }
}
#endif
