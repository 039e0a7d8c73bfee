#if canImport(Glibc)
import Glibc
#endif

/// What the CPU can run, read once from /proc/cpuinfo (Linux); false where unknown.
package enum CPUFeatures {
    package static let hasAVX2 = flags.contains("avx2")
    /// AVX-512 Foundation and Byte/Word instructions.
    package static let hasAVX512BW = flags.contains("avx512f") && flags.contains("avx512bw")

    /// The flags line of /proc/cpuinfo (Linux).
    private static let flags: Set<Substring> = {
        #if arch(x86_64) && os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { continue }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                return Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
            }
        }
        return []
        #else
        return []
        #endif
    }()
}
