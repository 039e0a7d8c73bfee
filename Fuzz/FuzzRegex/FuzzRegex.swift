// Fuzz target: the Lucene regular expressions of EQL's `regex`/`regex~` and ES|QL's RLIKE,
// compiled and matched.
//
// Input: one flag byte (odd: case-insensitive, as `regex~`; the corpus uses "0" and "1"), the
// pattern (UTF-8), then subjects (any bytes) each after a 0xFF byte; without subjects, the
// pattern itself and a few fixed strings. Checks: compiling and matching end (matching never
// backtracks); an error's offset lies in the pattern; every subject (valid UTF-8) that matches
// holds one of the pattern's required literals, which the literal prefilter relies on.

import FuzzSupport
import TriplineCore

let fixedSubjects: [[UInt8]] = [
    [], Array("a".utf8), Array("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".utf8),
    Array("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe".utf8),
    Array("/usr/bin/python3.11 -c import socket,subprocess;s=socket.socket()".utf8),
    Array("Straße İstanbul ǅ Ωmega ﬀ 𝔘 \u{1F600}".utf8), [0xC3, 0x28, 0xFF, 0x41, 0xED, 0xA0, 0x80],
]

public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    guard let flags = input.first else { return 0 }
    let parts = input.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false)
    let patternBytes = parts.first ?? input[1..<1]
    let pattern = String(decoding: patternBytes, as: UTF8.self)
    let caseInsensitive = flags & 1 == 1

    let regex: LuceneRegex
    do {
        regex = try LuceneRegex(pattern, caseInsensitive: caseInsensitive)
    } catch {
        _ = error.description
        let length = pattern.unicodeScalars.count
        invariant(error.offset >= 0 && error.offset <= length, "error offset \(error.offset) outside the pattern of \(length) code points: \(error)")
        return 0
    }
    counters["patterns compiled", default: 0] += 1
    let literals = regex.requiredLiterals
    if let literals { invariant(!literals.isEmpty && literals.allSatisfy { !$0.isEmpty }, "an empty required literal set or literal") }

    let check = { (subject: UnsafeRawBufferPointer) in
        let matched = regex.matches(subject)
        counters[matched ? "subjects matched" : "subjects not matched", default: 0] += 1
        guard matched, let literals, String(validating: subject, as: UTF8.self) != nil else { return }
        var haystack = Array(subject)
        if caseInsensitive {
            for i in haystack.indices where haystack[i] >= 0x41 && haystack[i] <= 0x5A { haystack[i] |= 0x20 }
        }
        invariant(literals.contains { contains(haystack, $0) },
                  "\(pattern) (case-insensitive: \(caseInsensitive)) matches \(Array(subject)) holding none of its required literals \(literals)")
    }
    if parts.count > 1 {
        for subject in parts.dropFirst() { check(UnsafeRawBufferPointer(rebasing: subject)) }
    } else {
        check(UnsafeRawBufferPointer(rebasing: patternBytes))
        for subject in fixedSubjects { subject.withUnsafeBytes(check) }
    }
    return 0
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
    return false
}

#if FUZZING
/// libFuzzer's set-up hook: the rules and samples load here, not inside the first input's time
/// and leak check.
@_cdecl("LLVMFuzzerInitialize")
public func libFuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = fixedSubjects
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func libFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { fuzz(data, size) }
#else
@main struct Replay {
    static func main() { replayMain("FuzzRegex", fuzz) }
}
#endif
