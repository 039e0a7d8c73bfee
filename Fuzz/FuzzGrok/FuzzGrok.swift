// Fuzz target: the capture regular expressions of ES|QL's REPLACE (java.util.regex syntax on a
// Pike VM), GROK patterns and DISSECT patterns, compiled and matched.
//
// Input: one flag byte (odd: case-insensitive REPLACE pattern; the corpus uses "0" and "1"),
// the pattern (UTF-8), then subjects (any bytes) each after a 0xFF byte; without subjects, the
// pattern itself and a few fixed strings. The one pattern is read three ways: as a Java regex,
// as a GROK pattern and as a DISSECT pattern. Checks: compiling and matching end (matching
// never backtracks); an error's offset lies in the pattern; group ranges lie inside the input,
// inside the whole match, and (for valid UTF-8) on code point boundaries; GROK and DISSECT
// give one value per column.

import FuzzSupport
import TriplineCore

let fixedSubjects: [[UInt8]] = [
    [], Array("a".utf8), Array("foo bar 42 1953-01-23T12:15:00Z 127.0.0.1 some.email@foo.com".utf8),
    Array("{bucketName=prod, Host=prod.s3.amazonaws.com, key=static/js/app.js}".utf8),
    Array("$x = 'TCEJBO-WEN' + \"{1}{0}\" -f 'a','b'; $env:comspec[4,15,25]".utf8),
    Array("Straße İstanbul ǅ Ωmega ﬀ 𝔘 \u{1F600}\r\n".utf8), [0xC3, 0x28, 0xFF, 0x41, 0xED, 0xA0, 0x80],
]

public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    guard let flags = input.first else { return 0 }
    let parts = input.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false)
    let patternBytes = parts.first ?? input[1..<1]
    let pattern = String(decoding: patternBytes, as: UTF8.self)
    let length = pattern.unicodeScalars.count
    var subjects: [[UInt8]] = parts.dropFirst().map(Array.init)
    if subjects.isEmpty { subjects = [Array(patternBytes)] + fixedSubjects }

    do {
        let regex = try CaptureRegex(java: pattern, caseInsensitive: flags & 1 == 1)
        counters["regexes compiled", default: 0] += 1
        for subject in subjects {
            if let groups = subject.withUnsafeBytes({ regex.firstMatch(in: $0, from: 0) }) {
                counters["regex matches", default: 0] += 1
                checkGroups(groups, subject, groupCount: regex.groupNames.count, pattern)
            }
            _ = regex.replacingAll(in: subject, with: Array("<$0>".utf8))
        }
    } catch {
        _ = error.description
        invariant(error.offset >= 0 && error.offset <= length, "error offset \(error.offset) outside the pattern of \(length) code points: \(error)")
    }

    do {
        let grok = try GrokPattern(pattern)
        counters["grok patterns compiled", default: 0] += 1
        for subject in subjects {
            if let values = grok.match(subject) {
                invariant(values.count == grok.columns.count, "grok \(pattern): \(values.count) values for \(grok.columns.count) columns")
            }
        }
    } catch {
        _ = error.description
    }

    do {
        let dissect = try DissectPattern(pattern, appendSeparator: ",")
        counters["dissect patterns compiled", default: 0] += 1
        for subject in subjects {
            if let values = dissect.match(subject) {
                invariant(values.count == dissect.columns.count, "dissect \(pattern): \(values.count) values for \(dissect.columns.count) columns")
            }
        }
    } catch {
        _ = error.description
    }
    return 0
}

func checkGroups(_ groups: [Range<Int>?], _ subject: [UInt8], groupCount: Int, _ pattern: String) {
    invariant(groups.count == groupCount, "\(pattern): \(groups.count) ranges for \(groupCount) groups")
    guard let whole = groups.first ?? nil else {
        invariant(false, "\(pattern): a match without a whole-match range")
        return
    }
    let valid = String(validating: subject, as: UTF8.self) != nil
    for range in groups {
        guard let range else { continue }
        invariant(range.lowerBound >= 0 && range.upperBound <= subject.count, "\(pattern): range \(range) outside \(subject.count) bytes")
        invariant(range.lowerBound >= whole.lowerBound && range.upperBound <= whole.upperBound,
                  "\(pattern): group \(range) outside the match \(whole)")
        #if FUZZING
        if valid {
            for k in [range.lowerBound, range.upperBound] where k < subject.count {
                invariant(subject[k] & 0xC0 != 0x80, "\(pattern): range \(range) splits a code point of \(subject)")
            }
        }
        #else
        _ = valid
        #endif
    }
}

#if FUZZING
/// libFuzzer's set-up hook: the Unicode tables and the grok library load here, not inside the
/// first input's time and leak check.
@_cdecl("LLVMFuzzerInitialize")
public func libFuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = fixedSubjects
    _ = try? CaptureRegex(java: "(?iu)\\p{L}")
    _ = try? GrokPattern("%{WORD}")
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func libFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { fuzz(data, size) }
#else
@main struct Replay {
    static func main() { replayMain("FuzzGrok", fuzz) }
}
#endif
