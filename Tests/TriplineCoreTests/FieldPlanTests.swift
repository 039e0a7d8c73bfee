import Testing
@testable import TriplineCore

/// The field plan's walk, which compares runs of single edges whole, against its twin that steps
/// one byte at a time.
@Suite struct FieldPlanTests {
    /// Random plans of dotted paths sharing segments and prefixes; keys cut from those paths at
    /// every pair of positions (whole segments, dotted keys, parts of a run), then changed in
    /// one byte, shortened or lengthened; walked from the root and from every node a key reaches.
    @Test func walkingRunsWholeReachesWhatStepsReach() {
        var random = SplitMix(seed: 11)
        let segments = ["process", "proc", "pid", "name", "parent", "entity_id", "entry_leader", "event", "ev",
                        "category", "a", "ab", "abc", "user", "id", "x", "name.text"]
        var found = 0, compared = 0, hashedCompared = 0
        for _ in 0..<60 {
            let paths = (0...random.next(upTo: 25)).map { _ in
                (0...random.next(upTo: 3)).map { _ in segments[random.next(upTo: segments.count)] }.joined(separator: ".")
            }
            let plan = FieldPlan(paths: paths)
            var keys: [[UInt8]] = []
            for path in paths {
                let bytes = Array(path.utf8)
                for start in 0..<bytes.count {
                    for end in (start + 1)...bytes.count {
                        let key = Array(bytes[start..<end])
                        keys.append(key)
                        var changed = key
                        changed[random.next(upTo: changed.count)] ^= 0x20
                        keys.append(changed)
                        keys.append(key + [UInt8(ascii: "s")])
                    }
                }
            }
            var starts: [FieldPlan.Node] = [FieldPlan.root]
            for key in keys {
                let reached = key.withUnsafeBytes { plan.descendByteByByte(FieldPlan.root, key: $0) }
                if reached != FieldPlan.none { starts.append(reached) }
            }
            for start in Set(starts) {
                for key in keys {
                    let (fast, slow) = key.withUnsafeBytes { (plan.descend(start, key: $0), plan.descendByteByByte(start, key: $0)) }
                    #expect(fast == slow, "\(paths) from \(plan.path(of: start)): \(String(decoding: key, as: UTF8.self))")
                    // By hash, from the nodes the scanner walks from.
                    if start == FieldPlan.root || plan.hasChildren(start) {
                        let hashed = key.withUnsafeBytes { plan.descend(start, key: $0, hash: LineValidator.rareKeyHash($0, from: 0, to: $0.count)) }
                        #expect(hashed == slow, "by hash: \(paths) from \(plan.path(of: start)): \(String(decoding: key, as: UTF8.self))")
                        hashedCompared += 1
                    }
                    compared += 1
                    if slow != FieldPlan.none { found += 1 }
                }
            }
        }
        #expect(compared > 40_000 && found > 4_000 && hashedCompared > 20_000,
                "\(compared) keys walked (\(hashedCompared) by hash), \(found) reached a node")
    }

    /// A key past the longest the hash table holds is walked through the trie: a field with a
    /// path that long is still found, nested or dotted.
    @Test func keysPastTheTableAreWalked() {
        let long = String(repeating: "k", count: FieldPlan.longestTabledKey + 10)
        let plan = FieldPlan(paths: ["a.\(long)", "a.b"])
        func walk(_ key: String, from node: FieldPlan.Node = FieldPlan.root) -> FieldPlan.Node {
            Array(key.utf8).withUnsafeBytes { plan.descend(node, key: $0, hash: LineValidator.rareKeyHash($0, from: 0, to: $0.count)) }
        }
        let a = walk("a")
        #expect(plan.path(of: walk(long, from: a)) == "a.\(long)")
        #expect(plan.path(of: walk("a.\(long)")) == "a.\(long)")
        #expect(walk(long + "x", from: a) == FieldPlan.none)
        #expect(plan.path(of: walk("b", from: a)) == "a.b")
    }

    /// A key ending inside a run reaches no field; a field on a run's path ends the run.
    @Test func runsStopWhereAKeyCanEnd() {
        let plan = FieldPlan(paths: ["process.entity_id", "process.name", "process.name.text"])
        func walk(_ key: String, from node: FieldPlan.Node = FieldPlan.root) -> String? {
            let reached = Array(key.utf8).withUnsafeBytes { plan.descend(node, key: $0) }
            return reached == FieldPlan.none ? nil : plan.path(of: reached)
        }
        #expect(walk("process") == "process")
        #expect(walk("proc") == nil)
        #expect(walk("process.entity_id") == "process.entity_id")
        #expect(walk("process.entity") == nil)
        #expect(walk("process.name") == "process.name")
        #expect(walk("process.name.text") == "process.name.text")
        #expect(walk("process.name.tex") == nil)
        let process = Array("process".utf8).withUnsafeBytes { plan.descend(FieldPlan.root, key: $0) }
        #expect(walk("entity_id", from: process) == "process.entity_id")
        #expect(walk("name.text", from: process) == "process.name.text")
        #expect(walk("entity_ix", from: process) == nil)
    }
}
