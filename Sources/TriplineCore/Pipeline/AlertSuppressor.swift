/// Kibana's alert suppression (`[rule.alert_suppression]`) in a stream.
///
/// The first alert of a group (same rule, same `kibana.alert.instance.id`) is written at once.
/// Later alerts of the group inside its window are folded into it: Kibana then updates the alert
/// in place (`docs_count`, `suppression.end`, `last_detected`). An append-only spool cannot, so
/// when the window closes the group's alert is written once more, whole, with the same
/// `kibana.alert.uuid` and the final counts: indexed by that id, the later line replaces the
/// earlier, as Kibana's update would. A group with nothing folded in is never written again.
///
/// Windows run in event time, as the schedule does (DESIGN §2): with a duration, from the group's
/// first event (Kibana anchors on the alert's creation, which in a live stream is about the same);
/// without one, a rule execution, here one `interval` bucket.
public struct AlertSuppressor: Sendable {
    struct Key: Hashable { var rule: Int; var group: String }

    struct Group: Sendable {
        var line: [UInt8]
        var start: Int64
        var end: Int64
        var bucket: Int64
        var folded = 0
    }

    /// Per rule: the window in milliseconds, nil for per-execution (per-bucket) suppression.
    let windows: [Int64?]
    /// Open groups kept at most (each holds its first alert, a few KiB): past it, the half that
    /// started first close early, so memory stays bounded whatever the group_by cardinality.
    let maxOpenGroups: Int
    private var groups: [Key: Group] = [:]
    /// Per rule: the newest event time and bucket seen, which close windows behind them.
    private var newestTime: [Int: Int64] = [:]
    private var newestBucket: [Int: Int64] = [:]
    /// Update lines appended so far.
    public private(set) var updatesWritten = 0

    public init(rules: [CompiledRule], maxOpenGroups: Int = 20_000) {
        windows = rules.map { $0.definition.alertSuppression?.durationMilliseconds }
        self.maxOpenGroups = max(2, maxOpenGroups)
    }

    public enum Verdict: Equatable {
        /// The first alert of a new group: write it.
        case write
        /// Folded into the open group's alert: not written now.
        case folded
    }

    /// Places one alert of a suppressing rule. Windows this alert's time has passed close first
    /// and their update lines are appended to `updates`.
    public mutating func place(rule: Int, group: String, time: Int64, bucket: Int64, line: ArraySlice<UInt8>,
                               now: Int64, updates: inout [UInt8]) -> Verdict {
        let key = Key(rule: rule, group: group)
        if var open = groups[key] {
            let inWindow = windows[rule].map { time < open.start + $0 } ?? (bucket == open.bucket)
            if inWindow {
                open.folded += 1
                open.end = max(open.end, time)
                groups[key] = open
                advance(rule: rule, time: time, bucket: bucket, now: now, updates: &updates)
                return .folded
            }
            groups[key] = nil
            appendUpdate(of: open, now: now, to: &updates)
        }
        if groups.count >= maxOpenGroups { closeOldestHalf(now: now, updates: &updates) }
        groups[key] = Group(line: Array(line), start: time, end: time, bucket: bucket)
        advance(rule: rule, time: time, bucket: bucket, now: now, updates: &updates)
        return .write
    }

    /// Closes every open window (end of input, or shutdown) and appends the update lines.
    public mutating func closeAll(now: Int64, updates: inout [UInt8]) {
        for key in groups.keys.sorted(by: { ($0.rule, $0.group) < ($1.rule, $1.group) }) {
            if let group = groups[key] { appendUpdate(of: group, now: now, to: &updates) }
        }
        groups.removeAll()
    }

    public var openGroups: Int { groups.count }

    private mutating func closeOldestHalf(now: Int64, updates: inout [UInt8]) {
        let oldest = groups.sorted { ($0.value.start, $0.key.group) < ($1.value.start, $1.key.group) }.prefix(groups.count / 2)
        for (key, group) in oldest {
            groups[key] = nil
            appendUpdate(of: group, now: now, to: &updates)
        }
    }

    /// Notes the rule's newest time; every group of the rule whose window lies behind it closes.
    private mutating func advance(rule: Int, time: Int64, bucket: Int64, now: Int64, updates: inout [UInt8]) {
        let timeMoved = time > newestTime[rule, default: .min]
        let bucketMoved = bucket > newestBucket[rule, default: .min]
        guard timeMoved || bucketMoved else { return }
        if timeMoved { newestTime[rule] = time }
        if bucketMoved { newestBucket[rule] = bucket }
        // Only a new bucket (or a window's worth of time) can close groups: sweep then, not per alert.
        guard bucketMoved else { return }
        let newest = newestTime[rule, default: time]
        for (key, group) in groups where key.rule == rule {
            let over = windows[rule].map { group.start + $0 <= newest } ?? (group.bucket < bucket)
            if over {
                groups[key] = nil
                appendUpdate(of: group, now: now, to: &updates)
            }
        }
    }

    /// The group's alert again with its final suppression counts, if anything was folded in.
    private mutating func appendUpdate(of group: Group, now: Int64, to updates: inout [UInt8]) {
        guard group.folded > 0, case .object(var members)? = try? JSONValue.parse(group.line[...]) else { return }
        func set(_ key: String, _ value: JSONValue) {
            if let at = members.firstIndex(where: { $0.key == key }) { members[at].value = value } else { members.append((key, value)) }
        }
        set("kibana.alert.suppression.docs_count", .number(String(group.folded)))
        set("kibana.alert.suppression.end", .string(Timestamp.iso8601(milliseconds: group.end)))
        set("kibana.alert.last_detected", .string(Timestamp.iso8601(milliseconds: now)))
        var out = JSONWriter(reservingCapacity: group.line.count + 64)
        JSONValue.object(members).write(to: &out)
        out.newline()
        updates += out.bytes
        updatesWritten += 1
    }
}
