/// JSON_EXTRACT's path: the subset of JSONPath (RFC 9535) Elasticsearch accepts. Keys by dot
/// or bracket (`a.b`, `a['b']`, `['user.name']`), array indices (`items[0]`), an optional `$`
/// root; no wildcards, recursive descent, slices, filters or negative indices.
struct ESQLJSONPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    var steps: [Step]

    init(_ text: String) throws(ESQLArgumentError) {
        let chars = Array(text.unicodeScalars)
        var i = 0
        var steps: [Step] = []
        func peek() -> Unicode.Scalar? { i < chars.count ? chars[i] : nil }
        func skipSpaces() { while let c = peek(), c == " " { i += 1 } }
        if peek() == "$" { i += 1 }
        var expectKey = i == 0 && peek() != "["
        while i < chars.count || expectKey {
            if expectKey {
                // A bare key: up to the next '.' or '['.
                let start = i
                while let c = peek(), c != ".", c != "[" {
                    if c == "*" || c == "]" { throw ESQLArgumentError("unexpected '\(c)' at position \(i)") }
                    i += 1
                }
                guard i > start else { throw ESQLArgumentError("empty key at position \(start)") }
                steps.append(.key(String(String.UnicodeScalarView(chars[start..<i]))))
                expectKey = false
                continue
            }
            switch chars[i] {
            case ".":
                i += 1
                guard peek() != ".", peek() != nil else { throw ESQLArgumentError("recursive descent or trailing '.' is not supported") }
                expectKey = true
            case "[":
                i += 1
                skipSpaces()
                guard let c = peek() else { throw ESQLArgumentError("unterminated '['") }
                if c == "'" || c == "\"" {
                    i += 1
                    var key = String.UnicodeScalarView()
                    while let k = peek(), k != c {
                        if k == "\\", i + 1 < chars.count { i += 1 }
                        key.append(chars[i])
                        i += 1
                    }
                    guard peek() == c else { throw ESQLArgumentError("unterminated quoted key") }
                    i += 1
                    steps.append(.key(String(key)))
                } else {
                    let start = i
                    while let d = peek(), d.properties.numericType == .decimal, d.isASCII { i += 1 }
                    guard i > start, let index = Int(String(String.UnicodeScalarView(chars[start..<i]))) else {
                        throw ESQLArgumentError("expected an array index or a quoted key at position \(start)")
                    }
                    steps.append(.index(index))
                }
                skipSpaces()
                guard peek() == "]" else { throw ESQLArgumentError("expected ']' at position \(i)") }
                i += 1
            default:
                throw ESQLArgumentError("unexpected '\(chars[i])' at position \(i)")
            }
        }
        self.steps = steps
    }

    /// The value the path leads to, nil when some step does not exist.
    func select(_ root: JSONValue) -> JSONValue? {
        var current = root
        for step in steps {
            switch (step, current) {
            case (.key(let key), .object(let members)):
                guard let found = members.last(where: { $0.key == key }) else { return nil }
                current = found.value
            case (.index(let index), .array(let items)):
                guard index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}

extension ESQLCall {
    /// JSON_EXTRACT(json, path) as a keyword: strings without their quotes, numbers and booleans
    /// as written, objects and arrays as compact JSON; a JSON null is null. Invalid JSON, a bad
    /// path or a missing value is null with a warning.
    func jsonExtract(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        guard let args = Self.singles(args, &warnings), let json = args[0].keywordBytes else { return .null }
        let path: ESQLJSONPath
        if case .jsonPath(let prepared) = prepared {
            path = prepared
        } else {
            guard let text = args[1].keywordBytes else { return .null }
            guard let parsed = try? ESQLJSONPath(String(decoding: text, as: UTF8.self)) else {
                warnings.invalidArgument += 1
                return .null
            }
            path = parsed
        }
        guard let document = try? JSONValue.parse(json), let found = path.select(document) else {
            warnings.invalidArgument += 1
            return .null
        }
        switch found {
        case .null: return .null
        case .string(let s): return .keyword(s)
        case .number(let n): return .keyword(n)
        case .bool(let b): return .keyword(b ? "true" : "false")
        case .array, .object: return .keyword(found.jsonText)
        }
    }
}
