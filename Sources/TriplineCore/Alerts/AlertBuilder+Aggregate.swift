/// Alerts of aggregating ES|QL rules, as Kibana builds them: a row of a scheduled run is the
/// alert's whole source (its result columns under their flat dotted names, nulls left out, as
/// Kibana's rowToDocument), with no source event.
extension AlertBuilder {
    func aggregateAlert(rule: CompiledRule, row: ESQLRunRow, now: Int64, ruleMembers: [UInt8]? = nil) -> Built {
        let definition = rule.definition
        guard case .esqlWindows(let plan) = rule.output else { preconditionFailure("an aggregating ES|QL rule") }
        let start = row.run - plan.lookBack
        // Deterministic from the rule, the window and the row's BY values: a replay writes the
        // same ids, and each group of each run has its own.
        let identity = row.identity.map(\.json.jsonText).joined(separator: "|")
        let alertID = Self.sha256Hex("\(definition.ruleID)|\(start)|\(row.run)|\(identity)")
        let columns = Self.resultColumns(plan.pipeline, event: .object([]), row: row.slots)
        let nowText = Timestamp.iso8601(milliseconds: now)

        var out = JSONWriter(reservingCapacity: 2048)
        out.beginObject()
        func field(_ key: String, _ value: JSONValue) { out.key(key); value.write(to: &out) }
        field("@timestamp", .string(nowText))
        var originalTime: JSONValue?
        var hasEventKind = false
        for (name, value) in columns where value != .null {
            // The row's @timestamp is the original time; the alert's own is the detection time.
            if name == "@timestamp" { originalTime = value; continue }
            if name.hasPrefix("kibana.") || name.hasPrefix("signal.") { continue }
            if name == "event.kind" { hasEventKind = true; field(name, .string("signal")); continue }
            field(name, value)
        }
        if !hasEventKind { field("event.kind", .string("signal")) }
        field("kibana.alert.uuid", .string(alertID))
        // Kibana sets original_time only from an @timestamp column of the row.
        if let originalTime { field("kibana.alert.original_time", originalTime) }
        field("kibana.alert.ancestors", .array([.object([
            ("id", .string("")), ("index", .string("")), ("type", .string("event")), ("depth", .number("0")),
        ])]))
        Self.writeLifecycle(to: &out, now: nowText, depth: 1)
        field("kibana.alert.severity", .string(definition.severity))
        field("kibana.alert.risk_score", .number(String(definition.riskScore)))
        field("kibana.alert.reason", .string("\(definition.name) found a row in the run of \(Timestamp.iso8601(milliseconds: row.run))"))
        out.rawMembers(ruleMembers ?? self.ruleMembers(rule))
        // Which scheduled run found the row: its window of event time.
        field("tripline.window", .object([
            ("start", .string(Timestamp.iso8601(milliseconds: start))), ("end", .string(Timestamp.iso8601(milliseconds: row.run))),
        ]))
        out.endObject()
        out.newline()
        return Built(id: alertID, line: out.bytes, suppressionGroup: nil)
    }
}
