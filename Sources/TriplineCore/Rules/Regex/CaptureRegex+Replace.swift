// Java's `Matcher.replaceAll(String)`, which ES|QL's REPLACE calls: the replacement is literal
// text except `$n` (the longest group number that exists, as Java reads `$12` with 11 groups as
// group 1 then "2"), `${name}`, and `\x` (x itself).

extension CaptureRegex {
    /// A replacement string read once: literal runs and group references.
    public struct Replacement: Sendable, Hashable {
        enum Part: Sendable, Hashable {
            case literal([UInt8])
            case group(Int)
        }

        let parts: [Part]
    }

    /// Reads `replacement` as Java does for this pattern's groups; throws where Java's
    /// `appendReplacement` would (a trailing `\` or `$`, `$x`, an unknown group).
    public func replacement(_ replacement: [UInt8]) throws(RegexError) -> Replacement {
        var parts: [Replacement.Part] = []
        var literal: [UInt8] = []
        var i = 0
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)); literal = [] }
        }
        while i < replacement.count {
            let b = replacement[i]
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < replacement.count else { throw RegexError(message: "character to be escaped is missing", offset: i) }
                // The escaped character is one code point: copy all of its bytes.
                let length = replacement.withUnsafeBytes { CaptureMatcher.decode($0, at: i).1 }
                literal += replacement[i..<(i + length)]
                i += length
            } else if b == UInt8(ascii: "$") {
                let at = i
                i += 1
                guard i < replacement.count else { throw RegexError(message: "Illegal group reference: group index is missing", offset: at) }
                let group: Int
                if replacement[i] == UInt8(ascii: "{") {
                    i += 1
                    let from = i
                    while i < replacement.count, Self.isASCIIAlphanumeric(replacement[i]) { i += 1 }
                    guard i > from else { throw RegexError(message: "named capturing group has 0 length name", offset: at) }
                    guard i < replacement.count, replacement[i] == UInt8(ascii: "}") else {
                        throw RegexError(message: "named capturing group is missing trailing '}'", offset: at)
                    }
                    let name = String(decoding: replacement[from..<i], as: UTF8.self)
                    i += 1
                    guard let index = groupNames.firstIndex(where: { $0 == name }) else {
                        throw RegexError(message: "No group with name {\(name)}", offset: at)
                    }
                    group = index
                } else {
                    guard let first = Self.digit(replacement[i]) else { throw RegexError(message: "Illegal group reference", offset: at) }
                    var number = first
                    i += 1
                    while i < replacement.count, let d = Self.digit(replacement[i]), number * 10 + d <= groupCount {
                        number = number * 10 + d
                        i += 1
                    }
                    guard number <= groupCount else { throw RegexError(message: "No group \(number)", offset: at) }
                    group = number
                }
                flush()
                parts.append(.group(group))
            } else {
                literal.append(b)
                i += 1
            }
        }
        flush()
        return Replacement(parts: parts)
    }

    /// Java's `Matcher.replaceAll(replacement)`: every match (as repeated `find()` sees them,
    /// empty ones included: `x*` in "abc" gives "-a-b-c-") replaced; a group that did not take
    /// part adds nothing. A replacement Java would refuse is used literally where it is
    /// malformed; call `replacement(_:)` first to refuse it instead.
    public func replacingAll(in input: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        let parsed = (try? self.replacement(replacement)) ?? Replacement(parts: [.literal(replacement)])
        return replacingAll(in: input, using: parsed)
    }

    public func replacingAll(in input: [UInt8], using replacement: Replacement) -> [UInt8] {
        input.withUnsafeBytes { buffer in
            var output: [UInt8] = []
            var copied = 0
            forEachMatch(in: buffer) { groups in
                guard let whole = groups[0] else { return }
                output += input[copied..<whole.lowerBound]
                for part in replacement.parts {
                    switch part {
                    case .literal(let bytes): output += bytes
                    case .group(let k): if let range = groups[k] { output += input[range] }
                    }
                }
                copied = whole.upperBound
            }
            if copied == 0 && output.isEmpty { return input }
            output += input[copied...]
            return output
        }
    }

    private static func digit(_ b: UInt8) -> Int? {
        b >= 0x30 && b <= 0x39 ? Int(b - 0x30) : nil
    }

    private static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
    }
}
