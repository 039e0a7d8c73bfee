/// An ad-hoc EQL query over files (`tripline query --eql`): every event an event query
/// matches, in Elasticsearch's order (timestamp, then tiebreaker, then input order), or every
/// sequence (sample) a sequence (sample) query finds, with the `head`/`tail` pipes and the
/// search's `size`.
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
    /// The query's condition, then a sequence's step conditions (and until's).
    private let conditions: ConditionProgram
    private var scratch: [UInt8] = []
    public private(set) var hits: [Hit] = []
    /// A sequence or sample query's step matches, in input order.
    private var stepMatches: [StepMatch] = []
    private var sequencePlan: SequencePlan?
    private var sharedSequencePlan: SharedPlan<SequencePlan>?
    public private(set) var eventsRead = 0
    private var eventsMatched = 0
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
        var steps: [Predicate] = []
        if case .sequence(let sequence) = rule.output {
            sequencePlan = sequence
            sharedSequencePlan = SharedPlan(sequence)
            steps = sequence.steps.map(\.condition) + (sequence.until.map { [$0.condition] } ?? [])
        }
        conditions = ConditionProgram([rule.predicate] + steps)
    }

    /// Whether the query is a sequence or a sample: results are `sequences()`, not `results()`.
    public var findsSequences: Bool { sequencePlan != nil }

    /// Evaluates a batch's lines; rejected lines are kept in `rejected`.
    public mutating func consume(_ batch: Batch) {
        let (extracted, dead) = extractor.extract(batch)
        rejected += dead
        eventsRead += batch.lineCount
        extracted.forEachEvent { line, event, raw in
            guard predicates.evaluate(0, of: conditions, event) == .true else { return }
            if let sharedSequencePlan {
                let span = batch.lines[line]
                // Arrival is the order read, across files too.
                let arrival = SourcePosition(source: "", byteOffset: UInt64(eventsMatched))
                eventsMatched += 1
                predicates.stepMatches(sharedSequencePlan, rule: 0, event, steps: conditions, firstStep: 1, into: &stepMatches) { order, withLine in
                    var order = order
                    order.arrival = arrival
                    return HeldEvent(line: withLine ? Array(raw[Int(span.start)..<span.end]) : [], position: batch.position(ofLine: line), index: "", order: order)
                }
                return
            }
            // An event without its timestamp is not searchable by EQL.
            let time = predicates.expressions.value(.field(timestamp.field, timestamp.type, .anyValue), event)
            guard !time.isNull else { return }
            let order = tiebreaker.map { predicates.expressions.value(.field($0.field, $0.type, .anyValue), event) } ?? .null
            let span = batch.lines[line]
            hits.append(Hit(time: time, tiebreaker: order, sequence: hits.count, line: Array(raw[Int(span.start)..<span.end])))
        }
    }

    /// A sequence or sample query's results as Elasticsearch returns them: the matcher run over
    /// the step matches in event order, `head`/`tail` on sequences, at most `size` of them.
    public func sequences() -> [FoundSequence] {
        guard let sequencePlan else { return [] }
        let ordered = stepMatches.enumerated().sorted { a, b in
            a.element.event.order < b.element.event.order || (a.element.event.order == b.element.event.order && a.offset < b.offset)
        }
        var correlation = RuleCorrelation(rule: 0, plan: sequencePlan, cap: .max)
        var found: [FoundSequence] = []
        for (_, match) in ordered { correlation.process(match, into: &found) }
        correlation.finish(into: &found)
        var selected = found[...]
        if let head { selected = selected.prefix(head) }
        if let tail { selected = selected.suffix(tail) }
        return Array(head != nil && tail == nil ? selected.prefix(size) : selected.suffix(size))
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
