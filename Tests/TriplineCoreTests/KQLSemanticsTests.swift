import Testing
@testable import TriplineCore

/// A rule set of one ES|QL rule reading `logs-test-*`.
func esqlRule(_ query: String) throws -> RuleSet {
    let toml = """
    [rule]
    rule_id = "q"
    name = "q"
    type = "esql"
    language = "esql"
    query = '''
    \(query)
    '''
    """
    let rules = RuleSet(definitions: [try RuleDefinition.parse(toml: toml, file: "q.toml")])
    if let error = rules.errors.first { throw error }
    return rules
}

/// `KQL()` in ES|QL's WHERE runs as Elasticsearch's KQL query on the row's document (see
/// RuleCompiler+KQL.swift): each behaviour pinned, with the literal prefilter on and off.
@Suite struct KQLSemanticsTests {
    func matching(_ kql: String, _ bodies: [String], where extra: String = "") throws -> [Bool] {
        // A space before the closing quotes, as the rules write it: `"x""""` would end the string early.
        let rules = try esqlRule("FROM logs-test-* | WHERE KQL(\"\"\"\(kql) \"\"\")\(extra)")
        let lines = bodies.map { #"{"_index":"logs-test-default","# + $0 + "}" }
        let plain = evaluate(lines, with: rules).map { !$0.isEmpty }
        let prefiltered = evaluate(lines, with: rules, prefilter: true).map { !$0.isEmpty }
        #expect(plain == prefiltered, "the prefilter changed a match of \(kql)")
        return plain
    }

    @Test func keywordTermsAreExactAndCaseSensitive() throws {
        #expect(try matching(#"event.action : "fork""#, [#""event":{"action":"fork"}"#, #""event":{"action":"Fork"}"#,
                                                          #""event":{"action":"forked"}"#]) == [true, false, false])
        #expect(try matching("event.action:executed and process.name:curl",
                             [#""event":{"action":"executed"},"process":{"name":"curl"}"#, #""event":{"action":"executed"},"process":{"name":"wget"}"#])
                == [true, false])
    }

    @Test func anyValueOfAMultiValuedFieldMatches() throws {
        #expect(try matching(#"kibana.alert.rule.tags : "Rule Type: Higher-Order Rule""#,
                             [#""kibana.alert.rule.tags":["Domain: Endpoint","Rule Type: Higher-Order Rule"]"#,
                              #""kibana.alert.rule.tags":["Domain: Endpoint"]"#]) == [true, false])
    }

    @Test func notIsMustNotSoAMissingFieldMatches() throws {
        // KQL is true or false, never null: `not f:x` holds for an event without f.
        #expect(try matching(#"event.type : "start" and not event.action : "fork""#,
                             [#""event":{"type":"start","action":"exec"}"#, #""event":{"type":"start","action":"fork"}"#,
                              #""event":{"type":"start"}"#]) == [true, false, true])
    }

    @Test func unquotedStarsAreWildcardsQuotedOnesLiteral() throws {
        #expect(try matching("process.name:cur*", [#""process":{"name":"curl"}"#, #""process":{"name":"Curl"}"#, #""process":{"name":"wget"}"#])
                == [true, false, false])
        // `verbs:"*"` is the RBAC verb `*`, not "any verb".
        #expect(try matching(#"kubernetes.audit.requestObject.rules.verbs : "*""#,
                             [#""kubernetes.audit.requestObject.rules.verbs":["*"]"#, #""kubernetes.audit.requestObject.rules.verbs":["get"]"#])
                == [true, false])
        // `?` is not a wildcard in KQL.
        #expect(try matching("process.name:cur?", [#""process":{"name":"curl"}"#, #""process":{"name":"cur?"}"#]) == [false, true])
    }

    @Test func existsRangesAndTypedValues() throws {
        #expect(try matching("process.pid:*", [#""process":{"pid":1}"#, #""process":{"name":"x"}"#]) == [true, false])
        #expect(try matching("destination.port >= 1024 and destination.port < 2000",
                             [#""destination":{"port":1024}"#, #""destination":{"port":"1500"}"#, #""destination":{"port":2000}"#])
                == [true, true, false])
        #expect(try matching("source.ip:10.0.0.1", [#""source":{"ip":"::ffff:10.0.0.1"}"#, #""source":{"ip":"10.0.0.2"}"#]) == [true, false])
        #expect(try matching("process.name:(curl or wget)", [#""process":{"name":"wget"}"#, #""process":{"name":"nc"}"#]) == [true, false])
    }

    @Test(arguments: [
        (#"KQL("curl")"#, "KQL free text (curl)"), (#"KQL("process.*:curl")"#, "field patterns (process.*)"),
        (#"KQL("destination.port:ab*")"#, "cannot be matched with a wildcard"), (#"KQL("a:(b")"#, "expected ')' to close"),
    ])
    func unsupportedShapesAreClearErrors(call: String, message: String) {
        do {
            _ = try esqlRule("FROM logs-test-* | WHERE " + call)
            Issue.record("\(call) compiled")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
