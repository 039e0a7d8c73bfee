import Testing
@testable import TriplineCore

/// ES|QL queries as pipelines of commands on one event at a time (RuleCompiler+ESQL.swift,
/// ExpressionEvaluator+ESQL.swift): column scope, hoisting, rows, and Kibana's alert shape.
@Suite struct ESQLPipelineTests {
    /// Each line's alerts (parsed), with the prefilter off and on (which must agree).
    func alerts(_ query: String, _ bodies: [String]) throws -> [[JSONValue]] {
        let rules = try esqlRule(query)
        let lines = bodies.map { #"{"_index":"logs-test-default","@timestamp":"2026-01-02T03:04:05.000Z","# + $0 + "}" }
        let plain = try Self.alerts(lines, rules, prefilter: false)
        let filtered = try Self.alerts(lines, rules, prefilter: true)
        #expect(plain == filtered, "the prefilter changed the alerts of \(query)")
        return plain
    }

    static func alerts(_ lines: [String], _ rules: RuleSet, prefilter: Bool) throws -> [[JSONValue]] {
        var framer = LineFramer(source: "test")
        var outputs: [FramedOutput] = []
        var bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
        outputs += framer.finish(.endOfFile)
        let literalPrefilter = prefilter ? LiteralPrefilter(rules: rules.rules, defaultIndex: nil) : nil
        var extractor = Extractor(plan: rules.plan, prefilter: literalPrefilter)
        var evaluator = RuleEvaluator(ruleSet: rules, defaultIndex: nil, prefilter: literalPrefilter)
        let builder = AlertBuilder()
        var result = [[JSONValue]](repeating: [], count: lines.count)
        for case .batch(let batch) in outputs {
            let (extracted, _) = extractor.extract(batch)
            let valid = (0..<batch.lineCount).filter { extracted.isValid[$0] }
            for match in evaluator.evaluate(extracted, lines: valid) {
                let source = AlertBuilder.Source(line: batch.lineBytes(match.line), position: batch.position(ofLine: match.line), index: match.index)
                let built = builder.alert(rule: rules.rules[match.rule], source: source, eventTime: match.eventTime, now: 0, row: match.row)
                result[match.line].append(try JSONValue.parse(built.line))
            }
        }
        return result
    }

    @Test func caselessFieldsReadLowered() throws {
        // As the bundled multiple-RMM-vendors rule reads them, in WHERE and in EVAL.
        let found = try alerts(#"FROM logs-* | WHERE process.name.caseless == "anydesk.exe" | EVAL n = process.name.caseless, v = CASE(process.name.caseless LIKE "any*", "AnyDesk", "other") | KEEP n, v"#,
                               [#""process":{"name":"AnyDesk.EXE"}"#, #""process":{"name":"teamviewer.exe"}"#])
        #expect(found[1].isEmpty)
        #expect(found[0].first?["n"] == .string("anydesk.exe") && found[0].first?["v"] == .string("AnyDesk"))
    }

    /// A CASE of many `x == "literal"` branches finds its branch by one lookup (ESQLCaseTable);
    /// what it returns must be what testing the branches in order returns.
    @Test func aLongCaseOfEqualitiesTakesTheFirstBranchThatHolds() throws {
        var branches = (0..<10).map { #"process.name == "p\#($0)", "P\#($0)""# }
        branches.insert(#"process.name LIKE "p2*", "LIKE""#, at: 2)  // before "p2x"'s equality
        branches.insert(#"process.name == "p2x", "P2X""#, at: 3)
        branches.append(#"process.name == "p1", "SECOND P1""#)  // written twice: the first wins
        let query = "FROM logs-* | EVAL v = CASE(\(branches.joined(separator: ", ")), \"none\") | KEEP v"
        let table = try #require(ESQLCaseTable(arguments: try caseArguments(query)))
        #expect(table.isEquality.count(where: { $0 }) == 12 && table.isEquality[2] == false && table.firstBranch[Array("p1".utf8)] == 1)
        let names = [#""p1""#, #""p2x""#, #""p2""#, #""p9""#, #""zzz""#, #"["p1", "p0"]"#]
        let got = try alerts(query, names.map { #""process":{"name":\#($0)}"# } + [#""host":{"name":"h"}"#])
        #expect(got.map { $0.first?["v"] } == ["P1", "LIKE", "LIKE", "P9", "none", "none", "none"].map { JSONValue.string($0) })
    }

    /// The compiled arguments of the query's first CASE.
    private func caseArguments(_ query: String) throws -> [ValueExpression] {
        let rules = try esqlRule(query)
        guard case .esqlResult(let pipeline) = rules.rules[0].output else { throw QueryError(.syntax, "not a pipeline", at: SourceLocation(line: 1, column: 1)) }
        for stage in pipeline.stages {
            if case .assign(_, .esql(let call, let args)) = stage, call.function == .case {
                return args
            }
        }
        throw QueryError(.syntax, "no CASE", at: SourceLocation(line: 1, column: 1))
    }

    @Test func shortCaseTablesAreNotBuilt() {
        let field = ValueExpression.field(0, .keyword(ignoreAbove: nil), .singleValueOnly)
        let branch = { (i: Int) -> [ValueExpression] in [.compare(.equal, field, .constant(.keyword(Array("p\(i)".utf8)))), .constant(.long(Int64(i)))] }
        #expect(ESQLCaseTable(arguments: (0..<7).flatMap(branch)) == nil)
        #expect(ESQLCaseTable(arguments: (0..<8).flatMap(branch)) != nil)
    }

    @Test func evalShadowsTheEventsFieldFromThenOn() throws {
        let got = try alerts(#"FROM logs-test-* | EVAL process.name = TO_LOWER(process.name) | WHERE process.name == "cmd.exe""#,
                             [#""process":{"name":"CMD.EXE","pid":4}"#, #""process":{"name":"cmd.exe"}"#, #""process":{"name":"sh"}"#])
        #expect(got.map(\.count) == [1, 1, 0])
        // Kibana writes the row's columns over the source: the lowered name, under its dotted key.
        let first = try #require(got[0].first)
        #expect(first["process.name"] == .string("cmd.exe"))
        #expect(first["process"]?["pid"] == .number("4"))
        #expect(first["process"]?["name"] == nil)
    }

    @Test func thePrefilterTakesLiteralsOnlyFromConditionsOnTheEventsFields() throws {
        let computed = try esqlRule(#"FROM logs-test-* | EVAL x = CONCAT(a, b) | WHERE x == "ab""#)
        #expect(computed.rules[0].literals == nil)
        // The line holds "a" and "b" but never "ab": a prefilter reading x's literal would skip it.
        #expect(try alerts(#"FROM logs-test-* | EVAL x = CONCAT(a, b) | WHERE x == "ab""#, [#""a":"a","b":"b""#, #""a":"a","b":"c""#])
                .map(\.count) == [1, 0])
        let hoisted = try esqlRule(#"FROM logs-test-* | EVAL n = LENGTH(message) | WHERE n > 5 | WHERE event.code == "4104""#)
        #expect(hoisted.rules[0].literals?.literals == [Array("4104".utf8)])
        // A WHERE's parts on the event's own fields are hoisted past an MV_EXPAND of another
        // column; the part on the expanded column stays a row filter.
        let query = #"FROM logs-test-* | MV_EXPAND event.action | WHERE event.action == "exec" AND process.name == "base64""#
        #expect(try esqlRule(query).rules[0].literals?.literals == [Array("base64".utf8)])
        let rows = try alerts(query, [#""event":{"action":["exec","fork"]},"process":{"name":"base64"}"#,
                                      #""event":{"action":"fork"},"process":{"name":"base64"}"#,
                                      #""event":{"action":"exec"},"process":{"name":"bash"}"#])
        #expect(rows.map(\.count) == [1, 0, 0])
        #expect(rows[0].first?["event.action"] == .string("exec"))
    }

    /// `METADATA _index` is the index Elasticsearch would hold the event in: for a data stream,
    /// its backing index `.ds-<stream>-<yyyy.MM.dd>-000001` dated by the event's UTC day (what
    /// the CPU-spike rules match with `_index like ".ds-metrics-system.cpu-*"`); an explicit
    /// `_index` as written. Without `METADATA` it is no column, as in ES|QL.
    @Test func metadataIndexIsTheEventsBackingIndex() throws {
        func stream(_ dataset: String, _ time: String) -> String {
            #"{"@timestamp":"\#(time)","data_stream":{"type":"metrics","dataset":"\#(dataset)","namespace":"default"}}"#
        }
        let lines = [stream("system.cpu", "2024-06-01T23:59:59.999Z"), stream("system.memory", "2024-06-01T10:00:00Z"),
                     stream("system.cpu", "2024-06-02T00:00:00Z"), #"{"@timestamp":"2024-06-01T10:00:00Z","_index":"metrics-copy"}"#]
        let filtered = try esqlRule(#"FROM metrics-* METADATA _index | RENAME _index AS x | WHERE x LIKE ".ds-metrics-system.cpu-*" | EVAL i = x | KEEP i"#)
        let all = try esqlRule(#"FROM metrics-* METADATA _id, _index | EVAL i = _index | KEEP i"#)
        for prefilter in [false, true] {
            #expect(try Self.alerts(lines, filtered, prefilter: prefilter).map { $0.first?["i"] }
                    == [".ds-metrics-system.cpu-default-2024.06.01-000001", nil, ".ds-metrics-system.cpu-default-2024.06.02-000001", nil].map { $0.map(JSONValue.string) })
            #expect(try Self.alerts(lines, all, prefilter: prefilter).map { $0.first?["i"] }
                    == [".ds-metrics-system.cpu-default-2024.06.01-000001", ".ds-metrics-system.memory-default-2024.06.01-000001",
                        ".ds-metrics-system.cpu-default-2024.06.02-000001", "metrics-copy"].map(JSONValue.string))
        }
        #expect(throws: RuleError.self) { try esqlRule(#"FROM metrics-* | WHERE _index LIKE ".ds-*""#) }
        #expect(throws: RuleError.self) { try esqlRule(#"FROM metrics-* METADATA _id | EVAL i = _index"#) }
    }

    /// Kibana's ES|QL executor takes the columns named `_id`, `_index` and `_version` out of a
    /// row by name (`const { _id, _version, _index, ...esqlResult } = document`), so renamed
    /// they reach the alert as fields like any other, with their metadata values.
    @Test func aRenamedMetadataColumnIsAnAlertField() throws {
        let line = #"{"@timestamp":"2024-06-01T10:00:00Z","_id":"doc-1","data_stream":{"type":"logs","dataset":"app","namespace":"prod"},"n":1}"#
        let renamed = try esqlRule(#"FROM logs-* METADATA _id, _index, _version | RENAME _index AS idx, _id AS doc, _version AS v | KEEP idx, doc, v, n"#)
        let plain = try esqlRule(#"FROM logs-* METADATA _id, _index, _version | KEEP _index, _id, _version, n"#)
        for prefilter in [false, true] {
            let alert = try #require(try Self.alerts([line], renamed, prefilter: prefilter).first?.first)
            #expect(alert["idx"] == .string(".ds-logs-app-prod-2024.06.01-000001"))
            #expect(alert["doc"] == .string("doc-1") && alert["v"] == .number("1") && alert["n"] == .number("1"))
            let kept = try #require(try Self.alerts([line], plain, prefilter: prefilter).first?.first)
            #expect(kept["_index"] == nil && kept["_id"] == nil && kept["_version"] == nil && kept["n"] == .number("1"))
        }
    }

    /// MV_EXPANDs make an event's rows depth first, each through the later stages before the
    /// next is made, and at most `maxExpandedRowsPerEvent` of them: four lists of 60 values
    /// under four MV_EXPANDs would be 60^4 rows (seconds and gigabytes for one line; the bundled
    /// Bedrock misconduct rule expands four fields). The rows made before the cap still alert;
    /// the event is counted.
    @Test func expandedRowsAreMadeDepthFirstAndCappedPerEvent() throws {
        let rules = try esqlRule("FROM logs-* | MV_EXPAND a | MV_EXPAND b | MV_EXPAND c | MV_EXPAND d | WHERE a == 0 AND b == 0 AND c == 0 | KEEP a, b, c, d")
        let list = "[" + (0..<60).map(String.init).joined(separator: ",") + "]"
        let lines = [#"{"_index":"logs-test-default","@timestamp":"2026-01-02T03:04:05.000Z","a":\#(list),"b":\#(list),"c":\#(list),"d":\#(list)}"#,
                     #"{"_index":"logs-test-default","@timestamp":"2026-01-02T03:04:05.000Z","a":[1,0],"b":0,"c":[0,2],"d":[7,8]}"#]
        var rows: [Int: [[Value]]] = [:]
        let evaluator = evaluateEachLine(lines, with: rules) { line, matches, _ in rows[line, default: []] += matches.map { $0.row ?? [] } }
        // The first line's (0, 0, 0, d) rows come first, well inside the cap; the second line's
        // expansion (8 rows) is whole.
        #expect(rows[0]?.count == 60)
        #expect(rows[1]?.count == 2)
        #expect(evaluator.esqlWarnings.eventsOverRowCap == 1)
        #expect(evaluator.esqlWarnings.total == 0)
    }

    /// A row's multi-valued BY values make one key per combination of their distinct values, at
    /// most `maxExpandedRowsPerEvent` of them: three lists of 60 values would be 216,000 keys of
    /// one event (lists of 300 took 20 s and 4 GB), and a repeated value counts once.
    @Test func groupKeysOfMultiValuedByValuesAreCappedPerEvent() throws {
        let rules = try esqlRule("FROM logs-* | STATS n = COUNT(*) BY a, b, c")
        let list = "[" + (0..<60).map(String.init).joined(separator: ",") + "]"
        let lines = [#"{"_index":"logs-test-default","@timestamp":"2026-01-02T03:04:05.000Z","a":\#(list),"b":\#(list),"c":\#(list)}"#,
                     #"{"_index":"logs-test-default","@timestamp":"2026-01-02T03:04:05.000Z","a":[1,1,2],"b":"x","c":[3,4]}"#]
        var groups: [Int] = []
        let evaluator = evaluateEachLine(lines, with: rules) { _, _, evaluator in
            groups.append(evaluator.partials.map(\.table.groups.count).reduce(0, +))
        }
        #expect(groups == [ExpressionEvaluator.maxExpandedRowsPerEvent, 4])
        #expect(evaluator.esqlWarnings.eventsOverRowCap == 1)
    }

    @Test func aRenamedFieldIsReadUnderItsNewName() throws {
        let got = try alerts(#"FROM logs-test-* | RENAME user.name AS who | WHERE who == "root" | KEEP who, host.name"#,
                             [#""user":{"name":"root"},"host":{"name":"h1"}"#, #""user":{"name":"bob"}"#])
        #expect(got.map(\.count) == [1, 0])
        #expect(got[0].first?["who"] == .string("root"))
        #expect(throws: RuleError.self) { try esqlRule(#"FROM logs-test-* | RENAME user.name AS who | WHERE user.name == "root""#) }
        #expect(throws: RuleError.self) { try esqlRule(#"FROM logs-test-* | KEEP host.name | WHERE user.name == "root""#) }
        #expect(throws: RuleError.self) { try esqlRule(#"FROM logs-test-* | EVAL x = 1 | DROP x | WHERE x == 1"#) }
    }

    @Test func nullAndMultiValuedOperandsDropTheRow() throws {
        // ES|QL: a multi-valued argument of a single-valued function is null (with a warning);
        // a comparison with null is null, and so is its negation: the row goes either way.
        let query = "FROM logs-test-* | EVAL n = LENGTH(tag) | WHERE n > 2"
        #expect(try alerts(query, [#""tag":"abc""#, #""tag":["abc","defg"]"#, #""other":1"#]).map(\.count) == [1, 0, 0])
        let negated = "FROM logs-test-* | EVAL n = LENGTH(tag) | WHERE NOT n > 2"
        #expect(try alerts(negated, [#""tag":"ab""#, #""tag":["abc","defg"]"#, #""other":1"#]).map(\.count) == [1, 0, 0])
    }

    @Test func mvExpandGivesOneAlertPerValueEachWithItsOwnID() throws {
        let query = #"FROM logs-test-* METADATA _id | MV_EXPAND tag | WHERE tag LIKE "a*" | KEEP _id, tag"#
        let got = try alerts(query, [#""tag":["ab","ac","b"]"#, #""tag":"b""#, #""other":1"#])
        #expect(got.map(\.count) == [2, 0, 0])
        #expect(got[0].map { $0["tag"] } == [.string("ab"), .string("ac")])
        let ids = got[0].compactMap { $0["kibana.alert.uuid"] }
        #expect(Set(ids).count == 2)
        // Deterministic: the same input gives the same ids, so a replay writes no second copy.
        #expect(try alerts(query, [#""tag":["ab","ac","b"]"#]).first?.compactMap { $0["kibana.alert.uuid"] } == ids)
        // A missing column keeps its one row, with null.
        #expect(try alerts("FROM logs-test-* | MV_EXPAND tag | WHERE tag IS NULL", [#""other":1"#]).map(\.count) == [1])
    }

    @Test func caseAndCoalesceComputeColumns() throws {
        let query = #"""
        FROM logs-test-* | EVAL kind = CASE(n > 10, "big", n > 5, "medium", "small"), who = COALESCE(user.name, "unknown")
        | WHERE kind != "small" | KEEP kind, who
        """#
        let got = try alerts(query, [#""n":20"#, #""n":7,"user":{"name":"x"}"#, #""n":1"#])
        #expect(got.map(\.count) == [1, 1, 0])
        #expect(got[0].first?["kind"] == .string("big"))
        #expect(got[0].first?["who"] == .string("unknown"))
        #expect(got[1].first?["kind"] == .string("medium"))
        #expect(got[1].first?["who"] == .string("x"))
    }

    @Test func dissectSplitsAStringIntoColumns() throws {
        let query = #"FROM logs-test-* | DISSECT message "%{verb} %{path} HTTP/%{version}" | WHERE verb == "GET" | KEEP verb, path, version"#
        let got = try alerts(query, [#""message":"GET /index.html HTTP/1.1""#, #""message":"POST /x HTTP/2""#, #""message":"garbage""#])
        #expect(got.map(\.count) == [1, 0, 0])
        #expect(got[0].first?["path"] == .string("/index.html"))
        #expect(got[0].first?["version"] == .string("1.1"))
    }

    @Test func grokCapturesTypedColumns() throws {
        let query = #"FROM logs-test-* | GROK message "%{IP:client} %{WORD:method} %{NUMBER:bytes:int}" | WHERE bytes > 100 | KEEP client, bytes"#
        let got = try alerts(query, [#""message":"10.0.0.1 GET 512""#, #""message":"10.0.0.2 GET 12""#, #""message":"none""#])
        #expect(got.map(\.count) == [1, 0, 0])
        #expect(got[0].first?["client"] == .string("10.0.0.1"))
        #expect(got[0].first?["bytes"] == .number("512"))
    }

    @Test func matchOnATextFieldSearchesItsWords() throws {
        // powershell.file.script_block_text is `text`: the standard analyzer's words, any of them.
        let query = #"FROM logs-test-* | WHERE powershell.file.script_block_text : "rahc|metsys""#
        let bodies = [#""powershell":{"file":{"script_block_text":"$x = 'RAHC' + $y"}}"#,
                      #""powershell":{"file":{"script_block_text":"metsystem"}}"#,
                      #""powershell":{"file":{"script_block_text":"a metsys.b c"}}"#,
                      #""other":1"#]
        #expect(try alerts(query, bodies).map(\.count) == [1, 0, 0, 0])
        // A query is true or false, never null: NOT holds for an event without the field.
        #expect(try alerts(#"FROM logs-test-* | WHERE NOT powershell.file.script_block_text : "rahc""#, bodies).map(\.count) == [0, 1, 1, 1])
        #expect(StandardAnalyzer.tokens("Foo-bar baz_1 a.b 1,5 x:y, e'f _23niw") ==
                ["foo", "bar", "baz_1", "a.b", "1,5", "x:y", "e'f", "_23niw"].map { Array($0.utf8) })
    }

    @Test func fuzzyMatchOnAKeywordAllowsItsEdits() throws {
        let query = #"FROM logs-test-* | WHERE match(process.name, "svchost.exe", { "fuzziness": 1, "max_expansions": 10 })"#
        let names = ["svchost.exe", "svch0st.exe", "svhcost.exe", "scvhst.exe", "SVCHOST.EXE", "svchost.exe1", "vchost.exe"]
        let got = try alerts(query, names.map { #""process":{"name":""# + $0 + #""}"# }).map(\.count)
        #expect(got == [1, 1, 1, 0, 0, 1, 1])
        #expect(throws: RuleError.self) { try esqlRule(#"FROM logs-test-* | WHERE match(process.name, "x", {"fuzziness": 1, "analyzer": "y"})"#) }
    }

    @Test func stXAndStYReadAGeoPointsLongitudeAndLatitude() throws {
        let query = "FROM logs-test-* | EVAL lat = ST_Y(source.geo.location), lon = ST_X(source.geo.location) | WHERE lat > 40 | KEEP lat, lon"
        let got = try alerts(query, [#""source":{"geo":{"location":{"lat":45.5,"lon":-73.6}}}"#, #""source":{"geo":{"location":{"lat":10,"lon":1}}}"#])
        #expect(got.map(\.count) == [1, 0])
        #expect(got[0].first?["lat"] == .number("45.5"))
        #expect(got[0].first?["lon"] == .number("-73.6"))
    }

    @Test func likeReadsEscapesAndItsAnythingPatternIsNotNull() throws {
        let escaped = try alerts(#"FROM logs-test-* | WHERE process.name LIKE "a\\*b""#,
                                 [#""process":{"name":"a*b"}"#, #""process":{"name":"axb"}"#])
        #expect(escaped.map(\.count) == [1, 0])
        // ES|QL rewrites LIKE "*" to IS NOT NULL: its negation keeps the events without the field.
        #expect(try alerts(#"FROM logs-test-* | WHERE process.name NOT LIKE ("*")"#, [#""process":{"name":"x"}"#, #""other":1"#])
                .map(\.count) == [0, 1])
    }

    @Test func inWithANullIsTrueOrNullNeverFalse() throws {
        let bodies = [#""n":2"#, #""n":0"#]
        #expect(try alerts(#"FROM logs-test-* | EVAL x = CASE(n > 1, "a", "b") | WHERE NOT x IN ("b")"#, bodies).map(\.count) == [1, 0])
        #expect(try alerts(#"FROM logs-test-* | EVAL x = CASE(n > 1, "a", "b") | WHERE NOT x IN ("b", null)"#, bodies).map(\.count) == [0, 0])
        #expect(try alerts(#"FROM logs-test-* | EVAL x = CASE(n > 1, "a", "b") | WHERE x IN ("a", null)"#, bodies).map(\.count) == [1, 0])
    }

    @Test func constantsFlowThroughEvalIntoPatterns() throws {
        let query = #"FROM logs-test-* | EVAL suffix = "*", p = CONCAT("cmd", suffix) | WHERE process.name LIKE p"#
        #expect(try alerts(query, [#""process":{"name":"cmd.exe"}"#, #""process":{"name":"sh"}"#]).map(\.count) == [1, 0])
    }

    @Test func datesTakeTimeSpansAndCompareWithDateStrings() throws {
        // Each event's @timestamp is 2026-01-02T03:04:05Z.
        let query = #"FROM logs-test-* | EVAL later = @timestamp + 1 day, earlier = @timestamp - 2 hours | WHERE later > "2026-01-03T00:00:00Z" AND earlier < "2026-01-02T02:00:00Z" | KEEP later"#
        let got = try alerts(query, [#""a":1"#])
        #expect(got.map(\.count) == [1])
        #expect(got[0].first?["later"] == .string("2026-01-03T03:04:05.000Z"))
    }

    @Test func aMultiFieldReadsItsParentsValueWithItsOwnType() throws {
        // ECS: process.command_line is a wildcard field; process.command_line.text its full-text view.
        let query = #"FROM logs-test-* | WHERE process.command_line.text : "curl" | EVAL l = TO_LOWER(process.command_line.text) | KEEP l"#
        let got = try alerts(query, [#""process":{"command_line":"CURL -s http://x"}"#, #""process":{"command_line":"curly"}"#])
        #expect(got.map(\.count) == [1, 0])
        #expect(got[0].first?["l"] == .string("curl -s http://x"))
        #expect(FieldTypes.bundled.resolve("process.command_line.text") == "process.command_line")
        #expect(FieldTypes.bundled.isAnalyzed("process.command_line.text") && !FieldTypes.bundled.isAnalyzed("process.command_line"))
    }
}
