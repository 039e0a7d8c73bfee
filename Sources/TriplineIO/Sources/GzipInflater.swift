import CZlib

/// Streams gzip (and zlib) data back to bytes; concatenated gzip members are read in turn.
final class GzipInflater {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 1 << 20)
    private(set) var atMemberEnd = true

    init() throws {
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SourceError(message: "zlib: cannot start inflating")
        }
    }

    deinit { inflateEnd(&stream) }

    func inflate(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while stream.avail_in > 0 {
            let produced: Int
            let status: Int32
            (status, produced) = output.withUnsafeMutableBytes { out -> (Int32, Int) in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.avail_out))
            }
            atMemberEnd = false
            if produced > 0 { try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                atMemberEnd = true
                inflateReset(&stream)
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw SourceError(message: "gzip: \(message)")
            }
        }
    }
}
