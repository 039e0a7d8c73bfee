/// Elasticsearch's `standard` analyzer, as a `text` field indexes its value and a `match` query
/// reads its text: words by Unicode's word boundaries (UAX #29, Lucene's StandardTokenizer),
/// lower-cased. Non-ASCII bytes count as letters; ASCII case is folded, which is what the rules'
/// match texts need.
public enum StandardAnalyzer {
    /// The words of `text`, lower-cased, in order.
    public static func tokens(_ text: UnsafeRawBufferPointer) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        forEachToken(text) { tokens.append($0) }
        return tokens
    }

    public static func tokens(_ text: String) -> [[UInt8]] {
        Array(text.utf8).withUnsafeBytes { tokens($0) }
    }

    /// Whether any word of `text` is one of `words` (lower-cased).
    public static func containsAny(_ text: UnsafeRawBufferPointer, of words: Set<[UInt8]>) -> Bool {
        var found = false
        forEachToken(text) { token in if !found && words.contains(token) { found = true } }
        return found
    }

    private enum Kind { case letter, digit, joiner, midLetter, midNumber, midBoth, other }

    private static func kind(_ byte: UInt8) -> Kind {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), 0x80...: .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .digit
        // `_` (ExtendNumLet) joins letters and digits on either side.
        case UInt8(ascii: "_"): .joiner
        // WB6/7: `:` between letters; WB11/12: `,` `;` between digits; `.` `'` between either.
        case UInt8(ascii: ":"): .midLetter
        case UInt8(ascii: ","), UInt8(ascii: ";"): .midNumber
        case UInt8(ascii: "."), UInt8(ascii: "'"): .midBoth
        default: .other
        }
    }

    /// Each word, lent in one buffer reused from word to word (no array per word).
    private static func forEachToken(_ text: UnsafeRawBufferPointer, _ body: ([UInt8]) -> Void) {
        var token: [UInt8] = []
        var index = 0
        func flush() {
            if !token.isEmpty { body(token); token.removeAll(keepingCapacity: true) }
        }
        while index < text.count {
            let byte = text[index]
            switch kind(byte) {
            case .letter, .digit, .joiner:
                token.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            case .midLetter, .midNumber, .midBoth:
                // Joins only between two word characters of the kind it joins.
                let before = token.last.map(kind)
                let after = index + 1 < text.count ? kind(text[index + 1]) : .other
                let joins: Bool
                switch kind(byte) {
                case .midLetter: joins = before == .letter && after == .letter
                case .midNumber: joins = before == .digit && after == .digit
                default: joins = (before == .letter && after == .letter) || (before == .digit && after == .digit)
                }
                if joins { token.append(byte) } else { flush() }
            case .other:
                flush()
            }
            index += 1
        }
        flush()
    }
}

/// Lucene's fuzzy matching distance: Levenshtein's edits on code points, with a swap of two
/// neighbours as one edit when `transpositions` (the optimal string alignment distance).
public enum EditDistance {
    /// On UTF-8 bytes: an ASCII pair is compared as bytes, without decoding; lengths that differ
    /// by more than the limit fail at once.
    public static func within(_ limit: Int, _ a: UnsafeRawBufferPointer, _ b: [UInt8], transpositions: Bool) -> Bool {
        if a.allSatisfy({ $0 < 0x80 }) && b.allSatisfy({ $0 < 0x80 }) {
            if abs(a.count - b.count) > limit { return false }
            return within(limit, a.map { Unicode.Scalar($0) }, b.map { Unicode.Scalar($0) }, transpositions: transpositions)
        }
        return within(limit, Array(String(decoding: a, as: UTF8.self).unicodeScalars), Array(String(decoding: b, as: UTF8.self).unicodeScalars),
                      transpositions: transpositions)
    }

    public static func within(_ limit: Int, _ a: [Unicode.Scalar], _ b: [Unicode.Scalar], transpositions: Bool) -> Bool {
        if abs(a.count - b.count) > limit { return false }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= limit }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if transpositions, i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, previous2[j - 2] + 1)
                }
                current[j] = best
                rowMinimum = min(rowMinimum, best)
            }
            // Every later row is at least this row's minimum.
            if rowMinimum > limit { return false }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count] <= limit
    }
}
