import Foundation
import TestScratch
import Testing
@testable import TriplineCore

@Suite struct RuleSetLoadingTests {
    /// `load` compiles each rule as soon as another thread has parsed it; what it gives must not
    /// depend on which file was parsed first: the same rules, errors and field numbering, in the
    /// same order, as parsing everything and then compiling in file order.
    @Test func compilingWhileParsingGivesWhatParsingThenCompilingGives() throws {
        let folder = ScratchFolder.make("rules")
        let seeds = packageRoot.appendingPathComponent("samples/seed-rules").path
        let texts = try ["credential_access_aws_creds_search_inside_a_container.toml", "persistence_iam_user_created_access_keys_for_another_user.toml"]
            .map { try String(contentsOfFile: seeds + "/" + $0, encoding: .utf8) }
        for copy in 0..<60 {
            let text = texts[copy % 2].replacingOccurrences(
                of: #"rule_id = "[^"]*""#, with: #"rule_id = "copy-\#(copy)""#, options: .regularExpression)
            try text.write(toFile: folder + String(format: "/rule-%03d.toml", copy), atomically: true, encoding: .utf8)
        }
        try "this is = not [valid toml".write(toFile: folder + "/rule-010-broken.toml", atomically: true, encoding: .utf8)
        // The seed's own rule_id twice: the second is refused as a duplicate.
        try texts[0].write(toFile: folder + "/rule-020-seed-id.toml", atomically: true, encoding: .utf8)
        try texts[0].write(toFile: folder + "/rule-021-same-id.toml", atomically: true, encoding: .utf8)
        try "[rule]\nrule_id = \"bad-query\"\nlanguage = \"eql\"\ntype = \"eql\"\nquery = \"process where (\"\n"
            .write(toFile: folder + "/rule-030-bad-query.toml", atomically: true, encoding: .utf8)
        let paths = [folder, folder + "/missing"]

        let loaded = RuleSet.load(paths: paths)
        let (definitions, loadErrors) = RuleSet.loadDefinitions(paths: paths)
        let sequential = RuleSet(definitions: definitions, loadErrors: loadErrors)

        #expect(loaded.rules.count == 61)
        #expect(loaded.rules.map(\.definition.file) == sequential.rules.map(\.definition.file))
        #expect(loaded.errors.map(\.description) == sequential.errors.map(\.description))
        #expect(loaded.errors.count == 4, "the missing path, the broken file, the duplicate id, the bad query: \(loaded.errors)")
        #expect(loaded.errors.first?.description.contains("no such file or folder") == true)
        #expect(loaded.plan.paths == sequential.plan.paths)
    }
}
