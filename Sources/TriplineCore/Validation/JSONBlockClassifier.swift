import TriplineAVX2
import TriplineAVX512

/// Stage 1 of the line validator: a line's bytes as bit masks per 64-byte block (quote,
/// backslash, whitespace, control below 0x20, non-ASCII, and each of `{[}]:,`), with AVX2 where
/// the CPU has it and a scalar twin that the tests hold it to.
package enum JSONBlockClassifier {
    package static let masksPerBlock = JSONClassifyAVX2.masksPerBlock
    static let quote = JSONClassifyAVX2.quote
    static let backslash = JSONClassifyAVX2.backslash
    static let whitespace = JSONClassifyAVX2.whitespace
    static let control = JSONClassifyAVX2.control
    static let nonASCII = JSONClassifyAVX2.nonASCII
    static let openBrace = JSONClassifyAVX2.openBrace
    static let openBracket = JSONClassifyAVX2.openBracket
    static let closeBrace = JSONClassifyAVX2.closeBrace
    static let closeBracket = JSONClassifyAVX2.closeBracket
    static let colon = JSONClassifyAVX2.colon
    static let comma = JSONClassifyAVX2.comma

    /// `{[}]:,` of one block.
    @inline(__always)
    static func structural(_ block: UnsafePointer<UInt64>) -> UInt64 {
        block[openBrace] | block[openBracket] | block[closeBrace] | block[closeBracket] | block[colon] | block[comma]
    }

    package static func blocks(_ count: Int) -> Int { (count + 63) / 64 }

    /// The kernels, each tested against the scalar twin.
    package enum Kernel: CaseIterable, Sendable {
        case scalar, avx2, avx512

        /// The fastest this CPU runs.
        package static let best: Kernel =
            CPUFeatures.hasAVX512BW && JSONClassifyAVX512.isCompiled ? .avx512 : CPUFeatures.hasAVX2 && JSONClassifyAVX2.isCompiled ? .avx2 : .scalar

        package var isAvailable: Bool {
            switch self {
            case .scalar: true
            case .avx2: CPUFeatures.hasAVX2 && JSONClassifyAVX2.isCompiled
            case .avx512: CPUFeatures.hasAVX512BW && JSONClassifyAVX512.isCompiled
            }
        }
    }

    /// `vectorized`: the fastest kernel the CPU runs, else the scalar twin.
    /// - Safety: `masks` has room for `masksPerBlock * blocks(line.count)` values.
    @inline(__always)
    package static func classify(_ line: UnsafeRawBufferPointer, into masks: UnsafeMutablePointer<UInt64>, vectorized: Bool = true) {
        classify(line, into: masks, kernel: vectorized ? .best : .scalar)
    }

    /// - Precondition: `kernel.isAvailable`.
    @inline(__always)
    package static func classify(_ line: UnsafeRawBufferPointer, into masks: UnsafeMutablePointer<UInt64>, kernel: Kernel) {
        switch kernel {
        case .avx512: JSONClassifyAVX512.classify(line, into: masks)
        case .avx2: JSONClassifyAVX2.classify(line, into: masks)
        case .scalar: classifyScalar(line, into: masks)
        }
    }

    /// The scalar twin, byte by byte.
    package static func classifyScalar(_ line: UnsafeRawBufferPointer, into masks: UnsafeMutablePointer<UInt64>) {
        let blockCount = blocks(line.count)
        (masks).initialize(repeating: 0, count: masksPerBlock * blockCount)
        for (index, byte) in line.enumerated() {
            let out = masks + masksPerBlock * (index >> 6)
            let bit = UInt64(1) << UInt64(index & 63)
            switch byte {
            case 0x22: out[quote] |= bit
            case 0x5C: out[backslash] |= bit
            case 0x7B: out[openBrace] |= bit
            case 0x5B: out[openBracket] |= bit
            case 0x7D: out[closeBrace] |= bit
            case 0x5D: out[closeBracket] |= bit
            case 0x3A: out[colon] |= bit
            case 0x2C: out[comma] |= bit
            default: break
            }
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { out[whitespace] |= bit }
            if byte < 0x20 { out[control] |= bit }
            if byte >= 0x80 { out[nonASCII] |= bit }
        }
    }
}
