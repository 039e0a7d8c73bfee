/// Skips, per batch, the lines that no rule can match (Falco's and Hyperscan's idea: an event
/// meets only the rules whose literals it holds).
///
/// A rule with a `LiteralRequirement` is a candidate on a line only if the line holds one of its
/// literals and, when its index patterns give one, a piece of its index name too; a rule without
/// one is evaluated on every line. Sound against escapes: a line holding `\u` or `\/` is searched
/// again after `EscapeNormalizer` decodes those, so `\u0041ccessKey` still finds `AccessKey`.
public struct LiteralPrefilter: Sendable {
    /// Rules evaluated on every line (no sound literal), by rule index.
    public let unfiltered: [Bool]
    /// False when every rule is unfiltered: then every line goes on, with no search at all.
    public let isActive: Bool
    /// Distinct condition literals and, per literal, the rules one of whose requirement it is.
    public let needles: [[UInt8]]
    /// Flat, so the per-line loop reads them without copying an array each: needle n's rules
    /// are `needleRules[needleRuleStart[n]..<needleRuleStart[n + 1]]`.
    let needleRules: [UInt32]
    let needleRuleStart: [Int]
    /// Per rule, whether the line must also hold one of its pieces of `indexSearchers`:
    /// `indexPieces[indexPieceStart[rule]..<indexPieceStart[rule + 1]]` (flat, as above).
    let requiresIndexPiece: [Bool]
    let indexPieces: [Int]
    let indexPieceStart: [Int]
    let searcher: NeedleSet
    /// One searcher per index piece: a line's pieces are looked for one at a time, only as a
    /// candidate rule asks, and each search stops at the first occurrence.
    let indexSearchers: [LiteralSearcher]
    /// True when `searcher` holds the index pieces too (ids after `needles`), each reported once
    /// per line: a piece not reported is absent, with no search of its own.
    let indexPiecesInSearcher: Bool
    let indexPieceCount: Int

    /// Literals shorter than this are too common to filter by: "exec", "user", "file", "http"
    /// and ".in" are in most ECS lines, as values or inside key names (measured over all bundled
    /// rules: Hyperscan's share of the run fell from 11-12% to 9% once they were left out).
    static let weakLiteralLength = 5

    /// `defaultIndex`: the index of events without index fields; rules reading it get no index literal.
    public init(rules: [CompiledRule], defaultIndex: String? = nil, enabled: Bool = true) {
        var unfiltered = [Bool](repeating: true, count: rules.count)
        var needles = LiteralTable()
        var needleRules: [[UInt32]] = []
        var indexLiterals = LiteralTable()
        var indexNeedles = [[Int]?](repeating: nil, count: rules.count)
        if enabled {
            for (rule, compiled) in rules.enumerated() {
                let readsDefault = defaultIndex.map { compiled.indexPatterns.matches($0) } ?? false
                let pieces = readsDefault ? nil : compiled.indexPatterns.requiredLiterals
                var requirement = compiled.literals
                // A short literal ("/", "10", "exec") is on nearly every line: the rule's
                // index filters better.
                if let literals = requirement?.literals, literals.contains(where: { $0.count < Self.weakLiteralLength }), pieces != nil {
                    requirement = nil
                }
                if requirement == nil, let pieces {
                    // No sound literal: still limited to the lines of its index, before any parsing.
                    unfiltered[rule] = false
                    for piece in pieces {
                        let id = needles.id(of: piece)
                        if id == needleRules.count { needleRules.append([]) }
                        if needleRules[id].last != UInt32(rule) { needleRules[id].append(UInt32(rule)) }
                    }
                    continue
                }
                guard let requirement else { continue }
                unfiltered[rule] = false
                for literal in requirement.literals {
                    let id = needles.id(of: literal)
                    if id == needleRules.count { needleRules.append([]) }
                    if needleRules[id].last != UInt32(rule) { needleRules[id].append(UInt32(rule)) }
                }
                if let pieces {
                    indexNeedles[rule] = pieces.map { indexLiterals.id(of: $0) }
                }
            }
        }
        self.unfiltered = unfiltered
        self.isActive = unfiltered.contains(false)
        self.needles = needles.literals
        self.needleRules = needleRules.flatMap { $0 }
        self.needleRuleStart = needleRules.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        self.requiresIndexPiece = indexNeedles.map { $0 != nil }
        self.indexPieces = indexNeedles.flatMap { $0 ?? [] }
        self.indexPieceStart = indexNeedles.reduce(into: [0]) { $0.append($0.last! + ($1?.count ?? 0)) }
        // Past Teddy's size, Hyperscan finds the index pieces in the same pass as the literals.
        let combined = needles.literals.count + indexLiterals.literals.count > TeddySearcher.maxNeedles
            ? NeedleSet(needles.literals + indexLiterals.literals) : nil
        if let combined, combined.reportsOncePerHaystack {
            self.searcher = combined
            self.indexPiecesInSearcher = true
            self.indexSearchers = []
        } else {
            self.searcher = NeedleSet(needles.literals)
            self.indexPiecesInSearcher = false
            self.indexSearchers = indexLiterals.literals.map { LiteralSearcher(needles: [$0]) }
        }
        self.indexPieceCount = indexLiterals.literals.count
    }

    /// Case-folded literals, each with one id.
    struct LiteralTable {
        var literals: [[UInt8]] = []
        var ids: [[UInt8]: Int] = [:]

        mutating func id(of literal: [UInt8]) -> Int {
            let folded = CaseFolding.fold(literal)
            if let id = ids[folded] { return id }
            literals.append(folded)
            ids[folded] = literals.count - 1
            return literals.count - 1
        }
    }

    /// Reusable buffers, one set per scanning task.
    public struct Scratch {
        var candidates: [UInt64] = []
        var hits: [(line: Int, needle: Int)] = []
        var normalized: [UInt8] = []
        var lineNeedles: [Int] = []
        /// Per index piece, on the current line: 0 not looked for yet, 1 present, 2 absent.
        var indexState: [UInt8] = []
        /// With the pieces in the main search: the line stamp of the last line each was found on.
        var indexSeen: [UInt32] = []
        var lineStamp: UInt32 = 0
        var marks: [UInt32] = []
        var generation: UInt32 = 0
        let hyperscan = HyperscanLiteralSearcher.Scratch()
        public init() {}
    }

    /// Which lines of a batch go on, and each one's candidate rules (beyond the unfiltered ones).
    public struct Verdicts: Sendable {
        public var passes: [Bool]
        /// Line i's candidate rules are `rules[ruleStart[i] ..< ruleStart[i + 1]]`.
        public var ruleStart: [UInt32]
        public var rules: [UInt32]
    }

    public func scan(_ batch: Batch, scratch: inout Scratch) -> Verdicts {
        let lineCount = batch.lineCount
        guard isActive else {
            return Verdicts(passes: [Bool](repeating: true, count: lineCount),
                            ruleStart: [UInt32](repeating: 0, count: lineCount + 1), rules: [])
        }
        let everyLine = unfiltered.contains(true)
        if scratch.marks.count < unfiltered.count { scratch.marks = [UInt32](repeating: 0, count: unfiltered.count) }
        if scratch.indexSeen.count < indexPieceCount { scratch.indexSeen = [UInt32](repeating: 0, count: indexPieceCount) }
        var passes = [Bool](repeating: everyLine, count: lineCount)
        var ruleStart: [UInt32] = []
        ruleStart.reserveCapacity(lineCount + 1)
        var rules: [UInt32] = []
        var hits: [(line: Int, needle: Int)] = []
        swap(&hits, &scratch.hits)
        hits.removeAll(keepingCapacity: true)
        batch.withUnsafeBytes { raw in
            if searcher.reportsOncePerHaystack {
                // A search per line, each needle reported once: hits come grouped by line.
                for line in 0..<lineCount {
                    let span = batch.lines[line]
                    search(UnsafeRawBufferPointer(rebasing: raw[Int(span.start)..<span.end]), scratch: &scratch) { needle, _ in
                        hits.append((line, needle))
                    }
                }
            } else {
                // One pass over the whole buffer; a literal never spans lines (it holds no newline).
                search(raw, scratch: &scratch) { needle, position in
                    hits.append((Self.line(containing: position, in: batch.lines), needle))
                }
                // Each line's hits become contiguous, needles ascending.
                hits.sort { $0.line != $1.line ? $0.line < $1.line : $0.needle < $1.needle }
            }
            var next = 0
            // Needles found in decoded lines; one buffer per batch, not one per line.
            var found: [Int] = []
            // The next line holding an escape, found by jumping from escape to next line.
            var escapedLine = nextEscapedLine(raw, lines: batch.lines, from: 0, scratch: &scratch)
            for line in 0..<lineCount {
                ruleStart.append(UInt32(rules.count))
                let span = batch.lines[line]
                let lineBytes = UnsafeRawBufferPointer(rebasing: raw[Int(span.start)..<span.end])
                scratch.lineNeedles.removeAll(keepingCapacity: true)
                scratch.lineStamp &+= 1
                while next < hits.count && hits[next].line == line {
                    note(hits[next].needle, scratch: &scratch)
                    next += 1
                }
                let escaped = escapedLine == line
                if escaped {
                    // The raw bytes may hide a literal behind escapes: search the decoded form too.
                    EscapeNormalizer.normalize(lineBytes, into: &scratch.normalized)
                    found.removeAll(keepingCapacity: true)
                    scratch.normalized.withUnsafeBytes { decoded in
                        search(decoded, scratch: &scratch) { needle, _ in found.append(needle) }
                    }
                    for needle in found { note(needle, scratch: &scratch) }
                    escapedLine = nextEscapedLine(raw, lines: batch.lines, from: line + 1, scratch: &scratch)
                }
                guard !scratch.lineNeedles.isEmpty else { continue }
                scratch.generation &+= 1
                var indexReset = false
                for slot in scratch.lineNeedles.indices {
                    let needle = scratch.lineNeedles[slot]
                    for position in needleRuleStart[needle]..<needleRuleStart[needle + 1] {
                        let rule = needleRules[position]
                        guard scratch.marks[Int(rule)] != scratch.generation else { continue }
                        scratch.marks[Int(rule)] = scratch.generation
                        if requiresIndexPiece[Int(rule)] {
                            // Index pieces are looked for only on lines that already hold a literal.
                            if !indexReset && !indexPiecesInSearcher {
                                scratch.indexState.removeAll(keepingCapacity: true)
                                scratch.indexState.append(contentsOf: repeatElement(0, count: indexSearchers.count))
                                indexReset = true
                            }
                            guard (indexPieceStart[Int(rule)]..<indexPieceStart[Int(rule) + 1]).contains(where: {
                                holdsIndexPiece(indexPieces[$0], lineBytes, alsoDecoded: escaped, scratch: &scratch)
                            }) else { continue }
                        }
                        rules.append(rule)
                    }
                }
                if ruleStart[line] != UInt32(rules.count) { passes[line] = true }
            }
        }
        swap(&hits, &scratch.hits)
        ruleStart.append(UInt32(rules.count))
        return Verdicts(passes: passes, ruleStart: ruleStart, rules: rules)
    }

    /// A needle found on the current line: a literal, or (ids past the literals) an index piece.
    @inline(__always)
    private func note(_ needle: Int, scratch: inout Scratch) {
        if needle < needles.count {
            scratch.lineNeedles.append(needle)
        } else {
            scratch.indexSeen[needle - needles.count] = scratch.lineStamp
        }
    }

    private func search(_ haystack: UnsafeRawBufferPointer, scratch: inout Scratch, _ found: (Int, Int) -> Void) {
        searcher.forEachMatch(in: haystack, scratch: &scratch.candidates, hyperscan: scratch.hyperscan, found)
    }

    /// Whether the line holds index piece `piece`, raw or (if it had escapes) decoded; each piece
    /// is searched at most once per line.
    private func holdsIndexPiece(_ piece: Int, _ line: UnsafeRawBufferPointer, alsoDecoded: Bool, scratch: inout Scratch) -> Bool {
        if indexPiecesInSearcher { return scratch.indexSeen[piece] == scratch.lineStamp }
        if scratch.indexState[piece] == 0 {
            var found = indexSearchers[piece].firstMatch(in: line, from: 0, scratch: &scratch.candidates) != nil
            if !found && alsoDecoded {
                var candidates: [UInt64] = []
                swap(&candidates, &scratch.candidates)
                found = scratch.normalized.withUnsafeBytes { indexSearchers[piece].firstMatch(in: $0, from: 0, scratch: &candidates) != nil }
                swap(&candidates, &scratch.candidates)
            }
            scratch.indexState[piece] = found ? 1 : 2
        }
        return scratch.indexState[piece] == 1
    }

    /// The first line at or after `from` that holds `\u` or `\/`, or -1.
    private func nextEscapedLine(_ raw: UnsafeRawBufferPointer, lines: [LineSpan], from line: Int, scratch: inout Scratch) -> Int {
        guard line < lines.count,
              let found = EscapeNormalizer.firstEscape(in: raw, from: Int(lines[line].start)) else { return -1 }
        return Self.line(containing: found, in: lines)
    }

    /// The index of the line holding `position` (lines are in buffer order).
    public static func line(containing position: Int, in lines: [LineSpan]) -> Int {
        var low = 0, high = lines.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if Int(lines[mid].start) <= position { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
