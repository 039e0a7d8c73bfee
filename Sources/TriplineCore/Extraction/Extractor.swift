/// The extractor stage's work on one batch: validate every line, locate the needed fields.
public struct Extractor {
    private var scanner: JSONLineScanner
    private var values: [FieldValue] = []

    public init(plan: FieldPlan) {
        scanner = JSONLineScanner(plan: plan)
    }

    public mutating func extract(_ batch: Batch) -> (ExtractedBatch, [DeadLetter]) {
        values.removeAll(keepingCapacity: true)
        var starts: [UInt32] = []
        starts.reserveCapacity(batch.lineCount + 1)
        var valid = [Bool](repeating: true, count: batch.lineCount)
        var rejected: [DeadLetter] = []
        batch.withUnsafeBytes { raw in
            for (index, span) in batch.lines.enumerated() {
                starts.append(UInt32(values.count))
                do throws(JSONLineScanner.Rejection) {
                    try scanner.scan(raw, line: span, into: &values)
                } catch {
                    valid[index] = false
                    let excerptEnd = min(span.end, Int(span.start) + DeadLetter.excerptLimit)
                    rejected.append(DeadLetter(
                        position: batch.position(ofLine: index),
                        reason: error.reason,
                        detail: "\(error.detail) at byte \(error.offsetInLine) of the line",
                        excerpt: Array(raw[Int(span.start)..<excerptEnd]),
                        lineLength: Int(span.length)))
                }
            }
        }
        starts.append(UInt32(values.count))
        return (ExtractedBatch(batch: batch, values: values, valueStart: starts, isValid: valid), rejected)
    }
}
