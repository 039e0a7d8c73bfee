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
        // A comment after the patterns is no pattern (it made the rule's index "// why", which no
        // event has and the prefilter could not use).
        let commented = try ESQLParser.parse("FROM metrics-* // more than 90% CPU\n, .alerts-security.* /* x */ | KEEP a")
        #expect(commented.source.indices == ["metrics-*", ".alerts-security.*"])
    }

    @Test func unsupportedEsqlCommandsAreReportedNotIgnored() {
        #expect(throws: QueryError(.unsupported, "command CHANGE_POINT is not supported yet", at: SourceLocation(line: 1, column: 15))) {
            try ESQLParser.parse("from logs-* | change_point x on @timestamp")
        }
    }

    @Test func commandsAStreamCannotRunSaySo() {
        #expect(throws: QueryError(.unsupported, "COMPLETION calls an inference endpoint per row; a rule with it cannot run on a stream",
                                   at: SourceLocation(line: 2, column: 3))) {
            try ESQLParser.parse("from logs-*\n| completion x = prompt WITH { \"inference_id\": \"e\" }")
        }
        #expect(throws: QueryError(.unsupported, "LOOKUP JOIN reads a lookup index, which Tripline does not hold",
                                   at: SourceLocation(line: 1, column: 15))) {
            try ESQLParser.parse("from logs-* | lookup join ips on source.ip")
        }
    }

    /// ES|QL's time spans, in every spelling Elasticsearch accepts, with or without a space.
    @Test(arguments: [
        ("5 minutes", 5, TimeSpanUnit.minute), ("1min", 1, .minute), ("5m", 5, .minute), ("7 days", 7, .day), ("1d", 1, .day),
        ("2 hours", 2, .hour), ("1 h", 1, .hour), ("30 seconds", 30, .second), ("10s", 10, .second), ("500 ms", 500, .millisecond),
        ("1 week", 1, .week), ("3 mo", 3, .month), ("1 quarter", 1, .quarter), ("1 yr", 1, .year), ("2 YEARS", 2, .year),
    ])
    func esqlTimeSpans(text: String, count: Int64, unit: TimeSpanUnit) throws {
        let query = try ESQLParser.parse("from logs-* | eval t = DATE_TRUNC(\(text), @timestamp)")
        guard case .eval(let assignments, _) = query.commands[0], case .call("date_trunc", let args, _) = assignments[0].value,
              case .literal(.timeSpan(let n, let u), _) = args[0] else { Issue.record("\(query.commands)"); return }
        #expect(n == count && u == unit)
    }

    @Test func esqlNamesFiltersMatchAndOptions() throws {
        let query = try ESQLParser.parse("""
            from logs-*
            | where powershell.file.script_block_text : "char" and match(process.name, "svchost.exe", { "fuzziness": 1 })
            | stats c = count(*) where event.action == "create", v = VALUES(source.`as`.organization.name) by host.id
            | rename `source`.`as`.number as asn
            """)
        guard case .where(.and(let lhs, let rhs), _) = query.commands[0] else { Issue.record("where"); return }
        guard case .call("match", let args, _) = lhs, case .field("powershell.file.script_block_text", _, _) = args[0] else {
            Issue.record("the : operator is MATCH: \(lhs)"); return
        }
        guard case .call("match", let options, _) = rhs, case .call("{}", let entries, _) = options[2] else { Issue.record("\(rhs)"); return }
        #expect(entries.count == 2)
        guard case .stats(let aggregates, let groups, _, _) = query.commands[1] else { Issue.record("stats"); return }
        #expect(aggregates[0].filter != nil && aggregates[1].filter == nil)
        #expect(aggregates[1].value.fields == ["source.as.organization.name"])
        #expect(groups.map(\.text) == ["host.id"])
        guard case .rename(let pairs, _) = query.commands[2] else { Issue.record("rename"); return }
        #expect(pairs.first?.from == "source.as.number" && pairs.first?.to == "asn")
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
        let rules = seedRules()
        #expect(rules.errors.isEmpty)
        let esql = rules.rules.first { $0.ruleID == esqlSeed }
        #expect(esql?.fields == ["data_stream.dataset", "event.provider", "event.action", "event.outcome", "user.name", "user.target.name"])
        // Any conjunct's literals are a sound requirement; a selective field's beat event.provider's.
        #expect(esql?.literals?.literals.map { String(decoding: $0, as: UTF8.self) } == ["CreateAccessKey"])
        #expect(esql?.literals?.isCoarse == false)
        let eql = rules.rules.first { $0.ruleID == eqlSeed }
        // Not event.module's "cloud_defend" (most container events hold it): the process.args wildcards' runs.
        #expect(eql?.literals?.literals.map { String(decoding: $0, as: UTF8.self) } == [
            "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "accesskeyid", "secretaccesskey", "access_key",
            ".aws/credentials",
        ])
        #expect(eql?.indexPatterns.patterns == ["logs-cloud_defend*"])
    }

    @Test func literalRequirementsAreSound() throws {
        func requirement(_ query: String) throws -> [String]? {
            let definition = try RuleDefinition.parse(toml: """
                [metadata]
                creation_date = "2024/01/01"
                [rule]
                rule_id = "t"
                name = "t"
                type = "eql"
                language = "eql"
                index = ["logs-*"]
                query = '''
                \(query)
                '''
                """, file: "t.toml")
            var compiler = RuleCompiler()
            return try compiler.compile(definition).literals?.literals.map { String(decoding: $0, as: UTF8.self) }
        }
        // `or` needs every branch to have literals; `not`, `!=`, null tests and numbers have none.
        #expect(try requirement(#"any where process.name == "a1" or process.name : "b2""#) == ["a1", "b2"])
        #expect(try requirement(#"any where process.name == "a1" or not process.name == "b2""#) == nil)
        #expect(try requirement(#"any where process.name != "a1""#) == nil)
        #expect(try requirement(#"any where process.name == null"#) == nil)
        #expect(try requirement(#"any where process.pid == 4"#) == nil)
        #expect(try requirement(#"any where process.name : "*""#) == nil)
        // Quotes and backslashes as JSON writes them; control characters have no single spelling.
        #expect(try requirement(#"any where process.command_line : "*say \"hi\"*""#) == [#"say \"hi\""#])
        #expect(try requirement(#"any where file.path : "C:\\Windows\\*""#) == [#"c:\\windows\\"#])
        #expect(try requirement(#"any where process.args == "a\nb""#) == nil)
    }

    /// Rule text is input: hostile nesting is a clear error, not a stack overflow, and long
    /// flat conditions stay fast (a balanced tree, columns counted on from the last token).
    @Test func hostileQueriesAreErrorsNotCrashes() throws {
        let deep = "any where " + String(repeating: "(", count: 50_000) + "a == 1" + String(repeating: ")", count: 50_000)
        #expect(throws: QueryError.self) { try EQLParser.parse(deep) }
        let nots = "any where " + String(repeating: "not ", count: 50_000) + "a == 1"
        #expect(throws: QueryError.self) { try EQLParser.parse(nots) }
        let chain = "any where a == " + Array(repeating: "1", count: 5_000).joined(separator: " + ")
        #expect(throws: QueryError.self) { try EQLParser.parse(chain) }
        let negations = "any where a == " + String(repeating: "-", count: 50_000) + "1"
        #expect(throws: QueryError.self) { try EQLParser.parse(negations) }
        let esql = "FROM logs-* | WHERE " + String(repeating: "(", count: 50_000) + "a == 1" + String(repeating: ")", count: 50_000)
        #expect(throws: QueryError.self) { try ESQLParser.parse(esql) }
        for nested in [String(repeating: "[", count: 50_000) + "1" + String(repeating: "]", count: 50_000),
                       String(repeating: "f(", count: 50_000) + "1" + String(repeating: ")", count: 50_000),
                       String(repeating: "-", count: 50_000) + "1",
                       "CASE(" + String(repeating: "NOT ", count: 50_000) + "true, 1, 2)"] {
            #expect(throws: QueryError.self) { try ESQLParser.parse("FROM logs-* | EVAL x = " + nested) }
        }
        let kql = "FROM logs-* | WHERE KQL(\"\"\"" + String(repeating: "(", count: 50_000) + "a:1" + String(repeating: ")", count: 50_000) + "\"\"\")"
        #expect(throws: RuleError.self) { try esqlRule(kql) }
        // 20,000 `or`s parse, and later passes recurse only about 15 levels deep.
        let wide = "any where " + (0..<20_000).map { "a == \($0)" }.joined(separator: " or ")
        let parsed = try EQLParser.parse(wide)
        guard case .event(let event) = parsed.body else { Issue.record("not an event query"); return }
        func depth(_ e: Expression) -> Int {
            switch e {
            case .or(let a, let b), .and(let a, let b): return 1 + max(depth(a), depth(b))
            default: return 1
            }
        }
        #expect(depth(event.condition) < 20)
    }
}
