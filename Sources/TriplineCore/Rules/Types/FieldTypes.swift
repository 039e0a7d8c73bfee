/// The type a field is indexed with, which decides how its JSON values compare.
public enum FieldType: Sendable, Hashable {
    /// `keyword`, `constant_keyword`, `wildcard`, text with a keyword view, flattened leaves:
    /// compared as bytes; a value longer than `ignoreAbove` characters is not indexed.
    /// `lowercase`: a `lowercase` normalizer lowers the value, and a query's term, before comparing
    /// (Elastic's integrations map `process.name.caseless` so).
    case keyword(ignoreAbove: Int?, lowercase: Bool = false)
    /// `long`, `integer`, `short`, `byte`.
    case long
    case unsignedLong
    /// `double`, `float`, `half_float`, `scaled_float`: read as a double, at the precision the
    /// field stores (ES returns a `float`'s 2.03 as 2.0299999713897705).
    case double(FloatStorage = .double)
    case ip
    /// `date`, `date_nanos`: ISO 8601 text or epoch milliseconds, read as milliseconds.
    case date
    case boolean
    /// Not in any mapping: typed by each JSON value, as dynamic mapping does (strings as
    /// keywords up to 1,024 characters, integers as longs, fractions as doubles).
    case dynamic
    /// `object`, `nested`, `geo_point` and the like: no value a rule can compare.
    case unqueryable(String)

    /// ES's name for a mapped type.
    public init(mapped name: String, ignoreAbove: Int? = nil, scalingFactor: Double? = nil) {
        switch name {
        case "keyword", "constant_keyword", "wildcard", "text", "match_only_text", "flattened", "version":
            self = .keyword(ignoreAbove: ignoreAbove)
        case "long", "integer", "short", "byte": self = .long
        case "unsigned_long": self = .unsignedLong
        case "double": self = .double()
        case "float": self = .double(.float)
        case "half_float": self = .double(.halfFloat)
        // ES refuses a scaled_float without its factor; 1 keeps whole numbers if one slips through.
        case "scaled_float": self = .double(.scaled(factor: scalingFactor ?? 1))
        case "ip": self = .ip
        case "date", "date_nanos": self = .date
        case "boolean": self = .boolean
        default: self = .unqueryable(name)
        }
    }

    public var isKeyword: Bool { if case .keyword = self { return true } else { return false } }

    /// Whether values and query terms are lowered before comparing (a `lowercase` normalizer).
    public var lowercases: Bool { if case .keyword(_, true) = self { return true } else { return false } }

    /// Whether the field's value in a document is an object whose keys are fields of their own
    /// (`object`, `nested`, `geo_point`'s lat and lon): names below it are real places, not
    /// multi-fields.
    var holdsFields: Bool {
        if case .unqueryable = self { return true }
        return false
    }

    public var name: String {
        switch self {
        case .keyword: "keyword"
        case .long: "long"
        case .unsignedLong: "unsigned_long"
        case .double(let storage): storage.name
        case .ip: "ip"
        case .date: "date"
        case .boolean: "boolean"
        case .dynamic: "dynamic"
        case .unqueryable(let name): name
        }
    }

    /// Dynamic mapping's keyword limit (ecs@mappings maps unknown strings to keyword, ignore_above 1024).
    public static let dynamicIgnoreAbove = 1024
}

/// How a floating-point field stores its values: what a document's value reads back as, and what
/// a query's literal is rounded to (ES compares a `float` field's values with `(float) 47.3`).
public enum FloatStorage: Sendable, Hashable {
    case double, float, halfFloat
    /// A long of `round(value * factor)`, read back as that long times `1 / factor`.
    case scaled(factor: Double)

    /// The value as the field stores and returns it.
    public func stored(_ value: Double) -> Double {
        switch self {
        case .double: value
        case .float: Double(Float(value))
        case .halfFloat: Double(Float16(value))
        case .scaled(let factor): (value * factor).rounded() * (1 / factor)
        }
    }

    var name: String {
        switch self {
        case .double: "double"
        case .float: "float"
        case .halfFloat: "half_float"
        case .scaled: "scaled_float"
        }
    }
}

/// The mapped type of every field the rules may read: ECS's definitions and the detection-rules'
/// non-ECS schema (bundled), optionally overlaid by an index mapping (`--mapping`).
public struct FieldTypes: Sendable {
    private var types: [String: FieldType] = [:]
    /// Field aliases of a mapping (`"type": "alias"`): a rule's name read as the target's.
    private var aliases: [String: String] = [:]
    /// Fields mapped `flattened`: any key below one is a keyword.
    private var flattened: Set<String> = []
    /// Fields mapped `text` or `match_only_text`: what a full-text `MATCH` analyzes.
    private var analyzed: Set<String> = []
    /// Multi-fields (`process.command_line.text`): another index of their parent's value, read
    /// from the parent's place in the document with their own type.
    private var multiFields: [String: String] = [:]

    public init() {}

    /// Whether the field is full text (`text`, `match_only_text`), which `MATCH` searches by words.
    public func isAnalyzed(_ field: String) -> Bool {
        multiFields[field] != nil ? analyzed.contains(field) : analyzed.contains(resolve(field))
    }

    /// ECS and the rule set's non-ECS fields.
    public static let bundled: FieldTypes = {
        var table = FieldTypes()
        for line in bundledTable.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let name = String(parts[0])
            let kind = String(parts[1])
            let third = parts.count > 2 ? String(parts[2]) : nil
            table.types[name] = kind == "scaled_float" ? FieldType(mapped: kind, scalingFactor: third.flatMap(Double.init))
                : FieldType(mapped: kind, ignoreAbove: third.flatMap { Int($0) })
            if kind == "flattened" { table.flattened.insert(name) }
            if kind == "text" || kind == "match_only_text" { table.analyzed.insert(name) }
        }
        // A leaf field has no sub-fields in a document: an entry below one is its multi-field.
        for name in table.types.keys {
            guard let dot = name.lastIndex(of: ".") else { continue }
            let parent = String(name[..<dot])
            if let type = table.types[parent], !type.holdsFields, !table.flattened.contains(parent) { table.multiFields[name] = parent }
        }
        return table
    }()

    /// The place in the document a rule's name reads: an alias's target, a multi-field's parent.
    public func resolve(_ field: String) -> String { aliases[field] ?? multiFields[field] ?? caselessParent(field) ?? field }

    /// Elastic's integrations (Elastic Defend among them) give keyword fields a `caseless`
    /// multi-field, a keyword with a `lowercase` normalizer; rules read it (`process.name.caseless`)
    /// where no mapping names it.
    private func caselessParent(_ field: String) -> String? {
        guard field.hasSuffix(".caseless"), types[field] == nil, multiFields[field] == nil else { return nil }
        let parent = String(field.dropLast(".caseless".count))
        guard case .keyword = type(of: parent) else { return nil }
        return parent
    }

    /// How a rule's name (unresolved) indexes its values: a multi-field by its own type.
    public func type(of field: String) -> FieldType {
        if multiFields[field] != nil, let own = types[field] { return own }
        if let parent = caselessParent(field), case .keyword(let ignoreAbove, _) = type(of: parent) {
            return .keyword(ignoreAbove: ignoreAbove, lowercase: true)
        }
        let field = resolve(field)
        if let type = types[field] { return type }
        var prefix = Substring(field)
        while let dot = prefix.lastIndex(of: ".") {
            prefix = prefix[..<dot]
            if flattened.contains(String(prefix)) { return .keyword(ignoreAbove: nil) }
        }
        return .dynamic
    }

    /// These types with `mapping`'s fields laid over them.
    public func overlaid(by mapping: FieldTypes) -> FieldTypes {
        var merged = self
        merged.types.merge(mapping.types) { $1 }
        merged.aliases.merge(mapping.aliases) { $1 }
        merged.flattened.formUnion(mapping.flattened)
        merged.analyzed.subtract(mapping.types.keys)
        merged.analyzed.formUnion(mapping.analyzed)
        for name in mapping.types.keys { merged.multiFields[name] = nil }
        merged.multiFields.merge(mapping.multiFields) { $1 }
        return merged
    }

    public struct MappingError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads an Elasticsearch mapping (`{"mappings":{"properties":...}}`, `{"properties":...}`, or
    /// the `GET index/_mapping` answer): each field's type, keyword `ignore_above`, aliases, and a
    /// text field's `keyword` sub-field (what EQL queries on a text field use).
    public init(mapping bytes: [UInt8]) throws(MappingError) {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw MappingError(description: "the mapping is not JSON: \(error)") }
        func properties(of value: JSONValue) -> JSONValue? {
            if let p = value["properties"] { return p }
            if let m = value["mappings"] { return properties(of: m) }
            if case .object(let members) = value, members.count == 1 { return properties(of: members[0].value) }
            return nil
        }
        guard let top = properties(of: root) else { throw MappingError(description: "the mapping has no \"properties\"") }
        walk(top, prefix: "")
    }

    private mutating func walk(_ properties: JSONValue, prefix: String) {
        guard case .object(let members) = properties else { return }
        for (key, definition) in members {
            let name = prefix.isEmpty ? key : prefix + "." + key
            if let nested = definition["properties"] { walk(nested, prefix: name) }
            if case .object(let subfields)? = definition["fields"] {
                for (key, sub) in subfields {
                    guard case .string(let subkind)? = sub["type"] else { continue }
                    let subname = name + "." + key
                    multiFields[subname] = name
                    types[subname] = FieldType(mapped: subkind, ignoreAbove: Self.integer(sub["ignore_above"]),
                                               scalingFactor: Self.number(sub["scaling_factor"]))
                    if sub["normalizer"] == .string("lowercase"), case .keyword(let above, _)? = types[subname] {
                        types[subname] = .keyword(ignoreAbove: above, lowercase: true)
                    }
                    if subkind == "text" || subkind == "match_only_text" { analyzed.insert(subname) }
                }
            }
            guard case .string(let kind)? = definition["type"] else { continue }
            switch kind {
            case "alias":
                if case .string(let path)? = definition["path"] { aliases[name] = path }
            case "text", "match_only_text":
                analyzed.insert(name)
                // EQL reads a text field through its keyword sub-field when it has one.
                if case .object(let subfields)? = definition["fields"],
                   let keyword = subfields.first(where: { $0.value["type"] == .string("keyword") })?.value {
                    types[name] = .keyword(ignoreAbove: Self.integer(keyword["ignore_above"]))
                } else {
                    types[name] = .keyword(ignoreAbove: nil)
                }
            default:
                types[name] = FieldType(mapped: kind, ignoreAbove: Self.integer(definition["ignore_above"]),
                                        scalingFactor: Self.number(definition["scaling_factor"]))
                if definition["normalizer"] == .string("lowercase"), case .keyword(let above, _)? = types[name] {
                    types[name] = .keyword(ignoreAbove: above, lowercase: true)
                }
                if kind == "flattened" { flattened.insert(name) }
            }
        }
    }

    private static func number(_ value: JSONValue?) -> Double? {
        if case .number(let text)? = value { return Double(text) }
        return nil
    }

    private static func integer(_ value: JSONValue?) -> Int? {
        if case .number(let text)? = value { return Int(text) }
        return nil
    }
}
