import Testing
@testable import TriplineCore

@Suite struct QueryParserTests {
    @Test func eqlSequenceParsesIntoSteps() throws {
        let query = try EQLParser.parse("""
            sequence by host.id with maxspan=5m
              [process where process.name : "a*"] by user.name
              [network where destination.port == 22]
            until [process where event.type == "end"]
            """)
        guard case .sequence(let sequence) = query.body else { Issue.record("a sequence"); return }
        #expect(sequence.steps.count == 2)
        #expect(sequence.maxspan?.milliseconds == 300_000)
        #expect(sequence.by == [.field("host.id", optional: false, at: SourceLocation(line: 1, column: 13))])
        #expect(sequence.until != nil)
    }

    @Test func eqlOperatorsKeepTheirCaseRules() throws {
        let query = try EQLParser.parse(#"process where a in~ ("x") and not b like "y*" and c : ("z", "w") and d != null"#)
        guard case .event(let event) = query.body else { Issue.record("an event query"); return }
        #expect(event.category == "process")
        #expect(event.condition.fields == ["a", "b", "c", "d"])
    }

    @Test func eqlSyntaxErrorsCarryLineAndColumn() {
        #expect(throws: QueryError(.syntax, "expected a value, found end of query", at: SourceLocation(line: 2, column: 18))) {
            try EQLParser.parse("process where\n  process.name ==")
        }
    }

    @Test func esqlFromKeepsIndexPatternsAndMetadata() throws {
        let query = try ESQLParser.parse("""
            from logs-aws.cloudtrail-*, other-* metadata _id, _index
            | where a == "x" and b != c
            | keep @timestamp, source.geo.*, _id
            | limit 10
            """)
        #expect(query.source.indices == ["logs-aws.cloudtrail-*", "other-*"])
        #expect(query.source.metadata == ["_id", "_index"])
        #expect(query.commands.count == 3)
        guard case .keep(let columns, _) = query.commands[1] else { Issue.record("keep"); return }
        #expect(columns == ["@timestamp", "source.geo.*", "_id"])
    }

    @Test func unsupportedEsqlCommandsAreReportedNotIgnored() {
        #expect(throws: QueryError(.unsupported, "command DISSECT is not supported yet", at: SourceLocation(line: 1, column: 15))) {
            try ESQLParser.parse("from logs-* | dissect message \"%{a}\"")
        }
    }

    @Test func ruleErrorsPointIntoTheFile() {
        let toml = """
            [rule]
            rule_id = "r1"
            language = "eql"
            type = "eql"
            name = "broken"
            query = '''
            process where
              process.name = "x"
            '''
            """
        do {
            let definition = try RuleDefinition.parse(toml: toml, file: "broken.toml")
            let set = RuleSet(definitions: [definition])
            #expect(set.rules.isEmpty)
            let error = set.errors.first
            #expect(error?.location == SourceLocation(line: 8, column: 16))
            #expect(error?.description.hasPrefix("broken.toml:8:16:") == true)
        } catch {
            Issue.record("the TOML itself is valid: \(error)")
        }
    }

    @Test func seedRulesPublishFieldsAndLiterals() {
        let rules = bundledRules()
        #expect(rules.errors.isEmpty)
        let esql = rules.rules.first { $0.ruleID == esqlSeed }
        #expect(esql?.fields == ["data_stream.dataset", "event.provider", "event.action", "event.outcome", "user.name", "user.target.name"])
        #expect(esql?.literals?.literals.map { String(decoding: $0, as: UTF8.self) } == ["iam.amazonaws.com"])
        let eql = rules.rules.first { $0.ruleID == eqlSeed }
        // Any conjunct's literals are a sound requirement; the longest is kept.
        #expect(eql?.literals?.literals.map { String(decoding: $0, as: UTF8.self) } == ["cloud_defend"])
        #expect(eql?.indexPatterns.patterns == ["logs-cloud_defend*"])
    }
}
