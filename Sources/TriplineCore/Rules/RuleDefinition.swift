import TOMLKit

/// A detection rule as written in an elastic/detection-rules TOML file.
public struct RuleDefinition: Sendable {
    public enum Language: String, Sendable, Hashable {
        case eql
        case esql
    }

    public var file: String
    public var ruleID: String
    public var name: String
    public var description: String
    public var type: String
    public var language: Language
    public var query: String
    /// Where the query text starts in the file, so query errors point into the file.
    public var queryStart: SourceLocation
    public var index: [String]
    public var from: String
    public var interval: String
    public var maxSignals: Int
    public var severity: String
    public var riskScore: Int
    public var tags: [String]
    public var author: [String]
    public var license: String?
    public var references: [String]
    public var falsePositives: [String]
    public var threat: JSONValue
    public var timestampOverride: String?
    /// EQL: the field holding the event category (`event.category` unless overridden).
    public var eventCategoryOverride: String?
    /// EQL: the fields ordering results (`@timestamp` unless overridden, and a tiebreaker).
    public var timestampField: String?
    public var tiebreakerField: String?
    public var version: Int
    public var enabled: Bool
    /// `[rule.alert_suppression]`: alerts grouped by fields over a duration, as Kibana does.
    public var alertSuppression: AlertSuppression?

    /// Maps a location inside the query text to one inside the rule file.
    public func fileLocation(of queryLocation: SourceLocation) -> SourceLocation {
        if queryLocation.line == 1 {
            return SourceLocation(line: queryStart.line, column: queryStart.column + queryLocation.column - 1)
        }
        return SourceLocation(line: queryStart.line + queryLocation.line - 1, column: queryLocation.column)
    }
}

/// A rule file that cannot be loaded, with the place in the file.
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var location: SourceLocation?
    public var message: String
    public var ruleID: String?
    public var language: String?
    public var isUnsupported: Bool

    public init(file: String, location: SourceLocation?, message: String, ruleID: String? = nil, language: String? = nil, isUnsupported: Bool = false) {
        self.file = file
        self.location = location
        self.message = message
        self.ruleID = ruleID
        self.language = language
        self.isUnsupported = isUnsupported
    }

    public var description: String {
        if let location { return "\(file):\(location.line):\(location.column): \(message)" }
        return "\(file): \(message)"
    }

    /// The message with its particulars (names in brackets, strings in double quotes, numbers)
    /// taken out, so errors of one kind count together in a summary; a syntax error's token (in
    /// single quotes) stays, it says what is missing.
    public var reason: String {
        var out = ""
        var skipUntil: Character?
        for character in message {
            if let end = skipUntil {
                if character == end { skipUntil = nil; out.append(end) }
                continue
            }
            switch character {
            case "[": skipUntil = "]"; out.append("[")
            case "\"": skipUntil = "\""; out.append("\"")
            case "0"..."9": if out.last != "N" { out.append("N") }
            default: out.append(character)
            }
        }
        return out
    }
}

extension [RuleError] {
    /// Each reason with how many errors give it, most first.
    public var countsByReason: [(reason: String, count: Int)] {
        var counts: [String: Int] = [:]
        for error in self { counts[error.reason, default: 0] += 1 }
        return counts.map { ($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
    }
}

extension RuleDefinition {
    /// Reads one detection-rules TOML document.
    public static func parse(toml text: String, file: String) throws(RuleError) -> RuleDefinition {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw RuleError(file: file, location: SourceLocation(line: error.source.begin.line, column: error.source.begin.column),
                            message: "invalid TOML: \(error.description)")
        } catch {
            throw RuleError(file: file, location: nil, message: "invalid TOML: \(error)")
        }
        guard let rule = table["rule"]?.table else {
            throw RuleError(file: file, location: nil, message: "missing [rule] table")
        }
        func string(_ key: String) -> String? { rule[key]?.string }
        func strings(_ key: String) -> [String] { rule[key]?.array?.compactMap { $0.string } ?? [] }
        func required(_ key: String) throws(RuleError) -> String {
            guard let value = string(key) else {
                throw RuleError(file: file, location: keyLocation(key, in: text), message: "missing [rule] \(key)", ruleID: string("rule_id"))
            }
            return value
        }
        let ruleID = try required("rule_id")
        let languageName = string("language") ?? string("type") ?? ""
        guard let language = Language(rawValue: languageName) else {
            throw RuleError(file: file, location: keyLocation("language", in: text),
                            message: "language '\(languageName)' is not supported (eql and esql are)",
                            ruleID: ruleID, language: languageName, isUnsupported: true)
        }
        let query = try required("query")
        let suppression = try rule["alert_suppression"].map { value throws(RuleError) in
            try AlertSuppression.parse(value, file: file, text: text, ruleID: ruleID)
        }
        return RuleDefinition(
            file: file,
            ruleID: ruleID,
            name: string("name") ?? ruleID,
            description: (string("description") ?? "").trimmingCharacters(in: " \n"),
            type: string("type") ?? languageName,
            language: language,
            query: query,
            queryStart: queryLocation(in: text),
            index: strings("index"),
            from: string("from") ?? "now-6m",
            interval: string("interval") ?? "5m",
            maxSignals: rule["max_signals"]?.int ?? 100,
            severity: string("severity") ?? "low",
            riskScore: rule["risk_score"]?.int ?? 21,
            tags: strings("tags"),
            author: strings("author"),
            license: string("license"),
            references: strings("references"),
            falsePositives: strings("false_positives"),
            threat: rule["threat"].map { tomlToJSON($0) } ?? .array([]),
            timestampOverride: string("timestamp_override"),
            eventCategoryOverride: string("event_category_override"),
            timestampField: string("timestamp_field"),
            tiebreakerField: string("tiebreaker_field"),
            version: rule["version"]?.int ?? 1,
            enabled: rule["enabled"]?.bool ?? true,
            alertSuppression: suppression)
    }

    /// The line and column where the query's first character stands in the file. Reads bytes:
    /// splitting the file into Character lines was a third of loading the bundled rules.
    static func queryLocation(in text: String) -> SourceLocation {
        let bytes = Array(text.utf8)
        var lineStart = 0
        var number = 1
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            var at = lineStart
            while at < lineEnd, bytes[at] == 0x20 || bytes[at] == 0x09 { at += 1 }
            if bytes[at..<lineEnd].starts(with: "query".utf8) {
                var after = at + 5
                while after < lineEnd, bytes[after] == 0x20 || bytes[after] == 0x09 { after += 1 }
                if after < lineEnd, bytes[after] == UInt8(ascii: "=") {
                    after += 1
                    while after < lineEnd, bytes[after] == 0x20 { after += 1 }
                    for quote in ["\'\'\'", "\"\"\"", "\'", "\""] where bytes[after..<lineEnd].starts(with: quote.utf8) {
                        let rest = after + quote.utf8.count
                        if quote.utf8.count == 3 && rest == lineEnd { return SourceLocation(line: number + 1, column: 1) }
                        return SourceLocation(line: number, column: characters(bytes[lineStart..<rest]) + 1)
                    }
                    return SourceLocation(line: number, column: 1)
                }
            }
            lineStart = lineEnd + 1
            number += 1
        }
        return SourceLocation(line: 1, column: 1)
    }

    /// Characters in UTF-8 bytes (continuation bytes start none).
    private static func characters(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    static func keyLocation(_ key: String, in text: String) -> SourceLocation? {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.trimmingCharacters(in: " \t").hasPrefix(key + " ") || line.trimmingCharacters(in: " \t").hasPrefix(key + "=") {
            return SourceLocation(line: number + 1, column: 1)
        }
        return nil
    }
}

/// TOML values as JSON, for rule metadata copied into alerts (`threat`, ...).
func tomlToJSON(_ value: any TOMLValueConvertible) -> JSONValue {
    if let table = value.table {
        return .object(table.keys.sorted().compactMap { key in table[key].map { (key, tomlToJSON($0)) } })
    }
    if let array = value.array { return .array(array.map { tomlToJSON($0) }) }
    if let string = value.string { return .string(string) }
    if let bool = value.bool { return .bool(bool) }
    if let int = value.int { return .number(String(int)) }
    if let double = value.double { return .number(String(double)) }
    return .string(String(describing: value))
}
