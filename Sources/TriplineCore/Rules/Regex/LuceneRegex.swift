// PLACEHOLDER until the automaton lands: every pattern is refused as unsupported.
public struct RegexError: Error, Sendable, Hashable { public var message: String; public var offset: Int }
public struct LuceneRegex: Sendable, Hashable {
    public init(_ pattern: String, caseInsensitive: Bool) throws(RegexError) {
        throw RegexError(message: "regular expressions are not supported yet", offset: 0)
    }
    public func matches(_ input: UnsafeRawBufferPointer) -> Bool { false }
    public func matches(_ input: String) -> Bool { false }
    public var requiredLiterals: [[UInt8]]? { nil }
}
