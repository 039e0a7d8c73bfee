#if canImport(Glibc)
import Glibc
#endif

/// The values of one event, as the extractor located them.
/// - warning: Valid only while the batch's bytes are lent; do not escape it.
public struct EventView {
    public let raw: UnsafeRawBufferPointer
    public let values: UnsafeBufferPointer<FieldValue>
    /// With a `FieldIndex` built for this event: per field its first value, per value the next
    /// of its field (-1 ends); without, a field's values are found by scanning them all.
    @usableFromInline let heads: UnsafePointer<Int32>?
    @usableFromInline let links: UnsafePointer<Int32>?

    public init(raw: UnsafeRawBufferPointer, values: UnsafeBufferPointer<FieldValue>) {
        self.raw = raw
        self.values = values
        heads = nil
        links = nil
    }

    init(raw: UnsafeRawBufferPointer, values: UnsafeBufferPointer<FieldValue>, heads: UnsafePointer<Int32>, links: UnsafePointer<Int32>) {
        self.raw = raw
        self.values = values
        self.heads = heads
        self.links = links
    }

    /// The values of one field, in document order.
    @inlinable
    public func values(of field: Int) -> FieldValues { FieldValues(view: self, field: field) }

    @inlinable
    public func first(_ field: Int) -> FieldValue? {
        var values = values(of: field)
        return values.next()
    }
}

/// One field's values in an event.
public struct FieldValues: Sequence, IteratorProtocol {
    @usableFromInline let view: EventView
    @usableFromInline let field: Int
    @usableFromInline var position: Int

    @inlinable
    init(view: EventView, field: Int) {
        self.view = view
        self.field = field
        position = view.heads.map { Int($0[field]) } ?? 0
    }

    @inlinable
    public mutating func next() -> FieldValue? {
        if let links = view.links {
            guard position >= 0 else { return nil }
            let value = view.values[position]
            position = Int(links[position])
            return value
        }
        while position < view.values.count {
            let value = view.values[position]
            position += 1
            if Int(value.field) == field { return value }
        }
        return nil
    }
}

/// Links each field's values in one event, so a test reads its field's values alone instead
/// of scanning the event's (about 30 per Defend event, read by 20-odd candidate rules each).
struct FieldIndex {
    /// Per field of the plan, its first value in the current event; -1 between events.
    private var heads: [Int32]
    private var links: [Int32] = []

    init(fieldCount: Int) {
        heads = [Int32](repeating: -1, count: fieldCount)
    }

    /// Lends a view of the event with its fields linked; the index is clean again afterwards.
    mutating func withIndexedView<R>(raw: UnsafeRawBufferPointer, values: UnsafeBufferPointer<FieldValue>, _ body: (EventView) -> R) -> R {
        if links.count < values.count { links = [Int32](repeating: -1, count: values.count * 2) }
        // Built from the back so each field's chain runs in document order.
        for index in values.indices.reversed() {
            let field = Int(values[index].field)
            links[index] = heads[field]
            heads[field] = Int32(index)
        }
        let result = heads.withUnsafeBufferPointer { heads in
            links.withUnsafeBufferPointer { links in
                body(EventView(raw: raw, values: values, heads: heads.baseAddress!, links: links.baseAddress!))
            }
        }
        for value in values { heads[Int(value.field)] = -1 }
        return result
    }
}

/// Runs compiled predicates over events; holds the scratch buffers so the hot path does not allocate.
public struct PredicateEvaluator {
    private var decoded: [UInt8] = []
    private var folded: [UInt8] = []
    /// A step match's join keys, reused (`stepMatches`).
    var joinKeyLists: [[Value]] = []
    var expressions = ExpressionEvaluator()
    /// Per numbered test (`ConditionProgram.TestNumbering`), its verdict on the current event:
    /// rules share many tests (`event.category == "process"`, `host.os.type == "windows"`), and
    /// with all bundled rules about half the tests run on an event were ones already run on it.
    private var verdicts = Verdicts()
    /// Value tests run (not answered from `verdicts`), for the tests.
    private(set) var testsRun = 0

    /// Verdicts in raw memory, so the recursive walk reads and writes them without an array's
    /// bounds and uniqueness checks; valid where their stamp is the current one. Copies of an
    /// evaluator share them: each event begins with `nextEvent`, whichever copy evaluates it.
    private final class Verdicts {
        private(set) var capacity = 0
        private(set) var stamps = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        private(set) var truths = UnsafeMutablePointer<Truth>.allocate(capacity: 1)
        var stamp: UInt32 = 1

        func reserve(_ count: Int) {
            guard count > capacity else { return }
            let newCapacity = max(count, 2 * capacity)
            let newStamps = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
            newStamps.initialize(repeating: 0, count: newCapacity)
            newStamps.update(from: stamps, count: capacity)
            let newTruths = UnsafeMutablePointer<Truth>.allocate(capacity: newCapacity)
            newTruths.initialize(repeating: .unknown, count: newCapacity)
            newTruths.update(from: truths, count: capacity)
            stamps.deallocate()
            truths.deallocate()
            stamps = newStamps
            truths = newTruths
            capacity = newCapacity
        }

        func nextEvent() {
            stamp &+= 1
            if stamp == 0 {
                stamps.update(repeating: 0, count: capacity)
                stamp = 1
            }
        }

        deinit {
            stamps.deallocate()
            truths.deallocate()
        }
    }

    public init() {
        decoded.reserveCapacity(4096)
        folded.reserveCapacity(4096)
    }

    /// Keeps verdicts of its own from now on, not shared with the evaluator it was copied from
    /// (each worker's copy evaluates its own events at the same time as the others).
    mutating func keepOwnVerdicts() {
        verdicts = Verdicts()
    }

    /// Forgets the verdicts kept for the previous event. Required between events when a
    /// program was built with a `TestNumbering`.
    mutating func nextEvent() {
        verdicts.nextEvent()
    }

    /// Condition `condition` of the program on the event.
    mutating func evaluate(_ condition: Int, of program: ConditionProgram, _ event: EventView) -> Truth {
        assert(condition >= 0 && condition < program.count, "condition \(condition) of \(program.count)")
        let code = program.code
        return run(code.roots[condition], code, event)
    }

    private mutating func run(_ at: Int32, _ code: ConditionProgram.Code, _ event: EventView) -> Truth {
        let node = code.nodes[Int(at)]
        switch node.kind {
        case .constant:
            return node.truth
        case .all:
            var result = Truth.true
            for child in Int(node.start)..<Int(node.start + node.count) {
                switch run(code.children[child], code, event) {
                case .false: return .false
                case .unknown: result = .unknown
                case .true: break
                }
            }
            return result
        case .any:
            var result = Truth.false
            for child in Int(node.start)..<Int(node.start + node.count) {
                switch run(code.children[child], code, event) {
                case .true: return .true
                case .unknown: result = .unknown
                case .false: break
                }
            }
            return result
        case .not:
            return !run(node.start, code, event)
        case .complement:
            return run(node.start, code, event) == .true ? .false : .true
        case .isNull:
            let test = code.nullTests + Int(node.start)
            let isNull = !hasIndexedValue(test.pointee.field, test.pointee.type, event)
            return (isNull != test.pointee.negated) ? .true : .false
        case .value:
            guard let numbers = code.testNumbers else { return evaluate(test: Int(node.start), code, event) }
            let number = Int(numbers[Int(node.start)])
            if number >= verdicts.capacity { verdicts.reserve(number + 1) }
            if verdicts.stamps[number] == verdicts.stamp { return verdicts.truths[number] }
            let truth = evaluate(test: Int(node.start), code, event)
            testsRun &+= 1
            verdicts.stamps[number] = verdicts.stamp
            verdicts.truths[number] = truth
            return truth
        case .test:
            switch expressions.test(code.expressions[Int(node.start)], event) {
            case .bool(true): return .true
            case .null: return .unknown
            default: return .false
            }
        }
    }

    // The test is read through its pointer: a copy of it would retain its matchers.
    private mutating func evaluate(test index: Int, _ code: ConditionProgram.Code, _ event: EventView) -> Truth {
        let test = code.tests + index
        var seen = 0
        var anyMatch = false
        let anyValue = test.pointee.multiValue == .anyValue
        for value in event.values(of: test.pointee.field) {
            // Values the field's type does not index are absent, as under ignore_malformed.
            guard let matched = matches(value, test: index, code, event.raw) else { continue }
            seen += 1
            if !anyValue && seen > 1 { return .unknown }
            if matched && !anyMatch {
                anyMatch = true
                if anyValue { break }
            }
        }
        if seen == 0 { return .unknown }
        return (anyMatch != test.pointee.negated) ? .true : .false
    }

    /// Whether one value matches, or nil when its field's type would not index it.
    private mutating func matches(_ value: FieldValue, test index: Int, _ code: ConditionProgram.Code, _ raw: UnsafeRawBufferPointer) -> Bool? {
        let test = code.tests + index
        switch test.pointee.type {
        case .keyword(let ignoreAbove, _):
            return keywordMatches(value, test, code.byteMatchers[index], code, raw, ignoreAbove: ignoreAbove)
        case .dynamic where value.kind == .string || value.kind == .escapedString:
            return keywordMatches(value, test, code.byteMatchers[index], code, raw, ignoreAbove: FieldType.dynamicIgnoreAbove)
        default:
            guard let typed = value.typed(test.pointee.type, in: raw, scratch: &decoded) else { return nil }
            return test.pointee.matchers.withUnsafeBufferPointer { matchers in
                matchers.indices.contains { Self.matches(typed, matchers[$0]) }
            }
        }
    }

    /// `flat`: the test's matchers side by side when they are all equalities and `*`-only wildcards.
    private mutating func keywordMatches(_ value: FieldValue, _ test: UnsafePointer<ValueTest>, _ flat: ConditionProgram.ByteMatchers,
                                         _ code: ConditionProgram.Code, _ raw: UnsafeRawBufferPointer, ignoreAbove: Int?) -> Bool? {
        withValueBytes(value, raw, caseInsensitive: test.pointee.caseInsensitive) { bytes, original in
            // Folding is ASCII-only, so the length ignore_above counts is the value's own.
            guard FieldValue.fitsIgnoreAbove(bytes, ignoreAbove) else { return nil }
            if flat.count > 0 {
                let matchers = code.matcherList + Int(flat.start)
                for index in 0..<Int(flat.count) {
                    let matcher = matchers[index], at = code.matcherBytes + Int(matcher.offset)
                    if matcher.ends < 0 {
                        if Int(matcher.length) == bytes.count && (bytes.count == 0 || memcmp(at, bytes.baseAddress!, bytes.count) == 0) { return true }
                    } else if WildcardPattern.StarsOnly.matches(bytes, runs: at, ends: code.runEnds + Int(matcher.ends), count: Int(matcher.length),
                                                                anchoredStart: matcher.anchoredStart, anchoredEnd: matcher.anchoredEnd) {
                        return true
                    }
                }
                return false
            }
            // Through a buffer pointer, whose subscript lends the matcher: an array's copied it
            // out, retaining its payload, for every matcher of every test.
            return test.pointee.matchers.withUnsafeBufferPointer { matchers in
                for index in matchers.indices {
                    // A regex folds case itself (ranges stay as written, as Lucene's do): it reads
                    // the value unfolded.
                    if case .regex(let regex) = matchers[index] {
                        if regex.matches(original) { return true }
                    } else if Self.matches(bytes, matchers[index]) {
                        return true
                    }
                }
                return false
            }
        }
    }

    /// A keyword's bytes (folded when the test is case-insensitive) against one matcher.
    static func matches(_ bytes: UnsafeRawBufferPointer, _ matcher: ValueMatcher) -> Bool {
        switch matcher {
        case .keyword(.equal, let expected):
            return bytes.count == expected.count
                && expected.withUnsafeBytes { bytes.count == 0 || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
        case .keyword(let op, let expected):
            return expected.withUnsafeBytes { Value.holds(op, Value.orderBytes(bytes, $0)) }
        case .wildcard(let pattern):
            return pattern.matches(bytes)
        case .regex(let regex):
            return regex.matches(bytes)
        case .anyWord(let words):
            return StandardAnalyzer.containsAny(bytes, of: words)
        case .fuzzy(let term, let maxEdits, let transpositions):
            return EditDistance.within(maxEdits, bytes, term, transpositions: transpositions)
        case .typed, .network:
            return false
        }
    }

    /// A typed value against one matcher.
    static func matches(_ value: Value, _ matcher: ValueMatcher) -> Bool {
        switch matcher {
        case .typed(let op, let expected):
            return Value.order(value, expected).map { Value.holds(op, $0) } ?? false
        case .network(let network):
            if case .ip(let address) = value { return network.contains(address) }
            return false
        case .keyword, .wildcard, .regex, .anyWord, .fuzzy:
            guard case .keyword(let bytes) = value else { return false }
            return bytes.withUnsafeBytes { matches($0, matcher) }
        }
    }

    private mutating func hasIndexedValue(_ field: Int, _ type: FieldType, _ event: EventView) -> Bool {
        for value in event.values(of: field) where value.isIndexed(as: type, in: event.raw, scratch: &decoded) {
            return true
        }
        return false
    }

    /// Lends a value's bytes: in place when it has no escapes, else decoded; folded if asked,
    /// with the unfolded bytes beside.
    private mutating func withValueBytes<R>(
        _ value: FieldValue, _ raw: UnsafeRawBufferPointer, caseInsensitive: Bool,
        _ body: (_ bytes: UnsafeRawBufferPointer, _ original: UnsafeRawBufferPointer) -> R
    ) -> R {
        let bytes = value.rawBytes(in: raw)
        if value.kind == .escapedString {
            decoded.removeAll(keepingCapacity: true)
            _ = JSONGrammar.unescape(bytes, into: &decoded)
            if caseInsensitive {
                decoded.withUnsafeBytes { CaseFolding.fold($0, into: &folded) }
                return folded.withUnsafeBytes { f in decoded.withUnsafeBytes { body(f, $0) } }
            }
            return decoded.withUnsafeBytes { body($0, $0) }
        }
        if caseInsensitive {
            CaseFolding.fold(bytes, into: &folded)
            return folded.withUnsafeBytes { body($0, bytes) }
        }
        return body(bytes, bytes)
    }
}
