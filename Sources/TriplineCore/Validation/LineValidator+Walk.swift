#if canImport(Glibc)
import Glibc
#endif

/// The validator's general stage 2: a token-by-token walk, for lines with spaces between tokens.
extension LineValidator {
    // Token classes and walk states; `transitions[state << 4 | top << 3 | class]` is the next
    // state, `top` being 1 inside an array.
    private static let quote = 0, comma = 1, colon = 2, scalar = 3, open = 4, openArray = 5, close = 6, closeArray = 7
    private static let root: UInt8 = 0, firstKey: UInt8 = 1, key: UInt8 = 2, afterKey: UInt8 = 3, value: UInt8 = 4,
                       firstValue: UInt8 = 5, afterValue: UInt8 = 6, end: UInt8 = 7, failed: UInt8 = 8

    /// The tables live for the whole process, outside Swift arrays: the walk reads them through
    /// plain pointers, with no closure whose captured variables would live in memory (measured:
    /// the walk ran at 8 ns a token with its state captured by `withUnsafeBufferPointer`).
    nonisolated(unsafe) private static let byteClass: UnsafePointer<UInt8> = permanent((0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "{"): UInt8(open)
        case UInt8(ascii: "}"): UInt8(close)
        case UInt8(ascii: "["): UInt8(openArray)
        case UInt8(ascii: "]"): UInt8(closeArray)
        case UInt8(ascii: ":"): UInt8(colon)
        case UInt8(ascii: ","): UInt8(comma)
        case UInt8(ascii: "\""): UInt8(quote)
        default: UInt8(scalar)
        }
    })

    nonisolated(unsafe) private static let transitions: UnsafePointer<UInt8> = permanent((0..<(16 * 16)).map { index in
        let state = UInt8(index >> 4), inArray = index >> 3 & 1 == 1, tokenClass = index & 7
        let expectsValue = state == value || state == firstValue
        switch tokenClass {
        case open: return state == root || expectsValue ? firstKey : failed
        case openArray: return expectsValue ? firstValue : failed
        case close: return !inArray && (state == firstKey || state == afterValue) ? afterValue : failed
        case closeArray: return inArray && (state == firstValue || state == afterValue) ? afterValue : failed
        case colon: return state == afterKey ? value : failed
        case comma: return state == afterValue ? (inArray ? value : key) : failed
        case quote: return state == firstKey || state == key ? afterKey : expectsValue ? afterValue : failed
        default: return expectsValue ? afterValue : failed
        }
    })

    private static func permanent(_ table: [UInt8]) -> UnsafePointer<UInt8> {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: table.count)
        pointer.initialize(from: table, count: table.count)
        return UnsafePointer(pointer)
    }

    /// Stage 2 for any line: resolves escapes and strings block by block, then steps through the
    /// structural characters, string starts and scalar starts with a table-driven grammar
    /// automaton; keys are hashed for the duplicate check at their colon.
    static func walk(_ text: UnsafeRawBufferPointer, masks: UnsafePointer<UInt64>, blockCount: Int, keys: KeySet) -> Verdict {
        typealias C = JSONBlockClassifier
        let count = text.count
        let bytes = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var strings = Strings()
        var scalarCarry: UInt64 = 0  // 1: the last byte of the previous block was part of a scalar
        var lastBackslashBefore = -1  // the last backslash of the blocks already walked

        var state = root
        var depth = 0
        var arrays: UInt64 = 0  // the open containers, innermost in bit 0: 1 for an array
        var objects: UInt32 = 0, object: UInt32 = 0  // objects opened so far; the innermost open one
        var keyStart = 0, keyCount = 0
        var timestampColon = -1  // the colon after the top-level key @timestamp
        let keySet = keys.reset()
        let enclosing = keys.enclosing, lengthMasks = keys.lengthMasks

                for block in 0..<blockCount {
                    let at = masks + block * C.masksPerBlock
                    let blockStart = block << 6

                    guard let (quotes, inString) = strings.resolve(at, at: blockStart, in: text) else { return .invalid }
                    let inLine = Self.inLine(count, blockStart: blockStart)
                    let scalars = ~(inString | quotes | at[C.whitespace] | C.structural(at)) & inLine
                    let scalarStarts = scalars & ~(scalars << 1 | scalarCarry)
                    scalarCarry = scalars >> 63
                    var tokens = (C.structural(at) & ~inString) | (quotes & inString) | scalarStarts

                    while tokens != 0 {
                        let bit = tokens.trailingZeroBitCount
                        tokens &= tokens &- 1
                        let position = blockStart + bit
                        let tokenClass = Int(byteClass[Int(bytes[position])])
                        let previous = state
                        state = transitions[Int(previous) << 4 | Int(arrays & 1) << 3 | tokenClass]
                        // Quotes and commas, half the tokens, take no branch (measured: a switch
                        // over every class cost 8 ns a token in mispredicted jumps).
                        keyStart = tokenClass == quote && previous &- firstKey < 2 ? position : keyStart
                        guard tokenClass >= colon else { continue }
                        if tokenClass == colon {
                            guard state != failed else { return .invalid }
                            // The key's closing quote is the last non-space byte before the colon.
                            var close = position - 1
                            while bytes[close] != UInt8(ascii: "\"") { close -= 1 }
                            // A key holding a backslash is compared as decoded: the scanner's work.
                            let below = at[C.backslash] & ((1 << UInt64(bit)) &- 1)
                            let lastBackslash = below != 0 ? blockStart + 63 - below.leadingZeroBitCount : lastBackslashBefore
                            keyCount += 1
                            let (hash, notTimestamp) = keyHashNotingTimestamp(text, from: keyStart + 1, to: close, lengthMasks: lengthMasks)
                            guard lastBackslash < keyStart, keyCount < maxKeys, keySet.insert(hash, object: object) else { return .invalid }
                            // The root's @timestamp, without a branch on the depth (as the compact check).
                            if notTimestamp | UInt64(truncatingIfNeeded: depth ^ 1) == 0 { timestampColon = position }
                        } else if tokenClass == scalar {
                            guard state != failed, scalarEnd(text, at: position) != nil else { return .invalid }
                        } else if tokenClass == open || tokenClass == openArray {
                            guard depth < maxDepth else { return .invalid }
                            depth += 1
                            enclosing[depth] = object
                            arrays = arrays << 1 | UInt64(tokenClass & 1)
                            if tokenClass == open {
                                objects += 1
                                object = objects
                            }
                        } else {
                            guard state != failed else { return .invalid }
                            object = enclosing[depth]
                            depth -= 1
                            arrays >>= 1
                            if depth == 0 { state = end }
                        }
                    }
                    if state == failed { return .invalid }
                    let backslashes = at[C.backslash]
                    if backslashes != 0 { lastBackslashBefore = blockStart + 63 - backslashes.leadingZeroBitCount }
                }
                guard state == end && strings.inStringCarry == 0 else { return .invalid }
                return Verdict(valid: timestampColon < 0 || timestampIsDate(text, colon: timestampColon), nonASCII: strings.nonASCII != 0)
    }

}
