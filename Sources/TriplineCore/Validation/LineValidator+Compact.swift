/// The validator's stage 2 for compact JSON (no space, tab or line break between tokens, as log
/// shippers write it), by bit masks: in a compact line every token follows the previous one's
/// last byte, so JSON's grammar is a set of rules on adjacent bits ("after `{` comes a key or
/// `}`"), each checked 64 bytes at a time. Only brackets (for nesting and whether a comma
/// separates members or elements) and keys (for duplicates) are visited one by one.
extension LineValidator {
    /// Nil when the line is not compact (then `walk` decides).
    static func checkCompact(_ text: UnsafeRawBufferPointer, masks: UnsafePointer<UInt64>, blockCount: Int, keys: KeySet) -> Verdict? {
        typealias C = JSONBlockClassifier
        let count = text.count
        let bytes = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard bytes[0] == UInt8(ascii: "{"), bytes[count - 1] == UInt8(ascii: "}") else { return nil }
        var strings = Strings()
        let keySet = keys.reset()
        let enclosing = keys.enclosing

        var depth = 0
        var arrays: UInt64 = 0  // the open containers, innermost in bit 0: 1 for an array
        var objects: UInt32 = 0, object: UInt32 = 0  // objects opened so far; the innermost open one
        var timestampClose = -1  // the closing quote of the top-level key @timestamp
        // Bit 63 of the previous block's masks, shifted into this one's bit 0.
        var afterOpen: UInt64 = 0, afterOpenArray: UInt64 = 0, afterColon: UInt64 = 0, afterMemberComma: UInt64 = 0,
            afterElementComma: UInt64 = 0, afterKey: UInt64 = 0, afterValue: UInt64 = 0, scalarCarry: UInt64 = 0
        var keyCarry: UInt64 = 0  // 1: a key's string runs on into the next block
        var lastOpeningQuote = -1, lastBackslash = -1  // in the blocks before this one
        var keyCount = 0
        let objectAfterBracket = keys.objectAfterBracket, lengthMasks = keys.lengthMasks

        for block in 0..<blockCount {
            let at = masks + block &* C.masksPerBlock
            let blockStart = block << 6
            guard let (quotes, inString) = strings.resolve(at, at: blockStart, in: text) else { return .invalid }
            let outside = ~inString
            guard at[C.whitespace] & outside == 0 else { return nil }
            let inLine = Self.inLine(count, blockStart: blockStart)
            let open = at[C.openBrace] & outside, openArray = at[C.openBracket] & outside
            let close = at[C.closeBrace] & outside, closeArray = at[C.closeBracket] & outside
            let colon = at[C.colon] & outside, comma = at[C.comma] & outside
            let openingQuotes = quotes & inString, closingQuotes = quotes & outside
            let scalars = ~(inString | quotes | open | openArray | close | closeArray | colon | comma) & inLine
            let scalarStarts = scalars & ~(scalars << 1 | scalarCarry)
            let afterScalar = (scalars << 1 | scalarCarry) & ~scalars
            scalarCarry = scalars >> 63

            // Brackets, in order: nesting, and which bytes lie directly in an array.
            objectAfterBracket[-1] = object
            var inArray: UInt64 = 0 &- (arrays & 1)
            let bracketBits = open | openArray | close | closeArray
            var brackets = bracketBits
            // One step per bracket without a branch on which one it is (`{` and `[` have bit 1
            // set, `[` and `]` bit 5 clear), and with the rules' failures or-ed into one word
            // (`||` compiled to a branch per test); depth is checked once per block, so
            // `enclosing` has room for 64 brackets past the limit.
            var broken: UInt64 = 0
            while brackets != 0 {
                let bit = brackets.trailingZeroBitCount
                brackets &= brackets &- 1
                let byte = UInt64(bytes[blockStart &+ bit])
                let opening = byte >> 1 & 1, square = ~byte >> 5 & 1
                enclosing[depth &+ 1] = object  // a dead slot when closing
                let restored = enclosing[depth]
                // A close at depth 0, or of the other kind of container than the one open.
                broken |= (opening ^ 1) & ((depth == 0 ? 1 : 0) | (arrays ^ square) & 1)
                let opensObject = opening & ~square & 1
                objects &+= UInt32(truncatingIfNeeded: opensObject)
                // Selected by masks: as a conditional, a mispredicted branch at every other bracket.
                let closing = 0 &- UInt32(truncatingIfNeeded: opening ^ 1), opened = 0 &- UInt32(truncatingIfNeeded: opensObject)
                object = restored & closing | ~closing & (objects & opened | object & ~opened)
                arrays = opening == 0 ? arrays >> 1 : arrays << 1 | square
                depth = max(0, depth &+ Int(truncatingIfNeeded: opening << 1) &- 1)
                // The root object closes on the line's last byte, and nothing else does.
                broken |= (depth >= maxDepth ? 1 : 0) | ((depth == 0) != (blockStart &+ bit == count &- 1) ? 1 : 0)
                let above = ~UInt64(1) &<< UInt64(bit), inside = 0 &- (arrays & 1)
                inArray = inArray & ~above | above & inside
                objectAfterBracket[bit] = object
            }
            guard broken == 0 else { return .invalid }
            let memberComma = comma & ~inArray, elementComma = comma & inArray

            // The grammar, on each byte that follows a token's last byte.
            let values = openingQuotes | scalarStarts | open | openArray
            let nextOpen = open << 1 | afterOpen, nextOpenArray = openArray << 1 | afterOpenArray
            let nextColon = colon << 1 | afterColon, nextMemberComma = memberComma << 1 | afterMemberComma
            let nextElementComma = elementComma << 1 | afterElementComma
            guard nextOpen & ~(openingQuotes | close) == 0,
                  nextOpenArray & ~(values | closeArray) == 0,
                  nextColon & ~values == 0,
                  nextMemberComma & ~openingQuotes == 0,
                  nextElementComma & ~values == 0 else { return .invalid }
            // Keys are the strings that open a member; adding a key's opening bit to its string's
            // run of bits carries to the bit past the run: its closing quote.
            let keyOpenings = (nextOpen | nextMemberComma) & openingQuotes
            let (partial, overflow1) = inString.addingReportingOverflow(keyOpenings)
            let (sum, overflow2) = partial.addingReportingOverflow(keyCarry)
            keyCarry = overflow1 || overflow2 ? 1 : 0
            let keyClosings = sum & closingQuotes
            let valueEnds = (closingQuotes & ~keyClosings) | close | closeArray
            let nextKey = keyClosings << 1 | afterKey
            let nextValue = valueEnds << 1 | afterValue | afterScalar
            guard nextKey & ~colon == 0, nextValue & ~(comma | close | closeArray) & inLine == 0 else { return .invalid }
            afterOpen = open >> 63; afterOpenArray = openArray >> 63; afterColon = colon >> 63
            afterMemberComma = memberComma >> 63; afterElementComma = elementComma >> 63
            afterKey = keyClosings >> 63; afterValue = valueEnds >> 63

            // Keys, each against the others of its object: the innermost object open at its position.
            let backslashes = at[C.backslash]
            // Most lines hold no backslash at all: then no key can.
            let mayEscape = backslashes != 0 || lastBackslash >= 0
            var pending = keyClosings
            while pending != 0 {
                let bit = pending.trailingZeroBitCount
                pending &= pending &- 1
                // Counted one by one: `nonzeroBitCount` is a dozen instructions without -mpopcnt.
                keyCount &+= 1
                guard keyCount < maxKeys else { return .invalid }
                let below = (UInt64(1) << UInt64(bit)) &- 1
                let openingBefore = openingQuotes & below
                let keyObject = objectAfterBracket[63 &- (bracketBits & below).leadingZeroBitCount]
                let keyOpen = openingBefore != 0 ? blockStart &+ 63 &- openingBefore.leadingZeroBitCount : lastOpeningQuote
                let keyClose = blockStart &+ bit
                if mayEscape {
                    // A key holding a backslash is compared as decoded: the scanner's work.
                    let backslashBefore = backslashes & below
                    let backslash = backslashBefore != 0 ? blockStart &+ 63 &- backslashBefore.leadingZeroBitCount : lastBackslash
                    guard backslash < keyOpen else { return .invalid }
                }
                let (hash, notTimestamp) = keyHashNotingTimestamp(text, from: keyOpen &+ 1, to: keyClose, lengthMasks: lengthMasks)
                guard keySet.insert(hash, object: keyObject) else { return .invalid }
                if notTimestamp | UInt64(keyObject ^ 1) == 0 { timestampClose = keyClose }
            }
            if openingQuotes != 0 { lastOpeningQuote = blockStart &+ 63 &- openingQuotes.leadingZeroBitCount }
            if backslashes != 0 { lastBackslash = blockStart &+ 63 &- backslashes.leadingZeroBitCount }

            // Numbers and literals, one by one (a few per line).
            var pendingScalars = scalarStarts
            while pendingScalars != 0 {
                let bit = pendingScalars.trailingZeroBitCount
                pendingScalars &= pendingScalars &- 1
                guard scalarEnd(text, at: blockStart &+ bit) != nil else { return .invalid }
            }
        }
        guard depth == 0, strings.inStringCarry == 0 else { return .invalid }
        return Verdict(valid: timestampClose < 0 || timestampIsDate(text, colon: timestampClose &+ 1), nonASCII: strings.nonASCII != 0)
    }
}
