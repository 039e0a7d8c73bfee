import Foundation
import Testing
@testable import TriplineCore

/// `tripline query --esql` as a new user runs it: a small NDJSON file, the rows Elasticsearch
/// would return, in the query's order and with the query's columns.
@Suite struct ESQLQueryTests {
    static let events = [
        #"{"@timestamp":"2026-01-01T00:00:03Z","user":{"name":"alice"},"process":{"name":"CMD.EXE","args":["/c","whoami"]},"message":"GET /a HTTP/1.1","bytes":900}"#,
        #"{"@timestamp":"2026-01-01T00:00:01Z","user":{"name":"bob"},"process":{"name":"bash","args":["-c","id","-x"]},"message":"POST /b HTTP/2","bytes":"40"}"#,
        #"{"@timestamp":"2026-01-01T00:00:02Z","user":{"name":"carol"},"process":{"name":"sh"},"message":"10.1.2.3 denied","bytes":7}"#,
        #"{"@timestamp":"2026-01-01T00:00:04Z","process":{"name":"curl"},"bytes":null}"#,
    ]

    func query(_ esql: String, format: String = "ndjson") throws -> (rows: [JSONValue], text: String) {
        let directory = temporaryDirectory()
        let path = directory + "/events.ndjson"
        try Data((Self.events.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let result = try run(triplineBinary, ["query", "--esql", esql, "--format", format, path])
        #expect(result.status == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        let rows = format == "ndjson" ? try text.split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) } : []
        return (rows, text)
    }

    @Test func evalCaseSortAndLimitGiveTheRowsInOrder() throws {
        let (rows, _) = try query("""
            FROM logs-* | EVAL name = TO_LOWER(process.name), size = CASE(bytes > 100, "large", bytes > 10, "medium", "small")
            | SORT @timestamp DESC | LIMIT 3 | KEEP name, size, user.name
            """)
        #expect(rows == [
            .object([("name", .string("curl")), ("size", .string("small")), ("user.name", .null)]),
            .object([("name", .string("cmd.exe")), ("size", .string("large")), ("user.name", .string("alice"))]),
            .object([("name", .string("sh")), ("size", .string("small")), ("user.name", .string("carol"))]),
        ])
    }

    @Test func mvExpandGivesARowPerValue() throws {
        let (rows, _) = try query(#"FROM logs-* | WHERE user.name IS NOT NULL | MV_EXPAND process.args | SORT user.name, process.args | KEEP user.name, process.args"#)
        #expect(rows.map { $0["process.args"] } == ["/c", "whoami", "-c", "-x", "id", nil].map { $0.map(JSONValue.string) ?? .null })
        #expect(rows.map { $0["user.name"] } == ["alice", "alice", "bob", "bob", "bob", "carol"].map(JSONValue.string))
    }

    @Test func dissectAndGrokSplitTheMessage() throws {
        let (dissected, _) = try query(#"FROM logs-* | DISSECT message "%{verb} %{path} HTTP/%{version}" | WHERE verb IS NOT NULL | SORT verb | KEEP verb, path, version"#)
        #expect(dissected == [
            .object([("verb", .string("GET")), ("path", .string("/a")), ("version", .string("1.1"))]),
            .object([("verb", .string("POST")), ("path", .string("/b")), ("version", .string("2"))]),
        ])
        let (grokked, _) = try query(#"FROM logs-* | GROK message "%{IP:client} %{WORD:action}" | WHERE client IS NOT NULL | KEEP client, action"#)
        #expect(grokked == [.object([("client", .string("10.1.2.3")), ("action", .string("denied"))])])
    }

    @Test func kqlAndTypedFieldsFilterAsElasticsearchDoes() throws {
        // `bytes` is ECS-less here, so dynamic: "40" is a keyword, not 40; KQL matches the term.
        let (rows, _) = try query(#"FROM logs-* | WHERE KQL("process.name:sh or user.name:alice") | SORT @timestamp | KEEP user.name"#)
        #expect(rows.map { $0["user.name"] } == [.string("carol"), .string("alice")])
    }

    @Test func rowAndTextFormats() throws {
        let directory = temporaryDirectory()
        _ = directory
        let result = try run(triplineBinary, ["query", "--esql", #"ROW a = 1, b = "x", c = [1, 2] | EVAL d = a + 1"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == #"{"a":1,"b":"x","c":[1,2],"d":2}"# + "\n")
        let (_, csv) = try query("FROM logs-* | SORT @timestamp | LIMIT 2 | KEEP user.name, bytes", format: "csv")
        #expect(csv == "user.name,bytes\nbob,40\ncarol,7\n")
        let (_, txt) = try query("FROM logs-* | SORT @timestamp | LIMIT 2 | KEEP user.name, bytes", format: "txt")
        #expect(txt == "user.name | bytes\n----------+------\nbob       | 40\ncarol     | 7\n")
    }

    @Test func errorsSayWhereAndWhy() throws {
        let result = try run(triplineBinary, ["query", "--esql", "FROM logs-* | EVAL x = NO_SUCH(a)", "/dev/null"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("1:24"), "\(result.stderr)")
        #expect(result.stderr.contains("no_such"), "\(result.stderr)")
        // A multi-valued argument is null, with Elasticsearch's warning on stderr.
        let warned = try run(triplineBinary, ["query", "--esql", "ROW a = [1, 2] | EVAL b = ABS(a), c = ABS([3, 4])"])
        #expect(String(decoding: warned.stdout, as: UTF8.self) == #"{"a":[1,2],"b":null,"c":null}"# + "\n")
        #expect(warned.stderr.contains("2 value(s) treated as null"), "\(warned.stderr)")
        #expect(warned.stderr.contains("2 for a multi-valued argument"), "\(warned.stderr)")
        // Options of the other language are refused, not ignored.
        let mixed = try run(triplineBinary, ["query", "--esql", "ROW a = 1", "--fields", "a"])
        #expect(mixed.status == 2 && mixed.stderr.contains("KEEP"), "\(mixed.stderr)")
        let stats = try run(triplineBinary, ["query", "--esql", "ROW a = 1 | STATS c = COUNT(*) BY a | EVAL d = b"])
        #expect(stats.status == 2)
        #expect(stats.stderr.contains("Unknown column [b]"), "\(stats.stderr)")
        let aggregate = try run(triplineBinary, ["query", "--esql", "ROW a = 1 | STATS c = MEDIAN(a, 2)"])
        #expect(aggregate.status == 2 && aggregate.stderr.contains("MEDIAN"), "\(aggregate.stderr)")
        // WEIGHTED_AVG refuses a constant weight of 0 or null, as Elasticsearch's type check does.
        let weight = try run(triplineBinary, ["query", "--esql", "ROW a = 1 | STATS w = WEIGHTED_AVG(a, 0)"])
        #expect(weight.status == 2 && weight.stderr.contains("cannot be null or 0"), "\(weight.stderr)")
    }

    /// STATS over whole files: one table, every row of it (issue 14, item 6).
    @Test func statsRunsOverTheWholeInput() throws {
        let directory = temporaryDirectory()
        let events = directory + "/events.ndjson"
        let lines = [
            #"{"@timestamp":"2024-01-01T00:00:00Z","host":{"name":"a"},"user":{"name":"x"},"n":3}"#,
            #"{"@timestamp":"2024-01-01T00:01:00Z","host":{"name":"a"},"user":{"name":"y"},"n":5}"#,
            #"{"@timestamp":"2024-01-01T00:02:00Z","host":{"name":"b"},"user":{"name":["x","z"]},"n":7}"#,
            #"{"@timestamp":"2024-01-01T00:03:00Z","host":{"name":"b"},"user":{"name":"x"}}"#,
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: events))
        let query = """
            FROM logs | STATS c = COUNT(*), d = COUNT_DISTINCT(user.name), v = VALUES(user.name), s = SUM(n), \
            m = MEDIAN(n), f = COUNT(*) WHERE n > 4, last = MAX(@timestamp) BY host.name | WHERE c > 1 | SORT host.name DESC
            """
        let result = try run(triplineBinary, ["query", "--esql", query, events])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == """
            {"c":2,"d":2,"v":["x","z"],"s":7,"m":7.0,"f":1,"last":"2024-01-01T00:03:00.000Z","host.name":"b"}
            {"c":2,"d":2,"v":["x","y"],"s":8,"m":4.0,"f":1,"last":"2024-01-01T00:01:00.000Z","host.name":"a"}

            """)
        // BUCKET with a span groups as DATE_TRUNC (dates) or floor(x / span) * span (numbers).
        let buckets = try run(triplineBinary, ["query", "--esql", "FROM logs | STATS c = COUNT(*) BY b = BUCKET(@timestamp, 2 minutes), n = BUCKET(n, 4) | SORT b, n", events])
        #expect(String(decoding: buckets.stdout, as: UTF8.self) == """
            {"c":1,"b":"2024-01-01T00:00:00.000Z","n":0.0}
            {"c":1,"b":"2024-01-01T00:00:00.000Z","n":4.0}
            {"c":1,"b":"2024-01-01T00:02:00.000Z","n":4.0}
            {"c":1,"b":"2024-01-01T00:02:00.000Z","n":null}

            """, "\(buckets.stderr)")
        // INLINE STATS keeps every row and adds its group's aggregates.
        let inline = try run(triplineBinary, ["query", "--esql", "FROM logs | INLINE STATS c = COUNT(*) BY host.name | KEEP n, c, host.name | LIMIT 2", events])
        #expect(String(decoding: inline.stdout, as: UTF8.self) == """
            {"n":3,"c":2,"host.name":"a"}
            {"n":5,"c":2,"host.name":"a"}

            """, "\(inline.stderr)")
    }

    /// A STATS without a SORT after it gives its groups as Elasticsearch's block hashes number
    /// them (csv-spec `projectFromWithStatsAfterLimit`): by first arrival, the null group first
    /// under one BY column; under several, by first arrival alone.
    @Test func unsortedStatsGivesGroupsInArrivalOrderNullFirst() throws {
        let (one, _) = try query("FROM logs-* | STATS c = COUNT(*) BY user.name")
        // Events arrive alice, bob, carol, then one without user.name.
        #expect(one.map { $0["user.name"] } == [.null, .string("alice"), .string("bob"), .string("carol")])
        let (two, _) = try query(#"FROM logs-* | EVAL shell = process.name == "sh" | STATS c = COUNT(*) BY process.name, shell"#)
        // Key order would put curl before sh.
        #expect(two.map { $0["process.name"] } == ["CMD.EXE", "bash", "sh", "curl"].map(JSONValue.string))
    }

    /// A BY column that only renames another (`EVAL z = y`, then `RENAME`) groups as that one, as
    /// Elasticsearch's planner resolves the alias (csv-spec `statsAggExpressionOnMVGroupingKeyWithAlias`):
    /// a multi-valued key is not multiplied by its own copy. A copy changed since (MV_EXPAND) is a
    /// column of its own.
    @Test func aByColumnThatOnlyRenamesAnotherGroupsAsIt() throws {
        func groups(_ esql: String) throws -> [String] {
            let result = try run(triplineBinary, ["query", "--esql", esql])
            #expect(result.status == 0, "\(result.stderr)")
            return String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        #expect(try groups("ROW y = [1, 2] | EVAL z = y | RENAME z AS zz | STATS c = COUNT(*) BY y, zz | SORT y")
                == [#"{"c":1,"y":1,"zz":1}"#, #"{"c":1,"y":2,"zz":2}"#])
        #expect(try groups("ROW y = [1, 2] | EVAL z = y | MV_EXPAND z | STATS c = COUNT(*) BY y, z | SORT y, z").count == 4)
        #expect(try groups("ROW y = [1, 2] | EVAL z = y | MV_EXPAND y | STATS c = COUNT(*) BY y, z | SORT y, z").count == 4)
        // Through a field: the event's args, and a copy of them.
        let (rows, _) = try query("FROM logs-* | EVAL a = process.args | STATS c = COUNT(*) BY process.args, a | SORT a")
        #expect(rows.map { $0["a"] } == ["-c", "-x", "/c", "id", "whoami", nil].map { $0.map(JSONValue.string) ?? .null })
        #expect(rows.allSatisfy { $0["a"] == $0["process.args"] })
    }

    /// INLINE STATS with a multi-valued BY value, as Elasticsearch's csv-spec tests pin it
    /// (`byMultivaluedSimple`, `inlinestatsWithFalseFiltersFromRow`): the row counts in each of its
    /// values' groups and stays one row; its BY column keeps the values, each aggregate holds its
    /// groups' results in turn, and a null key is a group of its own.
    @Test func inlineStatsWithAMultiValuedKeyKeepsTheRowAndTakesEveryGroup() throws {
        let directory = temporaryDirectory()
        let events = directory + "/events.ndjson"
        let lines = [
            #"{"@timestamp":"2024-01-01T00:00:00Z","k":["a","b"],"n":1}"#,
            #"{"@timestamp":"2024-01-01T00:01:00Z","k":"a","n":5}"#,
            #"{"@timestamp":"2024-01-01T00:02:00Z","k":"b","n":2}"#,
            #"{"@timestamp":"2024-01-01T00:03:00Z","n":7}"#,
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: events))
        let query = "FROM logs | INLINE STATS m = MAX(n), c = COUNT(*), none = MAX(n) WHERE n > 100 BY k | KEEP n, k, m, c, none"
        let result = try run(triplineBinary, ["query", "--esql", query, events])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == """
            {"n":1,"k":["a","b"],"m":[5,2],"c":[2,2],"none":null}
            {"n":5,"k":"a","m":5,"c":2,"none":null}
            {"n":2,"k":"b","m":2,"c":2,"none":null}
            {"n":7,"k":null,"m":7,"c":1,"none":null}

            """)
    }

    /// `METADATA _index`: an event's own `_index`, else its data stream's backing index (dated
    /// by the event's UTC day, generation 000001), else "query"; the same in a WHERE and in the
    /// result column.
    @Test func metadataIndexNamesTheBackingIndex() throws {
        let directory = temporaryDirectory()
        let events = directory + "/events.ndjson"
        let lines = [
            #"{"@timestamp":"2024-06-01T23:59:59.999Z","data_stream":{"type":"metrics","dataset":"system.cpu","namespace":"default"},"n":1}"#,
            #"{"@timestamp":"2024-06-02T00:00:00Z","_index":"my-index","n":2}"#,
            #"{"@timestamp":"2024-06-02T00:00:00Z","n":3}"#,
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: events))
        let result = try run(triplineBinary, ["query", "--esql", #"FROM * METADATA _index | WHERE _index != "x" | KEEP n, _index"#, events])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == """
            {"n":1,"_index":".ds-metrics-system.cpu-default-2024.06.01-000001"}
            {"n":2,"_index":"my-index"}
            {"n":3,"_index":"query"}

            """)
        let unknown = try run(triplineBinary, ["query", "--esql", "FROM * | KEEP n | WHERE _index == \"x\"", events])
        #expect(unknown.status == 2 && unknown.stderr.contains("Unknown column [_index]"), "\(unknown.stderr)")
        // FROM naming one index: events that name none are that index's, as a search of it shows
        // (Elasticsearch's likeQuestionMarkWildcardOnIndexMetadataField: `_index LIKE "employ?es"`).
        let named = try run(triplineBinary, ["query", "--esql", #"FROM employees METADATA _index | WHERE _index LIKE "employ?es" | KEEP n, _index"#, events])
        #expect(String(decoding: named.stdout, as: UTF8.self) == """
            {"n":3,"_index":"employees"}

            """, "\(named.stderr)")
    }

    /// Elasticsearch's row limits: a query not ending in LIMIT returns at most 1,000 rows (it adds
    /// `LIMIT 1000`), and no LIMIT gets more than 10,000; `query` says when they cut the result.
    @Test func theResultKeepsElasticsearchsRowLimits() throws {
        let directory = temporaryDirectory()
        let events = directory + "/events.ndjson"
        let lines = (0..<10_050).map { #"{"@timestamp":"2024-01-01T00:00:00Z","n":\#($0)}"# }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: events))
        func rows(_ query: String) throws -> (count: Int, last: String?, note: Bool) {
            let result = try run(triplineBinary, ["query", "--esql", query, events])
            let out = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
            return (out.count, out.last.map(String.init), result.stderr.contains("first \(out.count) are shown"))
        }
        let implicit = try rows("FROM logs | KEEP n")
        #expect(implicit.count == 1_000 && implicit.last == #"{"n":999}"# && implicit.note)
        let explicit = try rows("FROM logs | LIMIT 1200 | KEEP n | LIMIT 1500")
        #expect(explicit.count == 1_200 && !explicit.note)
        let maximum = try rows("FROM logs | KEEP n | LIMIT 20000")
        #expect(maximum.count == 10_000 && maximum.note)
        let whole = try rows("FROM logs | STATS c = COUNT(*)")
        #expect(whole.count == 1 && whole.last == #"{"c":10050}"# && !whole.note)
    }
}
