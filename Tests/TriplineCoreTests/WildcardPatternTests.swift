import Testing
@testable import TriplineCore

/// `WildcardPattern`'s one-pass matcher for patterns without `?` against the general
/// backtracking one, and the shapes rules write.
@Suite struct WildcardPatternTests {
    func matches(_ pattern: String, _ value: String) -> (fast: Bool, general: Bool) {
        let compiled = WildcardPattern(pattern, caseInsensitive: false)
        return Array(value.utf8).withUnsafeBytes { bytes in
            (compiled.matches(bytes), WildcardPattern.match(compiled.pieces[...], bytes, 0))
        }
    }

    @Test func everySmallPatternAgreesWithBacktracking() {
        // Every pattern of up to 5 symbols over a, b, * against every value of up to 6 letters:
        // overlaps, repeats, runs that fit only one way.
        func words(_ alphabet: [Character], upTo length: Int) -> [String] {
            var all = [""], frontier = [""]
            for _ in 0..<length {
                frontier = frontier.flatMap { word in alphabet.map { word + String($0) } }
                all += frontier
            }
            return all
        }
        let values = words(["a", "b"], upTo: 6)
        var disagreements: [String] = []
        var checked = 0
        for pattern in words(["a", "b", "*"], upTo: 5) {
            #expect(WildcardPattern(pattern, caseInsensitive: false).starsOnly != nil)
            for value in values {
                let (fast, general) = matches(pattern, value)
                checked += 1
                if fast != general { disagreements.append("\(pattern) ~ \(value): \(fast) vs \(general)") }
            }
        }
        #expect(checked > 30_000)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func shapesRulesWrite() {
        #expect(matches("*python* -c*", "/cgi?q=python3 -c 'import os'").fast)
        #expect(!matches("*python* -c*", "/cgi?q=python3").fast)
        #expect(matches("*chmod*+x", "a chmod 777 +x").fast)
        #expect(!matches("*chmod*+x", "chmod +x now").fast)
        #expect(matches("ab*ab", "abab").fast && !matches("ab*ab", "aba").fast)
        #expect(matches("*", "").fast && matches("", "").fast && !matches("", "a").fast && !matches("a*", "").fast)
        #expect(matches("screenconnect*.exe", "screenconnect.client.exe").fast)
        // `?` takes the general matcher, one character (of any UTF-8 width).
        #expect(WildcardPattern("a?c", caseInsensitive: false).starsOnly == nil)
        #expect(matches("a?c", "aéc").fast)
    }
}
