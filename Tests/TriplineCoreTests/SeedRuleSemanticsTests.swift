import Testing
@testable import TriplineCore

/// The two seed rules, evaluated exactly as Elasticsearch would: hits and near misses.
@Suite struct SeedRuleSemanticsTests {
    let rules = seedRules()

    func createAccessKey(user: String = #""Alice""#, target: String? = #""Bob""#, action: String = "CreateAccessKey",
                         outcome: String = "success", dataset: String = "aws.cloudtrail", extra: String = "") -> String {
        let targetPart = target.map { #","target":{"name":\#($0)}"# } ?? ""
        return #"{"@timestamp":"2020-01-08T20:43:06.000Z",\#(extra)"data_stream":{"type":"logs","dataset":"\#(dataset)","namespace":"default"},"event":{"provider":"iam.amazonaws.com","action":"\#(action)","outcome":"\#(outcome)"},"user":{"name":\#(user)\#(targetPart)}}"#
    }

    @Test func esqlRuleHitsAndNearMisses() {
        let lines = [
            createAccessKey(),                                   // hit
            createAccessKey(target: #""Alice""#),                // same user as target
            createAccessKey(target: nil),                        // missing target: null comparison drops the row
            createAccessKey(action: "CreateAccessKeyX"),
            createAccessKey(action: "createaccesskey"),          // == is case-sensitive
            createAccessKey(outcome: "Success"),
            createAccessKey(target: #"["Bob","Carol"]"#),        // multi-valued operand: null
            createAccessKey(dataset: "aws.other"),               // outside logs-aws.cloudtrail-*
            createAccessKey(extra: #""_index":"logs-other-default","#), // _index wins over data_stream
            createAccessKey(action: #"Create\u0041ccessKey"#),   // escapes decode: hit
            #"{"data_stream.type":"logs","data_stream.dataset":"aws.cloudtrail","data_stream.namespace":"default","event.provider":"iam.amazonaws.com","event.action":"CreateAccessKey","event.outcome":"success","user.name":"Alice","user":{"target.name":"Bob"}}"#, // dotted keys: hit
        ]
        let matches = evaluate(lines, with: rules).map { $0.contains(esqlSeed) }
        #expect(matches == [true, false, false, false, false, false, false, false, false, true, true])
    }

    func process(name: String, args: String, type: String = #"["start"]"#, module: String = "cloud_defend",
                 category: String = #"["process"]"#, dataset: String = "cloud_defend.process") -> String {
        #"{"data_stream":{"type":"logs","dataset":"\#(dataset)","namespace":"default"},"event":{"module":"\#(module)","category":\#(category),"type":\#(type)},"process":{"name":"\#(name)","args":\#(args)}}"#
    }

    @Test func eqlRuleHitsAndNearMisses() {
        let lines = [
            process(name: "grep", args: #"["grep","-r","aws_access_key_id","/"]"#),        // hit
            process(name: "GREP", args: #"["GREP","AWS_SECRET_ACCESS_KEY"]"#),              // ':' is case-insensitive: hit
            process(name: "sh", args: #"["sh -c 'grep aws_access_key_id ~/.aws'"]"#),       // one argument: no tool name matches
            process(name: "sh", args: #"["sh","-c","grep","aws_session_token"]"#),          // tool as its own argument: hit
            process(name: "grep", args: #"["grep","password"]"#),                            // no credential pattern
            process(name: "grep", args: #"["grep","aws_access_key_id"]"#, type: #"["end"]"#), // event.type end
            process(name: "grep", args: #"["grep","aws_access_key_id"]"#, type: #"["START"]"#), // == is case-sensitive
            process(name: "find", args: #"["find","/","-path","*.AWS\/Credentials*"]"#),   // wildcard, escaped slash: hit
            process(name: "grep", args: #"["grep","aws_access_key_id"]"#, module: "cloud_defend_x"),
            process(name: "grep", args: #"["grep","aws_access_key_id"]"#, category: #"["file"]"#), // process where
            process(name: "grep", args: #"["grep","aws_access_key_id"]"#, category: #"["file","process"]"#), // any value: hit
            process(name: "grep", args: #"["grep","aws_access_key_id"]"#, dataset: "endpoint.events.process"), // other index
        ]
        let matches = evaluate(lines, with: rules).map { $0.contains(eqlSeed) }
        #expect(matches == [true, true, false, true, false, false, false, true, false, false, true, false])
    }

    @Test func eventsWithoutAnIndexMeetNoRuleUnlessADefaultIsGiven() {
        let line = #"{"event":{"module":"cloud_defend","category":"process","type":"start"},"process":{"name":"grep","args":["grep","aws_access_key_id"]}}"#
        #expect(evaluate([line], with: rules) == [[]])
        #expect(evaluate([line], with: rules, defaultIndex: "logs-cloud_defend.process-default") == [[eqlSeed]])
    }
}

@Suite struct CaseFoldingTests {
    @Test func onlyASCIILettersFoldAsInElasticsearch() {
        let rules = seedRules()
        let kelvin = #"{"data_stream":{"type":"logs","dataset":"cloud_defend.process","namespace":"default"},"event":{"module":"cloud_defend","category":["process"],"type":["start"]},"process":{"name":"grep","args":["grep","access_\u212Aey"]}}"#
        let ascii = kelvin.replacingOccurrences(of: #"\u212A"#, with: "K")
        #expect(evaluate([kelvin, ascii], with: rules) == [[], [eqlSeed]])
    }
}
