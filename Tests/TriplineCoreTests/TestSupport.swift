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
    var result = [[String]](repeating: [], count: lines.count)
    evaluateEachLine(lines, with: ruleSet, defaultIndex: defaultIndex, prefilter: prefilter) { line, matches, _ in
        result[line] += matches.map { ruleSet.rules[$0.rule].ruleID }
    }
    return result
}

/// Frames and extracts lines, then evaluates each valid one on its own: `inspect` gets the line,
/// its matches and the evaluator right after (its step matches and partials are that line's).
/// Returns the evaluator, with its counts over every line.
@discardableResult
func evaluateEachLine(_ lines: [String], with ruleSet: RuleSet, defaultIndex: String? = nil, prefilter: Bool = false,
                      inspect: (Int, [RuleMatch], RuleEvaluator) -> Void = { _, _, _ in }) -> RuleEvaluator {
    var framer = LineFramer(source: "test")
    var outputs: [FramedOutput] = []
    let text = lines.joined(separator: "\n") + "\n"
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { outputs += framer.append(UnsafeRawBufferPointer($0)) }
    outputs += framer.finish(.endOfFile)
    let literalPrefilter = prefilter ? LiteralPrefilter(rules: ruleSet.rules, defaultIndex: defaultIndex) : nil
    var extractor = Extractor(plan: ruleSet.plan, prefilter: literalPrefilter)
    var evaluator = RuleEvaluator(ruleSet: ruleSet, defaultIndex: defaultIndex, prefilter: literalPrefilter)
    var line = 0
    for case .batch(let batch) in outputs {
        let (extracted, _) = extractor.extract(batch)
        for index in 0..<batch.lineCount {
            if extracted.isValid[index] { inspect(line, evaluator.evaluate(extracted, lines: [index]), evaluator) }
            line += 1
        }
    }
    return evaluator
}

let esqlSeed = "696015ef-718e-40ff-ac4a-cc2ba88dbeeb"
let eqlSeed = "d0b0f3ed-0b37-44bf-adee-e8cb7de92767"
