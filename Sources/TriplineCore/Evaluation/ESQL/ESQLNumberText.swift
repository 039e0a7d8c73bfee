/// Numbers to and from text the way Java writes and reads them, for ES|QL's conversions.
enum ESQLNumberText {
    /// Java's `Double.toString`: the shortest digits that round-trip (as Swift's `description`,
    /// and as Java 19+), written plainly for 1e-3 <= |d| < 1e7 and as `1.0E10` otherwise.
    static func javaDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let sign = d < 0 ? "-" : ""
        // Swift writes "1.2345e-05", "1e+16" or "12345678.9": read back its digits and where the point goes.
        let text = "\(Swift.abs(d))"
        let parts = text.split(separator: "e", maxSplits: 1)
        var exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        var digits: [Character] = []
        var pointAt: Int?
        for c in parts[0] {
            if c == "." { pointAt = digits.count } else { digits.append(c) }
        }
        exponent += pointAt ?? digits.count
        // `exponent` is now where the point sits relative to the first digit.
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); exponent -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let all = String(digits)
        let magnitude = Swift.abs(d)
        if magnitude >= 1e-3 && magnitude < 1e7 {
            if exponent <= 0 { return sign + "0." + String(repeating: "0", count: -exponent) + all }
            if exponent >= digits.count { return sign + all + String(repeating: "0", count: exponent - digits.count) + ".0" }
            return sign + String(digits[..<exponent]) + "." + String(digits[exponent...])
        }
        let rest = digits.count > 1 ? String(digits[1...]) : "0"
        return sign + String(digits[0]) + "." + rest + "E" + String(exponent - 1)
    }

    /// Java's `Double.parseDouble` as Elasticsearch uses it: surrounding spaces and a trailing
    /// `d`/`f` allowed; NaN and infinities refused ("Cannot parse number", "is too large").
    static func parseDouble(_ bytes: [UInt8]) -> Double? {
        var body = bytes[...]
        while let first = body.first, first <= 0x20 { body.removeFirst() }
        while let last = body.last, last <= 0x20 { body.removeLast() }
        if let last = body.last, [UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "f"), UInt8(ascii: "F")].contains(last) {
            body.removeLast()
        }
        // sign? (digits (. digits?)? | . digits) ([eE] sign? digits)?
        var i = body.startIndex
        func digitsRun() -> Int {
            let start = i
            while i < body.endIndex, body[i] >= 0x30 && body[i] <= 0x39 { i += 1 }
            return i - start
        }
        if i < body.endIndex, body[i] == UInt8(ascii: "+") || body[i] == UInt8(ascii: "-") { i += 1 }
        var mantissa = digitsRun()
        if i < body.endIndex, body[i] == UInt8(ascii: ".") { i += 1; mantissa += digitsRun() }
        guard mantissa > 0 else { return nil }
        if i < body.endIndex, body[i] == UInt8(ascii: "e") || body[i] == UInt8(ascii: "E") {
            i += 1
            if i < body.endIndex, body[i] == UInt8(ascii: "+") || body[i] == UInt8(ascii: "-") { i += 1 }
            guard digitsRun() > 0 else { return nil }
        }
        guard i == body.endIndex else { return nil }
        var text = String(decoding: body, as: UTF8.self)
        // Swift reads neither "5." nor ".5" the way Java does; give each side a digit.
        text = text.replacingOccurrences(of: ".e", with: ".0e").replacingOccurrences(of: ".E", with: ".0E")
        if text.hasSuffix(".") { text += "0" }
        if text.hasPrefix(".") { text = "0" + text }
        text = text.replacingOccurrences(of: "-.", with: "-0.").replacingOccurrences(of: "+.", with: "+0.")
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Java's `Long.parseLong`: an optional sign and decimal digits, nothing else.
    static func parseLong(_ bytes: [UInt8]) -> Int64? {
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "+") || bytes.count > 1 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// Java's `Math.round`: half up, toward positive infinity; nil outside the long range.
    static func roundToLong(_ d: Double) -> Int64? {
        guard d.isFinite, d >= -9.223372036854775808e18, d <= 9.223372036854775807e18 else { return nil }
        let rounded = (d + 0.5).rounded(.down)
        // `d + 0.5` is inexact for the largest magnitudes, where d is already whole.
        let whole = Swift.abs(d) >= 4.503599627370496e15 ? d : rounded
        if whole >= 9.223372036854775807e18 { return Int64.max }
        return Int64(whole)
    }
}
