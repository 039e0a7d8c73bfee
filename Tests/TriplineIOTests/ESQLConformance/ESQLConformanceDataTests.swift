import Foundation
import Testing
@testable import TriplineCore

/// The data loader (CSV → NDJSON events and mappings) and the result comparison, without the CLI.
@Suite struct ESQLConformanceDataTests {
    static func events(_ index: String) throws -> (events: [JSONValue], mapping: JSONValue) {
        let dataset = try #require(CSVDataLoader.datasets[index])
        let paths = try CSVDataLoader.write(dataset, from: ESQLConformanceTests.folder, into: temporaryDirectory())
        let text = try String(contentsOfFile: paths.events, encoding: .utf8)
        let events = try text.split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
        return (events, try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: paths.mapping))))
    }

    @Test func employeesBecomeOneTypedEventPerRow() throws {
        let (events, mapping) = try Self.events("employees")
        #expect(events.count == 100)
        let first = events[0]
        #expect(first["emp_no"] == .number("10001"))
        #expect(first["first_name"] == .string("Georgi"), "padding is trimmed")
        #expect(first["birth_date"] == .string("1953-09-02T00:00:00Z"))
        #expect(first["still_hired"] == .bool(true))
        #expect(first["height"] == .number("2.03"))
        #expect(first["job_positions"] == .array([.string("Senior Python Developer"), .string("Accountant")]))
        #expect(first["is_rehired"] == .array([.bool(false), .bool(true)]))
        #expect(first["salary_change"] == .number("1.19"), "a one-element multi-value is a single value")
        #expect(first["salary_change.keyword"] == .string("1.19"), "a sub-field is a dotted key typed by its column")
        #expect(first["languages.long"] == .number("2"))
        let third = events[2]
        #expect(third["job_positions"] == nil, "[] is a missing value")
        #expect(third["is_rehired"] == nil)
        // The copied mapping is passed as is: every column is under a mapped field.
        #expect(mapping["properties"]?["languages"]?["fields"]?["long"]?["type"] == .string("long"))
        guard case .object(let properties)? = mapping["properties"] else { Issue.record("no properties"); return }
        #expect(properties.count == 14)
    }

    @Test func everyEventLineIsAsTheCSVWrites() throws {
        // Round trip: each employee event's keys and values read back to the CSV cells.
        let folder = ESQLConformanceTests.folder.appendingPathComponent("data")
        let table = try CSVDataLoader.table(parsing: String(contentsOf: folder.appendingPathComponent("employees.csv"), encoding: .utf8), file: "employees.csv")
        #expect(table.columns.count == 23)
        let (events, _) = try Self.events("employees")
        for (row, event) in zip(table.rows, events) {
            guard case .object(let members) = event else { Issue.record("not an object"); continue }
            let present = zip(table.columns, row).filter { $0.1 != nil }
            #expect(members.map(\.key) == present.map(\.0.name))
            for ((column, cell), member) in zip(present, members) {
                let values: [JSONValue] = if case .array(let items) = member.value { items } else { [member.value] }
                let texts = values.map { value -> String in
                    switch value {
                    case .number(let n): n
                    case .string(let s): s
                    case .bool(let b): b ? "true" : "false"
                    default: "?"
                    }
                }
                #expect(texts == cell, "\(column.name)")
            }
        }
    }

    @Test func hostsKeepMultiValuedIpsAndGainTheirUnmappedTextColumns() throws {
        let (events, mapping) = try Self.events("hosts")
        #expect(events.count == 10)
        #expect(events.contains { $0["ip0"] == .array([.string("fe81::cae2:65ff:fece:feb9"), .string("fe82::cae2:65ff:fece:fec0")]) })
        #expect(mapping["properties"]?["ip0"]?["type"] == .string("ip"))
        #expect(mapping["properties"]?["host_group"]?["type"] == .string("text"))
        #expect(mapping["properties"]?["description"]?["type"] == .string("text"))
    }

    @Test func sampleDataIsMappedByItsHeader() throws {
        let (events, mapping) = try Self.events("sample_data")
        #expect(events.count == 7)
        #expect(events[0]["@timestamp"] == .string("2023-10-23T13:55:01.543Z"))
        #expect(events[0]["client_ip"] == .string("172.21.3.15"))
        #expect(events[0]["event_duration"] == .number("1756467"))
        #expect(mapping["properties"]?["@timestamp"]?["type"] == .string("date"))
        #expect(mapping["properties"]?["event_duration"]?["type"] == .string("long"))
    }

    @Test func dataCellsFollowCsvTestsDataLoader() throws {
        let table = try CSVDataLoader.table(parsing: """
            // comment
            a:keyword, b:integer ,c:keyword,d:boolean
            [x , y], 1, "q\\,r", []
            plain, , [only], TRUE
            """, file: "t.csv")
        #expect(table.columns.map(\.name) == ["a", "b", "c", "d"])
        #expect(table.rows[0] == [["x", "y"], ["1"], ["\"q,r\""], nil])
        #expect(table.rows[1] == [["plain"], nil, ["only"], ["TRUE"]])
        #expect(CSVDataLoader.json("\"q,r\"", type: "keyword") == .string("q,r"))
        #expect(CSVDataLoader.json("TRUE", type: "boolean") == .bool(true))
        #expect(CSVDataLoader.json("abc", type: "integer") == .string("abc"), "a non-number stays text for the engine to reject")
        #expect(throws: CSVDataLoader.LoadError.self) { try CSVDataLoader.table(parsing: "a:k,b:k\n[x, y\n", file: "t.csv") }
    }

    @Test func resultsCompareByColumnType() throws {
        let table = try CSVSpecTable(lines: [
            .init(number: 1, text: "n:integer | d:double | s:keyword | b:boolean | t:date | ip:ip | m:keyword | z:null"),
            .init(number: 2, text: "1 | 2.0299999713897705 | a | true | 1985-11-21T00:00:00.000Z | ::1 | [x, y] | null"),
            .init(number: 3, text: "2 | 0.1 | b | false | 1985-11-21T00:00:00.000Z | 127.0.0.1 | x | null"),
        ], file: "t")
        func row(_ n: String, _ d: String, _ s: String, ip: String = "::1", m: JSONValue = .array([.string("x"), .string("y")]), date: String = "1985-11-21T00:00:00Z") -> JSONValue {
            .object([("n", .number(n)), ("d", .number(d)), ("s", .string(s)), ("b", .bool(n == "1")), ("t", .string(date)),
                     ("ip", .string(ip)), ("m", m), ("z", .null)])
        }
        let good = [row("1", "2.02999997138977", "a"), row("2", "0.1", "b", ip: "::ffff:127.0.0.1", m: .array([.string("x")]))]
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: false, got: good) == nil)
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: false, got: good.reversed()) != nil)
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: true, got: good.reversed()) == nil)
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: false, got: [good[0]])?.hasPrefix("1 rows, expected 2") == true)
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: false, got: [row("1", "2.03", "a"), good[1]]) != nil, "2.03 is a float's 2.0299999713897705 only within 1e-8")
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: false, got: [row("1", "2.02999997138977", "a", m: .array([.string("y"), .string("x")])), good[1]]) != nil, "multi-values keep their order")
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: false, got: [row("1", "2.02999997138977", "a", date: "1985-11-21T00:00:00.001Z"), good[1]]) != nil)
        let renamed = JSONValue.object([("s", .string("a")), ("n", .number("1"))])
        #expect(ESQLResultComparison.difference(expected: table, ignoreOrder: false, got: [renamed])?.hasPrefix("columns") == true)
        #expect(ESQLResultComparison.milliseconds("1970-01-01T00:00:00Z") == 0)
        #expect(ESQLResultComparison.milliseconds("1953-09-02T00:00:00.000Z") == -515_376_000_000)
        #expect(ESQLResultComparison.milliseconds("2023-10-23T13:55:01.543Z") == 1_698_069_301_543)
        #expect(ESQLResultComparison.milliseconds("2023-10-23T12:00:00") == ESQLResultComparison.milliseconds("2023-10-23T12:00:00.000Z"))
        #expect(ESQLResultComparison.milliseconds("2023-10-24T00:00:00+10:00") == ESQLResultComparison.milliseconds("2023-10-23T14:00:00Z"))
        #expect(ESQLResultComparison.milliseconds("2023-10-23") == ESQLResultComparison.milliseconds("2023-10-23T00:00:00Z"))
        #expect(ESQLResultComparison.milliseconds("2023-13-23") == nil)
        #expect(!ESQLResultComparison.valueMatches("1", .string("1"), type: .integer), "a number column wants JSON numbers")
        #expect(!ESQLResultComparison.valueMatches("1", .number("1"), type: .keyword), "a keyword column wants strings")
        #expect(ESQLResultComparison.valueMatches("3", .number("3.0"), type: .long))
    }

    /// Every runnable test's expected table, printed as the CLI prints rows, compares equal: each
    /// expected cell can be read under its column's type (dates, ips, numbers).
    @Test func everyRunnableExpectedTableMatchesItselfAsNDJSON() throws {
        func json(_ text: String, _ type: ESQLColumnType) -> JSONValue {
            switch type {
            case .integer, .long, .unsignedLong, .double: Double(text).map { _ in .number(text) } ?? .string(text)
            case .boolean: .bool(text.lowercased() == "true")
            case .null: .null
            default: .string(text)
            }
        }
        for test in try ESQLConformanceTests.allTests() where ESQLConformanceScope.skipReason(test) == nil {
            let table = try test.expectedTable()
            let rows: [JSONValue] = table.rows.map { cells in
                .object(zip(table.columns, cells).map { column, cell in
                    switch cell {
                    case .null: (column.name, .null)
                    case .value(let text): (column.name, json(text, column.type))
                    case .values(let texts): (column.name, .array(texts.map { json($0, column.type) }))
                    }
                })
            }
            let difference = ESQLResultComparison.difference(expected: table, ignoreOrder: test.ignoreOrder, got: rows)
            #expect(difference == nil, "\(test.id): \(difference ?? "")")
        }
    }
}
