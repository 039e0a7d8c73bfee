import Foundation
import Testing
@testable import TriplineCore

/// The validator of skipped lines: its SIMD kernels against their scalar twins, and its verdict
/// against the scanner's (it may leave a valid line to the scanner, never pass an invalid one).
@Suite struct LineValidatorTests {
    /// Bytes JSON's structure turns on, often, and any byte sometimes.
    static let alphabet: [UInt8] = Array(#"{}[]:,"\ \#t\#r\#nab01eE.-+tfnu/"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]

    @Test(arguments: JSONBlockClassifier.Kernel.allCases.filter { $0 != .scalar })
    func classifierKernelMatchesItsScalarTwin(kernel: JSONBlockClassifier.Kernel) {
        guard kernel.isAvailable else { return }
        var random = SplitMix(seed: 1)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...300, using: &random)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random) ? Self.alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            let blocks = JSONBlockClassifier.blocks(length) * JSONBlockClassifier.masksPerBlock
            var vector = [UInt64](repeating: 0xDEAD, count: blocks), scalar = [UInt64](repeating: 0xBEEF, count: blocks)
            bytes.withUnsafeBytes { line in
                vector.withUnsafeMutableBufferPointer { JSONBlockClassifier.classify(line, into: $0.baseAddress!, kernel: kernel) }
                scalar.withUnsafeMutableBufferPointer { JSONBlockClassifier.classifyScalar(line, into: $0.baseAddress!) }
            }
            #expect(vector == scalar, "\(bytes)")
        }
    }

    /// Keiser–Lemire against the sequence-by-sequence check and against Swift's own decoder,
    /// on valid text with one byte changed, cut or inserted.
    @Test func utf8KernelMatchesItsScalarTwinAndSwift() {
        var random = SplitMix(seed: 2)
        let scalars: [UInt32] = [0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFF, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF, 0xE9, 0x4E2D, 0x1F600]
        var validator = UTF8Validator()
        var checked = (valid: 0, invalid: 0)
        for round in 0..<20000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...90, using: &random) {
                bytes += Array(String(Character(Unicode.Scalar(scalars.randomElement(using: &random)!)!)).utf8)
            }
            if round % 4 != 0, !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[at] = Self.alphabet.randomElement(using: &random)!
                case 1: bytes.removeSubrange(at...)
                default: bytes.insert(UInt8.random(in: 0x80...0xFF, using: &random), at: at)
                }
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let verdicts = bytes.withUnsafeBytes { text in
                (UTF8Validator.isValidScalar(text), validator.isValid(text, vectorized: true))
            }
            #expect(verdicts.0 == expected && verdicts.1 == expected, "\(bytes)")
            if expected { checked.valid += 1 } else { checked.invalid += 1 }
        }
        #expect(checked.valid > 5000 && checked.invalid > 5000)
    }

    /// The extractor's verdict on one line without a prefilter (the scanner and its @timestamp
    /// rule): the reference the validator answers to.
    static func scannerAccepts(_ line: [UInt8]) -> Bool {
        var extractor = Extractor(plan: FieldPlan(paths: ["@timestamp"]))
        let batch = Batch(source: "test", baseOffset: 0, bytes: line, lines: [LineSpan(start: 0, length: UInt32(line.count))])
        return extractor.extract(batch).0.isValid[0]
    }

    static func accepts(_ line: [UInt8], vectorized: Bool) -> Bool {
        var validator = LineValidator(vectorized: vectorized)
        return line.withUnsafeBytes { validator.accepts($0, line: LineSpan(start: 0, length: UInt32($0.count))) }
    }

    /// The compact check's and the walk's verdicts, each of which must be sound on its own.
    static func stageTwo(_ line: [UInt8]) -> (compact: Bool?, walk: Bool) {
        var validator = LineValidator(vectorized: true)
        return line.withUnsafeBytes { line in
            guard line.count > 0 else { return (nil, false) }
            return validator.stageTwoVerdicts(line)
        }
    }

    @Test(arguments: [
        (#"{"a":1}"#, true), (#" {"a" : [1, 2.5e3, -0, true, false, null, "x", {"b": {}}, []] } "#, true),
        (#"{"@timestamp":"2024-06-01T00:00:00.123Z","a":{"@timestamp":"not a date"}}"#, true),
        (#"{"@timestamp":1717200000000}"#, true), (#"{"s":"caf\u00e9 \"q\" \\ \/ é 中 😀"}"#, true),
        (#"{"a":1,"a":2}"#, false), (#"{"a":{"b":1,"c":2,"b":3}}"#, false), (#"{"a":{"b":1},"b":{"a":1}}"#, true),
        (#"{"@timestamp":"yesterday"}"#, false), (#"{"@timestamp":true}"#, false),
        (#"{"a":1"#, false), (#"{"a":1}}"#, false), (#"{"a":1,}"#, false), (#"{"a":[1,]}"#, false), (#"{"a" 1}"#, false),
        (#"{"a":01}"#, false), (#"{"a":1.}"#, false), (#"{"a":tru}"#, false), (#"{"a":truex}"#, false), (#"{"a":"\x"}"#, false),
        (#"{"a":"\u12"}"#, false), (#"{"a":"b}"#, false), (#"["a"]"#, false), (#""a""#, false), (#"{}{}"#, false), (#"{"a":1 2}"#, false),
        (#"{"a":[}"#, false), (#"{"a":{]}"#, false), (#"{1:2}"#, false), (#"{"a":"b":"c"}"#, false), (#"{"a"}"#, false), ("", false),
        // Keys past 32 bytes are hashed out of line: every byte still counts.
        (#"{"process.entry_leader.parent.session_leader.pid":1,"process.entry_leader.parent.session_leader.pid":2}"#, false),
        (#"{"process.entry_leader.parent.session_leader.pid":1,"process.entry_leader.parent.session_leader.pie":2}"#, true),
        (#"{"process.entry_leader.parent.xession_leader.pid":1,"process.entry_leader.parent.session_leader.pid":2}"#, true),
        (#"{"b":1,"ab":2,"abcdefgh":3,"abcdefghi":4,"a":{"b":1,"ab":2,"abcdefgh":3}}"#, true), (#"{"ab":1,"x":0,"ab":2}"#, false),
    ])
    func verdictsOnHandWrittenLines(line: String, valid: Bool) {
        let bytes = Array(line.utf8)
        #expect(Self.scannerAccepts(bytes) == valid, "the scanner's verdict on \(line)")
        #expect(Self.accepts(bytes, vectorized: true) == valid, "\(line)")
        #expect(Self.accepts(bytes, vectorized: false) == valid, "\(line)")
        let paths = Self.stageTwo(bytes)
        #expect(paths.walk == valid && (paths.compact ?? valid) == valid, "\(line): \(paths)")
    }

    /// A key is hashed from four masked words, or byte by byte within 32 bytes of the line's end:
    /// the two must agree, or a key repeated near the end would pass as new. Each length up to
    /// 40, once early and once at the end (a duplicate), or differing in its last byte (valid),
    /// compact and spaced.
    @Test func aKeyNearTheLinesEndHashesAsItDoesEarlier() {
        for length in 1...40 {
            let key = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            let other = String(key.dropLast()) + "Z"
            let padding = String(repeating: "p", count: 40)
            for (last, valid) in [(key, false), (other, true)] {
                for separator in ["", " "] {
                    let line = #"{"\#(key)":\#(separator)1,"pad":"\#(padding)","\#(last)":\#(separator)2}"#
                    let bytes = Array(line.utf8)
                    #expect(Self.scannerAccepts(bytes) == valid)
                    #expect(Self.accepts(bytes, vectorized: true) == valid, "\(line)")
                    #expect(Self.accepts(bytes, vectorized: false) == valid, "\(line)")
                }
            }
        }
        var lanes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let text = Array("{\"0123456789abcdefghijklmnopqrstuv\":1}".utf8) + Array(repeating: UInt8(ascii: " "), count: 40)
        text.withUnsafeBytes { text in
            for length in 0...32 {
                withUnsafeMutableBytes(of: &lanes) { lanes in
                    for index in 0..<32 { lanes[index] = index < length ? text[2 + index] : 0 }
                }
                let expected = LineValidator.shortKeyHash(length: length, lanes.0, lanes.1, lanes.2, lanes.3)
                let keys = KeySet()
                #expect(LineValidator.keyHash(text, from: 2, to: 2 + length, lengthMasks: keys.lengthMasks) == expected)
                #expect(LineValidator.rareKeyHash(text, from: 2, to: 2 + length) == expected)
            }
        }
    }

    /// A key's object is the one open where the key stands, though the bracket that opened it
    /// lies in an earlier 64-byte block (the compact check reads it from a slot set at each
    /// block's start); and only the root's `@timestamp` is held to be a date. Every alignment of
    /// 130 paddings, each shape with its verdict.
    @Test func keysFindTheirObjectAcrossBlocks() {
        let shapes: [(String, Bool)] = [
            (#""a":{"x":1,"y":{"z":1},"x":2}"#, false),  // x twice in a, around a closed child
            (#""a":{"x":1,"y":{"x":1}},"x":2"#, true),  // one x in each of three objects
            (#""a":[{"x":1},{"x":2}],"b":{"x":3}"#, true),
            (#""a":{"@timestamp":"not a date"}"#, true),  // not the root's
            (#""a":{"b":1},"@timestamp":"not a date""#, false),
            // Far enough from the line's end that the key is read as four words, not byte by byte.
            (#""@timestamp":"not a date","tail":"\#(String(repeating: "t", count: 40))""#, false),
            (#""a":{"@timestamp":"not a date"},"tail":"\#(String(repeating: "t", count: 40))""#, true),
        ]
        for pad in 0..<130 {
            for (shape, valid) in shapes {
                let line = #"{"pad":"\#(String(repeating: "p", count: pad))",\#(shape)}"#
                let bytes = Array(line.utf8)
                #expect(Self.scannerAccepts(bytes) == valid, "\(line)")
                #expect(Self.accepts(bytes, vectorized: true) == valid, "\(line)")
                let paths = Self.stageTwo(bytes)
                #expect(paths.compact == valid && paths.walk == valid, "\(line): \(paths)")
            }
        }
    }

    /// Shapes the validator leaves to the scanner rather than prove: they are valid, and it never
    /// says otherwise for them (the scanner's verdict is the one reported).
    @Test func rareShapesAreLeftToTheScanner() {
        let manyKeys = "{" + (0..<300).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        let deep = String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 70)
        for line in [manyKeys, deep, #"{"k\u0065y":1,"key":2}"#, #"{"@timestamp":null}"#] {
            let bytes = Array(line.utf8)
            #expect(!Self.accepts(bytes, vectorized: true) && !Self.accepts(bytes, vectorized: false), "\(line.prefix(80))")
        }
        #expect(Self.scannerAccepts(Array(manyKeys.utf8)) && Self.scannerAccepts(Array(deep.utf8)))
        #expect(!Self.scannerAccepts(Array(#"{"k\u0065y":1,"key":2}"#.utf8)), "an escaped key equal to another is a duplicate")
    }

    @Test func controlBytesAndBadUTF8AreRefused() {
        for line: [UInt8] in [Array(#"{"a":"x"#.utf8) + [0x01] + Array(#""}"#.utf8), Array(#"{"a":"x"#.utf8) + [0xC3] + Array(#""}"#.utf8),
                              Array(#"{"a":"x"#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), Array(#"{"a":1"#.utf8) + [0xC3, 0xA9] + [0x7D]] {
            #expect(!Self.scannerAccepts(line) && !Self.accepts(line, vectorized: true) && !Self.accepts(line, vectorized: false))
        }
    }

    /// Random JSON objects, written compact or spaced, then damaged: the validator passes none
    /// that the scanner refuses, passes every undamaged one, and its kernels agree with the
    /// scalar twins on each.
    @Test func neverPassesALineTheScannerRefuses() {
        var random = SplitMix(seed: 3)
        var counts = (generated: 0, refused: 0, passed: 0, leftToScanner: 0, compact: 0)
        for round in 0..<6000 {
            var writer = RandomJSON(random: random, spaced: round % 3 == 0)
            var line = writer.object(depth: 0)
            random = writer.random
            let damaged = round % 2 == 1
            if damaged { line = Self.damage(line, using: &random) }
            let scanner = Self.scannerAccepts(line)
            let vector = Self.accepts(line, vectorized: true), scalar = Self.accepts(line, vectorized: false)
            #expect(vector == scalar, "\(String(decoding: line, as: UTF8.self))")
            #expect(!vector || scanner, "passed a line the scanner refuses: \(String(decoding: line, as: UTF8.self))")
            // Each stage-2 path is sound alone (UTF-8 aside: the lines' non-ASCII text is valid).
            let paths = Self.stageTwo(line)
            let hasBadUTF8 = String(validating: line, as: UTF8.self) == nil
            #expect(hasBadUTF8 || !paths.walk || scanner, "the walk passed \(String(decoding: line, as: UTF8.self))")
            #expect(hasBadUTF8 || paths.compact != true || scanner, "the compact check passed \(String(decoding: line, as: UTF8.self))")
            if paths.compact != nil { counts.compact += 1 }
            if !damaged {
                counts.generated += 1
                #expect(scanner && vector && paths.walk && paths.compact != false, "an undamaged line: \(String(decoding: line, as: UTF8.self))")
            } else if !scanner {
                counts.refused += 1
            } else if vector {
                counts.passed += 1
            } else {
                counts.leftToScanner += 1
            }
        }
        #expect(counts.refused > 1000 && counts.passed > 100 && counts.compact > 2000, "\(counts)")
    }

    static func damage(_ line: [UInt8], using random: inout SplitMix) -> [UInt8] {
        var line = line
        for _ in 0..<Int.random(in: 1...2, using: &random) where !line.isEmpty {
            let at = Int.random(in: 0..<line.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: line[at] = alphabet.randomElement(using: &random)!
            case 1: line.remove(at: at)
            case 2: line.insert(alphabet.randomElement(using: &random)!, at: at)
            case 3: line.removeSubrange(at...)
            default:
                // A key written twice.
                if let colon = line.firstIndex(of: 0x3A), let quote = line[..<colon].lastIndex(of: 0x22),
                   let open = line[..<quote].lastIndex(of: 0x22), line[open...].count > 2, line[0] == 0x7B {
                    let pair = Array(line[open...colon]) + [0x31, 0x2C]
                    line.insert(contentsOf: pair, at: 1)
                }
            }
        }
        return line
    }

    /// Writes random JSON objects: nested objects and arrays, every scalar kind, escapes and
    /// non-ASCII text, `@timestamp` at the top.
    struct RandomJSON {
        var random: SplitMix
        let spaced: Bool
        var keyCounter = 0

        mutating func object(depth: Int) -> [UInt8] {
            var out: [UInt8] = [0x7B]
            let count = Int.random(in: 0...(depth == 0 ? 12 : 5), using: &random)
            if depth == 0, Int.random(in: 0..<3, using: &random) == 0 {
                out += Array(#""@timestamp":"2024-06-01T00:00:07.003Z","#.utf8)
            }
            for index in 0..<count {
                if index > 0 { out += spaced ? Array(", ".utf8) : [0x2C] }
                keyCounter += 1
                let key = ["a", "event.action", "process", "k\(keyCounter)", "a-long-key-\(keyCounter)-with-more-than-sixteen-bytes", "é"][index % 6]
                out += Array("\"\(key)\(index)\"".utf8) + (spaced ? Array(" : ".utf8) : [0x3A])
                out += value(depth: depth + 1)
            }
            if out.last == 0x2C { out.removeLast() }
            out.append(0x7D)
            return out
        }

        mutating func value(depth: Int) -> [UInt8] {
            switch Int.random(in: 0..<(depth > 6 ? 6 : 8), using: &random) {
            case 0: return Array(String(Int64.random(in: -1_000_000...1_000_000, using: &random)).utf8)
            case 1: return Array(["1.5", "-0.25e-3", "0", "1E+9", "true", "false", "null"].randomElement(using: &random)!.utf8)
            case 2, 3, 4:
                return Array(["\"text\"", "\"\"", #""a \"quoted\" \\ \/ \u00e9 \ud83d\ude00 word""#, "\"café 中文 😀\"",
                              "\"/usr/bin/curl -s http://x\"", "\"" + String(repeating: "x", count: Int.random(in: 0...150, using: &random)) + "\""]
                    .randomElement(using: &random)!.utf8)
            case 5: return Array("[]".utf8)
            case 6:
                var out: [UInt8] = [0x5B]
                for index in 0..<Int.random(in: 1...4, using: &random) {
                    if index > 0 { out.append(0x2C) }
                    out += value(depth: depth + 1)
                }
                return out + [0x5D]
            default: return object(depth: depth)
            }
        }
    }
}
