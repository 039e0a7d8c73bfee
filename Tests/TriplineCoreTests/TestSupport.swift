import Foundation
@testable import TriplineCore

/// The package root, for reading the bundled rules and samples.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The two seed rules alone (`rules/` bundles them with every other rule).
func seedRules() -> RuleSet {
    RuleSet.load(paths: [packageRoot.appendingPathComponent("samples/seed-rules").path])
}

/// Frames, extracts and evaluates lines against a rule set; returns rule ids that match each line.
func evaluate(_ lines: [String], with ruleSet: RuleSet, defaultIndex: String? = nil, prefilter: Bool = false) -> [[String]] {
    var framer = LineFramer(source: "test")
    var outputs: [FramedOutput] = []
    let text = lines.joined(separator: "\n") + "\n"
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
    outputs += framer.finish(.endOfFile)
    let literalPrefilter = prefilter ? LiteralPrefilter(rules: ruleSet.rules, defaultIndex: defaultIndex) : nil
    var extractor = Extractor(plan: ruleSet.plan, prefilter: literalPrefilter)
    var evaluator = RuleEvaluator(ruleSet: ruleSet, defaultIndex: defaultIndex, prefilter: literalPrefilter)
    var result = [[String]](repeating: [], count: lines.count)
    for case .batch(let batch) in outputs {
        let (extracted, _) = extractor.extract(batch)
        let valid = (0..<batch.lineCount).filter { extracted.isValid[$0] }
        for match in evaluator.evaluate(extracted, lines: valid) {
            result[match.line].append(ruleSet.rules[match.rule].ruleID)
        }
    }
    return result
}

let esqlSeed = "696015ef-718e-40ff-ac4a-cc2ba88dbeeb"
let eqlSeed = "d0b0f3ed-0b37-44bf-adee-e8cb7de92767"
