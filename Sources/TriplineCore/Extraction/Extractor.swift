/// The extractor stage's work on one batch: skip the lines no rule can match, then validate each
/// remaining line and locate the fields the rules need. A skipped line is still validated (by
/// default): a malformed one is a dead letter whether or not it holds a rule's literal.
public struct Extractor {
    private var scanner: JSONLineScanner
    private var values: [FieldValue] = []
    private let prefilter: LiteralPrefilter?
    /// Proves most skipped lines valid at SIMD speed; the rest go through the scanner.
    private var validator: LineValidator?
    private var prefilterScratch = LiteralPrefilter.Scratch()
    /// `@timestamp`'s field in the plan: every extracted line's is checked to be a date.
    private let timestamp: UInt16?
    private var timestampScratch: [UInt8] = []
    /// Whether the search backs off where it does not pay (off: every batch is searched).
    private let backsOff: Bool
    /// Batches to extract without the search, and how many the next back-off lasts.
    private var unsearchedBatches = 0
    private var backOff = 0
    /// A searched batch that skips fewer of its lines than this share did not pay for its search
    /// (a line the prefilter lets through costs the search on top of its extraction).
    static let payingSkipShare = 1.0 / 8
    /// The longest run of batches extracted without the search, before it is tried again. A
    /// searched batch that does not pay costs the search (with all bundled rules, a few times
    /// slower than extraction): growing by 4 up to 256, 6 of the first 350 batches are searched
    /// (the 1st, 3rd, 8th, 25th, 90th and 347th; doubling up to 32: 15, 3% of an all-rules
    /// run); a stream whose lines start to skip is noticed within 256 batches (a socket's
    /// batches are small).
    static let maxBackOff = 256

    /// Without a prefilter (or with an inactive one) every line is validated and extracted. With
    /// `validatesSkipped` false, a line the prefilter skips is counted as evaluated unparsed
    /// (faster, but a malformed line among them goes unreported). `searchBacksOff`: see `verdicts`.
    public init(plan: FieldPlan, prefilter: LiteralPrefilter? = nil, validatesSkipped: Bool = true, searchBacksOff: Bool = true) {
        backsOff = searchBacksOff
        scanner = JSONLineScanner(plan: plan)
        self.prefilter = prefilter?.isActive == true ? prefilter : nil
        validator = validatesSkipped ? LineValidator() : nil
        timestamp = plan.index(of: "@timestamp").map { UInt16($0) }
    }

    /// The first `@timestamp` value of the line's values that is not a date, as a rejection.
    private mutating func invalidTimestamp(_ raw: UnsafeRawBufferPointer, from first: Int, lineStart: Int) -> JSONLineScanner.Rejection? {
        guard let timestamp else { return nil }
        for index in first..<values.count where values[index].field == timestamp {
            let value = values[index]
            let valid = value.kind != .bool
                && value.withDecodedBytes(in: raw, scratch: &timestampScratch) { bytes in
                    value.kind == .number ? FieldValue.double(bytes) != nil : Timestamp.milliseconds(date: bytes) != nil
                }
            if !valid {
                let text = value.withDecodedBytes(in: raw, scratch: &timestampScratch) { String(decoding: $0.prefix(64), as: UTF8.self) }
                return JSONLineScanner.Rejection(reason: .invalidTimestamp, detail: "@timestamp [\(text)] is not a date",
                                                 offsetInLine: Int(value.start) - lineStart)
            }
        }
        return nil
    }

    /// The prefilter's verdicts on the batch, or nil when it is not searched. Where the search
    /// skips hardly any line (all bundled rules: some rule's literal is on nearly every line),
    /// it only narrows each line's candidate rules, which the rule keys and gates do for less:
    /// then the next batches go unsearched, as with --no-prefilter (same results), for a
    /// back-off that grows fourfold up to `maxBackOff` while searched batches keep not paying.
    private mutating func verdicts(_ batch: Batch) -> LiteralPrefilter.Verdicts? {
        guard let prefilter else { return nil }
        if unsearchedBatches > 0 {
            unsearchedBatches -= 1
            return nil
        }
        let verdicts = prefilter.scan(batch, scratch: &prefilterScratch)
        guard backsOff else { return verdicts }
        let skipped = verdicts.passes.count(where: { !$0 })
        if Double(skipped) < Self.payingSkipShare * Double(batch.lineCount) {
            backOff = min(max(1, 4 * backOff), Self.maxBackOff)
            unsearchedBatches = backOff
        } else {
            backOff = 0
        }
        return verdicts
    }

    public mutating func extract(_ batch: Batch) -> (ExtractedBatch, [DeadLetter]) {
        let verdicts = verdicts(batch)
        values.removeAll(keepingCapacity: true)
        var starts: [UInt32] = []
        starts.reserveCapacity(batch.lineCount + 1)
        var valid = [Bool](repeating: true, count: batch.lineCount)
        var rejected: [DeadLetter] = []
        var skipped = 0
        batch.withUnsafeBytes { raw in
            for (index, span) in batch.lines.enumerated() {
                starts.append(UInt32(values.count))
                let isSkipped = verdicts.map { !$0.passes[index] } ?? false
                if isSkipped {
                    valid[index] = false
                    if validator?.accepts(raw, line: span) ?? true {
                        skipped += 1
                        continue
                    }
                }
                let first = values.count
                do throws(JSONLineScanner.Rejection) {
                    try scanner.scan(raw, line: span, into: &values)
                    if let rejection = invalidTimestamp(raw, from: first, lineStart: Int(span.start)) {
                        values.removeSubrange(first...)
                        throw rejection
                    }
                    if isSkipped {
                        // Valid after all (a shape the validator leaves to the scanner): still skipped.
                        values.removeSubrange(first...)
                        skipped += 1
                    }
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
        let extracted = ExtractedBatch(batch: batch, values: values, valueStart: starts, isValid: valid,
                                       candidates: verdicts, prefiltered: skipped, unsearched: prefilter != nil && verdicts == nil)
        return (extracted, rejected)
    }
}
