import CHyperscan

/// Thousands of needles searched in one pass by Hyperscan's literal matcher (FDR and Teddy),
/// ignoring ASCII case, as `NeedleSet` does for sets too large for its own Teddy.
///
/// Measured on the bundled rules' 4,866 literals over Elastic Defend events (README,
/// Performance): it replaced a scalar hash of every position, which was a third of the run.
public final class HyperscanLiteralSearcher: @unchecked Sendable {
    // @unchecked: the database is immutable once compiled and Hyperscan allows concurrent scans
    // of one database, each with its own scratch (`Scratch`, one per scanning task).
    private let database: OpaquePointer
    private let prototype: OpaquePointer
    public let needles: [[UInt8]]

    /// Nil if Hyperscan cannot compile the set (no SSSE3, or out of memory): callers fall back.
    public init?(needles: [[UInt8]]) {
        guard !needles.isEmpty else { return nil }
        self.needles = needles
        let count = needles.count
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let pointers = needles.map { needle -> UnsafeMutablePointer<CChar> in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, needle.count))
            for (i, byte) in needle.enumerated() { copy[i] = CChar(bitPattern: byte) }
            return copy
        }
        defer { pointers.forEach { $0.deallocate() } }
        // One report per needle per scan: callers scan a line at a time, and a literal such as
        // "/" would otherwise report every occurrence.
        let flags = [UInt32](repeating: UInt32(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH), count: count)
        let ids = (0..<count).map { UInt32($0) }
        let lengths = needles.map(\.count)
        let status = pointers.map { UnsafePointer($0) as UnsafePointer<CChar>? }.withUnsafeBufferPointer { expressions in
            hs_compile_lit_multi(expressions.baseAddress, flags, ids, lengths, UInt32(count), UInt32(HS_MODE_BLOCK), nil, &database, &error)
        }
        if let error { hs_free_compile_error(error) }
        guard status == HS_SUCCESS, let database else { return nil }
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(database, &scratch) == HS_SUCCESS, let scratch else {
            hs_free_database(database)
            return nil
        }
        self.database = database
        self.prototype = scratch
    }

    deinit {
        hs_free_scratch(prototype)
        hs_free_database(database)
    }

    /// Hyperscan's working memory for one scanning task at a time.
    public final class Scratch {
        fileprivate var pointer: OpaquePointer?
        fileprivate var hits: [(needle: Int, end: Int)] = []

        public init() {}

        deinit { if let pointer { hs_free_scratch(pointer) } }
    }

    /// Calls `found(needle, position)` for the first occurrence of each needle the haystack holds.
    public func forEachMatch(in haystack: UnsafeRawBufferPointer, scratch: Scratch, _ found: (Int, Int) -> Void) {
        guard let base = haystack.baseAddress, !haystack.isEmpty else { return }
        if scratch.pointer == nil {
            var clone: OpaquePointer?
            // A clone cannot fail short of memory; without one, scanning would be unsound.
            precondition(hs_clone_scratch(prototype, &clone) == HS_SUCCESS, "Hyperscan could not allocate scratch")
            scratch.pointer = clone
        }
        scratch.hits.removeAll(keepingCapacity: true)
        let context = Unmanaged.passUnretained(scratch).toOpaque()
        let status = hs_scan(database, base.assumingMemoryBound(to: CChar.self), UInt32(haystack.count), 0, scratch.pointer,
                             { id, _, to, _, context in
                                 let scratch = Unmanaged<Scratch>.fromOpaque(context!).takeUnretainedValue()
                                 scratch.hits.append((Int(id), Int(to)))
                                 return 0
                             }, context)
        precondition(status == HS_SUCCESS, "Hyperscan scan failed (\(status))")
        for hit in scratch.hits { found(hit.needle, hit.end - needles[hit.needle].count) }
    }
}
