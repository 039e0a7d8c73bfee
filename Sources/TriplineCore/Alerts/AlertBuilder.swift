import Crypto

/// Builds Kibana-shaped alert documents (DESIGN §3) for matched events.
///
/// Runs only for matches, so it may parse the whole event; the hot path never comes here.
public struct AlertBuilder: Sendable {
    public let kibanaVersion: String
    public let spaceID: String

    public init(kibanaVersion: String = "8.19.0", spaceID: String = "default") {
        self.kibanaVersion = kibanaVersion
        self.spaceID = spaceID
    }

    public struct Source: Sendable {
        public var line: ArraySlice<UInt8>
        public var position: SourcePosition
        public var index: String

        public init(line: ArraySlice<UInt8>, position: SourcePosition, index: String) {
            self.line = line
            self.position = position
            self.index = index
        }
    }

    /// An alert document and what the writer needs to schedule it.
    public struct Built: Sendable {
        public var id: String
        /// One NDJSON line, newline included.
        public var line: [UInt8]
        /// `kibana.alert.instance.id` of the suppression group, for rules with `alert_suppression`
        /// (nil for other rules, and for events `doNotSuppress` leaves ungrouped).
        public var suppressionGroup: String?
    }

    /// This rule's alert on this event. `eventTime` is the time the rule schedules the event by
    /// (`RuleMatch.eventTime`: its suppression window starts there). `ruleMembers` (from
    /// `ruleMembers(_:)`, the same for every alert of the rule) saves writing the rule's fields
    /// anew for each alert.
    /// - Parameter row: an ES|QL rule's result row (its computed columns by slot), one alert each.
    /// - Parameter block: for one event of a sequence, its building-block alert's id, group and
    ///   place in the group (`sequenceAlerts`).
    public func alert(rule: CompiledRule, source: Source, eventTime: Int64?, now: Int64, ruleMembers: [UInt8]? = nil,
                      row: [Value]? = nil, block: BuildingBlock? = nil) -> Built {
        let event = (try? JSONValue.parse(source.line)) ?? .object([])
        let eventID = Self.eventID(event: event, source: source)
        var alertID = block?.id ?? Self.sha256Hex("\(rule.ruleID)|\(source.index)|\(eventID)")
        let definition = rule.definition

        var body = Self.members(of: event).filter { $0.key != "@timestamp" && $0.key != "_id" && $0.key != "_index" }
        if let pipeline = rule.esqlPipeline {
            // Kibana's non-aggregating ES|QL alert: the source event with the row's columns
            // written over it (mergeEsqlResultInSource); the row's @timestamp stays the
            // original time, the alert's own is the detection time.
            let row = row ?? []
            let metadata = { (field: String) -> JSONValue in Self.metadataValue(field, event: event, eventID: eventID, source: source) }
            for (name, value) in Self.resultColumns(pipeline, event: event, row: row, metadata: metadata) where name != "@timestamp" {
                Self.write(value, at: name, over: &body, event: event)
            }
            // Rows MV_EXPAND made from one event are told apart by the expanded values (Kibana's
            // generateAlertId), so a replay gives each the same id again.
            if !pipeline.expandedSlots.isEmpty {
                let expanded = pipeline.expandedSlots.map { row.indices.contains($0) ? row[$0].json.jsonText : "null" }
                alertID = Self.sha256Hex("\(rule.ruleID)|\(source.index)|\(eventID)|\(expanded.joined(separator: "|"))")
            }
        }
        // Kibana keeps the event's @timestamp as original_time; timestamp_override only chooses
        // which time the rule searches by (here: its buckets and suppression windows).
        let originalTime = event.values(atPath: "@timestamp").first
        let suppression = definition.alertSuppression.flatMap { Self.suppressionTerms($0, event: event) }
        let nowText = Timestamp.iso8601(milliseconds: now)
        let originalEvent = event["event"].flatMap { value -> JSONValue? in
            if case .object = value { return value } else { return nil }
        }
        Self.setEventKind(&body)

        var out = JSONWriter(reservingCapacity: 4096)
        out.beginObject()
        out.key("@timestamp"); out.string(nowText)
        for (key, value) in body { out.key(key); value.write(to: &out) }
        func field(_ key: String, _ value: JSONValue) { out.key(key); value.write(to: &out) }
        field("kibana.alert.uuid", .string(alertID))
        field("kibana.alert.original_time", originalTime ?? .null)
        if let originalEvent { field("kibana.alert.original_event", originalEvent) }
        field("kibana.alert.ancestors", .array([.object([
            ("id", .string(eventID)), ("index", .string(source.index)), ("type", .string("event")), ("depth", .number("0")),
        ])]))
        let group = suppression.map { Self.instanceID(terms: $0, ruleID: definition.ruleID, spaceID: spaceID) }
        if let suppression, let group {
            let time = eventTime.map { JSONValue.string(Timestamp.iso8601(milliseconds: $0)) } ?? .string(nowText)
            field("kibana.alert.instance.id", .string(group))
            field("kibana.alert.suppression.terms", suppression)
            field("kibana.alert.suppression.start", time)
            field("kibana.alert.suppression.end", time)
            field("kibana.alert.suppression.docs_count", .number("0"))
        }
        Self.writeLifecycle(to: &out, now: nowText, depth: 1)
        if let block {
            field("kibana.alert.building_block_type", .string("default"))
            field("kibana.alert.group.id", .string(block.groupID))
            field("kibana.alert.group.index", .number(String(block.index)))
        }
        field("kibana.alert.severity", .string(definition.severity))
        field("kibana.alert.risk_score", .number(String(definition.riskScore)))
        field("kibana.alert.reason", .string(Self.reason(event: event, rule: rule)))
        out.rawMembers(ruleMembers ?? self.ruleMembers(rule))
        field("tripline.source", .object([("name", .string(source.position.source)), ("offset", .number(String(source.position.byteOffset)))]))
        out.endObject()
        out.newline()
        return Built(id: alertID, line: out.bytes, suppressionGroup: group)
    }

    /// A new alert's lifecycle fields (start, status, workflow) and its depth: an event's alert
    /// is 1, a sequence's shell (built on its building blocks) 2.
    static func writeLifecycle(to out: inout JSONWriter, now: String, depth: Int) {
        func field(_ key: String, _ value: JSONValue) { out.key(key); value.write(to: &out) }
        field("kibana.alert.start", .string(now))
        field("kibana.alert.last_detected", .string(now))
        field("kibana.alert.intended_timestamp", .string(now))
        field("kibana.alert.status", .string("active"))
        field("kibana.alert.workflow_status", .string("open"))
        field("kibana.alert.workflow_tags", .array([]))
        field("kibana.alert.workflow_assignee_ids", .array([]))
        field("kibana.alert.depth", .number(String(depth)))
    }

    /// The fields every alert of `rule` carries (`kibana.alert.rule.*`, space and version), as
    /// JSON object members without braces.
    public func ruleMembers(_ rule: CompiledRule) -> [UInt8] {
        let definition = rule.definition
        var out = JSONWriter(reservingCapacity: 4096)
        out.beginObject()
        func field(_ key: String, _ value: JSONValue) { out.key(key); value.write(to: &out) }
        func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
        field("kibana.alert.rule.rule_id", .string(definition.ruleID))
        field("kibana.alert.rule.uuid", .string(Self.ruleUUID(definition.ruleID)))
        field("kibana.alert.rule.name", .string(definition.name))
        field("kibana.alert.rule.description", .string(definition.description))
        field("kibana.alert.rule.type", .string(definition.type))
        field("kibana.alert.rule.rule_type_id", .string(definition.language == .eql ? "siem.eqlRule" : "siem.esqlRule"))
        field("kibana.alert.rule.category", .string(definition.language == .eql ? "Event Correlation Rule" : "ES|QL Rule"))
        field("kibana.alert.rule.consumer", .string("siem"))
        field("kibana.alert.rule.producer", .string("siem"))
        field("kibana.alert.rule.version", .number(String(definition.version)))
        field("kibana.alert.rule.tags", strings(definition.tags))
        field("kibana.alert.rule.interval", .string(definition.interval))
        field("kibana.alert.rule.from", .string(definition.from))
        field("kibana.alert.rule.to", .string("now"))
        field("kibana.alert.rule.max_signals", .number(String(definition.maxSignals)))
        field("kibana.alert.rule.threat", definition.threat)
        field("kibana.alert.rule.severity", .string(definition.severity))
        field("kibana.alert.rule.risk_score", .number(String(definition.riskScore)))
        field("kibana.alert.rule.author", strings(definition.author))
        if let license = definition.license { field("kibana.alert.rule.license", .string(license)) }
        field("kibana.alert.rule.references", strings(definition.references))
        field("kibana.alert.rule.false_positives", strings(definition.falsePositives))
        field("kibana.alert.rule.indices", strings(rule.indexPatterns.patterns))
        if let override = definition.timestampOverride { field("kibana.alert.rule.timestamp_override", .string(override)) }
        field("kibana.alert.rule.enabled", .bool(true))
        field("kibana.alert.rule.execution.uuid", .string(Self.ruleUUID("tripline")))
        field("kibana.alert.rule.execution.type", .string("scheduled"))
        // The query, its language and index live only under parameters (a flattened field), as in Kibana.
        field("kibana.alert.rule.parameters", Self.parameters(definition))
        field("kibana.space_ids", strings([spaceID]))
        field("kibana.version", .string(kibanaVersion))
        out.endObject()
        return Array(out.bytes.dropFirst().dropLast())
    }

    /// `kibana.alert.suppression.terms`: per group_by field its values, sorted, or null when the
    /// event lacks it; nil when `doNotSuppress` leaves an event lacking a field ungrouped.
    static func suppressionTerms(_ suppression: AlertSuppression, event: JSONValue) -> JSONValue? {
        var terms: [JSONValue] = []
        for name in suppression.groupBy {
            let values = event.values(atPath: name).filter { $0 != .null }
            if values.isEmpty && suppression.missingFields == .doNotSuppress { return nil }
            let sorted = values.sorted { Self.sortKey($0) < Self.sortKey($1) }
            terms.append(.object([("field", .string(name)), ("value", values.isEmpty ? .null : .array(sorted))]))
        }
        return .array(terms)
    }

    static func sortKey(_ value: JSONValue) -> String {
        var out = JSONWriter()
        value.write(to: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The same terms of the same rule in the same space name the same group (Kibana hashes these three too).
    static func instanceID(terms: JSONValue, ruleID: String, spaceID: String) -> String {
        sha256Hex("instance|" + sortKey(terms) + "|" + ruleUUID(ruleID) + "|" + spaceID)
    }

    /// `kibana.alert.rule.parameters`: the rule's own settings in snake_case.
    static func parameters(_ definition: RuleDefinition) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("description", .string(definition.description)),
            ("risk_score", .number(String(definition.riskScore))),
            ("severity", .string(definition.severity)),
            ("author", .array(definition.author.map { .string($0) })),
            ("false_positives", .array(definition.falsePositives.map { .string($0) })),
            ("from", .string(definition.from)),
            ("rule_id", .string(definition.ruleID)),
            ("max_signals", .number(String(definition.maxSignals))),
            ("threat", definition.threat),
            ("to", .string("now")),
            ("references", .array(definition.references.map { .string($0) })),
            ("version", .number(String(definition.version))),
            ("type", .string(definition.type)),
            ("language", .string(definition.language.rawValue)),
            ("index", .array(definition.index.map { .string($0) })),
            ("query", .string(definition.query)),
        ]
        if let license = definition.license { members.append(("license", .string(license))) }
        if let override = definition.timestampOverride { members.append(("timestamp_override", .string(override))) }
        if let suppression = definition.alertSuppression {
            var settings: [(String, JSONValue)] = [("group_by", .array(suppression.groupBy.map { .string($0) }))]
            if let duration = suppression.duration {
                settings.append(("duration", .object([("value", .number(String(duration.value))), ("unit", .string(duration.unit))])))
            }
            settings.append(("missing_fields_strategy", .string(suppression.missingFields.rawValue)))
            members.append(("alert_suppression", .object(settings)))
        }
        return .object(members)
    }

    /// The event's `_id`, or a stable id from its bytes and where it was read.
    static func eventID(event: JSONValue, source: Source) -> String {
        if case .string(let id)? = event["_id"] { return id }
        var hasher = SHA256()
        hasher.update(data: Array(source.line))
        hasher.update(data: Array("|\(source.position.source)|\(source.position.byteOffset)".utf8))
        return hex(hasher.finalize()).prefix(40).description
    }

    static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Array(text.utf8)))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A UUID-shaped id derived from the rule id, standing in for Kibana's saved-object id.
    static func ruleUUID(_ ruleID: String) -> String {
        let h = Array(sha256Hex("rule|" + ruleID).utf8)
        let s = String(decoding: h, as: UTF8.self)
        let parts = [s.prefix(8), s.dropFirst(8).prefix(4), s.dropFirst(12).prefix(4), s.dropFirst(16).prefix(4), s.dropFirst(20).prefix(12)]
        return parts.joined(separator: "-")
    }

    static func members(of value: JSONValue) -> [(key: String, value: JSONValue)] {
        if case .object(let members) = value { return members }
        return []
    }

    /// Alerts are `event.kind: signal`, however the source spelled its `event` fields.
    static func setEventKind(_ body: inout [(key: String, value: JSONValue)]) {
        body.removeAll { $0.key == "event.kind" }
        if let at = body.firstIndex(where: { $0.key == "event" }), case .object(var members) = body[at].value {
            members.removeAll { $0.key == "kind" }
            members.append(("kind", .string("signal")))
            body[at].value = .object(members)
        } else {
            body.append(("event.kind", .string("signal")))
        }
    }

    /// An ES|QL row's result columns with their values. Kibana leaves the columns named `_id`,
    /// `_index` and `_version` out of the alert's source, by name: renamed (`RENAME _index AS
    /// idx`), a metadata column is a field like any other. `metadata` gives a metadata field's value.
    static func resultColumns(_ pipeline: ESQLPipeline, event: JSONValue, row: [Value],
                              metadata: (String) -> JSONValue = { _ in .null }) -> [(name: String, value: JSONValue)] {
        var leaves: [(String, JSONValue)] = []
        flatten(event, prefix: "", into: &leaves)
        let initial = ESQLResultColumns.initial(eventFields: leaves.map(\.0), metadata: pipeline.metadata)
        var out: [(name: String, value: JSONValue)] = []
        for (name, cell) in ESQLResultColumns.resolve(pipeline.columns, initial: initial) {
            switch cell {
            case .event(let path):
                let values = event.values(atPath: path).filter { value in
                    switch value {
                    case .object, .array, .null: false
                    default: true
                    }
                }
                out.append((name, values.isEmpty ? .null : values.count == 1 ? values[0] : .array(values)))
            case .slot(let slot):
                out.append((name, row.indices.contains(slot) ? row[slot].json : .null))
            case .metadata(let field):
                guard !Self.metadataKeptOut.contains(name) else { continue }
                out.append((name, metadata(field)))
            }
        }
        return out
    }

    /// The result columns Kibana's ES|QL executor takes out of a row before merging it into the source.
    static let metadataKeptOut: Set<String> = ["_id", "_index", "_version"]

    /// A metadata field's value for a result column, as ES|QL gives it: `_index` the index the
    /// event would be stored in (`IndexNameFields.concreteName`), `_id` the event's id, `_version` 1.
    static func metadataValue(_ field: String, event: JSONValue, eventID: String, source: Source) -> JSONValue {
        switch field {
        case "_id": return .string(eventID)
        case "_version": return .number("1")
        case "_index":
            if case .string(let explicit)? = event["_index"] { return .string(explicit) }
            let parts = ["data_stream.type", "data_stream.dataset", "data_stream.namespace"].map { event.values(atPath: $0).first }
            guard case .string(let type)?? = parts.first, case .string(let dataset)?? = parts.dropFirst().first,
                  case .string(let namespace)?? = parts.last else { return .string(source.index) }
            var time: Int64?
            if case .string(let text)? = event.values(atPath: "@timestamp").first {
                time = Array(text.utf8).withUnsafeBytes { Timestamp.milliseconds(date: $0) }
            }
            if case .number(let text)? = event.values(atPath: "@timestamp").first { time = Int64(text) }
            let name = IndexNameFields.backingIndex(ofDataStream: Array("\(type)-\(dataset)-\(namespace)".utf8), time: time)
            return .string(String(decoding: name, as: UTF8.self))
        default: return .null
        }
    }

    /// Writes a result column over the source as Kibana's merge does: the field's nested or
    /// dotted form removed, the column set under its dotted name. A column equal to what the
    /// event already holds there is left as it is (the same document to Elasticsearch), and a
    /// null column the event lacks adds nothing.
    static func write(_ value: JSONValue, at name: String, over body: inout [(key: String, value: JSONValue)], event: JSONValue) {
        let existing = event.values(atPath: name)
        if existing.isEmpty && value == .null { return }
        if existing.count == 1 && existing[0] == value { return }
        if case .array(let items) = value, items == existing { return }
        JSONValue.removePath(name, from: &body)
        body.append((name, value))
    }

    /// Appends the leaves under `value` named by their dotted paths.
    static func flatten(_ value: JSONValue, prefix: String, into leaves: inout [(String, JSONValue)]) {
        switch value {
        case .object(let members):
            for (key, child) in members {
                flatten(child, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &leaves)
            }
        case .array(let items):
            for item in items { flatten(item, prefix: prefix, into: &leaves) }
        case .null:
            break
        default:
            leaves.append((prefix, value))
        }
    }

    /// Kibana's `kibana.alert.reason` (security_solution `reason_formatters.ts`, the same sentence
    /// for every rule type): "<category> event with process p, parent process q, file f,
    /// source ip:port, destination ip:port, by user on host created <severity> alert <name>."
    /// A field missing, empty or "-" is left out; several values are joined with ", ";
    /// "with" appears only when one of the process, file, source or destination fields does.
    static func reason(event: JSONValue, rule: CompiledRule) -> String {
        func text(_ path: String) -> String? {
            let values = event.values(atPath: path).compactMap { value -> String? in
                switch value {
                case .string(let s): return s
                case .number(let n): return n
                case .bool(let b): return String(b)
                default: return nil
                }
            }
            guard !values.isEmpty, values != ["-"], values != [""] else { return nil }
            return values.joined(separator: ", ")
        }
        let process = text("process.name"), parent = text("process.parent.name"), file = text("file.name")
        let sourceIP = text("source.ip"), sourcePort = text("source.port")
        let destinationIP = text("destination.ip"), destinationPort = text("destination.port")
        let anyOfInterest = [process, parent, file, sourceIP, sourcePort, destinationIP, destinationPort].contains { $0 != nil }
        var sentence = text("event.category").map { $0 + " event" } ?? "event"
        if anyOfInterest { sentence += " with" }
        if let process { sentence += " process \(process)," }
        if let parent { sentence += " parent process \(parent)," }
        if let file { sentence += " file \(file)," }
        if let sourceIP { sentence += " source \(sourceIP)" }
        if let sourcePort { sentence += ":\(sourcePort)," }
        if let destinationIP { sentence += " destination \(destinationIP)" }
        if let destinationPort { sentence += ":\(destinationPort)," }
        if let user = text("user.name") { sentence += " by \(user)" }
        if let host = text("host.name") { sentence += " on \(host)" }
        return sentence + " created \(rule.definition.severity) alert \(rule.name)."
    }
}

extension WildcardPattern {
    func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }
}
