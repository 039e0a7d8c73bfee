/// A place in a query's text: 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A query that cannot be read or run, and where.
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case syntax
        case unsupported
        /// Operands whose types do not fit the operator (Elasticsearch's verifier refuses them).
        case type
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation

    public init(_ code: Code, _ message: String, at location: SourceLocation) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): \(code == .unsupported ? "unsupported: " : "")\(message)" }
}
