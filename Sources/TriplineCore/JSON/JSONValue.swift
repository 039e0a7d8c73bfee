/// A whole JSON document, keys in source order; for slow paths only (alert documents, tests).
/// The hot path never builds one: it reads byte ranges with `JSONLineScanner`.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Kept as written, so a number round-trips exactly.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o):
            for (k, v) in o { hasher.combine(k); hasher.combine(v) }
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The values at a dotted path, with nested objects and dotted keys meaning the same field
    /// and arrays flattened, as Elasticsearch reads a document.
    public func values(atPath path: String) -> [JSONValue] {
        var found: [JSONValue] = []
        var path = path
        path.withUTF8 { collect(path: $0, into: &found) }
        return found
    }

    /// Removes the field at a dotted path from object members, in every form it may take:
    /// nested objects, dotted keys, or a mix (Kibana's `robustUnset`). Objects left empty go too.
    public static func removePath(_ path: String, from members: inout [(key: String, value: JSONValue)]) {
        members = members.compactMap { member in
            if member.key == path { return nil }
            guard path.hasPrefix(member.key + ".") else { return member }
            let rest = String(path.dropFirst(member.key.count + 1))
            switch member.value {
            case .object(var inner):
                removePath(rest, from: &inner)
                return inner.isEmpty ? nil : (member.key, .object(inner))
            case .array(let items):
                return (member.key, .array(items.map { item in
                    guard case .object(var inner) = item else { return item }
                    removePath(rest, from: &inner)
                    return .object(inner)
                }))
            default:
                return member
            }
        }
    }

    /// Keys compare as bytes, as Elasticsearch compares field names (and String's Unicode-aware
    /// comparison made this most of an alert's cost).
    private func collect(path: UnsafeBufferPointer<UInt8>, into found: inout [JSONValue]) {
        switch self {
        case .array(let items):
            for item in items { item.collect(path: path, into: &found) }
        case .object(let members):
            for (key, value) in members {
                let key = key.utf8
                let length = key.count
                // Only a key as long as the path, or ending where the path has a dot, can match.
                guard length == path.count || (length < path.count && path[length] == UInt8(ascii: ".")) else { continue }
                let prefix = UnsafeBufferPointer(rebasing: path[..<length])
                guard key.withContiguousStorageIfAvailable({ $0.elementsEqual(prefix) }) ?? key.elementsEqual(prefix) else { continue }
                if length == path.count {
                    value.appendLeaves(into: &found)
                } else {
                    value.collect(path: UnsafeBufferPointer(rebasing: path[(length + 1)...]), into: &found)
                }
            }
        default:
            break
        }
    }

    private func appendLeaves(into found: inout [JSONValue]) {
        switch self {
        case .null: break
        case .array(let items): for item in items { item.appendLeaves(into: &found) }
        default: found.append(self)
        }
    }

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let b): writer.bool(b)
        case .number(let n): writer.raw(n.utf8)
        case .string(let s): writer.string(s)
        case .array(let items):
            writer.beginArray()
            for item in items { item.write(to: &writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            for (key, value) in members {
                writer.key(key)
                value.write(to: &writer)
            }
            writer.endObject()
        }
    }

    public var jsonText: String {
        var writer = JSONWriter()
        write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension JSONValue {
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "\(message) at byte \(offset)" }
    }

    /// Parses one JSON document (strict RFC 8259).
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws -> JSONValue where Bytes.Element == UInt8 {
        let array = Array(bytes)
        return try array.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw)
            parser.skipSpace()
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.at == raw.count else { throw parser.error("unexpected data after the JSON value") }
            return value
        }
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var at = 0
        static let maxDepth = 512

        func error(_ message: String) -> ParseError { ParseError(offset: at, message: message) }

        mutating func skipSpace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x09, 0x0A, 0x0D: at += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard at < bytes.count, bytes[at] == byte else { throw error("invalid literal") }
                at += 1
            }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < Self.maxDepth else { throw error("nesting too deep") }
            guard at < bytes.count else { throw error("unexpected end of input") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var members: [(key: String, value: JSONValue)] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("expected a key") }
                    let key = try string()
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    at += 1
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard at < bytes.count else { throw error("unexpected end of input") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                    throw error("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [JSONValue] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard at < bytes.count else { throw error("unexpected end of input") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                    throw error("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default:
                let start = at
                guard let end = JSONGrammar.numberEnd(bytes, from: start) else { throw error("invalid number") }
                at = end
                return .number(String(decoding: bytes[start..<end], as: UTF8.self))
            }
        }

        mutating func string() throws -> String {
            var hasEscape = false
            var failure: JSONGrammar.Failure?
            guard let end = JSONGrammar.stringEnd(bytes, openingQuote: at, hasEscape: &hasEscape, failure: &failure) else {
                throw error("invalid string")
            }
            let content = UnsafeRawBufferPointer(rebasing: bytes[(at + 1)..<(end - 1)])
            // Most strings hold no escape: made straight from their bytes, without a decoded copy.
            guard hasEscape else {
                at = end
                return String(decoding: content, as: UTF8.self)
            }
            var decoded: [UInt8] = []
            guard JSONGrammar.unescape(content, into: &decoded) else { throw error("invalid escape") }
            at = end
            return String(decoding: decoded, as: UTF8.self)
        }
    }
}
