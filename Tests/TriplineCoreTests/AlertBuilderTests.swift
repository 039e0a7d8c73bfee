import Foundation
import Testing
@testable import TriplineCore

/// Alert documents of both seed rules: valid JSON objects Elasticsearch would index (no key twice),
/// deterministic ids, the detection time as `@timestamp` and the event's as the original time.
struct AlertBuilderTests {
    let rules = seedRules()

    /// Each alert with the schedule time its match carried.
    func alerts(for line: String, now: Int64 = 1_700_000_000_000) -> [(built: AlertBuilder.Built, eventTime: Int64?)] {
        var framer = LineFramer(source: "test")
        var bytes = Array((line + "\n").utf8)
        var outputs: [FramedOutput] = []
        bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
        outputs += framer.finish(.endOfFile)
        var extractor = Extractor(plan: rules.plan)
        var evaluator = RuleEvaluator(ruleSet: rules, defaultIndex: nil)
        var result: [(built: AlertBuilder.Built, eventTime: Int64?)] = []
        for case .batch(let batch) in outputs {
            let (extracted, _) = extractor.extract(batch)
            for match in evaluator.evaluate(extracted, lines: [0]) {
                let source = AlertBuilder.Source(line: batch.lineBytes(match.line), position: batch.position(ofLine: match.line), index: match.index)
                result.append((AlertBuilder().alert(rule: rules.rules[match.rule], source: source, eventTime: match.eventTime, now: now), match.eventTime))
            }
        }
        return result
    }

    @Test func bothSeedRulesGiveIndexableDocuments() throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("samples/seed-events.ndjson"))
        let lines = data.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        var seen = Set<String>()
        // Line 1 is an ES|QL hit, line 33 an EQL hit (samples/seed-events.expected.json).
        for (number, rule) in [(1, esqlSeed), (33, eqlSeed)] {
            let made = alerts(for: lines[number - 1])
            #expect(made.count == 1)
            let (alert, eventTime) = try #require(made.first)
            // The extractor refuses a line with a key twice, as Elasticsearch refuses the document.
            var framer = LineFramer(source: "alert")
            var bytes = alert.line
            var outputs: [FramedOutput] = []
            bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
            var extractor = Extractor(plan: rules.plan)
            for case .batch(let batch) in outputs {
                let (_, rejected) = extractor.extract(batch)
                #expect(rejected.isEmpty, "\(rule): \(rejected.map(\.detail))")
            }
            let document = try JSONValue.parse(alert.line)
            #expect(document["kibana.alert.rule.rule_id"] == .string(rule))
            #expect(document["@timestamp"] == .string("2023-11-14T22:13:20.000Z"))
            // Kibana keeps the event's @timestamp as original_time even when the rule names a
            // timestamp_override (the EQL seed does: event.ingested); the override sets the
            // schedule time only.
            let event = try JSONValue.parse(Array(lines[number - 1].utf8))
            #expect(document["kibana.alert.original_time"] == event["@timestamp"])
            let override = rules.rules.first { $0.ruleID == rule }?.definition.timestampOverride
            if case .string(let scheduled)? = override.flatMap({ event.values(atPath: $0).first }) {
                #expect(eventTime == Timestamp.milliseconds(iso8601: scheduled))
            }
            #expect(alert.id.count == 64 && alert.id.allSatisfy(\.isHexDigit))
            #expect(seen.insert(alert.id).inserted)
            // The same event and rule give the same id at any time: a replay never duplicates.
            #expect(self.alerts(for: lines[number - 1], now: 42).first?.built.id == alert.id)
        }
    }

    @Test func eventTimesAndIntervalsParse() {
        #expect(Timestamp.milliseconds(iso8601: "1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.milliseconds(iso8601: "2020-01-08T20:43:06.000Z") == 1_578_516_186_000)
        #expect(Timestamp.milliseconds(iso8601: "2020-01-08T20:43:06.5Z") == 1_578_516_186_500)
        #expect(Timestamp.milliseconds(iso8601: "2020-01-08T21:43:06+01:00") == 1_578_516_186_000)
        #expect(Timestamp.milliseconds(iso8601: "1578516186000") == 1_578_516_186_000)
        #expect(Timestamp.milliseconds(iso8601: "2020-13-08T20:43:06Z") == nil)
        #expect(Timestamp.milliseconds(iso8601: "yesterday") == nil)
        // Years before year 1, as Java writes and reads them (year 0 is 1 BC, a leap year).
        #expect(Timestamp.milliseconds(iso8601: "-0006-01-01") == -62_356_521_600_000)
        #expect(Timestamp.milliseconds(iso8601: "+2020-01-08") == nil)
        for ms: Int64 in [0, 1_578_516_186_123, 951_782_400_000, -86_400_000, -62_356_521_600_000, -62_167_219_200_001] {
            #expect(Timestamp.milliseconds(iso8601: Timestamp.iso8601(milliseconds: ms)) == ms)
        }
        #expect(Timestamp.milliseconds(interval: "5m") == 300_000)
        #expect(Timestamp.milliseconds(interval: "1h") == 3_600_000)
        #expect(Timestamp.milliseconds(interval: "0m") == nil)
        #expect(Timestamp.milliseconds(interval: "5x") == nil)
    }

    /// Names and JSON types as Kibana's alert field maps give them (technical + legacy + security
    /// maps, 8.x): what Elasticsearch would index each field as.
    @Test func seedAlertsFollowKibanasFieldMap() throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("samples/seed-events.ndjson"))
        let lines = data.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        for number in [1, 33] {
            let document = try JSONValue.parse(try #require(alerts(for: lines[number - 1]).first).built.line)
            func isDate(_ value: JSONValue?) -> Bool {
                if case .string(let text)? = value { return Timestamp.milliseconds(iso8601: text) != nil }
                return false
            }
            func isKeyword(_ value: JSONValue?) -> Bool { if case .string? = value { return true }; return false }
            func isLong(_ value: JSONValue?) -> Bool { if case .number(let n)? = value { return Int64(n) != nil }; return false }
            func isKeywords(_ value: JSONValue?) -> Bool {
                if case .array(let items)? = value { return items.allSatisfy(isKeyword) }
                return false
            }
            for name in ["@timestamp", "kibana.alert.original_time", "kibana.alert.start", "kibana.alert.last_detected", "kibana.alert.intended_timestamp"] {
                #expect(isDate(document[name]), "\(name) is not a date")
            }
            for name in ["kibana.alert.uuid", "kibana.alert.severity", "kibana.alert.reason", "kibana.alert.rule.rule_id", "kibana.alert.rule.uuid",
                         "kibana.alert.rule.name", "kibana.alert.rule.description", "kibana.alert.rule.type", "kibana.alert.rule.rule_type_id",
                         "kibana.alert.rule.category", "kibana.alert.rule.consumer", "kibana.alert.rule.producer", "kibana.alert.rule.interval",
                         "kibana.alert.rule.from", "kibana.alert.rule.to", "kibana.alert.rule.license", "kibana.alert.rule.execution.uuid",
                         "kibana.alert.rule.timestamp_override", "kibana.version"] {
                #expect(isKeyword(document[name]), "\(name) is not a keyword")
            }
            for name in ["kibana.alert.depth", "kibana.alert.rule.max_signals", "kibana.alert.rule.version"] {
                #expect(isLong(document[name]), "\(name) is not a whole number")
            }
            for name in ["kibana.alert.rule.tags", "kibana.alert.rule.author", "kibana.alert.rule.references", "kibana.alert.rule.false_positives",
                         "kibana.space_ids", "kibana.alert.rule.indices", "kibana.alert.workflow_tags", "kibana.alert.workflow_assignee_ids"] {
                #expect(isKeywords(document[name]), "\(name) is not a keyword array")
            }
            if case .number(let score)? = document["kibana.alert.risk_score"] { #expect(Double(score) != nil) } else { Issue.record("risk_score") }
            #expect(document["kibana.alert.status"] == .string("active"))
            #expect(document["kibana.alert.workflow_status"] == .string("open"))
            #expect(document["kibana.alert.rule.enabled"] == .bool(true))
            #expect(document["kibana.alert.rule.consumer"] == .string("siem"))
            #expect(document["kibana.alert.depth"] == .number("1"))
            #expect(document.values(atPath: "event.kind") == [.string("signal")])
            // ancestors: an object array (not nested) of id, index, type keywords and a long depth.
            guard case .array(let ancestors)? = document["kibana.alert.ancestors"], case .object? = ancestors.first else {
                Issue.record("ancestors is not an object array"); continue
            }
            #expect(isKeyword(ancestors[0]["id"]) && isKeyword(ancestors[0]["index"]) && ancestors[0]["type"] == .string("event"))
            #expect(ancestors[0]["depth"] == .number("0"))
            // query, language and index exist only under the flattened parameters, as in Kibana.
            for name in ["kibana.alert.rule.query", "kibana.alert.rule.language", "kibana.alert.rule.index"] {
                #expect(document[name] == nil, "\(name) is not a Kibana field")
            }
            guard case .object? = document["kibana.alert.rule.parameters"] else { Issue.record("no parameters"); continue }
            let parameters = try #require(document["kibana.alert.rule.parameters"])
            #expect(isKeyword(parameters["query"]) && isKeywords(parameters["index"]))
            #expect(parameters["language"] == .string(number == 1 ? "esql" : "eql"))
            // Original event fields are kept under kibana.alert.original_event.
            #expect(document["kibana.alert.original_event"]?["action"] != nil)
        }
    }

    /// Kibana's own expectations (security_solution reason_formatter.test.ts), verbatim.
    @Test func reasonReadsAsKibanasDoes() throws {
        var definition = try #require(rules.rules.first).definition
        definition.name = "my-rule"
        definition.severity = "medium"
        let rule = try #require(RuleSet(definitions: [definition]).rules.first)
        func reason(_ json: String) throws -> String { AlertBuilder.reason(event: try JSONValue.parse(Array(json.utf8)), rule: rule) }
        let all = #"{"event":{"category":"test"},"process":{"name":"doingThings.exe","parent":{"name":"didThings.exe"}},"file":{"name":"sample"},"# +
            #""source":{"ip":"1.11.11.1","port":1234},"destination":{"ip":"9.99.99.9","port":6789},"user":{"name":"test-user"},"host":{"name":"host"}}"#
        #expect(try reason(all) == "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, by test-user on host created medium alert my-rule.")
        #expect(try reason(all.replacingOccurrences(of: #""category":"test""#, with: #""category":["item one","item two"]"#))
                == "item one, item two event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, by test-user on host created medium alert my-rule.")
        #expect(try reason(all.replacingOccurrences(of: #","port":6789"#, with: ""))
                == "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9 by test-user on host created medium alert my-rule.")
        #expect(try reason(all.replacingOccurrences(of: #","port":1234"#, with: ""))
                == "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1 destination 9.99.99.9:6789, by test-user on host created medium alert my-rule.")
        #expect(try reason(all.replacingOccurrences(of: #","host":{"name":"host"}"#, with: ""))
                == "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, by test-user created medium alert my-rule.")
        #expect(try reason(#"{"event.category":"test","user.name":"test-user"}"#) == "test event by test-user created medium alert my-rule.")
        #expect(try reason(#"{"user":{"name":"u"},"host":{"name":"h"},"process":{"name":"-"}}"#) == "event by u on h created medium alert my-rule.")
    }
}

/// ES|QL result columns against the plain definition they implement: name every leaf by its
/// dotted path, order by name, group values by name, then apply KEEP (a missing plain name is a
/// null column, as a mapped field is) and DROP; metadata stays out of an alert's columns.
@Suite struct ESQLColumnsTests {
    static func reference(event: JSONValue, keep: [String]?, drop: [String]) -> [(key: String, value: JSONValue)] {
        var leaves: [(String, JSONValue)] = []
        AlertBuilder.flatten(event, prefix: "", into: &leaves)
        var byName: [String: [JSONValue]] = [:]
        for (name, value) in leaves { byName[name, default: []].append(value) }
        let order = byName.keys.filter { !ESQLResultColumns.metadataFields.contains($0) }.sorted()
        // KEEP's precedence (ES|QL docs): a whole name over a partial wildcard over `*`, the
        // rightmost pattern on a tie; columns in their owning patterns' order.
        var selected = keep == nil ? order : []
        if let keep {
            var owner: [String: Int] = [:]
            func rank(_ pattern: String) -> Int { pattern == "*" ? 0 : pattern.contains("*") ? 1 : 2 }
            for (index, pattern) in keep.enumerated() where !ESQLResultColumns.metadataFields.contains(pattern) {
                let matcher = WildcardPattern(pattern, caseInsensitive: false, questionMarkIsWildcard: false)
                for name in pattern.contains("*") ? order.filter({ matcher.matches($0) }) : [pattern] {
                    if let current = owner[name], rank(keep[current]) > rank(pattern) { continue }
                    owner[name] = index
                }
            }
            for index in keep.indices {
                let pattern = keep[index]
                let names = pattern.contains("*") ? order : [pattern]
                selected += names.filter { owner[$0] == index }
            }
        }
        let drops = drop.map { WildcardPattern($0, caseInsensitive: false, questionMarkIsWildcard: false) }
        selected.removeAll { name in drops.contains { $0.matches(name) } }
        return selected.map { name in
            let values = byName[name] ?? []
            return (name, values.isEmpty ? .null : values.count == 1 ? values[0] : .array(values))
        }
    }

    func render(_ columns: [(key: String, value: JSONValue)]) -> String {
        columns.map { column in
            var out = JSONWriter()
            column.value.write(to: &out)
            return column.key + "=" + String(decoding: out.bytes, as: UTF8.self)
        }.joined(separator: " ")
    }

    let events = [
        #"{"@timestamp":"t","cloud":{"account":{"id":"1"},"region":"r"},"event.action":"A","user":{"name":"u","target.name":"v"},"source":{"geo":{"city_name":"c","location":{"lat":1.5,"lon":2}},"ip":"1.2.3.4"}}"#,
        #"{"a.b":1,"a":{"b":2,"c":null},"tags":["x",["y"],null],"objs":[{"k":1},{"k":"2"},{"j":3}],"o":{"p":{}},"_id":"own","_index":"theirs"}"#,
        #"{"user":{"name":["p","q"]},"n":null,"deep":{"x.y":{"z":true}},"deep.x":{"y.z":false},"source.geo.region_name":"R"}"#,
    ]
    let keeps: [[String]?] = [
        nil,
        ["@timestamp", "cloud.account.id", "cloud.region", "event.action", "user.name", "user.target.name", "missing", "source.geo.*", "_id", "_version", "_index"],
        ["a.b", "a.c", "a", "tags", "objs.k", "objs.j", "o", "o.p", "a.b", "*.k", "_*"],
        ["deep.x.y.z", "deep", "user.*", "n", "*", "_id"],
    ]

    @Test(arguments: [[], ["_id", "_index", "_version"]])
    func columnsMatchTheReferenceDefinition(metadata: [String]) throws {
        for text in events {
            let event = try JSONValue.parse(Array(text.utf8))
            for keep in keeps {
                for drop in [[], ["user.*", "a.b", "_version"]] {
                    let steps: [ESQLColumnStep] = (keep.map { [.keep($0)] } ?? []) + [.drop(drop)]
                    let pipeline = ESQLPipeline(stages: [], slotCount: 0, columns: steps, expandedSlots: [], metadata: metadata)
                    let got = AlertBuilder.resultColumns(pipeline, event: event, row: []).map { (key: $0.name, value: $0.value) }
                    let want = Self.reference(event: event, keep: keep, drop: drop)
                    #expect(render(got) == render(want), "\(text) keep \(keep ?? []) drop \(drop)")
                }
            }
        }
    }
}

/// A sequence's shell alert holds the fields all its events share: a list keeps the values every
/// event holds, in the first event's order (found by hashing, so lists of tens of thousands of
/// values stay linear: two such events took 4.7 s before).
@Suite struct SequenceSharedFieldsTests {
    @Test func listsKeepTheValuesEveryEventHolds() throws {
        let big = (0..<50_000).map { JSONValue.string("t\($0)") }
        let events = [
            JSONValue.object([("host", .object([("id", .string("h1"))])), ("tags", .array([.string("a"), .string("b"), .string("c")])),
                              ("big", .array(big)), ("n", .number("1"))]),
            JSONValue.object([("host.id", .string("h1")), ("tags", .array([.string("c"), .string("a")])),
                              ("big", .array(big.reversed())), ("n", .number("2"))]),
            JSONValue.object([("host", .object([("id", .string("h1"))])), ("tags", .string("a")), ("big", .array(big))]),
        ]
        let shared = AlertBuilder.sharedLeaves(events)
        #expect(shared.map(\.key) == ["host.id", "tags", "big"])
        #expect(shared.first { $0.key == "tags" }?.value == .array([.string("a")]))
        #expect(shared.first { $0.key == "big" }?.value == .array(big))
    }
}
