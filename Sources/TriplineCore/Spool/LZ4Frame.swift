import CLZ4

/// An error from liblz4, with its own name for the failure.
public struct LZ4Error: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { "lz4: \(message)" }

    static func check(_ code: Int) throws(LZ4Error) -> Int {
        if LZ4F_isError(code) != 0 { throw LZ4Error(message: String(cString: LZ4F_getErrorName(code))) }
        return code
    }
}

/// Streams bytes into one standard LZ4 frame (independent blocks, block and content checksums),
/// which `lz4 -dc` and `lz4 -t` read.
public final class LZ4FrameEncoder {
    private var context: OpaquePointer?
    private var preferences = LZ4F_preferences_t()
    private var scratch: [UInt8] = []
    public static let blockBytes = 256 * 1024

    public init() throws(LZ4Error) {
        var ctx: OpaquePointer?
        _ = try LZ4Error.check(LZ4F_createCompressionContext(&ctx, UInt32(LZ4F_VERSION)))
        context = ctx
        preferences.frameInfo.blockSizeID = LZ4F_max256KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled
        preferences.compressionLevel = 0
    }

    deinit {
        LZ4F_freeCompressionContext(context)
    }

    /// The frame header; call once, first.
    public func begin() throws -> [UInt8] {
        scratch = [UInt8](repeating: 0, count: 64)
        let written = try scratch.withUnsafeMutableBytes { out in
            try LZ4Error.check(LZ4F_compressBegin(context, out.baseAddress, out.count, &preferences))
        }
        return Array(scratch[..<written])
    }

    /// Compressed bytes ready so far (possibly none: liblz4 buffers up to a block).
    public func update(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard input.count > 0 else { return [] }
        let bound = LZ4F_compressBound(input.count, &preferences)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let written = try scratch.withUnsafeMutableBytes { out in
            try LZ4Error.check(LZ4F_compressUpdate(context, out.baseAddress, out.count, input.baseAddress, input.count, nil))
        }
        return Array(scratch[..<written])
    }

    /// Ends the current block so everything given so far is decodable from the bytes returned.
    public func flush() throws -> [UInt8] {
        let bound = LZ4F_compressBound(0, &preferences)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let written = try scratch.withUnsafeMutableBytes { out in
            try LZ4Error.check(LZ4F_flush(context, out.baseAddress, out.count, nil))
        }
        return Array(scratch[..<written])
    }

    /// The last block, the end mark and the content checksum.
    public func end() throws -> [UInt8] {
        let bound = LZ4F_compressBound(0, &preferences)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let written = try scratch.withUnsafeMutableBytes { out in
            try LZ4Error.check(LZ4F_compressEnd(context, out.baseAddress, out.count, nil))
        }
        return Array(scratch[..<written])
    }
}

/// Decodes a stream of LZ4 frames (concatenated frames, as `lz4` writes and reads them).
public final class LZ4FrameDecoder {
    private var context: OpaquePointer?
    private var output = [UInt8](repeating: 0, count: 1 << 20)
    /// Whether the decoder stands between frames (a stream may end only there).
    public private(set) var atFrameBoundary = true

    public init() throws(LZ4Error) {
        var ctx: OpaquePointer?
        _ = try LZ4Error.check(LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION)))
        context = ctx
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
    }

    /// Decodes `input`, handing decoded bytes to `sink` as they come.
    public func decode(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var consumed = 0
        while consumed < input.count {
            var sourceSize = input.count - consumed
            var destinationSize = output.count
            let hint = try output.withUnsafeMutableBytes { out in
                try LZ4Error.check(LZ4F_decompress(context, out.baseAddress, &destinationSize,
                                                   input.baseAddress! + consumed, &sourceSize, nil))
            }
            consumed += sourceSize
            atFrameBoundary = hint == 0
            if destinationSize > 0 {
                try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[..<destinationSize])) }
            }
            if sourceSize == 0 && destinationSize == 0 { break }
        }
    }
}
