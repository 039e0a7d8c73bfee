#if canImport(Glibc)
import Glibc
#endif

/// Checks a line the prefilter skipped without extracting anything: simdjson's two stages, a SIMD
/// pass that turns the line into bit masks (`JSONBlockClassifier`) and a walk over the structural
/// positions those masks leave. It is a sound filter: `accepts` is true only for a line the
/// scanner accepts (one JSON object, valid UTF-8 and escapes, no duplicate key, an `@timestamp`
/// that is a date). False means "not proven here": rare shapes (escaped keys, a non-string
/// `@timestamp`, deep nesting, colliding key hashes) and every invalid line go to the scanner,
/// whose verdict and reason are the exact ones.
///
/// Hot path: allocates nothing per line once its scratch has grown.
package struct LineValidator {
    private var masks: [UInt64] = []
    private var utf8 = UTF8Validator()
    private let keys = KeySet()
    private let vectorized: Bool

    /// Deeper nesting than this is left to the scanner (whose limit is `JSONLineScanner.maxDepth`).
    static let maxDepth = 64
    /// More keys in one line than this are left to the scanner (the key set stays half empty).
    static let maxKeys = 256

    /// Both stage-2 paths' verdicts on a line (UTF-8 aside), for the tests that hold them to the
    /// scanner: the compact check's (nil where the line is not compact) and the walk's.
    package mutating func stageTwoVerdicts(_ text: UnsafeRawBufferPointer) -> (compact: Bool?, walk: Bool) {
        let blockCount = JSONBlockClassifier.blocks(text.count)
        var masks = [UInt64](repeating: 0, count: blockCount * JSONBlockClassifier.masksPerBlock)
        let vectorized = vectorized, keys = keys
        return masks.withUnsafeMutableBufferPointer { masks in
            JSONBlockClassifier.classify(text, into: masks.baseAddress!, vectorized: vectorized)
            let masks = UnsafePointer(masks.baseAddress!)
            return (Self.checkCompact(text, masks: masks, blockCount: blockCount, keys: keys)?.valid,
                    Self.walk(text, masks: masks, blockCount: blockCount, keys: keys).valid)
        }
    }

    /// What a walk found: whether the line passed, and whether it holds non-ASCII bytes (all
    /// inside strings; their UTF-8 is checked after).
    struct Verdict {
        var valid: Bool
        var nonASCII: Bool
        static let invalid = Verdict(valid: false, nonASCII: false)
    }

    /// Stage 2's first step, shared by both walks: resolves escapes (validating each) and strings.
    struct Strings {
        private var escapeCarry: UInt64 = 0  // 1: the next block's first byte is escaped
        private(set) var inStringCarry: UInt64 = 0  // all ones: the next block starts inside a string
        private(set) var nonASCII: UInt64 = 0

        /// The block's unescaped quotes and its bytes inside strings (an opening quote is inside,
        /// a closing one is not); nil when the block breaks a rule of strings.
        // Transparent, not @inline(__always): the walks are large enough that the optimizer
        // stopped inlining into them, and this became a call per 64-byte block.
        @_transparent
        mutating func resolve(_ block: UnsafePointer<UInt64>, at blockStart: Int, in text: UnsafeRawBufferPointer) -> (quotes: UInt64, inString: UInt64)? {
            typealias C = JSONBlockClassifier
            let backslashes = block[C.backslash]
            var escaped: UInt64 = 0
            if backslashes != 0 || escapeCarry != 0 {
                // Backslashes are rare: each one is resolved, and the escape it starts validated.
                escaped = escapeCarry
                escapeCarry = 0
                var pending = backslashes
                while pending != 0 {
                    let bit = pending.trailingZeroBitCount
                    pending &= pending &- 1
                    if escaped & (1 << UInt64(bit)) != 0 { continue }
                    if bit == 63 { escapeCarry = 1 } else { escaped |= 1 << UInt64(bit + 1) }
                    guard validEscape(text, at: blockStart + bit) else { return nil }
                }
            }
            let quotes = block[C.quote] & ~escaped
            let inString = prefixXor(quotes) ^ inStringCarry
            inStringCarry = 0 &- (inString >> 63)
            guard block[C.control] & inString == 0, block[C.nonASCII] & ~inString == 0 else { return nil }
            nonASCII |= block[C.nonASCII]
            return (quotes, inString)
        }
    }

    /// Bits of a block that lie inside a line of `count` bytes.
    @inline(__always)
    static func inLine(_ count: Int, blockStart: Int) -> UInt64 {
        count &- blockStart >= 64 ? ~UInt64(0) : (UInt64(1) << UInt64(count &- blockStart)) &- 1
    }

    /// Whether the key `[start, end)` is `@timestamp`, its length tested first: the test for
    /// the keys `keyHashNotingTimestamp` reads byte by byte (near the line's end, or long).
    @inline(__always)
    static func isTimestampKey(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Bool {
        // Two loads against "@timesta" and "mp" (little-endian), not a comparison with a global
        // array (its lazy initialization was checked at every top-level key).
        end - start == 10
            && UnsafeRawPointer(bytes + start).loadUnaligned(as: UInt64.self) == UInt64(littleEndian: 0x6174_7365_6D69_7440)
            && UnsafeRawPointer(bytes + start + 8).loadUnaligned(as: UInt16.self) == UInt16(littleEndian: 0x706D)
    }

    /// `vectorized`: the fastest kernels this CPU runs; false, their scalar twins.
    package init(vectorized: Bool = true) {
        self.vectorized = vectorized
    }

    /// Whether the line is certainly one the scanner accepts (see the type's comment).
    /// - Safety: `line` lies inside `raw`.
    package mutating func accepts(_ raw: UnsafeRawBufferPointer, line: LineSpan) -> Bool {
        let text = UnsafeRawBufferPointer(rebasing: raw[Int(line.start)..<line.end])
        let count = text.count
        guard count > 0 else { return false }
        let blockCount = JSONBlockClassifier.blocks(count)
        let needed = blockCount * JSONBlockClassifier.masksPerBlock
        if masks.count < needed { masks = [UInt64](repeating: 0, count: max(needed, 2 * masks.count)) }
        let vectorized = vectorized, keys = keys
        let verdict = masks.withUnsafeMutableBufferPointer { masks in
            JSONBlockClassifier.classify(text, into: masks.baseAddress!, vectorized: vectorized)
            let masks = UnsafePointer(masks.baseAddress!)
            // Compact JSON (no space between tokens, as shippers write it) is checked by bit masks
            // alone; a line with spaces between tokens takes the token-by-token walk.
            return Self.checkCompact(text, masks: masks, blockCount: blockCount, keys: keys)
                ?? Self.walk(text, masks: masks, blockCount: blockCount, keys: keys)
        }
        guard verdict.valid else { return false }
        return !verdict.nonASCII || utf8.isValid(text, vectorized: vectorized)
    }


    /// Whether the value after `@timestamp`'s colon is a date as the extractor reads it: a string
    /// without escapes that parses, or a number (epoch millis). Other values are the scanner's to judge.
    static func timestampIsDate(_ text: UnsafeRawBufferPointer, colon: Int) -> Bool {
        var at = colon + 1
        while text[at] == 0x20 || text[at] == 0x09 || text[at] == 0x0A || text[at] == 0x0D { at += 1 }
        if text[at] == UInt8(ascii: "\"") { return isDateString(text, openingQuote: at) }
        guard text[at] == UInt8(ascii: "-") || (text[at] >= 0x30 && text[at] <= 0x39), let end = scalarEnd(text, at: at) else { return false }
        return FieldValue.double(UnsafeRawBufferPointer(rebasing: text[at..<end])) != nil
    }

    /// Bit i set where an odd number of the bits 0...i are set: the bytes from an opening quote up
    /// to (not including) its closing one.
    @inline(__always)
    static func prefixXor(_ bits: UInt64) -> UInt64 {
        var x = bits
        x ^= x << 1
        x ^= x << 2
        x ^= x << 4
        x ^= x << 8
        x ^= x << 16
        x ^= x << 32
        return x
    }

    /// Whether the backslash at `at` starts one of JSON's escapes.
    static func validEscape(_ text: UnsafeRawBufferPointer, at: Int) -> Bool {
        guard at + 1 < text.count else { return false }
        switch text[at + 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: return true
        case 0x75:
            guard at + 5 < text.count else { return false }
            return (2...5).allSatisfy { JSONGrammar.isHex(text[at + $0]) }
        default: return false
        }
    }

    /// The end of the number or literal at `at`, if it is one and is followed by a space, a
    /// structural character, a quote or the end of the line.
    @inline(__always)
    static func scalarEnd(_ text: UnsafeRawBufferPointer, at: Int) -> Int? {
        let end: Int
        switch text[at] {
        case UInt8(ascii: "t"): end = at + 4; guard end <= text.count, text[at + 1] == 0x72, text[at + 2] == 0x75, text[at + 3] == 0x65 else { return nil }
        case UInt8(ascii: "f"):
            end = at + 5
            guard end <= text.count, text[at + 1] == 0x61, text[at + 2] == 0x6C, text[at + 3] == 0x73, text[at + 4] == 0x65 else { return nil }
        case UInt8(ascii: "n"): end = at + 4; guard end <= text.count, text[at + 1] == 0x75, text[at + 2] == 0x6C, text[at + 3] == 0x6C else { return nil }
        default:
            guard let number = JSONGrammar.numberEnd(text, from: at) else { return nil }
            end = number
        }
        guard end < text.count else { return end }
        switch text[end] {
        case 0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x3A, 0x7B, 0x7D, 0x5B, 0x5D, 0x22: return end
        default: return nil
        }
    }

    /// Whether the string at `openingQuote` is, without escapes, a date the extractor accepts.
    static func isDateString(_ text: UnsafeRawBufferPointer, openingQuote: Int) -> Bool {
        var hasEscape = false
        var failure: JSONGrammar.Failure?
        guard let end = JSONGrammar.stringEnd(text, openingQuote: openingQuote, hasEscape: &hasEscape, failure: &failure),
              !hasEscape else { return false }
        return Timestamp.milliseconds(date: UnsafeRawBufferPointer(rebasing: text[(openingQuote + 1)..<(end - 1)])) != nil
    }

    /// A key's hash: equal keys hash alike, which is all the duplicate check needs (a collision
    /// only sends the line to the scanner). Every byte counts: ECS keys share long prefixes and
    /// suffixes (`process.entry_leader.user.id`, `process.group_leader.user.id`). A key of up to
    /// 32 bytes is read as four words, the bytes past its end masked off by `lengthMasks`, each
    /// multiplied independently: no branch on the key's length (keys of under 8, 8-16 and 17-32
    /// bytes alternate, about half, a third and a sixth of an ECS event's, so a branch per
    /// length class was often mispredicted).
    @inline(__always)
    static func keyHash(_ text: UnsafeRawBufferPointer, from start: Int, to end: Int, lengthMasks: UnsafeRawPointer) -> UInt64 {
        keyHashNotingTimestamp(text, from: start, to: end, lengthMasks: lengthMasks).hash
    }

    /// `keyHash`, and `notTimestamp`, zero exactly when the key is `@timestamp`: read from the
    /// words the hash loads anyway, so the compact check tests each key without a branch on its
    /// length (root and nested keys alternate unpredictably).
    @inline(__always)
    static func keyHashNotingTimestamp(_ text: UnsafeRawBufferPointer, from start: Int, to end: Int,
                                       lengthMasks: UnsafeRawPointer) -> (hash: UInt64, notTimestamp: UInt64) {
        let length = end &- start
        guard length <= 32, start &+ 32 <= text.count else {
            let bytes = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return (rareKeyHash(text, from: start, to: end), isTimestampKey(bytes, from: start, to: end) ? 0 : 1)
        }
        let masks = lengthMasks + (32 &- length)
        @inline(__always) func lane(_ index: Int) -> UInt64 {
            UInt64(littleEndian: text.loadUnaligned(fromByteOffset: start &+ 8 &* index, as: UInt64.self))
                & masks.loadUnaligned(fromByteOffset: 8 &* index, as: UInt64.self)
        }
        let lane0 = lane(0), lane1 = lane(1)
        // "@timesta" and "mp", little-endian; the mask zeroed lane 1 past the key's 10 bytes.
        let notTimestamp = UInt64(truncatingIfNeeded: length ^ 10) | lane0 ^ 0x6174_7365_6D69_7440 | lane1 ^ 0x706D
        return (shortKeyHash(length: length, lane0, lane1, lane(2), lane(3)), notTimestamp)
    }

    /// The hash of a key of up to 32 bytes from its bytes as four little-endian words, zero past its end.
    @inline(__always)
    static func shortKeyHash(length: Int, _ lane0: UInt64, _ lane1: UInt64, _ lane2: UInt64, _ lane3: UInt64) -> UInt64 {
        let hash = UInt64(length) &* 0x9E37_79B9_7F4A_7C15 ^ lane0 &* 0xFF51_AFD7_ED55_8CCD ^ lane1 &* 0xC4CE_B9FE_1A85_EC53
            ^ lane2 &* 0x8764_3A2F_1C9D_5B01 ^ lane3 &* 0xA24B_AED4_963E_E407
        return hash ^ (hash >> 29)
    }

    /// `keyHash` of a key past 32 bytes, or within 32 bytes of the text's end (read byte by byte,
    /// into the same hash as in `keyHash`): out of line, so `keyHash` stays small enough to be
    /// inlined into the walks (it was a call per key, 7% of a validated replay).
    @inline(never)
    static func rareKeyHash(_ text: UnsafeRawBufferPointer, from start: Int, to end: Int) -> UInt64 {
        let length = end - start
        if length <= 32 {
            var lanes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            withUnsafeMutableBytes(of: &lanes) { lanes in
                for index in 0..<length { lanes[index] = text[start + index] }
            }
            return shortKeyHash(length: length, UInt64(littleEndian: lanes.0), UInt64(littleEndian: lanes.1),
                                UInt64(littleEndian: lanes.2), UInt64(littleEndian: lanes.3))
        }
        var hash = UInt64(length) &* 0x9E37_79B9_7F4A_7C15
        var at = start
        while at + 8 <= end {
            hash = (hash ^ UInt64(littleEndian: text.loadUnaligned(fromByteOffset: at, as: UInt64.self))) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
            at += 8
        }
        hash ^= UInt64(littleEndian: text.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }
}
