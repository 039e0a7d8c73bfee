import Foundation
import TriplineCore

/// Which csv-spec tests the ES|QL conformance runner runs, and why it skips the others.
///
/// The table below is the whole classification: a test is skipped for the first rule that
/// matches, in this order; every other test runs. Move a name into an "in scope" set as the
/// engine learns it.
enum ESQLConformanceScope {
    /// Source and processing commands the engine implements.
    static let commands: Set<String> = [
        "FROM", "ROW", "WHERE", "EVAL", "KEEP", "DROP", "RENAME", "SORT", "LIMIT", "MV_EXPAND", "DISSECT", "GROK",
        "STATS", "INLINE STATS", "INLINESTATS",
    ]

    /// Functions the engine implements (operators IN, LIKE, RLIKE, NOT, IS [NOT] NULL, arithmetic
    /// and comparisons are syntax, always in scope). Every `MV_*` function is in scope too.
    static let functions: Set<String> = [
        "CASE", "COALESCE", "GREATEST", "LEAST",
        "TO_LOWER", "TO_UPPER", "CONCAT", "REPLACE", "STARTS_WITH", "ENDS_WITH", "LOCATE", "SPLIT", "LENGTH",
        "SUBSTRING", "TRIM", "LTRIM", "RTRIM",
        "TO_STRING", "TO_DOUBLE", "TO_INTEGER", "TO_LONG", "TO_IP", "TO_DATETIME",
        // Elasticsearch's other names for the same conversions.
        "TO_STR", "TO_DBL", "TO_INT", "TO_DT",
        "CIDR_MATCH", "URL_DECODE", "JSON_EXTRACT",
        "DATE_TRUNC", "DATE_DIFF", "DATE_EXTRACT", "NOW",
        "ROUND", "ABS",
    ]
    static let functionPrefixes = ["MV_"]

    /// Beyond the issue's list, every function the engine's library has (and MATCH, KQL) runs too:
    /// a test the engine claims to run is checked.
    static func implemented(_ name: String) -> Bool {
        name == "MATCH" || name == "KQL" || ESQLFunction(name: name) != nil || ESQLAggregateFunction(name: name) != nil
            || RuleCompiler.substitutedAggregates.contains(name.lowercased())
    }

    /// Data sets copied into Tests/Conformance/esql/data (`CSVDataLoader.datasets`).
    static var datasets: Set<String> { Set(CSVDataLoader.datasets.keys) }

    /// The skip rules, in order: a reason (or nil) for a test. The reason's text is what the
    /// summary groups by.
    static let rules: [(name: String, reason: @Sendable (CSVSpecTest, ESQLQueryShape, CSVSpecTable?) -> String?)] = [
        ("disabled upstream", { test, _, _ in test.isIgnored ? "-Ignore (disabled upstream)" : nil }),
        ("skipped upstream", { test, _, _ in test.isSkippedForVersion ? "skip:-9.99.99 (skipped upstream on 9.x)" : nil }),
        ("query settings", { _, shape, _ in shape.settings.isEmpty ? nil : "SET (query settings)" }),
        ("data set", { _, shape, _ in
            shape.sources.first { !datasets.contains($0) }.map { "data set not copied: \($0)" }
        }),
        ("command", { _, shape, _ in
            shape.commands.first { !commands.contains($0) }.map { "command \($0)" }
        }),
        ("type", { _, _, table in
            table?.columns.lazy.compactMap { column -> String? in
                if case .other(let name) = column.type { return "type not modeled: \(name)" }
                return nil
            }.first
        }),
        ("function", { _, shape, _ in
            shape.functions.first { name in
                !functions.contains(name) && !functionPrefixes.contains(where: name.hasPrefix) && !implemented(name)
            }.map { "function \($0)" }
        }),
        ("options", { _, shape, _ in shape.functionOptions ? "function options ({\"name\": value})" : nil }),
        ("no query", { _, shape, _ in shape.commands.isEmpty ? "no query" : nil }),
    ]

    /// Why the test is skipped, or nil if it runs.
    static func skipReason(_ test: CSVSpecTest) -> String? {
        let shape = ESQLQueryShape(test.query)
        let table = try? test.expectedTable()
        if table == nil && !test.isIgnored { return "expected table does not parse" }
        for rule in rules {
            if let reason = rule.reason(test, shape, table) { return reason }
        }
        return nil
    }
}

/// What a query uses, found by a light scan (strings, `quoted` names and comments skipped): its
/// SET statements, its commands, the functions it calls, the indices it reads.
struct ESQLQueryShape: Sendable, Hashable {
    /// `SET name = value;` statements before the query.
    var settings: [String] = []
    /// Each top-level command in order, uppercased; two-word commands as one (`INLINE STATS`, `LOOKUP JOIN`).
    var commands: [String] = []
    /// Called functions, uppercased, in order of first use.
    var functions: [String] = []
    /// `FROM` index patterns as written (`employees`, `emp*`, `-hosts_ip_is_kwd`).
    var sources: [String] = []
    var metadata = false
    /// Types of `value::TYPE` casts.
    var casts: [String] = []
    /// `field : "query"` (full-text match).
    var matchOperator = false
    /// A `{"name": value}` map of function options.
    var functionOptions = false

    enum Token: Sendable, Hashable {
        case word(String)
        /// A `backquoted` name.
        case name(String)
        case string
        case number
        case symbol(String)
    }

    /// Words that take a parenthesis without being a function call.
    static let operatorWords: Set<String> = ["IN", "LIKE", "RLIKE", "NOT", "AND", "OR", "BY", "ON", "AS", "WITH", "IS", "NULL", "WHERE"]

    init(_ query: String) {
        var tokens = Self.tokens(query)
        // SET statements come first, each up to its `;`.
        while case .word(let word)? = tokens.first, word.uppercased() == "SET" {
            guard let end = tokens.firstIndex(of: .symbol(";")) else { break }
            settings.append(tokens[1..<end].map(Self.text).joined(separator: " "))
            tokens.removeSubrange(...end)
        }
        var depth = 0, braces = 0
        var commandNext = true
        var index = 0
        var seenFunctions: Set<String> = []
        while index < tokens.count {
            let token = tokens[index]
            let next = index + 1 < tokens.count ? tokens[index + 1] : nil
            switch token {
            case .symbol("("): depth += 1
            case .symbol(")"): depth -= 1
            case .symbol("|") where depth == 0: commandNext = true
            case .symbol("::"):
                if case .word(let type)? = next { casts.append(type.lowercased()) }
            case .symbol("{"):
                functionOptions = true
                braces += 1
            case .symbol("}"): braces -= 1
            case .symbol(":") where braces == 0: matchOperator = true
            case .word(let word):
                let upper = word.uppercased()
                if commandNext && depth == 0 {
                    commandNext = false
                    var command = upper
                    if case .word(let second)? = next,
                       (upper == "INLINE" && second.uppercased() == "STATS") || (upper == "LOOKUP" && second.uppercased() == "JOIN") {
                        command += " " + second.uppercased()
                        index += 1
                    }
                    commands.append(command)
                    if command == "FROM" { index = readSources(tokens, after: index) - 1 }
                } else if next == .symbol("("), !Self.operatorWords.contains(upper) {
                    if seenFunctions.insert(upper).inserted { functions.append(upper) }
                }
            default: break
            }
            index += 1
        }
    }

    /// Reads `FROM a, b* METADATA _id` from the token after FROM; returns where the command ends.
    private mutating func readSources(_ tokens: [Token], after from: Int) -> Int {
        var index = from + 1
        var current = ""
        while index < tokens.count {
            let token = tokens[index]
            if token == .symbol("|") { break }
            if case .word(let word) = token, word.uppercased() == "METADATA" {
                metadata = true
                while index < tokens.count, tokens[index] != .symbol("|") { index += 1 }
                break
            }
            if token == .symbol(",") {
                if !current.isEmpty { sources.append(current) }
                current = ""
            } else {
                current += Self.text(token)
            }
            index += 1
        }
        if !current.isEmpty { sources.append(current) }
        return index
    }

    static func text(_ token: Token) -> String {
        switch token {
        case .word(let text), .name(let text), .symbol(let text): text
        case .string: "\"…\""
        case .number: "0"
        }
    }

    static func tokens(_ query: String) -> [Token] {
        let characters = Array(query)
        var tokens: [Token] = []
        var index = 0
        func at(_ offset: Int) -> Character? { index + offset < characters.count ? characters[index + offset] : nil }
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character == "/", at(1) == "/" {
                while index < characters.count, characters[index] != "\n" { index += 1 }
            } else if character == "/", at(1) == "*" {
                index += 2
                while index < characters.count, !(characters[index] == "*" && at(1) == "/") { index += 1 }
                index += 2
            } else if character == "\"", at(1) == "\"", at(2) == "\"" {
                index += 3
                while index < characters.count, !(characters[index] == "\"" && at(1) == "\"" && at(2) == "\"") { index += 1 }
                index += 3
                tokens.append(.string)
            } else if character == "\"" {
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    index += characters[index] == "\\" ? 2 : 1
                }
                index += 1
                tokens.append(.string)
            } else if character == "`" {
                var name = ""
                index += 1
                while index < characters.count {
                    if characters[index] == "`" {
                        if at(1) == "`" { name.append("`"); index += 2; continue }
                        break
                    }
                    name.append(characters[index])
                    index += 1
                }
                index += 1
                tokens.append(.name(name))
            } else if character.isNumber {
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "." {
                    index += 1
                }
                tokens.append(.number)
            } else if character.isLetter || character == "_" || character == "@" {
                var word = ""
                while index < characters.count,
                      characters[index].isLetter || characters[index].isNumber || "_@.".contains(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                tokens.append(.word(word))
            } else if character == ":", at(1) == ":" {
                tokens.append(.symbol("::"))
                index += 2
            } else {
                tokens.append(.symbol(String(character)))
                index += 1
            }
        }
        return tokens
    }
}
