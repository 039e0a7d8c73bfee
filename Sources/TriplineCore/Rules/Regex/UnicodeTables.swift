// Unicode property sets for `\p{...}`, Oniguruma's POSIX brackets and case folding of sets.

/// Built once, on first use, from the Swift runtime's Unicode data: one pass over all code
/// points (a few tens of milliseconds), so only patterns that need them pay for it.
final class UnicodeTables: Sendable {
    static let shared = UnicodeTables()

    /// By general category (`Lu`...) and major class (`L`, and `LC` for cased letters).
    let categories: [String: [ClosedRange<UInt32>]]
    let alphabetic: [ClosedRange<UInt32>]
    let whiteSpace: [ClosedRange<UInt32>]
    let uppercase: [ClosedRange<UInt32>]
    let lowercase: [ClosedRange<UInt32>]
    /// Code points with other case variants under simple folding, ascending: a table of its own,
    /// as case-insensitive sets need it without the rest.
    static let cased: [UInt32] = (UInt32(0)..<0x1F000).filter { v in
        guard let scalar = Unicode.Scalar(v), scalar.properties.changesWhenCaseMapped else { return false }
        return RegexCaseFolding.variants(of: v).count > 1
    }

    private init() {
        var byCategory: [String: [ClosedRange<UInt32>]] = [:]
        var alphabetic: [ClosedRange<UInt32>] = [], whiteSpace: [ClosedRange<UInt32>] = []
        var uppercase: [ClosedRange<UInt32>] = [], lowercase: [ClosedRange<UInt32>] = []
        func add(_ list: inout [ClosedRange<UInt32>], _ v: UInt32) {
            if let last = list.last, last.upperBound + 1 == v { list[list.count - 1] = last.lowerBound...v } else { list.append(v...v) }
        }
        for v in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else {
                add(&byCategory["Cs", default: []], v)
                continue
            }
            let p = scalar.properties
            add(&byCategory[Self.code(p.generalCategory), default: []], v)
            if p.isAlphabetic { add(&alphabetic, v) }
            if p.isWhitespace { add(&whiteSpace, v) }
            if p.isUppercase { add(&uppercase, v) }
            if p.isLowercase { add(&lowercase, v) }
        }
        for (code, ranges) in byCategory {
            byCategory[String(code.prefix(1)), default: []] += ranges
            if ["Lu", "Ll", "Lt"].contains(code) { byCategory["LC", default: []] += ranges }
        }
        categories = byCategory.mapValues(RegexCharSet.normalize)
        self.alphabetic = alphabetic
        self.whiteSpace = whiteSpace
        self.uppercase = uppercase
        self.lowercase = lowercase
    }

    private static func code(_ category: Unicode.GeneralCategory) -> String {
        switch category {
        case .uppercaseLetter: "Lu"
        case .lowercaseLetter: "Ll"
        case .titlecaseLetter: "Lt"
        case .modifierLetter: "Lm"
        case .otherLetter: "Lo"
        case .nonspacingMark: "Mn"
        case .spacingMark: "Mc"
        case .enclosingMark: "Me"
        case .decimalNumber: "Nd"
        case .letterNumber: "Nl"
        case .otherNumber: "No"
        case .connectorPunctuation: "Pc"
        case .dashPunctuation: "Pd"
        case .openPunctuation: "Ps"
        case .closePunctuation: "Pe"
        case .initialPunctuation: "Pi"
        case .finalPunctuation: "Pf"
        case .otherPunctuation: "Po"
        case .mathSymbol: "Sm"
        case .currencySymbol: "Sc"
        case .modifierSymbol: "Sk"
        case .otherSymbol: "So"
        case .spaceSeparator: "Zs"
        case .lineSeparator: "Zl"
        case .paragraphSeparator: "Zp"
        case .control: "Cc"
        case .format: "Cf"
        case .surrogate: "Cs"
        case .privateUse: "Co"
        case .unassigned: "Cn"
        @unknown default: "Cn"
        }
    }
}
