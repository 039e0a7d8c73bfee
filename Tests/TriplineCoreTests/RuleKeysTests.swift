import Testing
@testable import TriplineCore

/// Rules skipped by a hash lookup of their own equality tests: never where the condition could
/// hold (escapes, case folding, numbers in keyword fields, several values, `or` branches), and
/// actually skipping where it cannot.
@Suite struct RuleKeysTests {
    /// The rule's condition and its keys in a one-rule set.
    private func keys(_ query: String) throws -> (predicate: Predicate, keys: [RuleKeys.Clause]?, paths: [String]) {
        let rules = try eqlRule(query)
        let paths = rules.plan.paths
        let predicate = rules.rules[0].predicate
        return (predicate, RuleKeys.keys(of: predicate, isCoarse: { Predicate.coarseFields.contains(paths[$0]) }), paths)
    }

    @Test func aConditionIsKeyedByEachSelectiveEqualityConjunct() throws {
        let found = try keys(#"process where event.type == "start" and process.name : ("Cmd.exe", "powershell.exe") and process.args == "-enc""#)
        // Both selective tests, the one with fewer literals first, then a coarse one (event.type, event.category).
        let clauses = try #require(found.keys)
        #expect(clauses.count == RuleKeys.clauseLimit && clauses.allSatisfy { $0.count == 1 })
        #expect(clauses[2][0].isCoarse && !clauses[0][0].isCoarse && !clauses[1][0].isCoarse)
        #expect(found.paths[clauses[0][0].field] == "process.args" && clauses[0][0].literals == [Array("-enc".utf8)] && !clauses[0][0].caseInsensitive)
        #expect(found.paths[clauses[1][0].field] == "process.name")
        #expect(clauses[1][0].literals == [Array("cmd.exe".utf8), Array("powershell.exe".utf8)])
        #expect(clauses[1][0].caseInsensitive)
        // Only coarse tests: still sound, and cheap to look up.
        let coarse = try keys(#"process where event.type == "start" and host.os.type == "linux""#)
        #expect(coarse.keys?.count == 3 && coarse.keys?.allSatisfy { $0[0].isCoarse } == true)
        // At most `clauseLimit` clauses, the most selective.
        let many = try keys(#"any where a.b == "p" and c.d == "q" and e.f in ("r", "s") and g.h in ("t", "u", "v") and i.j == "w""#)
        #expect(many.keys?.count == RuleKeys.clauseLimit)
        #expect(many.keys?.map { $0[0].literals.count } == [1, 1, 1])
    }

    @Test func conditionsWithoutASoundKeyHaveNone() throws {
        // A wildcard, a negation, a typed field, an `or` with one unkeyed branch.
        for query in [#"any where process.name : "cmd*""#, #"any where process.name != "cmd.exe""#,
                      #"any where not process.name == "cmd.exe""#, "any where destination.port > 443", "any where custom.ratio == 0.5",
                      #"any where process.name == "a" or process.args : "*x*""#] {
            #expect(try keys(query).keys == nil, "\(query)")
        }
        // `process where` is `event.category == "process"` and: a coarse key, still sound.
        #expect(try keys(#"process where process.name : "cmd*""#).keys?.first?.first?.isCoarse == true)
        // An `or`: a clause takes a key of each branch (its i-th most selective, or its last), any of which may hit.
        let branches = try keys(#"any where (process.name == "a" and user.name in ("x", "y")) or file.name == "b""#)
        #expect(branches.keys?.count == 2)
        #expect(branches.keys?.first?.map { branches.paths[$0.field] }.sorted() == ["file.name", "process.name"])
        #expect(branches.keys?.last?.map { branches.paths[$0.field] }.sorted() == ["file.name", "user.name"])
    }

    @Test func theLookupNeverSkipsAnEventTheConditionMatches() throws {
        // Escapes decoded, case folded, several values, a number in a keyword field, a string in a dynamic one.
        #expect(try matching(#"process where process.name : "cmd.exe""#, [#""event":{"category":"process"},"process":{"name":"C\u004dD.exe"}"#,
                                                                           #""event":{"category":"process"},"process":{"name":"cmdx.exe"}"#]) == [true, false])
        #expect(try matching(#"process where process.args == "-enc""#, [#""event":{"category":"process"},"process":{"args":["x","-enc"]}"#,
                                                                         #""event":{"category":"process"},"process":{"args":["x","-ENC"]}"#]) == [true, false])
        #expect(try matching(#"any where process.args == "5""#, [#""process":{"args":[5]}"#, #""process":{"args":[6]}"#]) == [true, false])
        #expect(try matching(#"any where custom.thing == "v" and custom.other == "w""#,
                             [#""custom":{"thing":"v","other":"w"}"#, #""custom":{"thing":"v","other":"x"}"#]) == [true, false])
        // Longer than a hashed word: the tail and the length count.
        #expect(try matching(#"any where process.name in ("powershell.exe", "powershell.ex", "powershe")"#,
                             [#""process":{"name":"powershell.ex"}"#, #""process":{"name":"powershell.exf"}"#, #""process":{"name":"powershell.exe\u0000"}"#,
                              #""process":{"name":"powershe"}"#, #""process":{"name":"powershel"}"#]) == [true, false, false, true, false])
        // Only a value of a literal's length is looked up: lengths past 255 bytes share one flag.
        let long = String(repeating: "x", count: 300), longer = String(repeating: "x", count: 301)
        #expect(try matching(#"any where process.name in (""# + long + #"", "ab")"#,
                             [#""process":{"name":""# + long + #""}"#, #""process":{"name":""# + longer + #""}"#,
                              #""process":{"name":"ab"}"#, #""process":{"name":"abc"}"#]) == [true, false, true, false])
        #expect(try matching(#"any where process.name : "ab""#, [#""process":{"name":"AB"}"#, #""process":{"name":"AB"}"#,
                                                                 #""process":{"name":"ABC"}"#]) == [true, true, false])
        #expect(try matching(#"any where process.name == "a" or file.name == "b""#,
                             [#""file":{"name":"b"}"#, #""process":{"name":"a"}"#, #""file":{"name":"a"}"#]) == [true, true, false])
    }

    @Test func numbersAndBooleansAreKeyedByTheirValue() throws {
        let port = try keys("any where destination.port == 443")
        #expect(port.keys?.first?.first?.reading == .typed(.long) && port.keys?.first?.first?.literals == [Array("443".utf8)])
        #expect(RuleKeys.numberKey(.double(443.0)) == Array("443".utf8))
        for n: Int64 in [0, -42, .min, .max] { #expect(RuleKeys.numberKey(.long(n)) == Array(String(n).utf8)) }
        #expect(RuleKeys.numberKey(.double(443.5)) == nil && RuleKeys.numberKey(.double(1e19)) == nil)
        #expect(RuleKeys.numberKey(.unsignedLong(.max)) == nil)
        // A long field: "443", 443.0 and "443.9" (coerced) are 443; 444 is not.
        #expect(try matching("any where destination.port == 443",
                             [#""destination":{"port":"443"}"#, #""destination":{"port":443.0}"#, #""destination":{"port":"443.9"}"#,
                              #""destination":{"port":444}"#, #""destination":{"port":[1,443]}"#]) == [true, true, true, false, true])
        // Unmapped: a number equals the literal by value, a string by its text.
        #expect(try matching("any where custom.prediction == 1",
                             [#""custom":{"prediction":1}"#, #""custom":{"prediction":1.0}"#, #""custom":{"prediction":"1"}"#,
                              #""custom":{"prediction":"1.0"}"#, #""custom":{"prediction":2}"#]) == [true, true, true, false, false])
        #expect(try matching("any where custom.flag == true", [#""custom":{"flag":true}"#, #""custom":{"flag":false}"#, #""custom":{"flag":"true"}"#])
                == [true, false, true])
        // A long never equals 9007199254740992.0 unless it is that number.
        #expect(try matching("any where process.pid == 9007199254740993",
                             [#""process":{"pid":9007199254740993}"#, #""process":{"pid":9007199254740992}"#]) == [true, false])
    }

    @Test func theLookupSkipsConditionsNoValueKeys() throws {
        let rules = try eqlRule(#"process where process.name : ("cmd.exe", "powershell.exe") and process.args : "*-enc*""#)
        let paths = rules.plan.paths
        var gates = RuleGates(conditions: rules.rules.map(\.predicate), isCoarse: { Predicate.coarseFields.contains(paths[$0]) })
        #expect(gates.summary.keyedRules == 1)
        var predicates = PredicateEvaluator()
        let verdicts = [#"{"event":{"category":"process"},"process":{"name":"PowerShell.EXE","args":["-enc"]}}"#,
                        #"{"event":{"category":"process"},"process":{"name":"pwsh.exe","args":["-enc"]}}"#,
                        #"{"event":{"category":"process"},"process":{"name":["x","cmd.exe"]}}"#,
                        #"{"event":{"category":"process"},"process":{"args":["cmd.exe"]}}"#,
                        #"{"event":{"category":"file"},"process":{"name":"cmd.exe"}}"#].map { line in
            withEvent(line, plan: rules.plan) { event in
                gates.nextEvent()
                return gates.allows(0, event, &predicates)
            }
        }
        #expect(verdicts == [true, false, true, false, false])
    }

    /// With two names every clause is small, asked when its condition is (`lazyLimit`); with
    /// five, the names' clause is marked as each name is found.
    @Test(arguments: [#"("apt", "yum")"#, #"("apt", "yum", "dnf", "zypper", "pacman")"#])
    func everyClauseMustHit(names: String) throws {
        // `event.action == "exec"` is on most process events: alone it would let this rule through on each.
        let query = #"process where event.action == "exec" and process.name in "# + names + #" and (process.args == "install" or process.parent.name == "sh")"#
        let rules = try eqlRule(query)
        let paths = rules.plan.paths
        var gates = RuleGates(conditions: rules.rules.map(\.predicate), isCoarse: { Predicate.coarseFields.contains(paths[$0]) })
        var predicates = PredicateEvaluator()
        let events = [#"{"event":{"action":"exec"},"process":{"name":"apt","args":["install"]}}"#,
                      #"{"event":{"action":"exec"},"process":{"name":"yum","args":["x"],"parent":{"name":"sh"}}}"#,
                      #"{"event":{"action":"exec"},"process":{"name":"bash","args":["install"]}}"#,
                      #"{"event":{"action":"exec"},"process":{"name":"apt","args":["remove"]}}"#,
                      #"{"event":{"action":"fork"},"process":{"name":"apt","args":["install"]}}"#]
        let verdicts = events.map { line in
            withEvent(line, plan: rules.plan) { event in
                gates.nextEvent()
                return gates.allows(0, event, &predicates)
            }
        }
        #expect(verdicts == [true, true, false, false, false])
        // And never where the condition holds.
        #expect(try matching(query, events.map { String($0.dropFirst().dropLast()) }.map { #""event.category":"process","# + $0 })
                == [true, true, false, false, false])
    }

    /// The rules of a route worth asking about an event are found from its values: each keyed
    /// rule whose first (most selective) clause one of them holds, plus the unkeyed ones; never
    /// leaving out one its keys allow, and not the rules it lacks keys for or that the route does
    /// not read.
    @Test func theRulesToAskAreFoundFromTheEventsValues() throws {
        let queries = [#"process where process.name : ("cmd.exe", "powershell.exe") and process.args : "*-enc*""#,
                       "any where process.pid > 5",
                       #"any where process.name == "a" or file.name == "b""#,
                       "network where destination.port == 443"]
        let definitions = try queries.enumerated().map { index, query in
            let toml = "[rule]\nrule_id = \"r\(index)\"\nname = \"r\(index)\"\ntype = \"eql\"\nlanguage = \"eql\"\n"
                + "index = [\"logs-test-*\"]\nquery = '''\n\(query)\n'''\n"
            return try RuleDefinition.parse(toml: toml, file: "r\(index).toml")
        }
        let rules = RuleSet(definitions: definitions)
        #expect(rules.errors.isEmpty)
        let paths = rules.plan.paths
        var gates = RuleGates(conditions: rules.rules.map(\.predicate), isCoarse: { Predicate.coarseFields.contains(paths[$0]) })
        var predicates = PredicateEvaluator()
        let everyRule = IndexRouter.Route(rules: [0, 1, 2, 3], reads: [true, true, true, true], id: 1)
        let twoRules = IndexRouter.Route(rules: [0, 1], reads: [true, true, false, false], id: 2)
        let cases: [(line: String, route: IndexRouter.Route, asked: [Int])] = [
            (#"{"event":{"category":"process"},"process":{"name":"CMD.exe","args":["-enc"]}}"#, everyRule, [0, 1]),
            (#"{"event":{"category":"file"},"file":{"name":"b"}}"#, everyRule, [1, 2]),
            (#"{"event":{"category":"network"},"destination":{"port":"443"}}"#, everyRule, [1, 3]),
            (#"{"event":{"category":"network"},"destination":{"port":444},"process":{"name":"A"}}"#, everyRule, [1]),
            (#"{"process":{"name":["x","a"]}}"#, everyRule, [1, 2]),
            (#"{"process":{"name":"a"},"destination":{"port":443}}"#, twoRules, [1]),
        ]
        for (line, route, expected) in cases {
            withEvent(line, plan: rules.plan) { event in
                gates.nextEvent()
                var asked: [Int] = []
                gates.rulesToAsk(of: route, event, into: &asked)
                #expect(asked == expected, "\(line)")
                for rule in route.rules where !asked.contains(rule) {
                    #expect(!gates.allows(rule, event, &predicates), "rule \(rule) left out on \(line)")
                }
            }
        }
    }

    /// A number's key is its shortest decimal text, as the rules' literals are written (the
    /// digits are produced backwards and reversed in place).
    @Test func aNumbersKeyIsItsDecimalText() {
        let cases: [(Value, String?)] = [(.long(0), "0"), (.long(7), "7"), (.long(443), "443"), (.long(-1234), "-1234"),
                                         (.long(.min), "-9223372036854775808"), (.unsignedLong(9_223_372_036_854_775_807), "9223372036854775807"),
                                         (.unsignedLong(.max), nil), (.double(80), "80"), (.double(-12.0), "-12"), (.double(0.5), nil),
                                         (.bool(true), "true"), (.bool(false), "false"), (.keyword(Array("443".utf8)), nil)]
        var key: [UInt8] = Array("left over".utf8)
        for (value, expected) in cases {
            let written = RuleKeys.writeNumberKey(value, into: &key)
            #expect(written == (expected != nil), "\(value)")
            if let expected { #expect(String(decoding: key, as: UTF8.self) == expected, "\(value)") }
        }
    }

    /// The rules asked about an event are sorted in place: the same order as the standard sort,
    /// for short lists (insertion) and long ones.
    @Test func ruleNumbersSortLikeTheStandardSort() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 5, 21, 64, 128, 129, 400] {
            for _ in 0..<20 {
                var rules = (0..<count).map { _ in Int.random(in: 0..<300, using: &generator) }
                let expected = rules.sorted()
                rules.sortRuleNumbers()
                #expect(rules == expected, "\(count) rules")
            }
        }
    }
}

/// Extracts one line's values with the plan and lends its view.
private func withEvent<R>(_ line: String, plan: FieldPlan, _ body: (EventView) -> R) -> R {
    var framer = LineFramer(source: "test")
    var bytes = Array((line + "\n").utf8)
    var outputs: [FramedOutput] = []
    bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
    outputs += framer.finish(.endOfFile)
    var extractor = Extractor(plan: plan, prefilter: nil)
    for case .batch(let batch) in outputs {
        let (extracted, _) = extractor.extract(batch)
        return extracted.batch.withUnsafeBytes { raw in
            extracted.values.withUnsafeBufferPointer { values in
                body(EventView(raw: raw, values: UnsafeBufferPointer(rebasing: values[extracted.valueRange(ofLine: 0)])))
            }
        }
    }
    fatalError("no batch for \(line)")
}
