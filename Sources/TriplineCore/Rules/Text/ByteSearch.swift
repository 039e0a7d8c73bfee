#if canImport(Glibc)
import Glibc
#endif

/// Where one byte string first occurs in another: memchr for each place of its first byte,
/// memcmp for the rest. Shared by wildcards and EQL's case-sensitive `stringContains`.
enum ByteSearch {
    /// The first offset in `from..<to` of `haystack` where the whole needle lies, or nil; an
    /// empty needle is found at `from`.
    /// - Safety: `0 <= from` and `to <= haystack.count`.
    @inline(__always)
    static func firstIndex(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        let length = needle.count
        guard length > 0 else { return from <= to ? from : nil }
        guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return nil }
        let first = Int32(needle[0])
        var at = from
        while to - at >= length {
            guard let hit = memchr(base + at, first, to - at - length + 1) else { return nil }
            at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at + 1, needleBase + 1, length - 1) == 0 { return at }
            at += 1
        }
        return nil
    }
}
