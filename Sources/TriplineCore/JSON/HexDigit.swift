/// The value of an ASCII hex digit (`0-9`, `A-F`, `a-f`), or nil: shared by the IP address
/// reader, URL decoding and the regex parser's escapes.
@inline(__always)
func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
}
