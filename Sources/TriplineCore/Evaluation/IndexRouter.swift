/// Names each event's index and says which rules read that index (DESIGN §1, index routing).
///
/// The index is `_index` if the event has one, else `data_stream.type-dataset-namespace`, else
/// the source's default. Answers are cached per index name; consecutive events usually share one.
public struct IndexRouter {
    let rules: [CompiledRule]
    let system: SystemFields
    let defaultIndex: [UInt8]?
    private var cache: [[UInt8]: Route] = [:]
    private var lastName: [UInt8] = []
    private var last = Route(rules: [], reads: [], id: 0)
    /// The id of the next route made (0: the empty route).
    private var nextID = 1
    private var hasLast = false
    /// The index name of the last event routed.
    public private(set) var name: [UInt8] = []

    /// The rules reading one index: as a list, and as a flag per rule; `id` tells routes apart
    /// (for plans cached per route), unique for the router's life.
    public struct Route: Sendable {
        public var rules: [Int]
        public var reads: [Bool]
        public var id: Int
    }

    public init(rules: [CompiledRule], system: SystemFields, defaultIndex: String?) {
        self.rules = rules
        self.system = system
        self.defaultIndex = defaultIndex.map { Array($0.utf8) }
        name.reserveCapacity(256)
    }

    /// The rules that read this event's index, as a list and as flags; none when the event has
    /// no index at all.
    public mutating func route(for event: EventView) -> Route {
        guard resolveName(event) else { return Route(rules: [], reads: [], id: 0) }
        if hasLast && name == lastName { return last }
        let route: Route
        if let cached = cache[name] {
            route = cached
        } else {
            let matching = name.withUnsafeBytes { bytes in rules.indices.filter { rules[$0].indexPatterns.matches(bytes) } }
            var reads = [Bool](repeating: false, count: rules.count)
            for rule in matching { reads[rule] = true }
            route = Route(rules: matching, reads: reads, id: nextID)
            nextID += 1
            if cache.count > 4096 { cache.removeAll() }
            cache[name] = route
        }
        // Copied, not assigned: sharing one buffer would make the next `removeAll` allocate.
        lastName.removeAll(keepingCapacity: true)
        lastName.append(contentsOf: name)
        last = route
        hasLast = true
        return route
    }

    private mutating func resolveName(_ event: EventView) -> Bool {
        name.removeAll(keepingCapacity: true)
        if system.indexName.appendRoutingName(of: event, to: &name) != nil { return true }
        if let defaultIndex {
            name.append(contentsOf: defaultIndex)
            return true
        }
        return false
    }
}
