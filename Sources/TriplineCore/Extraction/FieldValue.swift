/// Where one value of a needed field lies in a batch; decoded only if a comparison needs it.
public struct FieldValue: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        /// A string whose raw bytes are its value.
        case string
        /// A string holding backslash escapes: decode before comparing.
        case escapedString
        case number
        case bool
    }

    public var field: UInt16
    public var kind: Kind
    /// For strings, the content between the quotes; otherwise the token.
    public var start: UInt32
    public var length: UInt32

    public init(field: UInt16, kind: Kind, start: UInt32, length: UInt32) {
        self.field = field
        self.kind = kind
        self.start = start
        self.length = length
    }
}

extension FieldValue {
    /// The value's token in its batch's bytes `raw`: for strings, the bytes between the quotes,
    /// escapes left as written.
    public func rawBytes(in raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: raw[Int(start)..<(Int(start) + Int(length))])
    }

    /// Appends the value's bytes to `out`, escapes decoded.
    public func appendDecoded(from raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        if kind == .escapedString {
            _ = JSONGrammar.unescape(rawBytes(in: raw), into: &out)
        } else {
            out.append(contentsOf: rawBytes(in: raw))
        }
    }

    /// Lends the value's bytes, escapes decoded: the batch's own bytes when it has none, else
    /// a decoded copy in `scratch`.
    public func withDecodedBytes<R>(in raw: UnsafeRawBufferPointer, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard kind == .escapedString else { return body(rawBytes(in: raw)) }
        scratch.removeAll(keepingCapacity: true)
        _ = JSONGrammar.unescape(rawBytes(in: raw), into: &scratch)
        return scratch.withUnsafeBytes(body)
    }
}

/// A batch with, per valid line, the values of the fields the rules need.
public final class ExtractedBatch: Sendable {
    public let batch: Batch
    public let values: [FieldValue]
    /// Line i's values are `values[valueStart[i] ..< valueStart[i + 1]]`.
    public let valueStart: [UInt32]
    /// True for lines extracted and valid; false for lines rejected (they went to the dead
    /// letters) and lines the literal prefilter skipped (no rule can match them).
    public let isValid: [Bool]
    /// The prefilter's rule candidates per line, beyond the rules it never filters.
    public let candidates: LiteralPrefilter.Verdicts?
    /// Lines the prefilter skipped.
    public let prefiltered: Int
    /// The prefilter's search backed off on this batch: it was extracted as with --no-prefilter.
    public let unsearched: Bool

    public init(batch: Batch, values: [FieldValue], valueStart: [UInt32], isValid: [Bool],
                candidates: LiteralPrefilter.Verdicts? = nil, prefiltered: Int = 0, unsearched: Bool = false) {
        self.batch = batch
        self.values = values
        self.valueStart = valueStart
        self.isValid = isValid
        self.candidates = candidates
        self.prefiltered = prefiltered
        self.unsearched = unsearched
    }

    public var validCount: Int { isValid.lazy.filter { $0 }.count }

    @inlinable
    public func valueRange(ofLine line: Int) -> Range<Int> {
        Int(valueStart[line])..<Int(valueStart[line + 1])
    }
}
