#if canImport(Glibc)
import Glibc
#endif

/// What the CPU can run, read once from /proc/cpuinfo (Linux); false where unknown.
package enum CPUFeatures {
    package static let hasAVX2: Bool = {
        #if arch(x86_64) && os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { continue }
            let text = String(cString: line)
            if text.hasPrefix("flags") { return text.split(separator: " ").contains { $0 == "avx2" || $0 == "avx2\n" } }
        }
        return false
        #else
        return false
        #endif
    }()
}
