/// An IPv4 or IPv6 address in one 128-bit form, as Elasticsearch's `ip` type indexes it: IPv4
/// addresses are stored IPv4-mapped (`::ffff:a.b.c.d`), so `10.0.0.1` and `::ffff:10.0.0.1` are equal.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(v4: UInt32) {
        high = 0
        low = 0xFFFF_0000_0000 | UInt64(v4)
    }

    public var isV4: Bool { high == 0 && low >> 32 == 0xFFFF }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// Parses dotted IPv4 or IPv6 text (with `::`, an embedded IPv4 tail and a `%zone`, as
    /// InetAddresses does); nil otherwise.
    public init?(_ text: some Collection<UInt8>) {
        // IPv4 read in place: copying the text first was an allocation per address read.
        if !text.contains(UInt8(ascii: ":")) {
            guard let v4 = Self.parseV4(text) else { return nil }
            self.init(v4: v4)
            return
        }
        let bytes = Array(text)
        var body = bytes[...]
        if let percent = body.firstIndex(of: UInt8(ascii: "%")) {
            guard percent + 1 < body.endIndex else { return nil }
            body = body[..<percent]
        }
        guard let groups = Self.parseV6(body) else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, group) in groups.enumerated() {
            if i < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        self.init(high: high, low: low)
    }

    public init?(_ text: String) { self.init(Array(text.utf8)) }

    private static func parseV4(_ bytes: some Collection<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var part: UInt32 = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1; part = 0; digits = 0
            } else if byte >= 0x30 && byte <= 0x39 {
                // No leading zeros: "010" is refused as ambiguous (octal), as Java's parser does.
                if digits == 1 && part == 0 { return nil }
                part = part * 10 + UInt32(byte - 0x30)
                digits += 1
                guard part <= 255, digits <= 3 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    private static func parseV6(_ bytes: ArraySlice<UInt8>) -> [UInt16]? {
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawGap = false
        var pieces: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == UInt8(ascii: ":") { pieces.append(bytes[start..<i]); start = i + 1 }
            i += 1
        }
        pieces.append(bytes[start..<bytes.endIndex])
        // "::" shows as an empty piece; a leading or trailing "::" as two.
        var index = 0
        if pieces.count >= 2, pieces[0].isEmpty {
            guard pieces[1].isEmpty else { return nil }
            index = 1
        }
        var end = pieces.count
        if pieces.count >= 2, pieces[end - 1].isEmpty {
            guard pieces[end - 2].isEmpty else { return nil }
            end -= 1
        }
        while index < end {
            let piece = pieces[index]
            index += 1
            if piece.isEmpty {
                guard !sawGap else { return nil }
                sawGap = true
                continue
            }
            if piece.contains(UInt8(ascii: ".")) {
                guard index == end, let v4 = parseV4(piece) else { return nil }
                let groups = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawGap { tail += groups } else { head += groups }
                continue
            }
            guard piece.count <= 4 else { return nil }
            var group: UInt16 = 0
            for byte in piece {
                guard let digit = hexDigitValue(byte) else { return nil }
                group = group << 4 | UInt16(digit)
            }
            if sawGap { tail.append(group) } else { head.append(group) }
        }
        let filled = head.count + tail.count
        if sawGap {
            guard filled < 8 else { return nil }
            return head + [UInt16](repeating: 0, count: 8 - filled) + tail
        }
        return filled == 8 ? head : nil
    }


    /// IPv4 addresses as dotted quads, others in RFC 5952 form.
    public var description: String {
        if isV4 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        let groups = (0..<8).map { i -> UInt16 in
            let word = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (UInt64(3 - i % 4) * 16))
        }
        // The longest run of two or more zero groups becomes "::".
        var bestStart = -1, bestLength = 1, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

/// An address block such as `10.0.0.0/8` or `2001:db8::/32`, as `cidrMatch` reads it.
public struct IPNetwork: Sendable, Hashable {
    public var address: IPAddress
    /// Prefix length over the 128-bit form (an IPv4 /8 is /104 here).
    public var prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(Array(parts[0].utf8)) else { return nil }
        let width = address.isV4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...width).contains(n) else { return nil }
            length = n
        }
        self.prefix = address.isV4 ? length + 96 : length
        self.address = address
    }

    public func contains(_ other: IPAddress) -> Bool {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : (bits >= 64 ? ~0 : ~0 << UInt64(64 - bits)) }
        let highMask = mask(prefix), lowMask = mask(prefix - 64)
        return address.high & highMask == other.high & highMask && address.low & lowMask == other.low & lowMask
    }
}
