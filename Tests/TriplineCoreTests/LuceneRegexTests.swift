import Dispatch
import Synchronization
import Testing
@testable import TriplineCore

/// Lucene RegExp semantics (Elasticsearch `regexp`, EQL `regex`/`regex~`, ES|QL RLIKE), checked
/// case by case, against a reference matcher on random patterns, and on every pattern of the rules.
@Suite struct LuceneRegexTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pattern: String
        var caseInsensitive = false
        var matching: [String]
        var failing: [String]
        var testDescription: String { (caseInsensitive ? "~ " : "") + pattern }
    }

    static func c(_ pattern: String, ci: Bool = false, _ matching: [String], not failing: [String] = []) -> Case {
        Case(pattern: pattern, caseInsensitive: ci, matching: matching, failing: failing)
    }

    static func check(_ item: Case) throws {
        let regex = try LuceneRegex(item.pattern, caseInsensitive: item.caseInsensitive)
        for input in item.matching {
            #expect(regex.matches(input), "\(item.pattern) should match \(input.debugDescription)")
            #expect(Array(input.utf8).withUnsafeBytes { regex.matches($0) }, "bytes of \(input.debugDescription)")
        }
        for input in item.failing {
            #expect(!regex.matches(input), "\(item.pattern) should not match \(input.debugDescription)")
        }
    }

    // MARK: Operators

    static let operators: [Case] = [
        // The whole input must match; ^ and $ are ordinary characters.
        c("abc", ["abc"], not: ["xabc", "abcx", "ab", ""]),
        c("^a$", ["^a$"], not: ["a"]),
        c("", [""], not: ["a"]),
        c(".", ["a", "é", "😀", " ", "\n"], not: ["", "ab"]),
        c("a?", ["", "a"], not: ["aa", "b"]),
        c("a+", ["a", "aaa"], not: ["", "ab"]),
        c("a*", ["", "aaaa"], not: ["b", "ab"]),
        c("a{3}", ["aaa"], not: ["aa", "aaaa"]),
        c("a{2,}", ["aa", "aaaaaa"], not: ["a", ""]),
        c("a{2,3}", ["aa", "aaa"], not: ["a", "aaaa"]),
        c("a{0}", [""], not: ["a"]),
        c("a{0,1}", ["", "a"], not: ["aa"]),
        c("(ab){2}", ["abab"], not: ["ab", "ababab"]),
        c("ab{2}", ["abb"], not: ["abab"]),
        c("ab|cd", ["ab", "cd"], not: ["abcd", "a", ""]),
        c("ab|c*d", ["ab", "d", "cccd"], not: ["abd", "abcd"]),
        c("(ab)+c", ["abc", "ababc"], not: ["c", "abac"]),
        c("()", [""], not: ["a"]),
        c("a()b", ["ab"], not: ["a b"]),
        c("a**", ["", "aaa"], not: ["b"]),
        c("a+?", ["", "a", "aa"], not: ["b"]),
        c("(a|())b", ["ab", "b"], not: ["aab"]),
        // Quoted strings are literal, backslashes included.
        c(#""a.b*""#, ["a.b*"], not: ["axb", "a.bb"]),
        c(#""a\b"x"#, [#"a\bx"#], not: ["abx"]),
        c(#""""#, [""], not: ["\"\""]),
        // Any escaped character is itself.
        c(#"a\.b"#, ["a.b"], not: ["axb"]),
        c(##"\*\+\?\(\)\[\{\|\"\~\&\#\@\<"##, [#"*+?()[{|"~&#@<"#]),
        c(#"\\"#, [#"\"#]),
        c(#"\é"#, ["é"]),
        // Where no operand is expected an operator character is a literal (Lucene's parser).
        c("*a", ["*a"], not: ["a"]),
        c("|a", ["|a"], not: ["a", ""]),
        c("a|*", ["a", "*"], not: [""]),
        c("a||b", ["a", "|b"], not: ["b", ""]),
        c("{", ["{"]),
        c("}", ["}"]),
        c("]", ["]"]),
        c("a}", ["a}"]),
        c("(*)", ["*"]),
        c("&a", ["&a"]),
        // Optional operators, all on as in Elasticsearch: complement, intersection, #, @, <n-m>.
        c("~a", ["", "b", "aa", "ab"], not: ["a"]),
        c("~(ab|cd)", ["", "a", "abab", "abc"], not: ["ab", "cd"]),
        c("~~a", ["a"], not: ["b", ""]),
        c("~a*", ["", "aa", "bb"], not: []),
        c("x~(a+)y", ["xy", "xby", "xaby"], not: ["xay", "xaay"]),
        c(".*&~(.*x.*)", ["", "abc"], not: ["x", "axb"]),
        c("a.*&.*b", ["ab", "axxb"], not: ["ba", "a", "b"]),
        c("a.*&.*b&.*c.*", ["acb", "abcb"], not: ["ab"]),
        c("[a-z]+&~(.*[aeiou].*)", ["xyz"], not: ["xaz", "", "XYZ"]),
        c("#", [], not: ["", "a", "#"]),
        c("a|#", ["a"], not: ["", "#"]),
        c("#*", [""], not: ["a"]),
        c("~#", ["", "anything"]),
        c("@", ["", "anything", "é😀"]),
        c("a@b", ["ab", "axyzb"], not: ["a", "ba"]),
        c("<1-10>", ["1", "9", "10", "05", "007", "010"], not: ["0", "11", "", "a", "1a"]),
        c("<01-10>", ["01", "05", "10"], not: ["1", "010", "11", "00"]),
        c("<0-5>", ["0", "5"], not: ["00", "05", "6"]),
        c("<10-5>", ["5", "10", "07"], not: ["11", "4"]),
        c("<0-100>", ["0", "00", "100", "0100", "99"], not: ["101", ""]),
        c("<123-4567>", ["123", "999", "1000", "4567", "0456"], not: ["122", "4568", "12"]),
        c("<+5-7>", ["5", "06", "007"], not: ["8", "+5"]),
        c("x<1-3>y", ["x2y"], not: ["x01y", "x4y", "xy"]),
    ]

    @Test(arguments: operators) func operatorsMatchLikeLucene(_ item: Case) throws { try Self.check(item) }

    // MARK: Classes

    static let classes: [Case] = [
        c("[abc]", ["a", "c"], not: ["d", "", "ab"]),
        c("[a-c]+", ["abcba"], not: ["abd"]),
        c("[a-c-e]", ["b", "-", "e"], not: ["d"]),
        c("[^abc]", ["d", "é", "😀"], not: ["a", "", "de"]),
        c("[^a-z0-9]", ["A", "-"], not: ["q", "5"]),
        c("[]a]", ["]", "a"], not: ["b"]),
        c(#"[a\]]"#, ["a", "]"]),
        c(#"[\-a]"#, ["-", "a"], not: ["b"]),
        c(#"[\\]"#, [#"\"#]),
        // An escaped character does not start a range (Lucene 10).
        c(#"[\.-z]"#, [".", "-", "z"], not: ["a", "y"]),
        c(#"[\]-a]"#, ["]", "-", "a"], not: ["b"]),
        c("[^^]", ["a"], not: ["^"]),
        c("[$^.*+?(){}|]+", ["$^.*+?(){}|"], not: ["a"]),
        c(#"\d+"#, ["0123"], not: ["a", ""]),
        c(#"\D"#, ["a", "é"], not: ["1"]),
        c(#"\s+"#, [" \t\n\r"], not: ["\u{0B}", "a", "\u{A0}"]),
        c(#"\S"#, ["a"], not: [" "]),
        c(#"\w+"#, ["a_Z9"], not: ["-", "é"]),
        c(#"\W"#, ["-", "é"], not: ["a", "_"]),
        c(#"[\d_]+"#, ["5_5"], not: ["a"]),
        c(#"[^\d]"#, ["a"], not: ["5"]),
        c(#"[\W\d]+"#, ["-5"], not: ["a"]),
    ]

    @Test(arguments: classes) func classesMatchLikeLucene(_ item: Case) throws { try Self.check(item) }

    // MARK: Unicode

    static let unicode: [Case] = [
        c("é+", ["éé"], not: ["e", "e\u{301}"]),
        c("[α-ω]+", ["λογος"], not: ["ΛΟΓΟΣ", "λόγος"]),
        c(".{3}", ["日本語", "a😀b"], not: ["日本", "日本語x"]),
        c("😀.", ["😀a", "😀😀"], not: ["😀"]),
        c("[^😀]", ["a", "😁"], not: ["😀"]),
        c("[😀-😂]", ["😁"], not: ["😃"]),
        c("\u{10FFFF}", ["\u{10FFFF}"]),
        c(".*[ʰ-˿ᴬ-ᶻ]+.*", ["cmdˢ.exe", "ᴬ"], not: ["cmd.exe"]),
    ]

    @Test(arguments: unicode) func codePointsNotBytes(_ item: Case) throws { try Self.check(item) }

    /// A compiler builds each pattern's automaton once, per case sensitivity; a pattern that
    /// does not parse is refused every time it is asked for.
    @Test func theCompilersCacheBuildsEachPatternOnce() throws {
        let cache = RegexCache()
        let first = try cache.regex(".*(AKIA|ASIA)[A-Z0-9]{16}.*", caseInsensitive: false)
        let again = try cache.regex(".*(AKIA|ASIA)[A-Z0-9]{16}.*", caseInsensitive: false)
        let folded = try cache.regex(".*(AKIA|ASIA)[A-Z0-9]{16}.*", caseInsensitive: true)
        #expect(first.program === again.program)
        #expect(first.program !== folded.program)
        #expect(again.matches("key AKIAABCDEFGHIJKLMNOP used") && !again.matches("key akiaabcdefghijklmnop used"))
        // Case-insensitive matching folds the literals, not the ranges (as Lucene does).
        #expect(folded.matches("key akiaABCDEFGHIJKLMNOP used") && !folded.matches("key akiaabcdefghijklmnop used"))
        for _ in 0..<2 { #expect(throws: RegexError.self) { try cache.regex("a(b", caseInsensitive: false) } }
    }

    /// The DFA is built at the first match, not with the pattern (a rule's regex that no event
    /// reaches never needs one), and once: threads matching a fresh pattern at the same time all
    /// answer right, and the pattern keeps one matcher.
    @Test func theMatcherIsBuiltAtTheFirstMatchOnce() throws {
        let regex = try LuceneRegex(".*(AKIA|ASIA)[A-Z0-9]{16}.*", caseInsensitive: false)
        #expect(!regex.program.hasMatcher)
        let inputs = ["key AKIAABCDEFGHIJKLMNOP used", "key akiaabcdefghijklmnop used", "ASIA0123456789ABCDEF", "ASIA0123"]
        let answers = Mutex<[[Bool]]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let got = inputs.map { regex.matches($0) }
            answers.withLock { $0.append(got) }
        }
        #expect(answers.withLock { $0 } == Array(repeating: [true, false, true, false], count: 16))
        #expect(regex.program.hasMatcher)
        #expect(regex.program.matcher === regex.program.matcher)
    }

    @Test func invalidUTF8ReadsAsReplacementCharacters() throws {
        func bytes(_ pattern: String, _ input: [UInt8]) throws -> Bool {
            let regex = try LuceneRegex(pattern, caseInsensitive: false)
            return input.withUnsafeBytes { regex.matches($0) }
        }
        #expect(try bytes(".", [0xFF]))
        #expect(try bytes("\u{FFFD}", [0xC0]))
        // A truncated sequence is one replacement character (its maximal valid prefix).
        #expect(try bytes("a.b", [0x61, 0xE2, 0x82, 0x62]))
        #expect(try !bytes("a..b", [0x61, 0xE2, 0x82, 0x62]))
        #expect(try bytes("..", [0xED, 0xA0, 0x80].prefix(1) + [0x41]))
        #expect(try bytes("...", [0xED, 0xA0, 0x80]))  // a surrogate's encoding: three bad bytes
        #expect(try bytes("[^a]*", [0xF8, 0x80, 0x80]))
        #expect(try !bytes("a", [0x61, 0x80]))
    }

    // MARK: Case-insensitive (EQL regex~)

    static let caseInsensitive: [Case] = [
        c("abc", ci: true, ["abc", "ABC", "aBc"], not: ["abd"]),
        c(#""Hello""#, ci: true, ["HELLO", "hello"]),
        c("[abc]+", ci: true, ["ABC", "abc"], not: ["d"]),
        c("[^a]", ci: true, ["b"], not: ["a", "A"]),
        // Ranges and predefined classes are not folded, exactly as in Lucene.
        c("[a-z]+", ci: true, ["abc"], not: ["ABC"]),
        c("[A-Z]:.+", ci: true, ["C:x"], not: ["c:x"]),
        c(#"\w"#, ci: true, ["k"], not: ["\u{212A}"]),
        // Unicode simple case folding for single characters.
        c("k", ci: true, ["k", "K", "\u{212A}"], not: ["x"]),
        c("s", ci: true, ["s", "S", "ſ"]),
        c("σ", ci: true, ["Σ", "ς", "σ"]),
        c("é", ci: true, ["É", "é"], not: ["e"]),
        c("i", ci: true, ["i", "I"], not: ["ı", "İ"]),
        c("ß", ci: true, ["ß", "ẞ"], not: ["ss"]),
        c("é", ["é"], not: ["É"]),
        c("~a", ci: true, ["b"], not: ["a", "A"]),
        c(".*(AWSLogs|CloudTrail).*", ci: true, ["s3://x/awslogs/y", "CLOUDTRAIL"], not: ["aws"]),
    ]

    @Test(arguments: caseInsensitive) func caseInsensitiveFoldsCharactersNotRanges(_ item: Case) throws { try Self.check(item) }

    // MARK: Errors

    struct Malformed: Sendable, CustomTestStringConvertible {
        var pattern: String
        var offset: Int
        var message: String
        var testDescription: String { pattern }
    }

    static let malformed: [Malformed] = [
        .init(pattern: "(ab", offset: 3, message: "expected ')' at position 3"),
        .init(pattern: "(", offset: 1, message: "unexpected end-of-string"),
        // Lucene reads a `)` right after `|` as a literal, so this group never closes.
        .init(pattern: "(a|)b", offset: 5, message: "expected ')' at position 5"),
        .init(pattern: #"[a-\]]"#, offset: 1, message: "invalid range: from (97) cannot be > to (93)"),
        .init(pattern: "ab)", offset: 2, message: "end-of-string expected at position 2"),
        .init(pattern: "[ab", offset: 3, message: "expected ']' at position 3"),
        .init(pattern: "[]", offset: 2, message: "expected ']' at position 2"),
        .init(pattern: "[^]", offset: 3, message: "expected ']' at position 3"),
        .init(pattern: "[+-]", offset: 4, message: "expected ']' at position 4"),
        .init(pattern: "[a-]", offset: 1, message: "invalid range: from (97) cannot be > to (93)"),
        .init(pattern: "x[z-a]", offset: 2, message: "invalid range"),
        .init(pattern: "a{", offset: 2, message: "integer expected at position 2"),
        .init(pattern: "a{,2}", offset: 2, message: "integer expected at position 2"),
        .init(pattern: "a{2", offset: 3, message: "expected '}' at position 3"),
        .init(pattern: "a{2,x}", offset: 4, message: "expected '}' at position 4"),
        .init(pattern: "a{3,2}", offset: 1, message: "invalid repetition range(out of order): 3..2"),
        .init(pattern: "a{99999999999}", offset: 2, message: "repetition count too large"),
        .init(pattern: #"\"#, offset: 1, message: "unexpected end-of-string"),
        .init(pattern: "a|", offset: 2, message: "unexpected end-of-string"),
        .init(pattern: "a&", offset: 2, message: "unexpected end-of-string"),
        .init(pattern: "~", offset: 1, message: "unexpected end-of-string"),
        .init(pattern: "[a", offset: 2, message: "expected ']' at position 2"),
        .init(pattern: #""abc"#, offset: 4, message: #"expected '"' at position 4"#),
        .init(pattern: "<1-3", offset: 4, message: "expected '>' at position 4"),
        .init(pattern: "a<abc>", offset: 1, message: "named automaton <abc> is not supported"),
        .init(pattern: "<1-2-3>", offset: 6, message: "interval syntax error at position 6"),
        .init(pattern: "<-3>", offset: 3, message: "interval syntax error at position 3"),
        .init(pattern: "<3->", offset: 3, message: "interval syntax error at position 3"),
        .init(pattern: "<a-3>", offset: 4, message: "interval syntax error at position 4"),
        .init(pattern: "<1-99999999999>", offset: 14, message: "interval syntax error at position 14"),
        .init(pattern: #"\q"#, offset: 0, message: #"invalid character class \q"#),
        .init(pattern: #"ab\n"#, offset: 2, message: #"invalid character class \n"#),
        .init(pattern: #"[a\t]"#, offset: 2, message: #"invalid character class \t"#),
        .init(pattern: #"x\p{L}"#, offset: 1, message: #"invalid character class \p"#),
        // Offsets count code points, not bytes.
        .init(pattern: "éé(x", offset: 4, message: "expected ')' at position 4"),
        .init(pattern: "😀)", offset: 1, message: "end-of-string expected at position 1"),
    ]

    @Test(arguments: malformed) func malformedPatternsSayWhereAndWhy(_ item: Malformed) {
        do {
            _ = try LuceneRegex(item.pattern, caseInsensitive: false)
            Issue.record("\(item.pattern) should not compile")
        } catch {
            #expect(error.offset == item.offset, "\(error)")
            #expect(error.message.contains(item.message), "\(error)")
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "(", count: 150) + "a" + String(repeating: ")", count: 150)
        #expect(throws: RegexError.self) { try LuceneRegex(deep, caseInsensitive: false) }
        let stacked = "a" + String(repeating: "?", count: 400)
        #expect(throws: RegexError.self) { try LuceneRegex(stacked, caseInsensitive: false) }
        let tildes = String(repeating: "~", count: 400) + "a"
        #expect(throws: RegexError.self) { try LuceneRegex(tildes, caseInsensitive: false) }
        #expect(throws: Never.self) { try LuceneRegex(String(repeating: "(", count: 50) + "a" + String(repeating: ")", count: 50), caseInsensitive: false) }
    }

    // MARK: Hostile patterns and inputs

    /// Quadratic or exponential work on 100,000 characters would take minutes; linear takes
    /// milliseconds. The bound is loose on purpose.
    static func expectFast<T>(_ what: String, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        let result = try body()
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(10), "\(what) took \(elapsed)")
        return result
    }

    @Test(arguments: [RegexLimits(), RegexLimits(maxMatcherDFAStates: 0)])
    func catastrophicBacktrackingPatternsStayLinear(limits: RegexLimits) throws {
        let a = String(repeating: "a", count: 100_000)
        let x = String(repeating: "x", count: 100_000)
        let nested = try LuceneRegex("(a*)*b", caseInsensitive: false, limits: limits)
        #expect(nested.usesDFA == (limits.maxMatcherDFAStates > 0))
        #expect(Self.expectFast("(a*)*b") { !nested.matches(a) })
        #expect(Self.expectFast("(a*)*b") { nested.matches(a + "b") })
        let pairs = try LuceneRegex("(x+x+)+y", caseInsensitive: false, limits: limits)
        #expect(Self.expectFast("(x+x+)+y") { !pairs.matches(x) })
        #expect(Self.expectFast("(x+x+)+y") { pairs.matches(x + "y") })
        let alternatives = try LuceneRegex("(a|aa)*c", caseInsensitive: false, limits: limits)
        #expect(Self.expectFast("(a|aa)*c") { !alternatives.matches(a) })
        // Twenty overlapping `.*`: a backtracker tries C(n, 20) splits; here ~60 live states.
        let repeated = try LuceneRegex("(.*a){20}", caseInsensitive: false, limits: limits)
        let shorter = String(a.prefix(10_000))
        #expect(Self.expectFast("(.*a){20}") { repeated.matches(shorter) })
        #expect(Self.expectFast("(.*a){20}") { !repeated.matches(shorter + "b") })
    }

    /// A pattern whose subset construction scans far more than it builds (each of few states
    /// tests a hundred alternatives for every class run) stops at the work limit and is
    /// simulated; it took 2.7 s to compile before the scan was counted (Fuzz/Corpus/Regex).
    @Test func determinizationThatScansTooMuchIsSimulated() throws {
        // A hundred words of distinct first letters and lengths, as in the fuzzer's find.
        let words = (0..<100).map { String($0 * 7_919 + 1_000, radix: 36) + String(repeating: "q", count: $0 % 4) }
        let regex = try LuceneRegex("(.*(" + words.joined(separator: "|") + ")){10}", caseInsensitive: false)
        #expect(!regex.usesDFA)
        let ten = (0..<10).map { "-" + words[$0 * 7] }.joined()
        #expect(regex.matches(ten))
        #expect(!regex.matches(String(ten.dropLast(4))))
    }

    @Test func patternsPastTheDFACapAreSimulatedNotRefused() throws {
        // The DFA of "an a 41st from the end" needs 2^41 states; the NFA needs about 250.
        let regex = try LuceneRegex("(a|b)*a(a|b){40}", caseInsensitive: false)
        #expect(!regex.usesDFA)
        let tail = String(repeating: "b", count: 40)
        #expect(regex.matches("a" + tail))
        #expect(regex.matches("babab" + "a" + tail))
        #expect(!regex.matches("b" + tail))
        #expect(!regex.matches("a" + String(tail.dropLast())))
        var random = RegexTestRandom(seed: 7)
        let input = String((0..<50_000).map { _ in random.next(upTo: 2) == 0 ? Character("a") : Character("b") })
        let expected = Array(input.utf8)[input.utf8.count - 41] == UInt8(ascii: "a")
        #expect(Self.expectFast("(a|b)*a(a|b){40} on 50,000") { regex.matches(input) } == expected)
    }

    @Test func operandsPastTheCapAreRefusedAsTooComplex() {
        #expect {
            try LuceneRegex("x~((a|b)*a(a|b){40})", caseInsensitive: false)
        } throws: { error in
            let error = error as! RegexError
            return error.message.contains("too complex") && error.offset == 1
        }
        #expect(throws: RegexError.self) { try LuceneRegex("a{100000}", caseInsensitive: false) }
        #expect(throws: RegexError.self) { try LuceneRegex("(a{1000}){1000}", caseInsensitive: false) }
        #expect(throws: Never.self) { try LuceneRegex("a{1000}", caseInsensitive: false) }
    }

    // MARK: Required literals

    static func literals(_ pattern: String, ci: Bool = false) throws -> [String]? {
        try LuceneRegex(pattern, caseInsensitive: ci).requiredLiterals?.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func requiredLiteralsAreWhatEveryMatchContains() throws {
        #expect(try Self.literals("abc") == ["abc"])
        #expect(try Self.literals("foo.*barbaz") == ["barbaz"])
        #expect(try Self.literals(#".*\.(exe|dll)"#) == [".dll", ".exe"])
        #expect(try Self.literals("(foo|bar.*)") == ["bar", "foo"])
        #expect(try Self.literals("[Ss]ystem") == ["System", "system"])
        #expect(try Self.literals("(ab){3}") == ["ababab"])
        #expect(try Self.literals("x+yz") == ["yz"])
        #expect(try Self.literals("abc.*&.*wxyz") == ["wxyz"])
        #expect(try Self.literals(#""quoted"[0-9]"#) == ["quoted"])
        #expect(try Self.literals("(foo|bar)(baz|qux)") == ["barbaz", "barqux", "foobaz", "fooqux"])
        // A shorter alternative that another contains is enough.
        #expect(try Self.literals("(ab|xaby)") == ["ab"])
        // `~` binds to one atom: ~abc is (~a)bc.
        #expect(try Self.literals("~abc") == ["bc"])
        for none in ["", ".*", "a?b?", "(abc)?", "(foo|.*)", "~(abc)", "@", "#", "[a-z]+"] {
            #expect(try Self.literals(none) == nil, "\(none)")
        }
    }

    @Test func caseInsensitiveLiteralsAreLowercasedAndSkipNonASCIIVariants() throws {
        #expect(try Self.literals(#"CMD\.exe"#, ci: true) == ["cmd.exe"])
        // s (LONG S) and k (KELVIN SIGN) have non-ASCII variants: the literal is cut there.
        #expect(try Self.literals("System32", ci: true) == ["tem32"])
        #expect(try Self.literals("(azure|sharp|blood)(hound)/.*", ci: true) == ["hound/"])
        #expect(try Self.literals("[A-C]x", ci: true) == ["ax", "bx", "cx"])
        #expect(try Self.literals("é", ci: true) == nil)
    }

    // MARK: Identity and sharing

    @Test func equalityIsByPatternAndCase() throws {
        let a = try LuceneRegex("a+", caseInsensitive: false)
        #expect(a == (try LuceneRegex("a+", caseInsensitive: false)))
        #expect(a != (try LuceneRegex("a+", caseInsensitive: true)))
        #expect(a != (try LuceneRegex("a*", caseInsensitive: false)))
        #expect(Set([a, try LuceneRegex("a+", caseInsensitive: false)]).count == 1)
    }

    @Test func oneRegexServesManyTasks() async throws {
        let regex = try LuceneRegex(#".*[0-9]{1,3}(\.[0-9]{1,3}){3}.*"#, caseInsensitive: false)
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask { regex.matches("GET http://10.0.0.\(i)/x") && !regex.matches("GET http://host/x") }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    // MARK: The rules' patterns

    /// Every `regex`/`regex~` (EQL) and RLIKE (ES|QL) pattern in the detection rules, after the
    /// query language's own string unescaping; `true` for `regex~`.
    static let rulePatterns: [(Bool, String)] = [
        (false, #".*\.(top|buzz|xyz|rest|ml|cf|gq|ga|onion|monster|cyou|quest|cc|bar|cfd|click|cam|surf|tk|shop|club|icu|pw|ws|online|fun|life|boats|store|hair|skin|motorcycles|christmas|lol|makeup|mom|bond|beauty|biz|live|work|zip|country|accountant|date|party|science|loan|win|men|faith|review|racing|download|host)"#),  // cross-platform/command_and_control_genai_process_suspicious_tld_connection.toml
        (false, #".*(config-helper\s.*--format|auth\s+print-access-token|auth\s+print-identity-token|auth\s+application-default\s+print|get-access-token\s.*--output|Get-AzAccessToken|azd\s+auth\s+token|az\s+account\s+get-access-token|gh\s+auth\s+(token|status)|aws\s+sts\s+(get-session-token|get-caller-identity|assume-role)|aws\s+configure\s+(export-credentials|list)|kubectl\s+config\s+view\s.*--raw|kubectl\s+get\s+secret|doctl\s+auth\s+(list|init)|oci\s+session\s+authenticate|oci\s+iam\s.*token).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".*(gcloud|config-helper|print-access-token|print-identity-token).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".*(azd auth|az account|Get-AzAccessToken).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".*(aws sts|aws configure).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".*(gh auth).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".*(kubectl config|kubectl get secret).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".*(doctl).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".*(oci session|oci iam).*"#),  // cross-platform/credential_access_multi_cloud_cli_token_harvesting.toml
        (false, #".* -(e|en|enc|enco|encod|encode|encoded|encodedcommand) .+"#),  // cross-platform/defense_evasion_long_base64_encoded_interpreter_command_line.toml
        (true, #"/[a-z0-9\s_\-\\./]+\s"#),  // cross-platform/defense_evasion_masquerading_space_after_filename.toml
        (false, #".*=.*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}.*"#),  // cross-platform/discovery_web_server_remote_file_inclusion_activity.toml
        (false, #".*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}.*"#),  // cross-platform/exfiltration_potential_curl_data_exfiltration.toml
        (false, #"*sh.{1,2}-c*"#),  // cross-platform/persistence_web_server_potential_command_injection.toml
        (false, #".*nc.{1,2}[0-9]{1,3}(\.[0-9]{1,3}){3}.{1,2}[0-9]{1,5}.*"#),  // cross-platform/persistence_web_server_potential_command_injection.toml
        (false, #"[24][0-9]{3}"#),  // cross-platform/privilege_escalation_setuid_setgid_bit_set_via_chmod.toml
        (false, #"[a-z]{3}\.stage\.[0-9]{8}\..*"#),  // network/command_and_control_cobalt_strike_beacon.toml
        (false, #"[a-zA-Z]{4,5}\.(pw|us|club|info|site|top)"#),  // network/command_and_control_fin7_c2_behavior.toml
        (false, #"http://[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/cd"#),  // network/command_and_control_halfbaked_beacon.toml
        (true, #".*\$[0-9]+:[a-zA-Z_0-9]+:[a-zA-Z_0-9]+.*"#),  // network/initial_access_react_server_components_rce_attempt.toml
        (false, #"-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*"#),  // linux/command_and_control_linux_tunneling_and_port_forwarding.toml
        (false, #".*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}:[0-9]{1,5}:[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}:[0-9]{1,5}.*"#),  // linux/command_and_control_potential_tunneling_command_line.toml
        (true, #"-[^-]*[uz][^-]*"#),  // linux/defense_evasion_file_deletion_via_shred.toml
        (true, #"\.[a-z0-9_\-][a-z0-9_\-\.]{1,254}"#),  // linux/defense_evasion_hidden_file_dir_tmp.toml
        (false, #".*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{1,5})?\/[^ ]+.*"#),  // linux/execution_payload_downloaded_by_curl_wget_and_piped_to_interpreter.toml
        (false, #".*[A-Za-z0-9][A-Za-z0-9\-]*(\.[A-Za-z0-9][A-Za-z0-9\-]*)+(:[0-9]{1,5})?\/[^ ]+.*"#),  // linux/execution_payload_downloaded_by_curl_wget_and_piped_to_interpreter.toml
        (true, #"/var/run/\w+\.(pid|lock|reboot)"#),  // linux/execution_process_started_from_process_id_file.toml
        (true, #"php?[0-9]?\.?[0-9]{0,2}"#),  // linux/persistence_simple_web_server_connection_accepted.toml
        (false, #"(system:serviceaccount:|system:gke-spiffe-controller|system:kube-scheduler|system:node:).*"#),  // integrations/gcp/discovery_gcp_gke_api_request_failure_burst.toml
        (false, #".*\"Effect\": *\"Allow\".*"#),  // integrations/aws/exfiltration_ecr_repository_policy_granted_public_access.toml
        (false, #".*\"Principal\": *\"\*\".*"#),  // integrations/aws/exfiltration_ecr_repository_policy_granted_public_access.toml
        (false, #".*\"Principal\": *\{ *\"AWS\": *\"\*\".*"#),  // integrations/aws/exfiltration_ecr_repository_policy_granted_public_access.toml
        (false, #".*callWithBearerToken=true.*"#),  // integrations/aws/impact_bedrock_api_key_destructive_action.toml
        (false, #".*image=(docker.io|index.docker.io|ghcr.io|quay.io|public.ecr.aws)/.*"#),  // integrations/aws/impact_ecs_cryptomining_task_definition_deployment.toml
        (false, #".*image=[-a-zA-Z0-9_]+(/|[,} :]).*"#),  // integrations/aws/impact_ecs_cryptomining_task_definition_deployment.toml
        (false, #".*cpu=(8192|16384)[,} ].*"#),  // integrations/aws/impact_ecs_cryptomining_task_definition_deployment.toml
        (true, #"arn:aws:s3:::[^/]+/.*?(how|decrypt|restor|help|instruct|read|get|recov|save|encrypt|delet|info|ransom).*"#),  // integrations/aws/impact_s3_bucket_object_uploaded_with_ransom_keyword.toml
        (true, #".*(AWSLogs|CloudTrail|access-logs).*"#),  // integrations/aws/impact_s3_bucket_object_uploaded_with_ransom_keyword.toml
        (false, #".*(/dev/tcp/|/dev/udp/|bash -i|sh -i|nc -e|ncat |socat |mkfifo|169\.254\.169\.254|/latest/meta-data/|/latest/api/token|\| ?sh|\| ?bash|base64 -d|import socket|pty\.spawn|perl -e|ruby -rsocket|php -r|xmrig|minerd|stratum\+|authorized_keys|/etc/cron|crontab ).*"#),  // integrations/aws/persistence_sagemaker_lifecycle_config_suspicious_script_content.toml
        (false, #"[^@\s]+\@[^@\s]+"#),  // integrations/okta/credential_access_multiple_device_token_hashes_for_single_okta_session.toml
        (false, #".*(AKIA|ASIA)[A-Z0-9]{16}.*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_containing_credentials.toml
        (false, #".*-----BEGIN [A-Z ]*PRIVATE KEY-----.*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_containing_credentials.toml
        (false, #".*ABSK[A-Za-z0-9+/=]{20}.*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_containing_credentials.toml
        (false, #".*bedrock-api-key-[-A-Za-z0-9+/=._~:]{20,}.*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_containing_credentials.toml
        (false, #".*(169\.254\.169\.254|169\.254\.170\.2|/latest/meta-data|/latest/api/token|security-credentials).*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_credential_harvesting.toml
        (false, #".*(aws_secret_access_key|aws_access_key_id|secret access key|access key id).*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_credential_harvesting.toml
        (false, #".*(ignore (all )?(your )?(previous|prior|above) instructions|disregard (your |the )?(previous |above )?instructions|developer mode|do anything now|jailbreak).*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_credential_harvesting.toml
        (false, #".*(system prompt|reveal|exfiltrate|credential|secret|password|api key|token|send .* to https?://).*"#),  // integrations/aws_bedrock_agentcore/credential_access_bedrock_agentcore_runtime_prompt_credential_harvesting.toml
        (false, #".*(169\.254\.169\.254|2852039166|0xa9fea9fe|/latest/api/token|/latest/meta-data|/latest/user-data|/latest/dynamic/instance-identity|computeMetadata/v1|metadata\.google\.internal|metadata/identity/oauth2/token|metadata/instance).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_cloud_instance_metadata.toml
        (false, #".*(169\.254\.169\.254|2852039166|0xa9fea9fe|/latest/meta-data|/latest/api/token|/latest/user-data|/latest/dynamic).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_cloud_instance_metadata.toml
        (false, #".*(computeMetadata/v1|metadata\.google\.internal).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_cloud_instance_metadata.toml
        (false, #".*metadata/identity/oauth2/token.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_cloud_instance_metadata.toml
        (false, #".*(security-credentials|/api/token|oauth2/token|service-accounts/.*/token).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_cloud_instance_metadata.toml
        (false, #".*(/var/run/secrets/|/etc/kubernetes/|/var/lib/kubelet/|/etc/shadow|/etc/passwd|/etc/sudoers|(/root|/home/[^/]+)/\.(ssh|aws|azure|kube|config/gcloud)|\.p12|\.pem|\.key|\.jks|\.keystore|/etc/.*\.conf.*(password|secret|key|token|credential)|/proc/.*/environ).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/etc/resolv\.conf.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/var/run/secrets/eks\.amazonaws\.com.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/var/run/secrets/azure/tokens/.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/var/run/secrets/tokens/gcp-ksa/.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/var/run/secrets/kubernetes\.io/serviceaccount/token.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/var/run/secrets/.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*\.(p12|pem|key|jks|keystore).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/etc/kubernetes/.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/var/lib/kubelet/.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/etc/shadow.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/etc/passwd.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/etc/sudoers.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*(/root|/home)/\.(ssh|aws|azure|kube|config/gcloud).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/proc/.*/environ.*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #".*/etc/.*\.conf.*(password|secret|key|token|credential).*"#),  // integrations/kubernetes/credential_access_kubernetes_pod_exec_sensitive_file_access.toml
        (false, #"(system:serviceaccount:kube-system:|eks:|system:kube-|arn:aws:sts::.*:assumed-role/AWSServiceRoleForAmazonEKS/|system:serviceaccount:kube-system:azure|system:node:aks-default|aksService).*"#),  // integrations/kubernetes/discovery_kubernetes_multi_resource_setup_recon.toml
        (false, #".*(curl.*https|wget.*https).*"#),  // integrations/kubernetes/execution_kubernetes_pod_exec_curl_wget_https.toml
        (false, #".*(/api/v1/health|/healthz|/readyz|/livez|127\.0\.0\.1|localhost|/openid/v1/jwks|/openid-connect/certs|/.well-known/openid-configuration|/.well-known/jwks\.json|kubernetes\.default\.svc).*"#),  // integrations/kubernetes/execution_kubernetes_pod_exec_curl_wget_https.toml
        (false, #".*(/dev/tcp/|/dev/udp/|zsh/net/tcp|zsh/net/udp|nc\s+-e|ncat\s+-e|netcat\s+-e|nc\s.*\s-c\s|mkfifo|socat\s.*exec|socat\s.*pty|bash\s+-i\s+>&|0>&1|>&\s*/dev/tcp|import\s+socket.*connect|import\s+pty.*spawn|socket\.socket.*connect|IO::Socket::INET|fsockopen|TCPSocket\.new|/inet/tcp/).*"#),  // integrations/kubernetes/execution_kubernetes_pod_exec_potential_reverse_shell.toml
        (false, #".*/dev/tcp/(localhost|127\.0\.0\.1)/(8080|8443|9090|3000|5000|8888|80|443).*"#),  // integrations/kubernetes/execution_kubernetes_pod_exec_potential_reverse_shell.toml
        (false, #".*gh[pousr]_[A-Za-z0-9]{36}.*"#),  // integrations/aws_bedrock/credential_access_aws_bedrock_credentials_in_model_prompt_or_completion.toml
        (false, #".*github_pat_[A-Za-z0-9_]+.*"#),  // integrations/aws_bedrock/credential_access_aws_bedrock_credentials_in_model_prompt_or_completion.toml
        (false, #".*glpat-[A-Za-z0-9_\\-]+.*"#),  // integrations/aws_bedrock/credential_access_aws_bedrock_credentials_in_model_prompt_or_completion.toml
        (false, #"(.*)365|SharePoint|Exchange|Teams|Office(.*)"#),  // integrations/azure/credential_access_entra_id_signin_brute_force_microsoft_365.toml
        (true, #"(azure|sharp|blood)(hound)/.*"#),  // integrations/azure/discovery_bloodhound_user_agents_detected.toml
        (false, #".+@[A-Za-z0-9.]+\.[A-Za-z]{2,}"#),  // integrations/azure/initial_access_entra_id_actor_token_user_impersonation_abuse.toml
        (false, #"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#),  // integrations/azure/initial_access_entra_id_illicit_consent_grant_via_registered_application.toml
        (false, #"(chrome|firefox|edge|safari).*"#),  // integrations/azure/initial_access_entra_id_suspicious_oauth_flow_via_auth_broker_to_drs.toml
        (false, #"(oauth.*||.*login.*)"#),  // integrations/o365/credential_access_entra_id_potential_user_account_brute_force.toml
        (false, #"[!@#$%^&*()_+={[\]|\\:;"'<,>.?/~` \-]+"#),  // integrations/o365/defense_evasion_exchange_inbox_rule_obfuscated_name.toml
        (false, #".*\.(top|buzz|xyz|rest|ml|cf|gq|ga|onion|monster|cyou|quest|cc|bar|cfd|click|cam|surf|tk|shop|club|icu|pw|ws|online|fun|life|boats|store|hair|skin|motorcycles|christmas|lol|makeup|mom|bond|beauty|biz|live|work|zip|country|accountant|date|party|science|loan|win|men|faith|review|racing|download|host|zone)"#),  // windows/command_and_control_dns_susp_tld.toml
        (false, #"-[46AaCfGgKkMNnqsTtVvXxYy]+R.*"#),  // windows/command_and_control_openssh_reverse_port_forwarding.toml
        (false, #".*\.[a-zA-Z]{2,5}"#),  // windows/command_and_control_remote_file_copy_powershell.toml
        (false, #"[0-9]{1,3}(\.[0-9]{1,3}){3}"#),  // windows/credential_access_adcs_certificate_identity_transposition.toml
        (true, #"C:\\Program Files( \(x86\))?\\Cisco Systems\\.*"#),  // windows/credential_access_cmdline_dump_tool.toml
        (true, #"C:\\Program Files( \(x86\))?\\Steam\\.*"#),  // windows/credential_access_cmdline_dump_tool.toml
        (false, #"(10\.(\d{1,3}\.){2}\d{1,3}|172\.(1[6-9]|2\d|3[0-1])\.(\d{1,3}\.)\d{1,3}|192\.168\.(\d{1,3}\.)\d{1,3})"#),  // windows/credential_access_rare_webdav_destination.toml
        (true, #".*\.(vbs|vbe|bat|js|cmd|wsh|ps1|pdf|docx?|xlsx?|pptx?|txt|rtf|gif|jpg|png|bmp|hta|txt|img|iso)\.exe"#),  // windows/defense_evasion_file_creation_mult_extension.toml
        (true, #"\".*\.exe[^\"].*"#),  // windows/defense_evasion_masquerading_werfault.toml
        (false, #".*[ʰ-˿ᴬ-ᶻ]+.*"#),  // windows/defense_evasion_obf_args_unicode_modified_letters.toml
        (true, #"[A-Z]:\\:.+"#),  // windows/defense_evasion_root_dir_ads_creation.toml
        (true, #"[a-z0-9]\.exe"#),  // windows/defense_evasion_suspicious_short_program_name.toml
        (true, #".*[0-9]{1,3}(\.[0-9]{1,3}){3}.*"#),  // windows/execution_revshell_cmd_via_netcat.toml
        (false, #"[0-9]{1,5}-[A-Za-z0-9+/=]{15,63}\..+"#),  // windows/exfiltration_excessive_dns_queries_by_process.toml
        (true, #".+\.(wll|xll|ppa|ppam|xla|xlam|vsto)"#),  // windows/initial_access_execution_via_office_addins.toml
        (false, #".*CONVERT\(INT,\(SELECT (CHAR\(\d{1,3}\)\+){3,}.*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (false, #".*(CHAR\(\d{1,3}\)\+){3,}CHAR\(\d{1,3}\).*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (false, #".*CASE WHEN \(\d+=\d+\).*UNION SELECT \d+.*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (false, #".*WAITFOR DELAY \'0:0:\d+\'.*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (false, #".*;\s*(EXEC|EXECUTE)\s*\(?\s*(MASTER\.)?\.?XP_CMDSHELL.*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (false, #".*UNION SELECT (NULL\s*,\s*){2,}NULL.*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (false, #".*'\w*'\s*\+\s*\(\(SELECT @@VERSION\)\)\s*\+\s*'\w*'.*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (false, #".*(OR|AND)\s+'?\d+'?\s*=\s*'?\d+'?\s*--.*"#),  // windows/initial_access_mssql_potential_sql_injection.toml
        (true, #"C:\\Program Files( \(x86\))?\\ThinKiosk\\thinkiosk\.exe"#),  // windows/persistence_evasion_registry_ifeo_injection.toml
        (true, #".*\\PSAppDeployToolkit\\.*"#),  // windows/persistence_evasion_registry_ifeo_injection.toml
        (true, #"[0-9]{15}([1-9a-f]).*"#),  // windows/persistence_sdprop_exclusion_dsheuristics.toml
        (true, #"%systemroot%\\[a-z0-9]+\.exe"#),  // windows/persistence_service_windows_service_winlog.toml
        (true, #"[C-Z]:\\Windows\\(System32|SysWOW64)\\[a-zA-Z0-9\-\_\.]+\.exe"#),  // windows/privilege_escalation_create_process_with_token_unpriv.toml
        (false, #"(C:\\Program Files \(x86\)\\|C:\\Program Files\\)\w+.exe"#),  // windows/privilege_escalation_unquoted_service_path.toml
        (true, #"https?:\/\/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{1,5})?\/.*"#),  // macos/command_and_control_suspicious_curl_from_macos_application.toml
        (false, #"(bash|zsh|sh|osascript|python.*|perl.*|ruby.*|node|Terminal|iTerm2|ghostty)"#),  // macos/defense_evasion_suspicious_tcc_access_granted.toml
    ]

    @Test func everyRulePatternCompilesToADFA() throws {
        for (ci, pattern) in Self.rulePatterns {
            let regex = try LuceneRegex(pattern, caseInsensitive: ci)
            #expect(regex.usesDFA, "\(pattern)")
        }
    }

    static let ruleBehaviour: [Case] = [
        c(#".*\.(top|buzz|xyz|rest|ml|cf|gq|ga|onion)"#, ["evil.top", "a.b.xyz"], not: ["top", "evil.topx", "evil.com"]),
        c("[24][0-9]{3}", ["4755", "2000"], not: ["755", "47555", "6755"]),
        c(#".*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}.*"#, ["curl http://10.0.0.1/x", "1.2.3.4"], not: ["curl http://a.b.c.d/x", "1.2.3"]),
        c(#"/[a-z0-9\s_\-\\./]+\s"#, ci: true, ["/usr/bin/ls ", "/tmp/a b "], not: ["/usr/bin/ls", "usr/ "]),
        c(#"[A-Z]:\\:.+"#, ci: true, [#"C:\:stream"#], not: [#"c:\:stream"#, #"C:\x"#]),
        c("php?[0-9]?\\.?[0-9]{0,2}", ci: true, ["PHP7.4", "php", "ph", "php81"], not: ["python"]),
        c("(azure|sharp|blood)(hound)/.*", ci: true, ["AzureHound/1.0", "sharphound/"], not: ["hound/", "AzureHound"]),
        c(#"\".*\.exe[^\"].*"#, ci: true, [#""C:\x.EXE /c"#], not: [#""C:\x.exe""#, "C:\\x.exe y"]),
        c(#"-[^-]*[uz][^-]*"#, ci: true, ["-xvzf", "-U"], not: ["-xvf", "--u"]),
        c(#"(oauth.*||.*login.*)"#, ["oauth2", "|x login y"], not: ["x login y"]),
        c(#"*sh.{1,2}-c*"#, ["*sh -c", "*sh  -ccc"], not: ["bash -c"]),
        c(#"[0-9]{15}([1-9a-f]).*"#, ci: true, ["1234567890123451", "123456789012345a!"], not: ["123456789012345A", "1234567890123450"]),
    ]

    @Test(arguments: ruleBehaviour) func rulePatternsBehave(_ item: Case) throws { try Self.check(item) }

    // MARK: Differential: random patterns against a reference matcher

    @Test(arguments: [false, true]) func randomPatternsAgreeWithTheReference(caseInsensitive: Bool) throws {
        var random = RegexTestRandom(seed: caseInsensitive ? 11 : 5)
        let alphabet: [Unicode.Scalar] = ["a", "b", "A", "B", "é", "É", "-", ".", "0", "1"]
        for round in 0..<400 {
            let tree = RegexReference.generate(&random, depth: 4)
            let pattern = RegexReference.render(tree)
            let regex: LuceneRegex
            do {
                regex = try LuceneRegex(pattern, caseInsensitive: caseInsensitive)
            } catch {
                Issue.record("round \(round): \(pattern) did not compile: \(error)")
                continue
            }
            let simulated = try LuceneRegex(pattern, caseInsensitive: caseInsensitive, limits: RegexLimits(maxMatcherDFAStates: 0))
            var inputs: [[Unicode.Scalar]] = [[]]
            for _ in 0..<60 {
                inputs.append((0..<random.next(upTo: 7)).map { _ in alphabet[random.next(upTo: alphabet.count)] })
            }
            for input in inputs {
                let text = String(String.UnicodeScalarView(input))
                let expected = RegexReference.matches(tree, input, caseInsensitive: caseInsensitive)
                #expect(regex.matches(text) == expected, "round \(round): \(pattern) on \(text.debugDescription)")
                #expect(simulated.matches(text) == expected, "round \(round), NFA: \(pattern) on \(text.debugDescription)")
                if expected, let literals = regex.requiredLiterals {
                    var bytes = Array(text.utf8)
                    if caseInsensitive { bytes = bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } }
                    #expect(literals.contains { RegexReference.contains(bytes, $0) }, "round \(round): \(pattern) literals \(literals) miss \(text.debugDescription)")
                }
            }
        }
    }
}

/// A tree of the syntax under test, printed as a pattern and matched by brute force: the set of
/// positions each node can end at, from each start. Small inputs only.
indirect enum RegexReference {
    case char(Unicode.Scalar)
    case quoted([Unicode.Scalar])
    case set([Item], negated: Bool)
    case any, anyString, empty, emptyLanguage
    case interval(low: String, high: String)
    case concat(RegexReference, RegexReference)
    case union(RegexReference, RegexReference)
    case intersection(RegexReference, RegexReference)
    case complement(RegexReference)
    case repeating(RegexReference, min: Int, max: Int?)

    enum Item { case single(Unicode.Scalar), range(Unicode.Scalar, Unicode.Scalar), digit }

    static let letters: [Unicode.Scalar] = ["a", "b", "A", "é", "-", ".", "0", "1"]

    static func generate(_ random: inout RegexTestRandom, depth: Int) -> RegexReference {
        func letter() -> Unicode.Scalar { letters[random.next(upTo: letters.count)] }
        if depth == 0 || random.next(upTo: 10) < 3 {
            switch random.next(upTo: 20) {
            case 0..<9: return .char(letter())
            case 9..<12:
                let items: [Item] = (0...random.next(upTo: 3)).map { _ in
                    switch random.next(upTo: 6) {
                    case 0: return .range("a", "b")
                    case 1: return .range("A", "Z")
                    case 2: return .digit
                    default: return .single(letter())
                    }
                }
                return .set(items, negated: random.next(upTo: 3) == 0)
            case 12..<14: return .any
            case 14: return .quoted((0..<random.next(upTo: 3)).map { _ in letter() })
            case 15: return .empty
            case 16: return .anyString
            case 17: return .emptyLanguage
            default:
                let bounds = [("0", "1"), ("1", "10"), ("01", "10"), ("0", "11"), ("5", "1")]
                let (low, high) = bounds[random.next(upTo: bounds.count)]
                return .interval(low: low, high: high)
            }
        }
        let a = generate(&random, depth: depth - 1)
        switch random.next(upTo: 12) {
        case 0..<4: return .concat(a, generate(&random, depth: depth - 1))
        case 4..<6: return .union(a, generate(&random, depth: depth - 1))
        case 6: return .intersection(a, generate(&random, depth: depth - 1))
        case 7: return .complement(a)
        default:
            let shapes: [(Int, Int?)] = [(0, 1), (0, nil), (1, nil), (2, nil), (2, 2), (0, 2), (1, 3)]
            let (min, max) = shapes[random.next(upTo: shapes.count)]
            return .repeating(a, min: min, max: max)
        }
    }

    // MARK: Printing, with parentheses only where precedence needs them

    private var precedence: Int {
        switch self {
        case .union: 0
        case .intersection: 1
        case .concat: 2
        case .repeating: 3
        case .complement: 4
        default: 5
        }
    }

    static func render(_ node: RegexReference, _ context: Int = 0) -> String {
        let text: String
        switch node {
        case .char(let c): text = escaped(c)
        case .quoted(let cs): text = "\"" + String(String.UnicodeScalarView(cs)) + "\""
        case .set(let items, let negated):
            text = "[" + (negated ? "^" : "") + items.map { item in
                switch item {
                case .single(let c): escaped(c)
                case .range(let a, let b): "\(a)-\(b)"
                case .digit: #"\d"#
                }
            }.joined() + "]"
        case .any: text = "."
        case .anyString: text = "@"
        case .empty: text = "()"
        case .emptyLanguage: text = "#"
        case .interval(let low, let high): text = "<\(low)-\(high)>"
        case .concat(let a, let b): text = render(a, 2) + render(b, 2)
        case .union(let a, let b): text = render(a, 0) + "|" + render(b, 0)
        case .intersection(let a, let b): text = render(a, 1) + "&" + render(b, 1)
        case .complement(let a): text = "~" + render(a, 4)
        case .repeating(let a, let min, let max):
            let suffix = switch (min, max) {
            case (0, 1): "?"
            case (0, nil): "*"
            case (1, nil): "+"
            case (let n, nil): "{\(n),}"
            case (let n, let m?): n == m ? "{\(n)}" : "{\(n),\(m)}"
            }
            text = render(a, 3) + suffix
        }
        return node.precedence < context ? "(" + text + ")" : text
    }

    private static func escaped(_ c: Unicode.Scalar) -> String {
        c.properties.isAlphabetic || ("0"..."9").contains(c) ? String(c) : "\\" + String(c)
    }

    // MARK: Matching

    private static func folds(_ c: Unicode.Scalar) -> [Unicode.Scalar] {
        switch c {
        case "a", "A": ["a", "A"]
        case "b", "B": ["b", "B"]
        case "é", "É": ["é", "É"]
        default: [c]
        }
    }

    static func matches(_ node: RegexReference, _ input: [Unicode.Scalar], caseInsensitive: Bool) -> Bool {
        ends(node, input, 0, caseInsensitive).contains(input.count)
    }

    private static func ends(_ node: RegexReference, _ s: [Unicode.Scalar], _ i: Int, _ ci: Bool) -> Set<Int> {
        let n = s.count
        func one(_ test: (Unicode.Scalar) -> Bool) -> Set<Int> { i < n && test(s[i]) ? [i + 1] : [] }
        switch node {
        case .char(let c): return one { ci ? folds(c).contains($0) : $0 == c }
        case .quoted(let cs):
            guard i + cs.count <= n else { return [] }
            for (k, c) in cs.enumerated() where !(ci ? folds(c).contains(s[i + k]) : s[i + k] == c) { return [] }
            return [i + cs.count]
        case .set(let items, let negated):
            return one { x in
                let inside = items.contains { item in
                    switch item {
                    case .single(let c): ci ? folds(c).contains(x) : x == c
                    case .range(let a, let b): (a...b).contains(x)
                    case .digit: ("0"..."9").contains(x)
                    }
                }
                return inside != negated
            }
        case .any: return one { _ in true }
        case .anyString: return Set(i...n)
        case .empty: return [i]
        case .emptyLanguage: return []
        case .interval(let low, let high):
            let a = Int(low)!, b = Int(high)!
            let fixed = low.count == high.count ? low.count : 0
            var result: Set<Int> = []
            var j = i
            while j < n && ("0"..."9").contains(s[j]) {
                j += 1
                let digits = String(String.UnicodeScalarView(s[i..<j]))
                if (fixed == 0 || digits.count == fixed), let v = Int(digits), v >= min(a, b), v <= max(a, b) { result.insert(j) }
            }
            return result
        case .concat(let a, let b):
            return ends(a, s, i, ci).reduce(into: Set<Int>()) { $0.formUnion(ends(b, s, $1, ci)) }
        case .union(let a, let b): return ends(a, s, i, ci).union(ends(b, s, i, ci))
        case .intersection(let a, let b): return ends(a, s, i, ci).intersection(ends(b, s, i, ci))
        case .complement(let a): return Set(i...n).subtracting(ends(a, s, i, ci))
        case .repeating(let a, let min, let max):
            var level: Set<Int> = [i]
            for _ in 0..<min { level = level.reduce(into: Set<Int>()) { $0.formUnion(ends(a, s, $1, ci)) } }
            var result = level
            var count = min
            while max.map({ count < $0 }) ?? true {
                let next = level.reduce(into: Set<Int>()) { $0.formUnion(ends(a, s, $1, ci)) }
                count += 1
                if next.isSubset(of: result) && max == nil { break }
                result.formUnion(next)
                level = next
            }
            return result
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

struct RegexTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(upTo bound: Int) -> Int {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
