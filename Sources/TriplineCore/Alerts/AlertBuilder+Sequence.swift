/// Kibana's alerts for an EQL sequence (`build_alert_group_from_sequence.ts`): one building-block
/// alert per event, and one shell alert holding what all the events share, linked by
/// `kibana.alert.group.id`. Ids derive from the events and the rule only, so a replay finds the
/// same ids again.
extension AlertBuilder {
    /// What makes an event's alert a building block of a sequence's group.
    public struct BuildingBlock: Sendable {
        public var id: String
        public var groupID: String
        public var index: Int
    }

    /// The shell alert first, then the building blocks in step order.
    public func sequenceAlerts(rule: CompiledRule, events: [HeldEvent], now: Int64, ruleMembers: [UInt8]? = nil) -> [Built] {
        let sources = events.map { AlertBuilder.Source(line: $0.line[...], position: $0.position, index: $0.index) }
        let parsed = sources.map { (try? JSONValue.parse($0.line)) ?? .object([]) }
        let eventIDs = zip(parsed, sources).map { Self.eventID(event: $0, source: $1) }
        let ruleUUID = Self.ruleUUID(rule.ruleID)
        // As Kibana: the blocks' ids hash their ancestors (the events) and the rule, the shell's
        // hashes its ancestors (each event, then its block).
        let base = zip(eventIDs, sources).map { $0 + $1.index }.joined() + ruleUUID
        let blockIDs = events.indices.map { Self.sha256Hex(base + String($0)) }
        let shellID = Self.sha256Hex(zip(zip(eventIDs, sources), blockIDs).map { $0.0 + $0.1.index + $1 }.joined() + ruleUUID)
        let blocks = events.indices.map { index in
            alert(rule: rule, source: sources[index], eventTime: events[index].time, now: now, ruleMembers: ruleMembers,
                  block: BuildingBlock(id: blockIDs[index], groupID: shellID, index: index))
        }

        var shared = Self.sharedLeaves(parsed).filter { !["@timestamp", "_id", "_index"].contains($0.key) }
        Self.setEventKind(&shared)
        let nowText = Timestamp.iso8601(milliseconds: now)
        var out = JSONWriter(reservingCapacity: 4096)
        out.beginObject()
        func field(_ key: String, _ value: JSONValue) { out.key(key); value.write(to: &out) }
        field("@timestamp", .string(nowText))
        for (key, value) in shared { field(key, value) }
        field("kibana.alert.uuid", .string(shellID))
        field("kibana.alert.group.id", .string(shellID))
        field("kibana.alert.original_time", parsed.first?.values(atPath: "@timestamp").first ?? .null)
        var ancestors: [JSONValue] = []
        for index in events.indices {
            ancestors.append(.object([("id", .string(eventIDs[index])), ("index", .string(sources[index].index)),
                                      ("type", .string("event")), ("depth", .number("0"))]))
            ancestors.append(.object([("id", .string(blockIDs[index])), ("index", .string("")),
                                      ("type", .string("signal")), ("depth", .number("1")), ("rule", .string(ruleUUID))]))
        }
        field("kibana.alert.ancestors", .array(ancestors))
        Self.writeLifecycle(to: &out, now: nowText, depth: 2)
        field("kibana.alert.severity", .string(rule.definition.severity))
        field("kibana.alert.risk_score", .number(String(rule.definition.riskScore)))
        field("kibana.alert.reason", .string(Self.reason(event: .object(shared), rule: rule)))
        out.rawMembers(ruleMembers ?? self.ruleMembers(rule))
        out.endObject()
        out.newline()
        return [Built(id: shellID, line: out.bytes, suppressionGroup: nil)] + blocks
    }

    /// The fields all the events hold with the same value (Kibana's `objectArrayIntersection`),
    /// by dotted path, so `{"a":{"b":1}}` and `{"a.b":1}` agree; of arrays, the values they share.
    static func sharedLeaves(_ events: [JSONValue]) -> [(key: String, value: JSONValue)] {
        func leaves(_ event: JSONValue) -> [(key: String, value: JSONValue)] {
            var out: [(key: String, value: JSONValue)] = []
            func walk(_ value: JSONValue, _ path: String) {
                switch value {
                case .object(let members): for (key, child) in members { walk(child, path.isEmpty ? key : path + "." + key) }
                default: out.append((path, value))
                }
            }
            walk(event, "")
            return out
        }
        guard let first = events.first else { return [] }
        var shared = leaves(first)
        for event in events.dropFirst() {
            let other = Dictionary(leaves(event).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            shared = shared.compactMap { key, value in
                guard let theirs = other[key] else { return nil }
                switch (value, theirs) {
                case (.array, _), (_, .array):
                    // By hashing: two events' lists of tens of thousands of values are a line each.
                    let common = Set(theirs.arrayItems ?? [theirs])
                    let ours = (value.arrayItems ?? [value]).filter { common.contains($0) }
                    return ours.isEmpty ? nil : (key, .array(ours))
                default:
                    return value == theirs ? (key, value) : nil
                }
            }
        }
        return shared
    }
}

extension JSONValue {
    fileprivate var arrayItems: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
