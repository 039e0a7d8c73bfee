/// A line the engine could not evaluate, with where it came from and why.
public struct DeadLetter: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        case lineTooLong = "line_too_long"
        case invalidJSON = "invalid_json"
        case invalidUTF8 = "invalid_utf8"
        /// An `@timestamp` that is not a date: a data stream refuses the document.
        case invalidTimestamp = "invalid_timestamp"
        case duplicateKey = "duplicate_key"
        case notAnObject = "not_an_object"
        case tooDeep = "too_deep"
        case truncated = "truncated"
    }

    public var position: SourcePosition
    public var reason: Reason
    public var detail: String
    /// The line, or its first bytes when it was too long to keep.
    public var excerpt: [UInt8]
    public var lineLength: Int

    public init(position: SourcePosition, reason: Reason, detail: String, excerpt: [UInt8], lineLength: Int) {
        self.position = position
        self.reason = reason
        self.detail = detail
        self.excerpt = excerpt
        self.lineLength = lineLength
    }

    /// The most of a rejected line a record keeps.
    public static let excerptLimit = 4096

    /// One NDJSON line (newline included) describing this record.
    public func jsonLine() -> [UInt8] {
        var out = JSONWriter()
        out.beginObject()
        out.key("source"); out.string(position.source)
        out.key("offset"); out.integer(Int64(position.byteOffset))
        out.key("reason"); out.string(reason.rawValue)
        out.key("detail"); out.string(detail)
        out.key("length"); out.integer(Int64(lineLength))
        out.key("line"); out.string(String(decoding: excerpt, as: UTF8.self))
        if excerpt.count < lineLength { out.key("line_truncated"); out.bool(true) }
        out.endObject()
        out.newline()
        return out.bytes
    }
}
