/// A rule ready to run: its condition compiled against the shared field plan.
public struct CompiledRule: Sendable {
    /// What an alert carries of the event.
    public enum Output: Sendable {
        /// The source event, as Kibana's EQL and query rules copy it.
        case sourceEvent
        /// ES|QL, as Kibana builds a non-aggregating rule's alert: the source event with the
        /// query's result columns written over it, one alert per result row.
        case esqlResult(ESQLPipeline)
        /// An EQL sequence or sample: the workers test its steps, a correlator joins them, and
        /// its alerts are Kibana's shell and building blocks.
        case sequence(SequencePlan)
        /// An aggregating ES|QL rule (`STATS`, `INLINE STATS`): its rows per scheduled run, in
        /// event time. Aggregating alerts carry the result columns only; `INLINE STATS` rows
        /// carry their event, as non-aggregating ones do.
        case esqlWindows(ESQLWindowPlan)
    }

    /// The ES|QL pipeline an alert's columns come from.
    public var esqlPipeline: ESQLPipeline? {
        switch output {
        case .esqlResult(let pipeline): pipeline
        case .esqlWindows(let plan): plan.pipeline
        default: nil
        }
    }

    public let definition: RuleDefinition
    public let indexPatterns: IndexPatternSet
    public let predicate: Predicate
    /// Field paths the condition reads.
    public let fields: [String]
    public let literals: LiteralRequirement?
    public let output: Output

    public var ruleID: String { definition.ruleID }
    public var name: String { definition.name }
}

/// Assigns each field path one index, shared by all rules and the extractor's plan.
public struct FieldRegistry: Sendable {
    public private(set) var paths: [String] = []
    private var indexByPath: [String: Int] = [:]

    public init() {}

    public mutating func index(of path: String) -> Int {
        if let index = indexByPath[path] { return index }
        paths.append(path)
        indexByPath[path] = paths.count - 1
        return paths.count - 1
    }
}
