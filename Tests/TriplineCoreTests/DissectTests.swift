import Testing
@testable import TriplineCore

/// ES|QL DISSECT with Elasticsearch's dissect semantics: cases from dissect.csv-spec (checked
/// by hand) and the rule set's patterns on CloudTrail request_parameters text.
@Suite struct DissectTests {
    static func run(_ pattern: String, _ input: String, separator: String = "") throws -> [String: String]? {
        let dissect = try DissectPattern(pattern, appendSeparator: separator)
        guard let values = dissect.match(Array(input.utf8)) else { return nil }
        var out: [String: String] = [:]
        for (name, value) in zip(dissect.columns, values) {
            guard case .keyword(let bytes) = value else { Issue.record("\(name) is \(value)"); continue }
            out[name] = String(decoding: bytes, as: UTF8.self)
        }
        return out
    }

    @Test func csvSpecCases() throws {
        #expect(try Self.run("%{b} %{c}", "foo bar") == ["b": "foo", "c": "bar"])
        #expect(try Self.run("%{b} %{c} baz", "foo bar") == nil)
        #expect(try Self.run("%{?} %{last_name}", "Georgi Facello") == ["last_name": "Facello"])
        #expect(try Self.run("%{Y}-%{M}-%{D}T%{h}:%{m}:%{s}Z - %{msg} - %{ip};", "1953-01-23T12:15:00Z - some text - 127.0.0.1;")
                == ["Y": "1953", "M": "01", "D": "23", "h": "12", "m": "15", "s": "00", "msg": "some text", "ip": "127.0.0.1"])
        #expect(try Self.run("%{+b} %{c} %{+b} %{d} %{+b}", "foo 1 bar 2 baz") == ["b": "foobarbaz", "c": "1", "d": "2"])
        #expect(try Self.run("%{+b/3} %{c} %{+b/2} %{d} %{+b/1}", "foo 1 bar 2 baz") == ["b": "bazbarfoo", "c": "1", "d": "2"])
        #expect(try Self.run("%{+b} %{c} %{+b} %{d} %{+b}", "foo 1 bar 2 baz", separator: ",") == ["b": "foo,bar,baz", "c": "1", "d": "2"])
        #expect(try Self.run("%{b} %{?c} %{d}", "foo bar baz") == ["b": "foo", "d": "baz"])
        #expect(try Self.run("%{b->} %{c}", "foo           bar") == ["b": "foo", "c": "bar"])
        #expect(try Self.run("Ge%{emp_no}gi", "Georgi") == ["emp_no": "or"])
        #expect(try Self.run("Connected to %{server_ip}", "Connected to 10.1.0.1") == ["server_ip": "10.1.0.1"])
        #expect(try Self.run("Connected to %{server_ip}", "Disconnected from 10.1.0.1") == nil)
        #expect(try Self.run("%{b} %{} %{d}", "b c d") == ["b": "b", "d": "d"])
        #expect(try Self.run("%{b} %{} %{} %{e}", "b c d e") == ["b": "b", "e": "e"])
        #expect(try Self.run("%{} %{b} %{} %{d}", "x b c d") == ["b": "b", "d": "d"])
        #expect(try Self.run("%{b} %{} %{d} %{}", "b c d x") == ["b": "b", "d": "d"])
        #expect(try DissectPattern("%{b} %{?c} %{d}").columns == ["b", "d"])
    }

    @Test func delimiterRules() throws {
        // Consecutive delimiters give empty values; the last key takes the rest.
        #expect(try Self.run("%{a},%{b},%{c},%{d}", "foo,,,") == ["a": "foo", "b": "", "c": "", "d": ""])
        #expect(try Self.run("%{a->},%{b}", "foo,,,,,,bar") == ["a": "foo", "b": "bar"])
        #expect(try Self.run("%{a} %{b}", "one two three") == ["a": "one", "b": "two three"])
        // A delimiter that never comes: no match. An empty input never matches.
        #expect(try Self.run("%{a}:%{b}", "no colon") == nil)
        #expect(try Self.run("%{a}", "") == nil)
        #expect(try Self.run("%{a}", "x") == ["a": "x"])
        #expect(try Self.run("[%{a}]", "[x]") == ["a": "x"])
        #expect(try Self.run("[%{a}]", "x]") == nil)
        #expect(try Self.run("%{a} %{a}", "x y") == ["a": "y"])  // the later value wins
        #expect(try Self.run("%{a}é%{b}", "1é2") == ["a": "1", "b": "2"])
    }

    @Test func invalidPatterns() {
        for pattern in ["", " ", "no fields", "%{}", "%{?a}", "%{*a} %{&a}", "%{+a/x}", "%{a?+b}", "%{+}"] {
            #expect(throws: RegexError.self, "\(pattern)") { try DissectPattern(pattern) }
        }
        #expect((try? DissectPattern("%{*a} %{&a}")) == nil)
    }

    // MARK: The rule set's patterns

    @Test func s3ObjectEncryptionWithExternalKey() throws {
        let pattern = "{%{?bucketName}=%{Esql.aws_cloudtrail_request_parameters_target_bucket_name},%{?x-amz-server-side-encryption-aws-kms-key-id}=%{?arn}:%{?aws}:%{?kms}:%{?region}:%{Esql.aws_cloudtrail_request_parameters_kms_key_account_id}:%{?key}/%{Esql.aws_cloudtrail_request_parameters_kms_key_id},%{?Host}=%{?tls.client.server.name},%{?x-amz-server-side-encryption}=%{?server_side_encryption},%{?x-amz-copy-source}=%{?bucket.object.name},%{?key}=%{Esql.aws_cloudtrail_request_parameters_target_object_key}}"
        let dissect = try DissectPattern(pattern)
        #expect(dissect.columns == ["Esql.aws_cloudtrail_request_parameters_target_bucket_name",
                                    "Esql.aws_cloudtrail_request_parameters_kms_key_account_id",
                                    "Esql.aws_cloudtrail_request_parameters_kms_key_id",
                                    "Esql.aws_cloudtrail_request_parameters_target_object_key"])
        let input = "{bucketName=prod-data, x-amz-server-side-encryption-aws-kms-key-id=arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab, Host=prod-data.s3.us-east-1.amazonaws.com, x-amz-server-side-encryption=aws:kms, x-amz-copy-source=prod-data/reports/q1.csv, key=reports/q1.csv}"
        #expect(try Self.run(pattern, input) == [
            "Esql.aws_cloudtrail_request_parameters_target_bucket_name": "prod-data",
            "Esql.aws_cloudtrail_request_parameters_kms_key_account_id": "999988887777",
            "Esql.aws_cloudtrail_request_parameters_kms_key_id": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "Esql.aws_cloudtrail_request_parameters_target_object_key": "reports/q1.csv",
        ])
        // Without the KMS key parameter the delimiters run out: no match.
        #expect(try Self.run(pattern, "{bucketName=prod-data, Host=prod-data.s3.amazonaws.com, key=a.csv}") == nil)
    }

    @Test func s3StaticSiteJavaScriptUpload() throws {
        // `%{{?bucket.name.key}` is the key "{?bucket.name.key": a `?` anywhere makes a named skip.
        let pattern = "%{{?bucket.name.key}=%{Esql.aws_cloudtrail_request_parameters_bucket_name}, %{?host.key}=%{Esql_priv.aws_cloudtrail_request_parameters_host}, %{?bucket.object.location.key}=%{Esql.aws_cloudtrail_request_parameters_bucket_object_location}}"
        let input = "{bucketName=company-site, Host=company-site.s3.us-east-1.amazonaws.com, key=static/js/main.3f2a1b.js}"
        #expect(try Self.run(pattern, input) == [
            "Esql.aws_cloudtrail_request_parameters_bucket_name": "company-site",
            "Esql_priv.aws_cloudtrail_request_parameters_host": "company-site.s3.us-east-1.amazonaws.com",
            "Esql.aws_cloudtrail_request_parameters_bucket_object_location": "static/js/main.3f2a1b.js",
        ])
        let objectKey = "%{}static/js/%{Esql.aws_cloudtrail_request_parameters_object_key}"
        #expect(try Self.run(objectKey, "static/js/main.3f2a1b.js") == ["Esql.aws_cloudtrail_request_parameters_object_key": "main.3f2a1b.js"])
        #expect(try Self.run(objectKey, "assets/static/js/app.js") == ["Esql.aws_cloudtrail_request_parameters_object_key": "app.js"])
        #expect(try Self.run(objectKey, "static/css/site.css") == nil)
    }

    @Test func otherRulePatterns() throws {
        #expect(try Self.run(#"verdict=%{Esql.verdict} confidence=%{Esql.confidence} summary=%{Esql.summary}"#,
                             "verdict=TP confidence=0.9 summary=Curl to a raw IP, then executed.")
                == ["Esql.verdict": "TP", "Esql.confidence": "0.9", "Esql.summary": "Curl to a raw IP, then executed."])
        #expect(try Self.run("%{}commandId=%{Esql.aws_cloudtrail_response_elements_ssm_command_id},%{}",
                             "{command={commandId=0b1c2d3e-aaaa-bbbb-cccc-1234567890ab, documentName=AWS-RunShellScript}}")
                == ["Esql.aws_cloudtrail_response_elements_ssm_command_id": "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab"])
        #expect(try Self.run("%{}\"Issuer\":\"%{Esql.external_idp_new_issuer}\"%{}", #"[{"Audiences":["x"],"Issuer":"https://evil.example/","Name":"f"}]"#)
                == ["Esql.external_idp_new_issuer": "https://evil.example/"])
    }
}
