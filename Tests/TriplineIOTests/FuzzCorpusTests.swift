import Foundation
import Testing

/// The fuzz targets' seed corpus (Fuzz/Corpus), replayed through the same fuzz functions
/// libFuzzer calls (scripts/fuzz), by the normal build's replayers: every seed must hold every
/// invariant the targets check, and the entry points must keep building and running.
@Suite struct FuzzCorpusTests {
    /// A replayer built beside the test bundle (the test target depends on them).
    func replayer(_ name: String) -> String {
        let beside = Bundle.main.bundleURL.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/\(name)").path
    }

    @Test(arguments: ["EQLParser", "Regex", "JSONLine", "LineValidator", "Grok"])
    func seedCorpusHoldsEveryInvariant(target: String) throws {
        let corpus = packageRoot.appendingPathComponent("Fuzz/Corpus/\(target)").path
        let seeds = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { !$0.hasPrefix(".") }
        #expect(seeds.count >= 20, "\(corpus) holds \(seeds.count) seeds")
        // -v names each input on stderr before it runs: the last one named is the one that failed.
        let result = try run(replayer("Fuzz\(target)"), ["-v", corpus])
        let stdout = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "Fuzz\(target) stopped (status \(result.status)):\n\(result.stderr.suffix(6000))")
        #expect(stdout.contains("replayed \(seeds.count) inputs"), "\(stdout)")
        func tally(_ counter: String) -> Int {
            stdout.components(separatedBy: "\(counter) ").dropFirst().first.flatMap { Int($0.prefix(while: \.isNumber)) } ?? 0
        }
        switch target {
        case "Regex", "Grok": break
        case "LineValidator":
            // The seeds reach both verdicts, and the compact check passes some lines by itself.
            #expect(tally("accepted") > 0 && tally("refused") > 0 && tally("compact") > 0, "\(stdout)")
        default:
            // The seeds reach the rules: some events match, so the prefilter check compares something.
            #expect(tally("matches") > 0, "\(stdout)")
        }
    }
}
