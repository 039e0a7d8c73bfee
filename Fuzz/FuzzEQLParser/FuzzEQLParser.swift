// Fuzz target: a user's rule query, from the EQL parser through the rule compiler to rules
// evaluated on events.
//
// Input: a query (UTF-8; EQL, or ES|QL when it starts with FROM), optionally followed by a 0xFF
// byte and NDJSON events to evaluate the compiled rule on (else every fifth sample event).
// Checks: nothing crashes or hangs; a rule that compiles gives the same matches with and without
// the literal prefilter, and valid alerts.

import FuzzSupport
import TriplineCore

let sampleEvents: [UInt8] = {
    let lines = repositoryLines("samples/seed-events.ndjson")
    return Array(stride(from: 0, to: lines.count, by: 5).map { lines[$0] }.joined(separator: [0x0A]))
}()

public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let split = input.firstIndex(of: 0xFF) ?? input.count
    let query = String(decoding: UnsafeRawBufferPointer(rebasing: input[..<split]), as: UTF8.self)

    _ = try? EQLParser.parse(query)
    // The same text as KQL, in both dialects (Kibana's rules, ES|QL's KQL()).
    _ = try? KQLParser.parse(query, dialect: .kibana)
    _ = try? KQLParser.parse(query, dialect: .elasticsearch)

    let language = isESQL(query) ? "esql" : "eql"
    var definition = language == "esql" ? esqlTemplate : eqlTemplate
    definition.query = query

    // What `tripline replay` and `rules validate` do with a rule file: RuleCompiler().compile.
    let ruleSet = RuleSet(definitions: [definition])
    for error in ruleSet.errors {
        _ = error.description
        _ = error.reason
        if let location = error.location {
            invariant(location.line >= 1 && location.column >= 1, "an error at \(location.line):\(location.column)")
        }
    }
    // `tripline query --eql`: the same query with its head/tail pipes; a sequence or sample
    // query through the correlator's state machine, its sequences checked and alerted.
    if language == "eql", var hunt = try? Hunt(eql: query, options: Hunt.Options()), hunt.findsSequences {
        let events = split < input.count ? Array(UnsafeRawBufferPointer(rebasing: input[(split + 1)...])) : sampleEvents
        events.withUnsafeBytes { bytes in
            for case .batch(let batch) in frame(bytes) { hunt.consume(batch) }
        }
        checkSequences(hunt, definition: definition)
    }
    // `tripline query --esql`: the whole pipeline as a table (ROW, SORT, LIMIT too).
    if language == "esql" || query.lowercased().hasPrefix("row"), var hunt = try? ESQLHunt(esql: query, options: ESQLHunt.Options()) {
        sampleEvents.withUnsafeBytes { events in
            for case .batch(let batch) in frame(events) { hunt.consume(batch) }
        }
        let table = hunt.result()
        invariant(table.rows.allSatisfy { $0.count == table.columns.count }, "a result row's cells do not match the columns")
    }
    guard !ruleSet.rules.isEmpty else { return 0 }
    counters["queries compiled", default: 0] += 1

    let harness = RuleHarness(ruleSet: ruleSet)
    let run = { (events: UnsafeRawBufferPointer) in
        for case .batch(let batch) in frame(events) { harness.run(batch) }
    }
    if split < input.count {
        run(UnsafeRawBufferPointer(rebasing: input[(split + 1)...]))
    } else {
        sampleEvents.withUnsafeBytes(run)
    }
    return 0
}

/// A sequence has one event per positive step, in event order, within its maxspan; a sample one
/// distinct event per filter; and either's alerts are valid JSON.
func checkSequences(_ hunt: Hunt, definition: RuleDefinition) {
    guard case .sequence(let plan) = hunt.rule.output else { return }
    let builder = AlertBuilder()
    for found in hunt.sequences() {
        counters["sequences found", default: 0] += 1
        switch plan.kind {
        case .sequence:
            invariant(found.events.count == plan.positiveSteps.count, "a sequence of \(found.events.count) events for \(plan.positiveSteps.count) steps")
            invariant(zip(found.events, found.events.dropFirst()).allSatisfy { $0.order < $1.order }, "a sequence's events out of order")
            if let maxspan = plan.maxspan, let first = found.events.first, let last = found.events.last {
                invariant(last.time - first.time <= maxspan, "a sequence longer than its maxspan")
            }
        case .sample:
            invariant(found.events.count == plan.steps.count, "a sample of \(found.events.count) events for \(plan.steps.count) filters")
            invariant(Set(found.events.map { ObjectIdentifier($0) }).count == found.events.count, "a sample uses one event twice")
        }
        invariant(found.key.count == plan.keyCount, "a join key of \(found.key.count) parts for \(plan.keyCount)")
        for alert in builder.sequenceAlerts(rule: hunt.rule, events: found.events, now: 1_700_000_000_000) {
            let verdict = alert.line.withUnsafeBytes { StrictJSON.check($0, to: $0.count - 1).0 }
            invariant(verdict == .valid || verdict == .duplicateKey, "a sequence alert is not valid JSON: \(String(decoding: alert.line, as: UTF8.self))")
        }
    }
}

func isESQL(_ query: String) -> Bool {
    let words = query.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
    return words.first?.lowercased() == "from"
}

/// Rules as a rule file gives them, whose query each input replaces. (Not a TOML file per input:
/// TOMLKit leaks a little per file, and a leak check after every input would be most of the time.)
let eqlTemplate = template("""
    [rule]
    rule_id = "fuzz"
    name = "fuzz"
    type = "eql"
    language = "eql"
    index = ["logs-*", "winlogbeat-*", "logs-endpoint.events.*", "filebeat-*", "auditbeat-*"]
    query = '''
    any where true
    '''
    """)
let esqlTemplate = template("""
    [rule]
    rule_id = "fuzz"
    name = "fuzz"
    type = "esql"
    language = "esql"
    query = "from logs-*"
    """)

func template(_ text: String) -> RuleDefinition {
    do { return try RuleDefinition.parse(toml: text, file: "fuzz.toml") } catch { fatalError("the template rule does not load: \(error)") }
}

#if FUZZING
/// libFuzzer's set-up hook: the rules and samples load here, not inside the first input's time
/// and leak check.
@_cdecl("LLVMFuzzerInitialize")
public func libFuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = sampleEvents
    _ = eqlTemplate
    _ = esqlTemplate
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func libFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { fuzz(data, size) }
#else
@main struct Replay {
    static func main() { replayMain("FuzzEQLParser", fuzz) }
}
#endif
