// Recursive descent over java.util.regex syntax (with the few Oniguruma differences GROK needs):
// alternation := sequence ('|' sequence)* ; sequence := quantified* ;
// quantified := atom (('*' | '+' | '?' | '{n}' | '{n,}' | '{n,m}') ('?' | '+')?)? .
// Offsets in errors are in code points of the pattern.

/// Which regular expression dialect a pattern is read in.
enum CaptureSyntax: Sendable {
    /// java.util.regex, as ES|QL's REPLACE compiles it.
    case java
    /// Oniguruma's Ruby syntax, as Elasticsearch's grok (Joni) compiles it: `^`/`$` are always
    /// line anchors, `.` stops only at `\n`, `(?m)` is dot-all, `\h` is a hex digit,
    /// `[[:alpha:]]` brackets work, case-insensitivity folds Unicode, and atomic groups are
    /// read as plain groups (the bundled patterns use them only to save backtracking).
    case oniguruma
}

/// The inline flags in force at a point of the pattern.
struct CaptureFlags: Sendable, Hashable {
    var caseInsensitive = false
    var unicodeCase = false
    var multiline = false
    var dotAll = false
    var comments = false
    var unixLines = false
}

struct CaptureRegexParser {
    /// Parentheses are the parser's (and compiler's) only recursion.
    static let maxNesting = 200

    private let text: [UInt32]
    private let syntax: CaptureSyntax
    private var pos = 0
    private var flags: CaptureFlags
    private var depth = 0
    private(set) var groupNames: [String?] = [nil]

    init(_ pattern: String, syntax: CaptureSyntax, caseInsensitive: Bool) {
        text = pattern.unicodeScalars.map(\.value)
        self.syntax = syntax
        flags = CaptureFlags()
        flags.caseInsensitive = caseInsensitive
        if syntax == .oniguruma { flags.unicodeCase = true }
    }

    mutating func parse() throws(RegexError) -> CaptureNode {
        let node = try parseAlternation()
        if more {
            // Only an unmatched `)` stops the top-level alternation early.
            throw RegexError(message: "unmatched closing ')'", offset: pos)
        }
        return node
    }

    // MARK: Scanning

    private var more: Bool { pos < text.count }

    private func peek(_ c: Unicode.Scalar, offset: Int = 0) -> Bool {
        pos + offset < text.count && text[pos + offset] == c.value
    }

    private mutating func take(_ c: Unicode.Scalar) -> Bool {
        if peek(c) { pos += 1; return true }
        return false
    }

    private mutating func next() throws(RegexError) -> UInt32 {
        guard more else { throw RegexError(message: "unexpected end of pattern", offset: pos) }
        pos += 1
        return text[pos - 1]
    }

    /// In comments mode (`(?x)`), whitespace and `#` to the end of the line are not pattern.
    private mutating func skipComments() {
        guard flags.comments else { return }
        while more {
            let c = text[pos]
            if c == 0x20 || (0x09...0x0D).contains(c) {
                pos += 1
            } else if c == 0x23 {
                while more && text[pos] != 0x0A { pos += 1 }
            } else {
                return
            }
        }
    }

    // MARK: Structure

    private mutating func parseAlternation() throws(RegexError) -> CaptureNode {
        var branches = [try parseSequence()]
        while take("|") { branches.append(try parseSequence()) }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseSequence() throws(RegexError) -> CaptureNode {
        var items: [CaptureNode] = []
        while true {
            skipComments()
            guard more, !peek("|"), !peek(")") else { break }
            if let item = try parseQuantified() { items.append(item) }
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concat(items)
    }

    /// An atom and its quantifier; nil for a pure flag group such as `(?i)`.
    private mutating func parseQuantified() throws(RegexError) -> CaptureNode? {
        let atomStart = pos
        guard let atom = try parseAtom() else { return nil }
        // A quantifier after `\Q...\E` applies to its last character, as Java reads it.
        if case .concat(var items) = atom, text[atomStart] == 0x5C, let last = items.popLast() {
            let quantified = try quantify(last)
            return .concat(items + [quantified])
        }
        return try quantify(atom)
    }

    private mutating func quantify(_ atom: CaptureNode) throws(RegexError) -> CaptureNode {
        skipComments()
        let at = pos
        var bounds: (Int, Int?)
        if take("*") {
            bounds = (0, nil)
        } else if take("+") {
            bounds = (1, nil)
        } else if take("?") {
            bounds = (0, 1)
        } else if peek("{") {
            guard let counted = try parseCount() else { return atom }
            bounds = counted
        } else {
            return atom
        }
        if take("?") {
            return .repeating(atom, min: bounds.0, max: bounds.1, greedy: false, at: at)
        }
        let greedy = CaptureNode.repeating(atom, min: bounds.0, max: bounds.1, greedy: true, at: at)
        if take("+") { return .atomic(greedy, at: at) }
        return greedy
    }

    /// `{n}`, `{n,}` or `{n,m}` after an atom. Java refuses any other `{`; Oniguruma reads it
    /// as a literal brace (nil).
    private mutating func parseCount() throws(RegexError) -> (Int, Int?)? {
        let start = pos
        pos += 1
        func number(_ parser: inout CaptureRegexParser) -> Int? {
            let from = parser.pos
            var value = 0
            while parser.more, (0x30...0x39).contains(parser.text[parser.pos]) {
                value = min(value * 10 + Int(parser.text[parser.pos] - 0x30), Int(Int32.max))
                parser.pos += 1
            }
            return parser.pos > from ? value : nil
        }
        let low = number(&self)
        var high: Int?? = .some(low)
        if take(",") { high = .some(number(&self)) }
        guard let low, take("}") else {
            if syntax == .oniguruma { pos = start; return nil }
            throw RegexError(message: "illegal repetition", offset: start)
        }
        let upper = high ?? nil
        if let upper, upper < low {
            throw RegexError(message: "illegal repetition range {\(low),\(upper)}", offset: start)
        }
        return (low, upper)
    }

    private mutating func parseAtom() throws(RegexError) -> CaptureNode? {
        let start = pos
        let c = try next()
        switch c {
        case 0x28: return try parseGroup(start: start)  // (
        case 0x5B: return .set(try parseClass(start: start))  // [
        case 0x2E: return .set(dotSet)  // .
        case 0x5E:  // ^
            if syntax == .oniguruma { return .assertion(.onigLineStart) }
            if !flags.multiline { return .assertion(.textStart) }
            return .assertion(flags.unixLines ? .unixLineStart : .lineStart)
        case 0x24:  // $
            if syntax == .oniguruma { return .assertion(.unixLineEnd) }
            if flags.multiline { return .assertion(flags.unixLines ? .unixLineEnd : .lineEnd) }
            return .assertion(flags.unixLines ? .unixTextEndBeforeFinalNewline : .textEndBeforeFinalTerminator)
        case 0x5C: return try parseEscape(start: start)  // backslash
        case 0x2A, 0x2B, 0x3F:  // * + ?
            throw RegexError(message: "dangling meta character '\(Self.show(c))'", offset: start)
        case 0x7B where syntax == .java:  // {
            throw RegexError(message: "illegal repetition", offset: start)
        default:
            return .set(literal(c))
        }
    }

    // MARK: Groups

    private mutating func parseGroup(start: Int) throws(RegexError) -> CaptureNode? {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxNesting {
            throw RegexError(message: "groups nest deeper than \(Self.maxNesting) levels", offset: start)
        }
        let saved = flags
        var body: CaptureNode
        if take("?") {
            let kind = pos
            if take(":") {
                body = try parseAlternation()
            } else if take(">") {
                let inner = try parseAlternation()
                body = syntax == .oniguruma ? inner : .atomic(inner, at: start)
            } else if take("=") || take("!") {
                body = try parseLookaround(start: start, ahead: true, negate: text[kind] == 0x21)
            } else if peek("<") && (peek("=", offset: 1) || peek("!", offset: 1)) {
                pos += 2
                body = try parseLookaround(start: start, ahead: false, negate: text[kind + 1] == 0x21)
            } else if take("<") || (syntax == .oniguruma && take("P") && take("<")) {
                let name = try parseGroupName(start: start)
                groupNames.append(name)
                let index = groupNames.count - 1
                body = .group(try parseAlternation(), index: index)
            } else if syntax == .oniguruma && take("#") {
                while more && !peek(")") { pos += 1 }
                body = .empty
            } else {
                // Inline flags: `(?i)` changes the enclosing group from here on; `(?i:X)` only X.
                try parseFlags()
                // A pure flag group keeps its flags for the rest of the enclosing group (whose
                // own exit restores what it started with).
                if take(")") { return nil }
                guard take(":") else { throw RegexError(message: "unknown inline modifier", offset: pos) }
                body = try parseAlternation()
            }
        } else {
            groupNames.append(nil)
            let index = groupNames.count - 1
            body = .group(try parseAlternation(), index: index)
        }
        guard take(")") else { throw RegexError(message: "unclosed group", offset: start) }
        flags = saved
        return body
    }

    private mutating func parseFlags() throws(RegexError) {
        var on = true
        while more {
            let c = text[pos]
            switch c {
            case 0x2D: on = false  // -
            case 0x69: flags.caseInsensitive = on  // i
            case 0x6D:  // m: Oniguruma's m is Java's s
                if syntax == .oniguruma { flags.dotAll = on } else { flags.multiline = on }
            case 0x73: flags.dotAll = on  // s
            case 0x78: flags.comments = on  // x
            case 0x75: flags.unicodeCase = on || syntax == .oniguruma  // u
            case 0x64: flags.unixLines = on  // d
            case 0x55, 0x63:  // U, c
                throw RegexError(message: "inline flag '\(Self.show(c))' is not supported", offset: pos)
            default: return
            }
            pos += 1
        }
    }

    private mutating func parseGroupName(start: Int) throws(RegexError) -> String {
        let from = pos
        // Java allows letters and digits; grok patterns also use `_`, `.`, `@`, `-` and `[a][b]`.
        while more, let scalar = Unicode.Scalar(text[pos]), scalar != ">" && scalar != ")" { pos += 1 }
        let name = String(String.UnicodeScalarView(text[from..<pos].compactMap(Unicode.Scalar.init)))
        guard take(">"), !name.isEmpty else {
            throw RegexError(message: "named capturing group is missing trailing '>'", offset: start)
        }
        if let first = name.unicodeScalars.first, (0x30...0x39).contains(first.value) {
            throw RegexError(message: "capturing group name <\(name)> starts with a digit", offset: from)
        }
        if syntax == .java, groupNames.contains(name) {
            throw RegexError(message: "named capturing group <\(name)> is already defined", offset: from)
        }
        return name
    }

    private mutating func parseLookaround(start: Int, ahead: Bool, negate: Bool) throws(RegexError) -> CaptureNode {
        let body = try parseAlternation()
        guard let sequences = body.fixedSequences, !sequences.isEmpty else {
            throw RegexError(message: "lookaround is not supported (matching stays linear) except around fixed characters", offset: start)
        }
        return .lookaround(CaptureLookaround(ahead: ahead, negate: negate, alternatives: sequences))
    }

    // MARK: Escapes

    private mutating func parseEscape(start: Int) throws(RegexError) -> CaptureNode {
        let c = try next()
        switch c {
        case 0x62: return .assertion(.wordBoundary)  // b
        case 0x42: return .assertion(.notWordBoundary)  // B
        case 0x41: return .assertion(.textStart)  // A
        case 0x7A: return .assertion(.textEnd)  // z
        case 0x5A:  // Z
            return .assertion(syntax == .oniguruma || flags.unixLines ? .unixTextEndBeforeFinalNewline : .textEndBeforeFinalTerminator)
        case 0x51: return quoted()  // Q
        case 0x52:  // R: a line break, \r\n as one
            let crlf = CaptureNode.concat([.set([0x0D...0x0D]), .set([0x0A...0x0A])])
            return .alternation([crlf, .set([0x0A...0x0D, 0x85...0x85, 0x2028...0x2029])])
        case 0x6B, 0x31...0x39:  // k, 1-9
            throw RegexError(message: "backreferences are not supported (matching stays linear)", offset: start)
        case 0x47, 0x58, 0x4B:  // G X K
            throw RegexError(message: "escape \\\(Self.show(c)) is not supported", offset: start)
        default:
            pos -= 1
            return .set(try parseClassEscape(start: start))
        }
    }

    /// `\Q...\E`: everything up to `\E` (or the end) literally.
    private mutating func quoted() -> CaptureNode {
        var items: [CaptureNode] = []
        while more {
            if peek("\\") && peek("E", offset: 1) { pos += 2; break }
            items.append(.set(literal(text[pos])))
            pos += 1
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concat(items)
    }

    /// After a backslash, an escape that stands for a set of code points (valid in and out of
    /// classes); `start` is the backslash.
    private mutating func parseClassEscape(start: Int) throws(RegexError) -> [ClosedRange<UInt32>] {
        if let set = try parsePredefinedEscape(start: start) { return set }
        return literal(try parseEscapedCodePoint(start: start))
    }

    /// `\d`, `\w`, `\p{L}`... (the backslash already read), or nil (nothing consumed) when the
    /// escape is a single code point.
    private mutating func parsePredefinedEscape(start: Int) throws(RegexError) -> [ClosedRange<UInt32>]? {
        guard more else { throw RegexError(message: "unexpected end of pattern", offset: start) }
        let classes = CaptureCharClasses.self
        let c = text[pos]
        let set: [ClosedRange<UInt32>]
        switch c {
        case 0x64: set = classes.digit  // d
        case 0x44: set = RegexCharSet.complement(classes.digit)
        case 0x77: set = classes.word  // w
        case 0x57: set = RegexCharSet.complement(classes.word)
        case 0x73: set = classes.space  // s
        case 0x53: set = RegexCharSet.complement(classes.space)
        case 0x68: set = syntax == .oniguruma ? classes.hexDigit : classes.horizontalSpace  // h
        case 0x48: set = RegexCharSet.complement(syntax == .oniguruma ? classes.hexDigit : classes.horizontalSpace)
        case 0x76 where syntax == .java: set = classes.verticalSpace  // v
        case 0x56 where syntax == .java: set = RegexCharSet.complement(classes.verticalSpace)
        case 0x70, 0x50:  // p, P
            pos += 1
            let property = try parseProperty(start: start)
            return c == 0x50 ? RegexCharSet.complement(property) : property
        default: return nil
        }
        pos += 1
        return set
    }

    /// An escape that stands for one code point (the backslash already read), unfolded.
    private mutating func parseEscapedCodePoint(start: Int) throws(RegexError) -> UInt32 {
        let c = try next()
        switch c {
        case 0x74: return 0x09  // t
        case 0x6E: return 0x0A  // n
        case 0x72: return 0x0D  // r
        case 0x66: return 0x0C  // f
        case 0x61: return 0x07  // a
        case 0x65: return 0x1B  // e
        case 0x76: return 0x0B  // v (Oniguruma: vertical tab)
        case 0x63: return try next() ^ 0x40  // cX
        case 0x30: return try parseOctal(start: start)  // 0
        case 0x78: return try parseHex(start: start)  // x
        case 0x75: return try parseUnicodeEscape(start: start)  // u
        default:
            let isLetterOrDigit = (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
            if isLetterOrDigit {
                throw RegexError(message: "illegal/unsupported escape sequence \\\(Self.show(c))", offset: start)
            }
            return c
        }
    }

    private mutating func parseOctal(start: Int) throws(RegexError) -> UInt32 {
        func digit(_ parser: CaptureRegexParser) -> UInt32? {
            guard parser.more, (0x30...0x37).contains(parser.text[parser.pos]) else { return nil }
            return parser.text[parser.pos] - 0x30
        }
        guard let first = digit(self) else { throw RegexError(message: "illegal octal escape sequence", offset: start) }
        pos += 1
        var value = first
        for index in 0..<2 {
            guard let d = digit(self), index == 0 || first <= 3 else { break }
            value = value * 8 + d
            pos += 1
        }
        return value
    }

    private mutating func parseHex(start: Int) throws(RegexError) -> UInt32 {
        if take("{") {
            var value: UInt32 = 0
            var count = 0
            while more, let d = Self.hexValue(text[pos]) {
                value = value &* 16 &+ d
                count += 1
                pos += 1
                if value > 0x10FFFF { throw RegexError(message: "hexadecimal codepoint is too big", offset: start) }
            }
            guard count > 0, take("}") else { throw RegexError(message: "unclosed hexadecimal escape sequence", offset: start) }
            return value
        }
        guard pos + 1 < text.count, let a = Self.hexValue(text[pos]), let b = Self.hexValue(text[pos + 1]) else {
            throw RegexError(message: "illegal hexadecimal escape sequence", offset: start)
        }
        pos += 2
        return a * 16 + b
    }

    private mutating func parseUnicodeEscape(start: Int) throws(RegexError) -> UInt32 {
        func four(_ parser: inout CaptureRegexParser) -> UInt32? {
            guard parser.pos + 3 < parser.text.count else { return nil }
            var value: UInt32 = 0
            for k in 0..<4 {
                guard let d = CaptureRegexParser.hexValue(parser.text[parser.pos + k]) else { return nil }
                value = value * 16 + d
            }
            parser.pos += 4
            return value
        }
        guard let high = four(&self) else { throw RegexError(message: "illegal Unicode escape sequence", offset: start) }
        // A surrogate pair written as two escapes is one code point, as in Java's UTF-16.
        if (0xD800...0xDBFF).contains(high), peek("\\"), peek("u", offset: 1) {
            let save = pos
            pos += 2
            if let low = four(&self), (0xDC00...0xDFFF).contains(low) {
                return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            pos = save
        }
        return high
    }

    private static func hexValue(_ c: UInt32) -> UInt32? {
        c < 0x80 ? hexDigitValue(UInt8(c)).map(UInt32.init) : nil
    }

    /// `\p{Name}`, `\pL`; `\p` itself is consumed.
    private mutating func parseProperty(start: Int) throws(RegexError) -> [ClosedRange<UInt32>] {
        var name: String
        if take("{") {
            let from = pos
            while more && !peek("}") { pos += 1 }
            guard take("}") else { throw RegexError(message: "unclosed character family", offset: start) }
            name = String(String.UnicodeScalarView(text[from..<(pos - 1)].compactMap(Unicode.Scalar.init)))
        } else {
            name = Self.show(try next())
        }
        guard let set = CaptureCharClasses.property(name) else {
            throw RegexError(message: "unknown character property name {\(name)}", offset: start)
        }
        return flags.caseInsensitive ? fold(set) : set
    }

    // MARK: Classes

    /// `[...]` after its `[`: items, ranges, nested classes (union), `&&` intersection, `^`.
    private mutating func parseClass(start: Int) throws(RegexError) -> [ClosedRange<UInt32>] {
        let negate = take("^")
        var set = try parseClassBody(start: start)
        if negate { set = RegexCharSet.complement(set) }
        return set
    }

    /// Items up to and including the closing `]`.
    private mutating func parseClassBody(start: Int) throws(RegexError) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            skipComments()
            guard more else { throw RegexError(message: "unclosed character class", offset: start) }
            let itemStart = pos
            let c = text[pos]
            if c == 0x5D && !first {  // ]
                pos += 1
                return RegexCharSet.normalize(ranges)
            }
            first = false
            if c == 0x5B {  // [ : a nested class, or Oniguruma's [:alpha:]
                if syntax == .oniguruma, let posix = try parsePosixBracket() {
                    ranges += posix
                    continue
                }
                pos += 1
                ranges += try parseClass(start: itemStart)
                continue
            }
            if c == 0x26 && peek("&", offset: 1) {  // &&
                pos += 2
                let rest = try parseClassBody(start: start)
                return CaptureCharClasses.intersect(RegexCharSet.normalize(ranges), rest)
            }
            if c == 0x5C, peek("Q", offset: 1) {
                pos += 2
                while more && !(peek("\\") && peek("E", offset: 1)) {
                    ranges += literal(text[pos])
                    pos += 1
                }
                if more { pos += 2 }
                continue
            }
            // A single character, possibly the start of a range.
            guard let low = try parseClassChar(into: &ranges) else { continue }
            if peek("-"), pos + 1 < text.count, text[pos + 1] != 0x5D, text[pos + 1] != 0x5B {
                pos += 1
                var ignored: [ClosedRange<UInt32>] = []
                guard let high = try parseClassChar(into: &ignored), ignored.isEmpty else {
                    throw RegexError(message: "illegal character range", offset: itemStart)
                }
                guard low <= high else { throw RegexError(message: "illegal character range", offset: itemStart) }
                ranges += rangeSet(low...high)
            } else {
                ranges += literal(low)
            }
        }
    }

    /// One class member: returns a single code point (which may start a range), or adds a
    /// predefined set such as `\d` to `ranges` and returns nil.
    private mutating func parseClassChar(into ranges: inout [ClosedRange<UInt32>]) throws(RegexError) -> UInt32? {
        let start = pos
        let c = try next()
        guard c == 0x5C else { return c }
        if let set = try parsePredefinedEscape(start: start) {
            ranges += set
            return nil
        }
        return try parseEscapedCodePoint(start: start)
    }

    /// Oniguruma's `[:name:]` (and `[:^name:]`) inside a class, or nil when the text at `[` is
    /// not one (then it is a nested class).
    private mutating func parsePosixBracket() throws(RegexError) -> [ClosedRange<UInt32>]? {
        guard peek(":", offset: 1) else { return nil }
        var end = pos + 2
        while end + 1 < text.count, !(text[end] == 0x3A && text[end + 1] == 0x5D) {
            if text[end] == 0x5D { return nil }
            end += 1
        }
        guard end + 1 < text.count else { return nil }
        var name = String(String.UnicodeScalarView(text[(pos + 2)..<end].compactMap(Unicode.Scalar.init)))
        let negate = name.hasPrefix("^")
        if negate { name.removeFirst() }
        guard let set = CaptureCharClasses.posixBracket(name) else {
            throw RegexError(message: "invalid POSIX bracket type [:\(name):]", offset: pos)
        }
        pos = end + 2
        return negate ? RegexCharSet.complement(set) : set
    }

    // MARK: Sets and folding

    private var dotSet: [ClosedRange<UInt32>] {
        if flags.dotAll { return [0...RegexParser.maxCodePoint] }
        if syntax == .oniguruma || flags.unixLines { return RegexCharSet.complement([0x0A...0x0A]) }
        return RegexCharSet.complement(CaptureCharClasses.lineTerminators)
    }

    private func literal(_ c: UInt32) -> [ClosedRange<UInt32>] {
        rangeSet(c...c)
    }

    /// A range, widened to its case variants when case-insensitive.
    private func rangeSet(_ r: ClosedRange<UInt32>) -> [ClosedRange<UInt32>] {
        flags.caseInsensitive ? fold([r]) : [r]
    }

    private func fold(_ set: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        flags.unicodeCase ? CaptureCharClasses.foldUnicode(set) : CaptureCharClasses.foldASCII(set)
    }

    static func show(_ c: UInt32) -> String {
        Unicode.Scalar(c).map { String(Character($0)) } ?? "?"
    }
}
