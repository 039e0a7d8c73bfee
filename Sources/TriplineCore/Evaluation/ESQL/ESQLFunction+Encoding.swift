/// URL and base64 encodings and digests: single-valued keyword in, keyword out.
extension ESQLCall {
    func encoding(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        guard let args = Self.singles(args, &warnings) else { return .null }
        switch function {
        case .hash:
            guard let input = args[1].keywordBytes else { return .null }
            let algorithm: ESQLHashAlgorithm
            if case .hash(let prepared) = prepared {
                algorithm = prepared
            } else {
                guard let name = args[0].keywordBytes else { return .null }
                guard let parsed = ESQLHashAlgorithm(name: String(decoding: name, as: UTF8.self)) else {
                    warnings.invalidArgument += 1
                    return .null
                }
                algorithm = parsed
            }
            return .keyword(algorithm.hexDigest(input))
        default:
            break
        }
        guard let input = args[0].keywordBytes else { return .null }
        switch function {
        case .md5: return .keyword(ESQLHashAlgorithm.md5.hexDigest(input))
        case .sha1: return .keyword(ESQLHashAlgorithm.sha1.hexDigest(input))
        case .sha256: return .keyword(ESQLHashAlgorithm.sha256.hexDigest(input))
        case .toBase64: return .keyword(Self.base64Encode(input))
        case .fromBase64:
            guard let decoded = Self.base64Decode(input) else { warnings.invalidArgument += 1; return .null }
            return .keyword(decoded)
        case .urlEncode: return .keyword(Self.percentEncode(input, component: false))
        case .urlEncodeComponent: return .keyword(Self.percentEncode(input, component: true))
        case .urlDecode:
            guard let decoded = Self.urlDecode(input) else { warnings.invalidArgument += 1; return .null }
            return .keyword(decoded)
        default: return .null
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// URL_ENCODE is Java's `URLEncoder` (form encoding: a space becomes `+`, `.-*_` stay);
    /// URL_ENCODE_COMPONENT is RFC 3986 (a space becomes `%20`, `-._~` stay).
    static func percentEncode(_ input: [UInt8], component: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        for byte in input {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.append(byte)
            case UInt8(ascii: "*") where !component, UInt8(ascii: "~") where component:
                out.append(byte)
            case UInt8(ascii: " ") where !component:
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            }
        }
        return out
    }

    /// Java's `URLDecoder.decode`: `+` is a space, `%XX` a byte; a broken escape is an error.
    static func urlDecode(_ input: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            switch input[i] {
            case UInt8(ascii: "+"):
                out.append(0x20)
                i += 1
            case UInt8(ascii: "%"):
                guard i + 2 < input.count, let high = hexDigitValue(input[i + 1]), let low = hexDigitValue(input[i + 2]) else { return nil }
                out.append(high << 4 | low)
                i += 3
            default:
                out.append(input[i])
                i += 1
            }
        }
        return out
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64Encode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i < input.count {
            let b0 = UInt32(input[i])
            let b1 = i + 1 < input.count ? UInt32(input[i + 1]) : 0
            let b2 = i + 2 < input.count ? UInt32(input[i + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(base64Alphabet[Int(triple >> 18 & 63)])
            out.append(base64Alphabet[Int(triple >> 12 & 63)])
            out.append(i + 1 < input.count ? base64Alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < input.count ? base64Alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }

    /// Java's basic `Base64.getDecoder()`: the standard alphabet, padding optional at the end,
    /// nothing else allowed (no line breaks, no URL-safe letters).
    static func base64Decode(_ input: [UInt8]) -> [UInt8]? {
        var body = input[...]
        var padding = 0
        while body.last == UInt8(ascii: "="), padding < 2 { body.removeLast(); padding += 1 }
        guard body.count % 4 != 1 else { return nil }
        if padding > 0 { guard (body.count + padding) % 4 == 0 else { return nil } }
        var out: [UInt8] = []
        out.reserveCapacity(body.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in body {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - 97 + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - 48 + 52)
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            default: return nil
            }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
