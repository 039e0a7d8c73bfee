/// CIDR_MATCH and IP_PREFIX on single addresses.
extension ESQLCall {
    func ipFunction(_ args: [Value], _ warnings: inout ESQLWarnings) -> Value {
        // A multi-valued address is null with a warning, even for CIDR_MATCH (csv-spec ip:
        // cidrMatchNullField), so a block list never matches "any value" of a field.
        guard let args = Self.singles(args, &warnings), let address = Self.address(args[0]) else { return .null }
        switch function {
        case .cidrMatch:
            if case .networks(let networks) = prepared {
                return .bool(networks.contains { $0.contains(address) })
            }
            for block in args.dropFirst() {
                guard let text = block.keywordBytes else { return .null }
                guard let network = IPNetwork(String(decoding: text, as: UTF8.self)) else {
                    warnings.invalidArgument += 1
                    return .null
                }
                if network.contains(address) { return .bool(true) }
            }
            return .bool(false)
        case .ipPrefix:
            // Both lengths are checked, whichever family the address is (csv-spec ip: ipPrefixWithWrongLengths).
            guard let v4 = args[1].integerArgument, let v6 = args[2].integerArgument else { return .null }
            guard (0...32).contains(v4), (0...128).contains(v6) else { warnings.invalidArgument += 1; return .null }
            let bits = address.isV4 ? Int(v4) + 96 : Int(v6)
            func mask(_ n: Int) -> UInt64 { n <= 0 ? 0 : (n >= 64 ? ~0 : ~0 << UInt64(64 - n)) }
            var prefix = IPAddress(high: address.high & mask(bits), low: address.low & mask(bits - 64))
            // An IPv4 prefix stays IPv4 (the ::ffff: marker is above bit 96).
            if address.isV4 { prefix.low |= 0xFFFF_0000_0000 }
            return .ip(prefix)
        default:
            return .null
        }
    }

    /// An `ip` argument; text is read as an address, as ES|QL casts string literals.
    static func address(_ value: Value) -> IPAddress? {
        switch value {
        case .ip(let address): return address
        case .keyword(let bytes): return IPAddress(bytes)
        default: return nil
        }
    }
}
