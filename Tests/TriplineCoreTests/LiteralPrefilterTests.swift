import Foundation
import Testing
@testable import TriplineCore

/// The prefilter may only skip lines no rule can match: escapes, case, index pieces and default
/// indexes all considered, and prefilter on vs off must give the same matches.
struct LiteralPrefilterTests {
    let rules = seedRules()

    /// Which lines the prefilter lets through, and for which rule ids.
    func passing(_ lines: [String], defaultIndex: String? = nil, rules: RuleSet? = nil) -> [[String]] {
        let rules = rules ?? self.rules
        let prefilter = LiteralPrefilter(rules: rules.rules, defaultIndex: defaultIndex)
        var framer = LineFramer(source: "test")
        var bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        var outputs: [FramedOutput] = []
        bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
        outputs += framer.finish(.endOfFile)
        var scratch = LiteralPrefilter.Scratch()
        var result: [[String]] = []
        for case .batch(let batch) in outputs {
            let verdicts = prefilter.scan(batch, scratch: &scratch)
            for line in 0..<batch.lineCount {
                let ids = verdicts.rules[Int(verdicts.ruleStart[line])..<Int(verdicts.ruleStart[line + 1])].map { rules.rules[Int($0)].ruleID }
                #expect(verdicts.passes[line] == !ids.isEmpty)
                result.append(ids.sorted())
            }
        }
        return result
    }

    let cloudtrail = #""data_stream":{"dataset":"aws.cloudtrail","type":"logs","namespace":"default"}"#
    let container = #""data_stream":{"dataset":"cloud_defend.process","type":"logs","namespace":"default"}"#

    @Test func literalsAndIndexPiecesMustBothBeThere() {
        let lines = [
            #"{"event":{"action":"CreateAccessKey"},"# + cloudtrail + "}",
            #"{"event":{"action":"ListUsers"},"# + cloudtrail + "}",
            // The EQL rule's literal, but in a CloudTrail event: not its index, so skipped.
            #"{"userIdentity":{"accessKeyId":"AKIA"},"# + cloudtrail + "}",
            #"{"process":{"args":["cat","/root/.aws/credentials"]},"# + container + "}",
            // The ES|QL literal without its index piece.
            #"{"event":{"action":"CreateAccessKey"}}"#,
        ]
        #expect(passing(lines) == [[esqlSeed], [], [], [eqlSeed], []])
    }

    @Test func aLiteralOfFourBytesOrFewerFiltersByTheIndexAlone() throws {
        let lines = [#"{"_index":"logs-test-default","process":{"name":"bash"}}"#,
                     #"{"process":{"name":"curl"}}"#,
                     #"{"_index":"logs-test-default","process":{"name":"curly"}}"#]
        // "curl" is too common to filter by: every line holding the rule's index piece passes
        // ("logs", of logs-test-*), no other.
        #expect(passing(lines, rules: try eqlRule(#"process where process.name == "curl""#)) == [["r"], [], ["r"]])
        // Five bytes filter: only the line holding them (in the rule's index).
        #expect(passing(lines, rules: try eqlRule(#"process where process.name == "curly""#)) == [[], [], ["r"]])
    }

    @Test func escapesCannotHideALiteral() {
        let lines = [
            #"{"event":{"action":"Cre\u0061teAccessKey"},"# + cloudtrail + "}",
            #"{"event":{"action":"CreateAcc\u0065ssKey"},"data_stream":{"dataset":"aws.cloud\u0074rail"}}"#,
            #"{"process":{"args":["cat","/root/.aws\/credentials"]},"# + container + "}",
            #"{"process":{"args":["env AWS_\u0053ESSION_TOKEN"]},"# + container + "}",
            // An escaped backslash followed by "u0061": not an escape of 'a'.
            #"{"event":{"action":"Cre\\u0061teAccessKey"},"# + cloudtrail + "}",
        ]
        #expect(passing(lines) == [[esqlSeed], [esqlSeed], [eqlSeed], [eqlSeed], []])
    }

    @Test func caseInsensitiveSearchIsASupersetForBothLanguages() {
        // ES|QL's == is case-sensitive: the line passes (a superset) and the evaluator rejects it.
        let line = #"{"event":{"action":"createaccesskey"},"# + cloudtrail + "}"
        #expect(passing([line]) == [[esqlSeed]])
        #expect(evaluate([line], with: rules, prefilter: true) == [[]])
    }

    @Test func aDefaultIndexDropsTheIndexPiece() {
        // Events without index fields take --index; a rule reading that index needs no index piece.
        let line = #"{"event":{"action":"CreateAccessKey"}}"#
        #expect(passing([line], defaultIndex: "logs-aws.cloudtrail-default") == [[esqlSeed]])
        #expect(passing([line], defaultIndex: "logs-nginx.access-default") == [[]])
    }

    @Test func prefilterOnAndOffGiveTheSameMatchesOnTheSample() throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("samples/seed-events.ndjson"))
        // Line 50 holds invalid UTF-8 on purpose; String(decoding:) keeps the rest of the lines intact.
        let lines = data.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        let off = evaluate(lines, with: rules, prefilter: false)
        let on = evaluate(lines, with: rules, prefilter: true)
        #expect(on == off)
        // Lines 49 and 50 are rejected when read from the file (duplicate key, invalid UTF-8);
        // the other 48 hold the sample's 13 expected alerts.
        #expect(off.prefix(48).joined().count == 13)
    }

    @Test func indexPatternsPublishDashFreePieces() {
        #expect(IndexPatternSet(["logs-cloud_defend*"]).requiredLiterals == [Array("cloud_defend".utf8)])
        #expect(IndexPatternSet(["logs-aws.cloudtrail-*", "filebeat-*"]).requiredLiterals == [Array("aws.cloudtrail".utf8), Array("filebeat".utf8)])
        // A pattern with no piece of 4 bytes or more gives no requirement at all.
        #expect(IndexPatternSet(["*", "logs-aws.cloudtrail-*"]).requiredLiterals == nil)
    }
    @Test func aRuleWithoutASoundLiteralIsLimitedToItsIndex() throws {
        func rule(_ id: String, _ query: String) throws -> RuleDefinition {
            let toml = "[rule]\nrule_id = \"\(id)\"\nname = \"\(id)\"\ntype = \"eql\"\nlanguage = \"eql\"\n"
                + "index = [\"logs-endpoint.events.*\"]\nquery = '''\n\(query)\n'''\n"
            return try RuleDefinition.parse(toml: toml, file: "\(id).toml")
        }
        // No literal at all, and a literal too short to filter by ("/" is on nearly every line).
        let set = RuleSet(definitions: [try rule("numeric", "any where process.pid > 5"),
                                        try rule("short", #"any where process.working_directory == "/""#)])
        let prefilter = LiteralPrefilter(rules: set.rules)
        #expect(prefilter.unfiltered == [false, false])
        let endpoint = #""data_stream":{"dataset":"endpoint.events.process","type":"logs","namespace":"default"}"#
        let lines = [#"{"process":{"pid":7,"working_directory":"/"},"# + endpoint + "}",
                     #"{"process":{"pid":7,"working_directory":"/"},"# + cloudtrail + "}"]
        #expect(evaluate(lines, with: set, prefilter: true) == [["numeric", "short"], []])
        #expect(evaluate(lines, with: set, prefilter: false) == [["numeric", "short"], []])
        #expect(passing(lines, rules: set) == [["numeric", "short"], []])
    }
}
