import Foundation
import Testing
@testable import TriplineCore

/// Shorthands for expected trees: locations are checked where a test says so, and otherwise
/// read from the parsed tree by `stripped`.
private let here = SourceLocation(line: 1, column: 1)
private func field(_ name: String, pattern: Bool = false, quoted: Bool = false) -> KQLField {
    KQLField(name, isPattern: pattern, quoted: quoted, at: here)
}
private func word(_ text: String) -> KQLValue { .unquoted(text, at: here) }
private func phrase(_ text: String) -> KQLValue { .quoted(text, at: here) }
private func match(_ name: String, _ value: KQLValue) -> KQLQuery { .match(field(name), value) }
private func not(_ query: KQLQuery) -> KQLQuery { .not(query, at: here) }

extension KQLQuery {
    /// The tree with every location set to 1:1, to compare shapes.
    fileprivate var stripped: KQLQuery {
        func f(_ field: KQLField) -> KQLField { var copy = field; copy.location = here; return copy }
        func v(_ value: KQLValue) -> KQLValue { var copy = value; copy.location = here; return copy }
        switch self {
        case .matchAll: return .matchAll(at: here)
        case .and(let parts): return .and(parts.map(\.stripped))
        case .or(let parts): return .or(parts.map(\.stripped))
        case .not(let inner, _): return .not(inner.stripped, at: here)
        case .match(let field, let value): return .match(f(field), v(value))
        case .exists(let field): return .exists(f(field))
        case .range(let field, let op, let value): return .range(f(field), op, v(value))
        case .freeText(let value): return .freeText(v(value))
        case .nested(let path, let inner): return .nested(f(path), inner.stripped)
        }
    }
}

private func parse(_ text: String, _ dialect: KQLParser.Dialect = .kibana) throws -> KQLQuery {
    try KQLParser.parse(text, dialect: dialect).stripped
}

private func syntaxError(_ message: String, _ line: Int, _ column: Int) -> QueryError {
    QueryError(.syntax, message, at: SourceLocation(line: line, column: column))
}

@Suite struct KQLParserTests {
    // MARK: The bundled rules' queries

    /// Every distinct `KQL(...)` query of the bundled rules with the tree it must give.
    static let bundled: [String: KQLQuery] = {
        let higherOrder = not(match("kibana.alert.rule.tags", phrase("Rule Type: Higher-Order Rule")))
        func list(_ name: String, _ values: [String]) -> KQLQuery { .or(values.map { match(name, phrase($0)) }) }
        let createVerbs = ["*", "create", "patch", "update"]
        let roleResources = ["*", "clusterroles", "clusterrolebindings", "roles", "rolebindings", "pods/exec",
                             "serviceaccounts/token", "nodes/proxy", "daemonsets"]
        var queries: [String: KQLQuery] = [
            #" event.type : "start" and not event.action : "fork" "#:
                .and([match("event.type", phrase("start")), not(match("event.action", phrase("fork")))]),
            #"event.action:"exec" and process.args:("-c" or "-cl" or "-lc")"#:
                .and([match("event.action", phrase("exec")), list("process.args", ["-c", "-cl", "-lc"])]),
            "event.action:executed and process.name:curl":
                .and([match("event.action", word("executed")), match("process.name", word("curl"))]),
            "event.action:executed and process.name:wget":
                .and([match("event.action", word("executed")), match("process.name", word("wget"))]),
            "event.category:process and event.type:start and not event.action:fork and process.name:(curl or curl.exe)":
                .and([match("event.category", word("process")), match("event.type", word("start")),
                      not(match("event.action", word("fork"))),
                      .or([match("process.name", word("curl")), match("process.name", word("curl.exe"))])]),
            "event.category:process and event.type:start and not event.action:fork and process.name:(wget or wget.exe)":
                .and([match("event.category", word("process")), match("event.type", word("start")),
                      not(match("event.action", word("fork"))),
                      .or([match("process.name", word("wget")), match("process.name", word("wget.exe"))])]),
            #"kibana.alert.rule.tags : "Rule Type: Higher-Order Rule" "#: higherOrder.notInner,
            #"kibana.alert.rule.threat.tactic.name : "Lateral Movement" "#:
                match("kibana.alert.rule.threat.tactic.name", phrase("Lateral Movement")),
            #"kibana.alert.rule.threat.tactic.name : "Lateral Movement" and not kibana.alert.rule.tags : "Rule Type: Higher-Order Rule" "#:
                .and([match("kibana.alert.rule.threat.tactic.name", phrase("Lateral Movement")), higherOrder]),
            "event.action:start": match("event.action", word("start")),
            "event.outcome:failure": match("event.outcome", word("failure")),
            "event.category:process and event.action:exec and process.parent.name:(dash or bash or sh) and process.parent.args:/var/lib/waagent/run-command/download/*/script.sh":
                .and([match("event.category", word("process")), match("event.action", word("exec")),
                      .or(["dash", "bash", "sh"].map { match("process.parent.name", word($0)) }),
                      match("process.parent.args", KQLValue([.text("/var/lib/waagent/run-command/download/"), .wildcard, .text("/script.sh")],
                                                            quoted: false, at: here))]),
        ]
        for prefix in ["kubernetes.audit.requestObject", "kubernetes.audit.responseObject", "gcp.audit.request"] {
            let verbs = "\(prefix).rules.verbs", resources = "\(prefix).rules.resources"
            let spaced = prefix.hasPrefix("kubernetes")
            func written(_ body: String) -> String { spaced ? " \(body) " : body }
            queries[written(#"\#(verbs):("*" or "escalate" or "bind" or "impersonate")"#)] =
                list(verbs, ["*", "escalate", "bind", "impersonate"])
            queries[written(#"\#(verbs)\#(spaced ? ": " : ":")("*" or "create" or "patch" or "update") and \#(resources):("\#(roleResources.joined(separator: "\" or \""))")"#)] =
                .and([list(verbs, createVerbs), list(resources, roleResources)])
            queries[written(#"\#(verbs)\#(spaced ? ": " : ":")("*" or "get" or "list") and \#(resources):("*" or "secrets")"#)] =
                .and([list(verbs, ["*", "get", "list"]), list(resources, ["*", "secrets"])])
        }
        queries[#" kubernetes.audit.responseObject.rules.verbs:"*" and kubernetes.audit.responseObject.rules.resources:"*" "#] =
            .and([match("kubernetes.audit.responseObject.rules.verbs", phrase("*")),
                  match("kubernetes.audit.responseObject.rules.resources", phrase("*"))])
        return queries
    }()

    /// The queries inside `KQL(...)` in the rule files, as ES|QL's string literals give them.
    static func ruleQueries() throws -> [(file: String, query: String)] {
        let root = packageRoot.appendingPathComponent("rules")
        var found: [(String, String)] = []
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "toml" }.sorted { $0.path < $1.path } ?? []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            var rest = text[...]
            while let call = rest.range(of: "KQL(") {
                rest = rest[call.upperBound...]
                if rest.hasPrefix("\"\"\"") {
                    let body = rest.dropFirst(3)
                    guard let end = body.range(of: "\"\"\"") else { break }
                    found.append((file.lastPathComponent, String(body[..<end.lowerBound])))
                    rest = body[end.upperBound...]
                } else if rest.hasPrefix("\"") {
                    // A one-line ES|QL string: `\"` and `\\` decoded.
                    var value = "", escaped = false
                    for c in rest.dropFirst() {
                        if escaped { value.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { value.append(c) }
                    }
                    found.append((file.lastPathComponent, value))
                }
            }
        }
        return found
    }

    @Test func everyBundledRuleQueryParsesToItsTree() throws {
        let queries = try Self.ruleQueries()
        #expect(queries.count == 37)
        #expect(Set(queries.map(\.query)).count == Self.bundled.count)
        for (file, query) in queries {
            guard let expected = Self.bundled[query] else {
                Issue.record("\(file): a KQL query this test does not know: \(query)")
                continue
            }
            #expect(try parse(query) == expected, "\(file): \(query)")
        }
    }

    /// Elasticsearch and Kibana group mixed `and`/`or` differently; no bundled query mixes them
    /// without parentheses, so both readings agree on every one.
    @Test func bundledRuleQueriesMeanTheSameToKibanaAndElasticsearch() throws {
        for query in Self.bundled.keys {
            #expect(try parse(query, .kibana) == parse(query, .elasticsearch), "\(query)")
        }
    }

    @Test func bundledQueriesKeepTheirLocations() throws {
        let query = try KQLParser.parse(#" event.type : "start" and not event.action : "fork" "#)
        guard case .and(let parts) = query, case .match(let type, let start) = parts[0],
              case .not(.match(let action, let fork), let notAt) = parts[1] else {
            Issue.record("an and of a match and a negated match"); return
        }
        #expect(type.location == SourceLocation(line: 1, column: 2))
        #expect(start.location == SourceLocation(line: 1, column: 15))
        #expect(notAt == SourceLocation(line: 1, column: 27))
        #expect(action.location == SourceLocation(line: 1, column: 31))
        #expect(fork.location == SourceLocation(line: 1, column: 46))
        #expect(query.fields == ["event.type", "event.action"])
    }

    @Test func originPlacesTheQueryInsideTheRule() throws {
        // KQL("""...""") whose text starts at 3:12 of the ES|QL query.
        let query = try KQLParser.parse("a:b and\n  c:d", origin: SourceLocation(line: 3, column: 12))
        guard case .and(let parts) = query else { Issue.record("an and"); return }
        #expect(parts[0].location == SourceLocation(line: 3, column: 12))
        #expect(parts[1].location == SourceLocation(line: 4, column: 3))
        #expect(throws: syntaxError("unterminated quoted string", 3, 14)) {
            try KQLParser.parse("a:\"b", origin: SourceLocation(line: 3, column: 12))
        }
    }

    // MARK: Precedence

    @Test func notBindsTighterThanAndWhichBindsTighterThanOr() throws {
        #expect(try parse("a or b and c or d") == .or([.freeText(word("a")), .and([.freeText(word("b")), .freeText(word("c"))]),
                                                        .freeText(word("d"))]))
        #expect(try parse("not a:1 and b:2") == .and([not(match("a", word("1"))), match("b", word("2"))]))
        #expect(try parse("not (a:1 or b:2)") == not(.or([match("a", word("1")), match("b", word("2"))])))
        #expect(try parse("(a or b) and c") == .and([.or([.freeText(word("a")), .freeText(word("b"))]), .freeText(word("c"))]))
        #expect(try parse("a AND b Or c") == .or([.and([.freeText(word("a")), .freeText(word("b"))]), .freeText(word("c"))]))
    }

    @Test func valueListsFollowThePrecedenceToo() throws {
        #expect(try parse("f:(a or b and c)") == .or([match("f", word("a")), .and([match("f", word("b")), match("f", word("c"))])]))
        #expect(try parse("f:((a or b) and not c)") == .and([.or([match("f", word("a")), match("f", word("b"))]),
                                                              not(match("f", word("c")))]))
    }

    @Test func elasticsearchGroupsAndAndOrAlikeAsItsGrammarDoes() throws {
        let (a, b, c, d) = (KQLQuery.freeText(word("a")), KQLQuery.freeText(word("b")), KQLQuery.freeText(word("c")), KQLQuery.freeText(word("d")))
        // KqlParserBooleanQueryTests: A AND B OR C is A AND (B OR C); A OR B AND C is A OR (B AND C).
        #expect(try parse("a and b or c", .elasticsearch) == .and([a, .or([b, c])]))
        #expect(try parse("a or b and c", .elasticsearch) == .or([a, .and([b, c])]))
        #expect(try parse("a and b and c or d", .elasticsearch) == .and([a, b, .or([c, d])]))
        #expect(try parse("f:(a or b and c)", .elasticsearch) == .and([.or([match("f", word("a")), match("f", word("b"))]),
                                                                      match("f", word("c"))]))
    }

    // MARK: Values, escapes and whitespace

    @Test func unquotedValuesRunOnOverSpacesUntilAKeyword() throws {
        #expect(try parse("message:quick brown fox") == match("message", word("quick brown fox")))
        #expect(try parse("f:a  b and g:c") == .and([match("f", word("a  b")), match("g", word("c"))]))
        #expect(try parse("f : foo ") == match("f", word("foo")))
        // `and` not followed by whitespace is part of the value, as in Kibana and Elasticsearch.
        #expect(try parse("f:b and") == match("f", word("b and")))
        #expect(try parse("f:order") == match("f", word("order")))
        #expect(try parse("f:a\u{A0}and\u{A0}g:b") == .and([match("f", word("a")), match("g", word("b"))]))
    }

    @Test func quotedValuesDecodeOnlyTheirEscapes() throws {
        #expect(try parse(#"f:"say \"hi\" \\ now""#) == match("f", phrase(#"say "hi" \ now"#)))
        #expect(try parse(#"f:"C:\Windows\d""#) == match("f", phrase(#"C:\Windows\d"#)))
        #expect(try parse(#"f:"a\tb\u00e9""#) == match("f", phrase("a\tbé")))
        #expect(try parse(#"f:"\ud83d\ude00""#) == match("f", phrase("😀")))
        #expect(try parse(#"f:"a and (b) or c: {d}""#) == match("f", phrase("a and (b) or c: {d}")))
        #expect(try parse(#"f:"""#) == match("f", phrase("")))
    }

    @Test func unquotedEscapesMakeSpecialsAndKeywordsPlain() throws {
        #expect(try parse(#"f:a\:b\(c\)\\d\"e\{f\}\<g\>"#) == match("f", word(#"a:b(c)\d"e{f}<g>"#)))
        #expect(try parse(#"f:foo \and bar"#) == match("f", word("foo and bar")))
        #expect(try parse(#"f:a \OR b \not c"#) == match("f", word("a OR b not c")))
        #expect(try parse(#"f:a\ b\tc\u0041"#) == match("f", word("a b\tcA")))
    }

    @Test func wildcardsAreUnquotedUnescapedAsterisks() throws {
        let value = try KQLParser.parse(#"f:a*b\*c*"#)
        guard case .match(_, let v) = value else { Issue.record("a match"); return }
        #expect(v.pieces == [.text("a"), .wildcard, .text("b*c"), .wildcard])
        #expect(v.text == "a*b*c*")
        #expect(v.wildcardOffsets == [1, 5])
        #expect(!v.quoted && v.hasWildcards)
        // Inside quotes an asterisk is itself: `verbs:"*"` is the verb `*`, not an exists test.
        guard case .match(_, let quoted) = try KQLParser.parse(#"f:"a*""#) else { Issue.record("a match"); return }
        #expect(quoted.pieces == [.text("a*")] && !quoted.hasWildcards && quoted.wildcardOffsets.isEmpty)
        #expect(try parse(#"f:"*""#) == match("f", phrase("*")))
    }

    @Test func fieldNamesMayBeQuotedOrPatterns() throws {
        #expect(try parse("process.*:foo") == .match(field("process.*", pattern: true), word("foo")))
        #expect(try parse(#""my field":foo"#) == .match(field("my field", quoted: true), word("foo")))
        #expect(try parse(#"@timestamp >= "2024-01-01T00:00:00Z""#)
            == .range(field("@timestamp"), .greaterOrEqual, phrase("2024-01-01T00:00:00Z")))
    }

    // MARK: Exists, match all, ranges, free text, nested

    @Test func lonelyWildcardsAreExistsAndMatchAll() throws {
        #expect(try parse("process.name:*") == .exists(field("process.name")))
        #expect(try parse("process.name : ( * )") == .exists(field("process.name")))
        #expect(try parse("*:*") == .matchAll(at: here))
        #expect(try parse("*") == .matchAll(at: here))
        #expect(try parse("   ") == .matchAll(at: here))
        #expect(try parse("") == .matchAll(at: here))
        #expect(try parse("*:foo") == .match(field("*", pattern: true), word("foo")))
        #expect(try parse("f:**") == match("f", KQLValue([.wildcard, .wildcard], quoted: false, at: here)))
    }

    @Test func rangesTakeFourOperatorsAndAnyLiteral() throws {
        #expect(try parse("bytes > 1000 and bytes <= 8000")
            == .and([.range(field("bytes"), .greater, word("1000")), .range(field("bytes"), .lessOrEqual, word("8000"))]))
        #expect(try parse("bytes>=10") == .range(field("bytes"), .greaterOrEqual, word("10")))
        #expect(try parse("@timestamp < now-1d/d") == .range(field("@timestamp"), .less, word("now-1d/d")))
        #expect(try parse(#"host.name <"m""#) == .range(field("host.name"), .less, phrase("m")))
        #expect(KQLRangeOperator.lessOrEqual.rangeParameter == "lte")
    }

    @Test func valuesWithoutAFieldAreFreeText() throws {
        #expect(try parse("foo") == .freeText(word("foo")))
        #expect(try parse(#""a phrase""#) == .freeText(phrase("a phrase")))
        #expect(try parse("foo* and f:x") == .and([.freeText(KQLValue([.text("foo"), .wildcard], quoted: false, at: here)), match("f", word("x"))]))
        // A value list's `or` ends at its parenthesis; after a bare value it starts free text.
        #expect(try parse("f:a or b") == .or([match("f", word("a")), .freeText(word("b"))]))
        #expect(try parse("not") == .freeText(word("not")))
    }

    @Test func nestedQueriesScopeTheirFields() throws {
        let query = try parse("user:{ name:alice and age >= 30 } and tags:{ kv:{ k:a or k:b } }")
        #expect(query == .and([
            .nested(field("user"), .and([match("name", word("alice")), .range(field("age"), .greaterOrEqual, word("30"))])),
            .nested(field("tags"), .nested(field("kv"), .or([match("k", word("a")), match("k", word("b"))]))),
        ]))
        #expect(query.fields == ["user.name", "user.age", "tags.kv.k"])
    }

    @Test func elasticsearchLeniencesAreAccepted() throws {
        #expect(try parse("not(a:1)") == not(match("a", word("1"))))
        #expect(try parse("not not a:1") == not(not(match("a", word("1")))))
        #expect(try parse("f:not x") == not(match("f", word("x"))))
        #expect(try parse("(a:1)and(b:2)") == .and([match("a", word("1")), match("b", word("2"))]))
        #expect(try parse("NOT a:1 OR b:2") == .or([not(match("a", word("1"))), match("b", word("2"))]))
    }

    // MARK: Errors

    @Test func unbalancedParenthesesAndBraces() {
        #expect(throws: syntaxError("expected ')' to close the '(' at 1:1, found end of query", 1, 10)) { try KQLParser.parse("(a:b or c") }
        #expect(throws: syntaxError("unmatched ')'", 1, 4)) { try KQLParser.parse("a:b) and c:d") }
        #expect(throws: syntaxError("expected ')' to close the '(' at 1:3, found end of query", 1, 14)) { try KQLParser.parse("f:(a or b and") }
        #expect(throws: syntaxError("expected '}' to close the '{' at 1:6, found end of query", 1, 14)) { try KQLParser.parse("user:{ name:x") }
        #expect(throws: syntaxError("unmatched '}'", 1, 5)) { try KQLParser.parse("a:b }") }
        #expect(throws: syntaxError("expected a query after '(', found ')'", 1, 2)) { try KQLParser.parse("()") }
    }

    @Test func danglingConnectives() {
        #expect(throws: syntaxError("expected a query after 'and', found end of query", 1, 10)) { try KQLParser.parse(" a:b and ") }
        #expect(throws: syntaxError("expected a query after 'or', found ')'", 1, 9)) { try KQLParser.parse("(a:b or )") }
        #expect(throws: syntaxError("expected a value after 'or', found ')'", 1, 9)) { try KQLParser.parse("f:(a or )") }
        #expect(throws: syntaxError("expected a query after 'not', found end of query", 1, 13)) { try KQLParser.parse("a:1 and not ") }
    }

    @Test func missingValues() {
        #expect(throws: syntaxError("expected a value after ':', found end of query", 1, 14)) { try KQLParser.parse("event.action:") }
        #expect(throws: syntaxError("expected a value after ':', found ')'", 1, 5)) { try KQLParser.parse("(f: ) and g:1") }
        #expect(throws: syntaxError("expected a value after '>=', found end of query", 1, 9)) { try KQLParser.parse("bytes >=") }
        #expect(throws: syntaxError("expected a query, found ':'", 1, 1)) { try KQLParser.parse(":foo") }
        #expect(throws: syntaxError("expected a value after '<', found '('", 1, 5)) { try KQLParser.parse("a < (1)") }
    }

    @Test func unterminatedQuotesPointAtTheOpeningQuote() {
        #expect(throws: syntaxError("unterminated quoted string", 1, 14)) { try KQLParser.parse(#"process.name:"cmd.exe and x:1"#) }
        #expect(throws: syntaxError("unterminated quoted string", 2, 3)) { try KQLParser.parse("a:1 and\n  \"b") }
        #expect(throws: syntaxError("unterminated quoted string", 1, 3)) { try KQLParser.parse(#"f:"ends with \""#) }
    }

    @Test func valuesThatRunIntoSyntaxSaySo() {
        #expect(throws: syntaxError(
            "expected 'and', 'or' or end of query, found ':' (an unquoted value runs on over spaces: quote it, or escape the ':' as '\\:')",
            1, 6)) { try KQLParser.parse("a:b c:d") }
        #expect(throws: syntaxError(
            "expected 'and', 'or' or end of query, found 'not' (to match the word, quote the value or escape it as '\\not')",
            1, 7)) { try KQLParser.parse("f:foo not bar") }
        #expect(throws: syntaxError("expected 'and', 'or' or end of query, found 'b'", 1, 6)) { try KQLParser.parse(#"f:"a"b"#) }
    }

    @Test func badEscapesAreErrors() {
        #expect(throws: syntaxError(
            "invalid escape '\\W' in an unquoted value: escape only \\ ( ) : < > \" * { }, a space or a keyword, or quote the value",
            1, 6)) { try KQLParser.parse(#"f:C\:\Windows"#) }
        #expect(throws: syntaxError("invalid unicode escape: '\\u' takes four hex digits", 1, 3)) { try KQLParser.parse(#"f:\u12"#) }
        #expect(throws: syntaxError("invalid unicode escape: a lone surrogate", 1, 4)) { try KQLParser.parse(#"f:"\ud800x""#) }
        #expect(throws: syntaxError("'\\' at the end of the query escapes nothing", 1, 4)) { try KQLParser.parse("f:a\\") }
    }

    @Test func hostileNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 50_000) + "a" + String(repeating: ")", count: 50_000)
        #expect(throws: syntaxError("query nested deeper than 100 levels", 1, 101)) { try KQLParser.parse(deep) }
        let deepList = "f:" + String(repeating: "(", count: 5_000) + "a"
        #expect(throws: syntaxError("query nested deeper than 100 levels", 1, 103)) { try KQLParser.parse(deepList) }
        let manyNots = String(repeating: "not ", count: 10_000) + "a"
        #expect(throws: syntaxError("query nested deeper than 100 levels", 1, 401)) { try KQLParser.parse(manyNots) }
        // A long flat chain is not nesting.
        let chain = Array(repeating: "f:x", count: 20_000).joined(separator: " or ")
        guard case .or(let parts) = try? KQLParser.parse(chain) else { Issue.record("an or"); return }
        #expect(parts.count == 20_000)
    }
}

extension KQLQuery {
    /// `not q` → `q` (to write the higher-order tag's query from its negation).
    fileprivate var notInner: KQLQuery {
        if case .not(let inner, _) = self { return inner }
        return self
    }
}
