import Crypto

/// The digests HASH accepts, named as Java's `MessageDigest` names them (case-insensitive, with
/// and without the dash: the ES|QL docs write `hash("sha256", message)`).
enum ESQLHashAlgorithm: String, Sendable, Hashable, CaseIterable {
    case md5 = "MD5", sha1 = "SHA-1", sha256 = "SHA-256", sha384 = "SHA-384", sha512 = "SHA-512"

    init?(name: String) {
        let key = name.uppercased().replacingOccurrences(of: "-", with: "")
        guard let found = Self.allCases.first(where: { $0.rawValue.replacingOccurrences(of: "-", with: "") == key }) else {
            return nil
        }
        self = found
    }

    static var allNames: String { "[" + allCases.map(\.rawValue).joined(separator: ", ") + "]" }

    /// The digest of `bytes` as lower-case hex, as ES|QL returns it.
    func hexDigest(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .md5: Self.hex(Insecure.MD5.hash(data: bytes))
        case .sha1: Self.hex(Insecure.SHA1.hash(data: bytes))
        case .sha256: Self.hex(SHA256.hash(data: bytes))
        case .sha384: Self.hex(SHA384.hash(data: bytes))
        case .sha512: Self.hex(SHA512.hash(data: bytes))
        }
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return out
    }
}
