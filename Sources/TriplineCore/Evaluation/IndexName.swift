/// The fields that name an event's index: `_index`, else its data stream's three parts; and
/// `@timestamp`, which dates the data stream's backing index.
public struct IndexNameFields: Sendable, Hashable {
    public let index: Int
    public let dataStreamType: Int
    public let dataStreamDataset: Int
    public let dataStreamNamespace: Int
    public let timestamp: Int

    /// The fields as `registry` numbers them, registered if new.
    init(registering registry: inout FieldRegistry) {
        index = registry.index(of: "_index")
        dataStreamType = registry.index(of: "data_stream.type")
        dataStreamDataset = registry.index(of: "data_stream.dataset")
        dataStreamNamespace = registry.index(of: "data_stream.namespace")
        timestamp = registry.index(of: "@timestamp")
    }

    init(index: Int, dataStreamType: Int, dataStreamDataset: Int, dataStreamNamespace: Int, timestamp: Int) {
        self.index = index
        self.dataStreamType = dataStreamType
        self.dataStreamDataset = dataStreamDataset
        self.dataStreamNamespace = dataStreamNamespace
        self.timestamp = timestamp
    }

    /// Appends the name rules route by (`_index`, else `type-dataset-namespace`) to `name`;
    /// nil, with nothing appended, when the event has neither.
    func appendRoutingName(of event: EventView, to name: inout [UInt8]) -> RoutingName? {
        if let explicit = event.first(index) {
            explicit.appendDecoded(from: event.raw, to: &name)
            return .explicit
        }
        guard let type = event.first(dataStreamType), let dataset = event.first(dataStreamDataset),
              let namespace = event.first(dataStreamNamespace) else { return nil }
        type.appendDecoded(from: event.raw, to: &name)
        name.append(UInt8(ascii: "-"))
        dataset.appendDecoded(from: event.raw, to: &name)
        name.append(UInt8(ascii: "-"))
        namespace.appendDecoded(from: event.raw, to: &name)
        return .dataStream
    }

    enum RoutingName { case explicit, dataStream }

    /// ES|QL's `METADATA _index` for this event: the index Elasticsearch would have stored it in
    /// (see `concreteName`), else `fallback` (the source's default index).
    func concreteName(of event: EventView, fallback: [UInt8]?) -> [UInt8]? {
        var name: [UInt8] = []
        switch appendRoutingName(of: event, to: &name) {
        case .explicit?: return name
        case .dataStream?:
            var scratch: [UInt8] = []
            var time: Int64?
            if case .date(let milliseconds)? = event.first(timestamp)?.typed(.date, in: event.raw, scratch: &scratch) { time = milliseconds }
            return Self.backingIndex(ofDataStream: name, time: time)
        case nil: return fallback
        }
    }

    /// A data stream's documents live in backing indices named `.ds-<stream>-<yyyy.MM.dd>-<generation>`,
    /// dated the day the index was created, which is what `METADATA _index` shows and what rules
    /// match (`_index like ".ds-metrics-system.cpu-*"`). Which backing index would have held an
    /// event is unknowable here: the name takes the event's own day (UTC) and generation 000001,
    /// and leaves the day out when the event has no time.
    static func backingIndex(ofDataStream stream: [UInt8], time: Int64?) -> [UInt8] {
        var name = Array(".ds-".utf8) + stream + [UInt8(ascii: "-")]
        if let time {
            let date = ESQLCalendar.civil(days: ESQLCalendar.floorDiv(time, 86_400_000))
            func digits(_ value: Int64, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            name += Array("\(digits(date.year, 4)).\(digits(date.month, 2)).\(digits(date.day, 2))-".utf8)
        }
        return name + Array("000001".utf8)
    }
}
