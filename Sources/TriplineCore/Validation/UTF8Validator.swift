import TriplineAVX2

/// Whether bytes are well-formed UTF-8: Keiser–Lemire lookup tables with AVX2 where the CPU has
/// them, else (and as the tests' reference) the scanner's own sequence-by-sequence check.
package struct UTF8Validator {
    /// The text between ASCII padding, as the vector kernel reads it; reused.
    private var padded: [UInt8] = []

    package init() {}

    /// `vectorized`: the AVX2 kernel where the CPU has it, else the scalar twin.
    package mutating func isValid(_ text: UnsafeRawBufferPointer, vectorized: Bool = true) -> Bool {
        guard vectorized && CPUFeatures.hasAVX2 && JSONClassifyAVX2.isCompiled else { return Self.isValidScalar(text) }
        let padding = UTF8ValidateAVX2.padding
        let needed = text.count + 2 * padding
        if padded.count < needed { padded = [UInt8](repeating: 0x20, count: needed) }
        return padded.withUnsafeMutableBytes { buffer in
            UnsafeMutableRawBufferPointer(rebasing: buffer[padding..<(padding + text.count)]).copyMemory(from: text)
            // The bytes after the text are spaces again, whatever a longer text left there.
            UnsafeMutableRawBufferPointer(rebasing: buffer[(padding + text.count)..<needed]).initializeMemory(as: UInt8.self, repeating: 0x20)
            return UTF8ValidateAVX2.isValid(padded: UnsafeRawBufferPointer(buffer), count: text.count)
        }
    }

    /// The scalar twin.
    package static func isValidScalar(_ text: UnsafeRawBufferPointer) -> Bool {
        var at = 0
        while at < text.count {
            if text[at] < 0x80 { at += 1; continue }
            guard let width = JSONGrammar.utf8SequenceWidth(text, at: at) else { return false }
            at += width
        }
        return true
    }
}
