import Benchmark
import Foundation
import TriplineCore

/// The per-batch hot paths on a generated corpus (scripts/gen-corpus, 16 MiB, seed 1): each
/// operation processes the whole corpus, so bytes/s = throughput x 16 MiB.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let corpusBytes = 16 << 20

/// A `scripts/gen-corpus` corpus of 16 MiB (seed 1) with these extra arguments, generated once
/// into the temporary folder as `name`.
func generatedCorpus(_ name: String, _ arguments: [String] = []) -> [UInt8] {
    let folder = NSTemporaryDirectory() + "tripline-bench"
    let path = folder + "/" + name
    if !FileManager.default.fileExists(atPath: path) {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let generator = Process()
        generator.executableURL = repository.appendingPathComponent("scripts/gen-corpus")
        generator.arguments = ["--size", "16M", "--seed", "1"] + arguments + ["--out", path]
        try! generator.run()
        generator.waitUntilExit()
    }
    return Array(FileManager.default.contents(atPath: path)!)
}

/// The seed mix (gen-corpus's default).
let corpus = generatedCorpus("corpus-16M-seed1.ndjson")

let seedRules = RuleSet.load(paths: [repository.appendingPathComponent("samples/seed-rules").path])

/// A corpus cut into about 1 MiB batches, as the framer hands them on.
func framed(_ bytes: [UInt8]) -> [Batch] {
    var framer = LineFramer(source: "bench")
    var outputs: [FramedOutput] = []
    bytes.withUnsafeBytes { outputs += framer.append($0) }
    outputs += framer.finish(.endOfFile)
    return outputs.compactMap { if case .batch(let batch) = $0 { batch } else { nil } }
}
let batches = framed(corpus)

/// The same size with `--escapes realistic` (2% of lines escaped, as shippers write them), as
/// scripts/bench's corpus: what skipped-line validation costs there.
let realisticBatches = framed(generatedCorpus("corpus-16M-seed1-realistic.ndjson", ["--escapes", "realistic"]))

/// 16 MiB of the endpoint mix (about half Elastic Defend events), as scripts/bench's all-rules
/// row, and every bundled rule: what evaluating a line costs with the whole rule set.
let endpointBatches = framed(generatedCorpus("corpus-16M-seed1-endpoint.ndjson", ["--mix", "endpoint", "--escapes", "realistic"]))
let bundledRules = RuleSet.load(paths: [repository.appendingPathComponent("rules").path])

let eqlNeedles = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "accesskeyid", "secretaccesskey",
                  "access_key", ".aws/credentials"].map { Array($0.utf8) }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(3), maxIterations: 50)

    Benchmark("Framing 16 MiB in 1 MiB reads") { benchmark in
        for _ in benchmark.scaledIterations {
            var framer = LineFramer(source: "bench")
            var lines = 0
            corpus.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let end = min(raw.count, offset + ReadSize.replay)
                    for case .batch(let batch) in framer.append(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) { lines += batch.lineCount }
                    offset = end
                }
            }
            blackHole(lines)
        }
    }

    /// One whole-batch search over the corpus; `search` reports each match through its callback.
    func searchBenchmark(_ name: String, _ search: @escaping @Sendable (UnsafeRawBufferPointer, inout [UInt64], (Int, Int) -> Void) -> Void) {
        Benchmark(name) { benchmark in
            var scratch: [UInt64] = []
            for _ in benchmark.scaledIterations {
                var found = 0
                for batch in batches {
                    batch.withUnsafeBytes { search($0, &scratch) { _, _ in found += 1 } }
                }
                blackHole(found)
            }
        }
    }

    for kernel in LiteralSearcher.Kernel.allCases where kernel != .scalar {
        let searcher = LiteralSearcher(needles: eqlNeedles, kernel: kernel)
        searchBenchmark("SIMD search, 7 needles, \(kernel), 16 MiB") { searcher.forEachMatch(in: $0, scratch: &$1, $2) }
    }

    // Teddy with the prefilter's literals, and with the two escape starts and two index pieces too.
    let teddyNeedles = eqlNeedles + ["\\u", "\\/", "cloud_defend", "aws.cloudtrail"].map { Array($0.utf8) }
    for (name, needles) in [("7", eqlNeedles), ("11", teddyNeedles)] {
        let searcher = TeddySearcher(needles: needles)
        searchBenchmark("Teddy search, \(name) needles, avx2, 16 MiB") { searcher.forEachMatch(in: $0, scratch: &$1, $2) }
    }

    Benchmark("Hashed search, 2000 needles, 16 MiB") { benchmark in
        var random = SystemRandomNumberGenerator()
        let letters = Array("abcdefghijklmnopqrstuvwxyz_".utf8)
        let needles = (0..<2000).map { _ in (0..<(6 + Int(random.next() % 10))).map { _ in letters[Int(random.next() % 27)] } }
        let searcher = HashedLiteralSearcher(needles: needles)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var found = 0
            for batch in batches { batch.withUnsafeBytes { searcher.forEachMatch(in: $0) { _, _ in found += 1 } } }
            blackHole(found)
        }
    }

    Benchmark("Escape lines found by first-escape jumps (AVX2 scan), 16 MiB") { benchmark in
        for _ in benchmark.scaledIterations {
            var lines = 0
            for batch in batches {
                batch.withUnsafeBytes { raw in
                    var from = 0
                    while let found = EscapeNormalizer.firstEscape(in: raw, from: from) {
                        lines += 1
                        let line = LiteralPrefilter.line(containing: found, in: batch.lines)
                        guard line + 1 < batch.lineCount else { break }
                        from = Int(batch.lines[line + 1].start)
                    }
                }
            }
            blackHole(lines)
        }
    }

    Benchmark("Escape normalization of every line, 16 MiB") { benchmark in
        var out: [UInt8] = []
        for _ in benchmark.scaledIterations {
            for batch in batches {
                batch.withUnsafeBytes { raw in
                    for span in batch.lines {
                        EscapeNormalizer.normalize(UnsafeRawBufferPointer(rebasing: raw[Int(span.start)..<span.end]), into: &out)
                    }
                }
            }
            blackHole(out)
        }
    }

    Benchmark("SIMD search per line, 7 needles, avx2, 16 MiB") { benchmark in
        let searcher = LiteralSearcher(needles: eqlNeedles)
        var scratch: [UInt64] = []
        for _ in benchmark.scaledIterations {
            var found = 0
            for batch in batches {
                batch.withUnsafeBytes { raw in
                    for span in batch.lines {
                        searcher.forEachMatch(in: UnsafeRawBufferPointer(rebasing: raw[Int(span.start)..<span.end]), scratch: &scratch) { _, _ in found += 1 }
                    }
                }
            }
            blackHole(found)
        }
    }

    Benchmark("Prefilter, seed rules, 16 MiB") { benchmark in
        let prefilter = LiteralPrefilter(rules: seedRules.rules)
        var scratch = LiteralPrefilter.Scratch()
        for _ in benchmark.scaledIterations {
            var passing = 0
            for batch in batches { passing += prefilter.scan(batch, scratch: &scratch).passes.lazy.filter { $0 }.count }
            blackHole(passing)
        }
    }

    for validated in [true, false] {
        Benchmark("Extraction, seed rules, prefilter on, realistic escapes, skipped lines \(validated ? "" : "not ")validated, 16 MiB") { benchmark in
            var extractor = Extractor(plan: seedRules.plan, prefilter: LiteralPrefilter(rules: seedRules.rules), validatesSkipped: validated)
            for _ in benchmark.scaledIterations {
                for batch in realisticBatches { blackHole(extractor.extract(batch)) }
            }
        }
    }

    // Prefilter on: skipped lines validated (the default) or not (--no-validate).
    for (prefiltered, validated) in [(false, true), (true, true), (true, false)] {
        Benchmark("Extraction, seed rules, prefilter \(prefiltered ? "on" : "off")\(prefiltered && !validated ? ", skipped lines not validated" : ""), 16 MiB") { benchmark in
            var extractor = Extractor(plan: seedRules.plan, prefilter: prefiltered ? LiteralPrefilter(rules: seedRules.rules) : nil,
                                      validatesSkipped: validated)
            for _ in benchmark.scaledIterations {
                for batch in batches { blackHole(extractor.extract(batch)) }
            }
        }
    }

    Benchmark("Rule evaluation, seed rules, all lines, 16 MiB") { benchmark in
        var extractor = Extractor(plan: seedRules.plan)
        let extracted = batches.map { extractor.extract($0).0 }
        var evaluator = RuleEvaluator(ruleSet: seedRules, defaultIndex: nil)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var matches = 0
            for batch in extracted {
                let lines = (0..<batch.batch.lineCount).filter { batch.isValid[$0] }
                matches += evaluator.evaluate(batch, lines: lines).count
            }
            blackHole(matches)
        }
    }

    // Allocations per event are the figure to watch here (mallocCountTotal / events): they are
    // counted exactly, where this VM's timings drift by more than a small change saves.
    Benchmark("Rule evaluation, all bundled rules, endpoint mix, 16 MiB") { benchmark in
        var extractor = Extractor(plan: bundledRules.plan)
        let extracted = endpointBatches.map { extractor.extract($0).0 }
        var evaluator = RuleEvaluator(ruleSet: bundledRules, defaultIndex: nil)
        let lines = extracted.map { batch in (0..<batch.batch.lineCount).filter { batch.isValid[$0] } }
        // Once before measuring: the first batches grow the evaluator's scratch buffers.
        for (batch, valid) in zip(extracted, lines) { blackHole(evaluator.evaluate(batch, lines: valid)) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var matches = 0
            for (batch, valid) in zip(extracted, lines) { matches += evaluator.evaluate(batch, lines: valid).count }
            blackHole(matches)
        }
    }

    Benchmark("Alert documents, every seed-rule match in 16 MiB") { benchmark in
        var extractor = Extractor(plan: seedRules.plan)
        var evaluator = RuleEvaluator(ruleSet: seedRules, defaultIndex: nil)
        let matches = batches.flatMap { batch in
            let extracted = extractor.extract(batch).0
            let lines = (0..<batch.lineCount).filter { extracted.isValid[$0] }
            return evaluator.evaluate(extracted, lines: lines).map { (batch, $0) }
        }
        let builder = AlertBuilder()
        let members = seedRules.rules.map(builder.ruleMembers)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var bytes = 0
            for (batch, match) in matches {
                let source = AlertBuilder.Source(line: batch.lineBytes(match.line), position: batch.position(ofLine: match.line), index: match.index)
                bytes += builder.alert(rule: seedRules.rules[match.rule], source: source, eventTime: match.eventTime, now: 0,
                                       ruleMembers: members[match.rule]).line.count
            }
            blackHole(bytes)
        }
    }
}
