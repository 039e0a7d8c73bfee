import Foundation
import Synchronization

/// Fields every event is read for besides the rules' own: index routing, ids, shard keys.
public struct SystemFields: Sendable {
    public let index: Int
    public let dataStreamType: Int
    public let dataStreamDataset: Int
    public let dataStreamNamespace: Int
    public let id: Int
    /// The shard key and its fallbacks, in order.
    public let shardKeys: [Int]
    /// `@timestamp`, and per rule its `timestamp_override` field: the time of its schedule.
    public let timestamp: Int
    public let timestampOverrides: [Int?]

    public var indexName: IndexNameFields {
        IndexNameFields(index: index, dataStreamType: dataStreamType, dataStreamDataset: dataStreamDataset,
                        dataStreamNamespace: dataStreamNamespace, timestamp: timestamp)
    }
}

/// The loaded rules: compiled, with the one field plan the extractor runs for all of them.
public struct RuleSet: Sendable {
    public let rules: [CompiledRule]
    public let errors: [RuleError]
    public let plan: FieldPlan
    public let system: SystemFields

    public static let defaultShardKeys = ["user.name", "user.id", "aws.cloudtrail.user_identity.arn", "host.id"]

    public init(definitions: [RuleDefinition], loadErrors: [RuleError] = [], shardKeys: [String] = RuleSet.defaultShardKeys,
                types: FieldTypes = .bundled) {
        var compiler = RuleCompiler(types: types)
        var rules: [CompiledRule] = []
        var errors = loadErrors
        var seen: [String: String] = [:]
        for definition in definitions {
            if let first = seen[definition.ruleID] {
                errors.append(RuleError(file: definition.file, location: nil,
                                        message: "duplicate rule_id \(definition.ruleID) (first in \(first))",
                                        ruleID: definition.ruleID, language: definition.language.rawValue))
                continue
            }
            seen[definition.ruleID] = definition.file
            do {
                rules.append(try compiler.compile(definition))
            } catch {
                errors.append(error)
            }
        }
        var registry = compiler.registry
        system = SystemFields(
            index: registry.index(of: "_index"),
            dataStreamType: registry.index(of: "data_stream.type"),
            dataStreamDataset: registry.index(of: "data_stream.dataset"),
            dataStreamNamespace: registry.index(of: "data_stream.namespace"),
            id: registry.index(of: "_id"),
            shardKeys: shardKeys.map { registry.index(of: $0) },
            timestamp: registry.index(of: "@timestamp"),
            timestampOverrides: rules.map { rule in rule.definition.timestampOverride.map { registry.index(of: $0) } })
        self.rules = rules
        self.errors = errors
        self.plan = FieldPlan(paths: registry.paths)
        precondition(plan.paths == registry.paths, "the plan keeps the registry's field order")
    }

    /// Loads rule files (`.toml`) from files and folders (recursively, in sorted order).
    public static func load(paths: [String], shardKeys: [String] = RuleSet.defaultShardKeys, types: FieldTypes = .bundled) -> RuleSet {
        let (definitions, errors) = loadDefinitions(paths: paths)
        return RuleSet(definitions: definitions, loadErrors: errors, shardKeys: shardKeys, types: types)
    }

    /// Files are read and parsed on every core (TOML parsing of the bundled rules' long notes was
    /// a third of the start), and kept in file order.
    public static func loadDefinitions(paths: [String]) -> ([RuleDefinition], [RuleError]) {
        var errors: [RuleError] = []
        let files = ruleFiles(in: paths, errors: &errors)
        let parsed = Mutex([Result<RuleDefinition, RuleError>?](repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let file = files[index]
            let result: Result<RuleDefinition, RuleError>
            if let data = FileManager.default.contents(atPath: file) {
                result = Result { () throws(RuleError) in try RuleDefinition.parse(toml: String(decoding: data, as: UTF8.self), file: file) }
            } else {
                result = .failure(RuleError(file: file, location: nil, message: "cannot read the file"))
            }
            parsed.withLock { $0[index] = result }
        }
        var definitions: [RuleDefinition] = []
        for case let result? in parsed.withLock({ $0 }) {
            switch result {
            case .success(let definition): definitions.append(definition)
            case .failure(let error): errors.append(error)
            }
        }
        return (definitions, errors)
    }

    static func ruleFiles(in paths: [String], errors: inout [RuleError]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                errors.append(RuleError(file: path, location: nil, message: "no such file or folder"))
                continue
            }
            if !isDirectory.boolValue { files.append(path); continue }
            let found = (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".toml") }
                .sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            files.append(contentsOf: found)
        }
        return files
    }
}
