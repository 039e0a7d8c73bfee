/// An ad-hoc EQL event query over files (`tripline query --eql`): every event the query
/// matches, in Elasticsearch's order (timestamp, then tiebreaker, then input order), with the
/// `head`/`tail` pipes and the search's `size`.
public struct Hunt {
    public struct Options: Sendable {
        public var eventCategoryField = "event.category"
        public var timestampField = "@timestamp"
        public var tiebreakerField: String?
        /// Elasticsearch's default `size` is 10.
        public var size = 10
        public var types: FieldTypes = .bundled
        public init() {}
    }

    /// One matching event: the line as it was read, with what orders it.
    public struct Hit: Sendable {
        public var time: Value
        public var tiebreaker: Value
        public var sequence: Int
        public var line: [UInt8]
    }

    public let rule: CompiledRule
    public let plan: FieldPlan
    private let head: Int?
    private let tail: Int?
    private let size: Int
    private let timestamp: (field: Int, type: FieldType)
    private let tiebreaker: (field: Int, type: FieldType)?
    private var extractor: Extractor
    private var predicates = PredicateEvaluator()
    private var scratch: [UInt8] = []
    public private(set) var hits: [Hit] = []
    public private(set) var eventsRead = 0
    public private(set) var rejected: [DeadLetter] = []

    public init(eql query: String, options: Options) throws(RuleError) {
        let definition = RuleDefinition(
            file: "query", ruleID: "query", name: "query", description: "", type: "eql", language: .eql, query: query,
            queryStart: SourceLocation(line: 1, column: 1), index: ["*"], from: "now-6m", interval: "5m", maxSignals: 100,
            severity: "low", riskScore: 21, tags: [], author: [], license: nil, references: [], falsePositives: [], threat: .array([]),
            timestampOverride: nil, eventCategoryOverride: options.eventCategoryField, timestampField: options.timestampField,
            tiebreakerField: options.tiebreakerField, version: 1, enabled: true, alertSuppression: nil)
        var compiler = RuleCompiler(types: options.types)
        let (rule, pipes) = try compiler.compileHunt(definition)
        self.rule = rule
        var head: Int?, tail: Int?
        for pipe in pipes {
            guard case .literal(.integer(let n), _) = pipe.arguments[0] else { continue }
            if pipe.name == "head" { head = min(head ?? Int.max, Int(n)) } else { tail = min(tail ?? Int.max, Int(n)) }
        }
        self.head = head
        self.tail = tail
        self.size = options.size
        let timestampField = options.types.resolve(options.timestampField)
        timestamp = (compiler.registry.index(of: timestampField), options.types.type(of: options.timestampField))
        tiebreaker = options.tiebreakerField.map { name in
            let field = options.types.resolve(name)
            return (compiler.registry.index(of: field), options.types.type(of: name))
        }
        plan = FieldPlan(paths: compiler.registry.paths)
        extractor = Extractor(plan: plan)
    }

    /// Evaluates a batch's lines; rejected lines are kept in `rejected`.
    public mutating func consume(_ batch: Batch) {
        let (extracted, dead) = extractor.extract(batch)
        rejected += dead
        eventsRead += batch.lineCount
        extracted.forEachEvent { line, event, raw in
            guard predicates.evaluate(rule.predicate, event) == .true else { return }
            // An event without its timestamp is not searchable by EQL.
            let time = predicates.expressions.value(.field(timestamp.field, timestamp.type, .anyValue), event)
            guard !time.isNull else { return }
            let order = tiebreaker.map { predicates.expressions.value(.field($0.field, $0.type, .anyValue), event) } ?? .null
            let span = batch.lines[line]
            hits.append(Hit(time: time, tiebreaker: order, sequence: hits.count, line: Array(raw[Int(span.start)..<span.end])))
        }
    }

    /// The results as Elasticsearch returns them: sorted, `head`/`tail` applied, at most `size`
    /// (the last `size` unless a `head` asks for the first: the search's result position is `tail`).
    public func results() -> [Hit] {
        let sorted = hits.sorted { a, b in
            if let order = Value.order(a.time, b.time), order != 0 { return order < 0 }
            if a.tiebreaker.isNull != b.tiebreaker.isNull { return !a.tiebreaker.isNull }
            if let order = Value.order(a.tiebreaker, b.tiebreaker), order != 0 { return order < 0 }
            return a.sequence < b.sequence
        }
        var selected = sorted[...]
        if let head { selected = selected.prefix(head) }
        if let tail { selected = selected.suffix(tail) }
        return Array(head != nil && tail == nil ? selected.prefix(size) : selected.suffix(size))
    }
}

extension ExtractedBatch {
    /// Calls `body` with each valid line, its event and the batch's bytes, in line order.
    /// - warning: Do not escape the event or the bytes.
    func forEachEvent(_ body: (_ line: Int, _ event: EventView, _ raw: UnsafeRawBufferPointer) -> Void) {
        batch.withUnsafeBytes { raw in
            values.withUnsafeBufferPointer { values in
                for line in 0..<batch.lineCount where isValid[line] {
                    body(line, EventView(raw: raw, values: UnsafeBufferPointer(rebasing: values[valueRange(ofLine: line)])), raw)
                }
            }
        }
    }
}
