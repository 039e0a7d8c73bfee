/// An ad-hoc ES|QL query over files (`tripline query --esql`): the result table, as
/// Elasticsearch would return it for the same events.
///
/// The hoisted conditions run as the events stream by (only matching lines are kept); the
/// pipeline then runs over the kept events as one table, so `SORT` and `LIMIT` see every row.
public struct ESQLHunt {
    public struct Options: Sendable {
        public var types: FieldTypes = .bundled
        /// `NOW()`, in epoch milliseconds.
        public var now: Int64 = Timestamp.nowMilliseconds()
        public init() {}
    }

    /// The result: column names in the query's order, one JSON cell per column per row.
    public struct Table: Sendable {
        public var columns: [String]
        public var rows: [[JSONValue]]
        /// Values that became null as Elasticsearch would warn of (a multi-valued argument,
        /// an overflow, a value a conversion could not read).
        public var warnings = ESQLWarnings()
        /// The rows Elasticsearch's row limits cut the result to (see `rowLimits`), when they did.
        public var truncatedTo: Int?
    }

    /// Elasticsearch returns at most 1,000 rows of a query that does not end in a `LIMIT` (it
    /// adds one), and never more than 10,000 (`esql.query.result_truncation_default_size` and
    /// `_max_size`).
    public static let rowLimits = (implicit: 1_000, maximum: 10_000)

    public let plan: FieldPlan
    /// The conditions hoisted out of the query, tested as each line is read.
    private let condition: ConditionProgram
    private let pipeline: ESQLPipeline
    private let source: ESQLSource
    private let types: FieldTypes
    private let now: Int64
    /// With `METADATA _index`: the fields its column is read from.
    private let indexFields: IndexNameFields?
    private var extractor: Extractor
    private var predicates = PredicateEvaluator()
    private var kept: [UInt8] = []
    private var keptLines: [LineSpan] = []
    public private(set) var eventsRead = 0
    public private(set) var rejected: [DeadLetter] = []

    public init(esql query: String, options: Options) throws(RuleError) {
        var compiler = RuleCompiler(types: options.types)
        do {
            let predicate: Predicate
            (predicate, pipeline, source) = try compiler.compileESQLHunt(query)
            condition = ConditionProgram([predicate])
        } catch {
            throw RuleError(file: "query", location: error.location, message: error.message, ruleID: "query", language: "esql",
                            isUnsupported: error.code == .unsupported)
        }
        types = options.types
        now = options.now
        indexFields = source.metadata.contains("_index") ? IndexNameFields(registering: &compiler.registry) : nil
        plan = FieldPlan(paths: compiler.registry.paths)
        extractor = Extractor(plan: plan)
        if source.indices.isEmpty {
            // `ROW`: one row, from no event.
            keptLines.append(LineSpan(start: 0, length: 2))
            kept = Array("{}\n".utf8)
        }
    }

    /// Reads a batch: lines the hoisted conditions keep are copied aside; rejected lines are
    /// kept in `rejected`.
    public mutating func consume(_ batch: Batch) {
        guard !source.indices.isEmpty else { return }
        let (extracted, dead) = extractor.extract(batch)
        rejected += dead
        eventsRead += batch.lineCount
        extracted.forEachEvent { line, event, raw in
            guard predicates.evaluate(0, of: condition, event) == .true else { return }
            let span = batch.lines[line]
            keptLines.append(LineSpan(start: UInt32(kept.count), length: span.length))
            kept += raw[Int(span.start)..<span.end]
            kept.append(0x0A)
        }
    }

    /// Runs the pipeline over the kept events and returns the table.
    public mutating func result() -> Table {
        let batch = Batch(source: "query", baseOffset: 0, bytes: kept, lines: keptLines)
        let (extracted, _) = extractor.extract(batch)
        var expressions = predicates.expressions
        expressions.now = now
        expressions.defaultIndex = Array(Self.defaultIndex(of: source).utf8)
        let events = (0..<batch.lineCount).filter { extracted.isValid[$0] }
        // The row limits, as one more row than they keep: whether they cut anything shows.
        var stages = pipeline.stages
        let limit: Int
        if case .limit(let written)? = stages.last {
            limit = min(written, Self.rowLimits.maximum)
            stages[stages.count - 1] = .limit(min(written, limit + 1))
        } else {
            limit = Self.rowLimits.implicit
            stages.append(.limit(limit + 1))
        }
        var output = ESQLTable(rows: events.map { ESQLTable.Row(event: $0, slots: [Value](repeating: .null, count: pipeline.slotCount)) },
                              slotCount: pipeline.slotCount)
        var indexNames: [Int: JSONValue] = [:]
        extracted.batch.withUnsafeBytes { raw in
            extracted.values.withUnsafeBufferPointer { values in
                func event(_ line: Int) -> EventView {
                    EventView(raw: raw, values: UnsafeBufferPointer(rebasing: values[extracted.valueRange(ofLine: line)]))
                }
                output.run(stages[...], expressions: &expressions, view: event)
                guard let indexFields else { return }
                for row in output.rows where row.event >= 0 {
                    let name = indexFields.concreteName(of: event(row.event), fallback: expressions.defaultIndex) ?? []
                    indexNames[row.event] = .string(String(decoding: name, as: UTF8.self))
                }
            }
        }
        var rows = output.rows.map { (event: $0.event, slots: $0.slots) }
        if rows.count > limit {
            rows.removeLast(rows.count - limit)
        }
        var result = table(rows, batch: batch, indexNames: indexNames)
        result.warnings = expressions.warnings
        if output.rows.count > limit { result.truncatedTo = limit }
        return result
    }

    private func table(_ rows: [(event: Int, slots: [Value])], batch: Batch, indexNames: [Int: JSONValue]) -> Table {
        let documents = (0..<batch.lineCount).map { (try? JSONValue.parse(batch.lineBytes($0))) ?? .object([]) }
        var names = Set<String>()
        for document in documents {
            var leaves: [(String, JSONValue)] = []
            AlertBuilder.flatten(document, prefix: "", into: &leaves)
            for (name, _) in leaves { names.insert(name) }
        }
        let initial = ESQLResultColumns.initial(eventFields: Array(names), metadata: pipeline.metadata)
        let columns = ESQLResultColumns.resolve(pipeline.columns, initial: initial)
        let cells = rows.map { row in
            columns.map { column -> JSONValue in
                switch column.cell {
                case .slot(let slot): return row.slots[slot].json
                case .event where row.event < 0, .metadata where row.event < 0:
                    return .null
                case .event(let path):
                    return Self.cell(documents[row.event].values(atPath: types.resolve(path)), type: types.type(of: path),
                                     analyzed: types.isAnalyzed(path))
                case .metadata(let name):
                    switch name {
                    case "_index": return indexNames[row.event] ?? .null
                    case "_id": return documents[row.event]["_id"] ?? .string(String(batch.lines[row.event].start))
                    case "_version": return .number("1")
                    default: return .null
                    }
                }
            }
        }
        return Table(columns: columns.map(\.name), rows: cells)
    }

    /// The index of events that name none (they come from files, not from an index): the one
    /// index `FROM` names, as a search of it would show (`FROM employees` gives "employees");
    /// "query" when it names a pattern or several.
    static func defaultIndex(of source: ESQLSource) -> String {
        guard source.indices.count == 1, let only = source.indices.first,
              !only.contains(where: { "*?:,".contains($0) }) else { return "query" }
        return only
    }

    /// A field's values as the column of its mapped type shows them: numbers sent as text read
    /// as numbers, dates as ISO-8601 text, values that do not fit the type left out; several
    /// values sorted (keywords without repeats), as doc values hold them, except full text.
    static func cell(_ values: [JSONValue], type: FieldType, analyzed: Bool) -> JSONValue {
        var typed: [Value] = values.compactMap { value in
            let text: String
            let isString: Bool
            switch value {
            case .string(let s): text = s; isString = true
            case .number(let n): text = n; isString = false
            case .bool(let b): text = String(b); isString = false
            default: return nil
            }
            if type == .dynamic, case .bool(let b) = value { return .bool(b) }
            return Array(text.utf8).withUnsafeBytes { FieldValue.typed(text: $0, isString: isString, type) }
        }
        if typed.count > 1 && !analyzed && type != .dynamic {
            typed = ExpressionEvaluator.docValues(typed, type: type).values
        }
        return Value.of(typed).json
    }
}
