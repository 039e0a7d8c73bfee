import Dispatch
import CoreMetrics
import Synchronization

/// How a pipeline runs (DESIGN §1, §4, §5).
/// How aggregating ES|QL rules treat the overlap of consecutive runs' windows.
public enum ESQLOverlap: String, Sendable, CaseIterable {
    /// A row whose BY values alerted in a run less than one look-back earlier is folded into it.
    case fold
    /// Every run's rows alert, as Kibana's scheduled runs do.
    case everyRun = "every-run"
}

public struct PipelineOptions: Sendable {
    public var workers: Int
    public var shardKeys: [String]
    public var defaultIndex: String?
    public var spoolDirectory: String
    public var spool: SpoolOptions
    public var maxLineBytes: Int
    public var batchBytes: Int
    /// Batches each stream holds before its producer waits. With replay reading on its own task
    /// the streams run full, so this bounds memory: 4 gave a peak RSS of 320 MiB with 502 rules,
    /// 2 gives 140 MiB at the same speed.
    public var channelCapacity: Int
    /// Skip lines holding none of a rule's literals unparsed (they are still validated, unless
    /// `validatesSkipped` is false).
    public var prefilter: Bool
    /// Search every batch for literals, even where the search skips hardly any line (for the
    /// tests of the prefilter's soundness; by default such a search backs off, see `Extractor`).
    public var searchesEveryBatch = false
    /// Check every line the prefilter skips (SIMD validation); a malformed one is a dead letter.
    public var validatesSkipped: Bool
    /// Parallel extraction lanes (prefilter, validation, field location); batch order is kept.
    public var extractors: Int
    /// Told, as the spool opens, of each segment a crash had left open and recovery closed.
    public var onRecovery: @Sendable (SegmentRecovery) -> Void = { _ in }
    /// Told when a full or failing spool disk pauses the pipeline (true) and when writing resumes (false).
    public var onSpoolBlocked: @Sendable (_ paused: Bool, _ detail: String) -> Void = { _, _ in }
    /// Told once per rule when an aggregating ES|QL rule first reaches a cap (its id, which cap).
    public var onCapReached: @Sendable (_ ruleID: String, _ detail: String) -> Void = { _, _ in }
    /// Where live metrics go (for example a Prometheus registry); none when nil.
    public var metricsFactory: (any MetricsFactory)?
    /// Correlators holding sequence and sample state, each owning the join keys hashed to it.
    public var correlators: Int
    /// How far behind the latest event time a sequence's event may come and still be taken in
    /// order (DESIGN §1 event time). A minute, as Kibana's default look-back overlaps runs by one.
    public var allowedLatenessMilliseconds: Int64 = 60_000
    /// Per sequence rule, the partial sequences kept at most; the oldest go first, counted.
    public var maxOpenSequences = 100_000
    /// Per correlator, the step matches waiting for event time to settle their order; past it
    /// the earliest is taken early, counted (`held_released_early`).
    public var maxHeldEvents = 200_000
    /// Aggregating ES|QL rules: fold a row into the alert of an overlapping earlier run with the
    /// same BY values (the default), or alert every run's rows as Kibana does.
    public var esqlOverlap = ESQLOverlap.fold
    /// Per aggregating rule, the groups kept per slice and per run; more are refused, counted.
    public var maxGroups = 100_000
    /// Per group, the distinct values VALUES keeps (COUNT_DISTINCT goes on approximately).
    public var maxGroupValues = 10_000
    /// Move event time on with the wall clock while no events come (a live socket), so quiet
    /// sources do not hold back sequences waiting on a window. Off for replay: there the end of
    /// input settles everything, and results never depend on how fast files are read.
    public var advancesWhenIdle = false

    public init(
        workers: Int, shardKeys: [String] = RuleSet.defaultShardKeys, defaultIndex: String? = nil,
        spoolDirectory: String, spool: SpoolOptions = SpoolOptions(), maxLineBytes: Int = 1 << 20,
        batchBytes: Int = 1 << 20, channelCapacity: Int = 2, prefilter: Bool = true, validatesSkipped: Bool = true,
        extractors: Int? = nil
    ) {
        self.workers = max(1, workers)
        self.prefilter = prefilter
        self.validatesSkipped = validatesSkipped
        self.extractors = max(1, extractors ?? workers)
        self.correlators = max(1, workers)
        self.shardKeys = shardKeys
        self.defaultIndex = defaultIndex
        self.spoolDirectory = spoolDirectory
        self.spool = spool
        self.maxLineBytes = maxLineBytes
        self.batchBytes = batchBytes
        self.channelCapacity = max(1, channelCapacity)
    }
}

/// Bytes and lines the sources read, added up across sources and connections.
public final class IntakeCounters: Sendable {
    private let state = Mutex((bytes: 0, lines: 0, blank: 0))
    /// Running totals for progress reports, updated as reading goes (the totals above are added
    /// per finished source, so they always match the lines the pipeline saw).
    private let running = Mutex((bytes: 0, lines: 0, alerts: 0))

    public init() {}

    public func progress(bytes: Int = 0, lines: Int = 0, alerts: Int = 0) {
        running.withLock { $0.bytes += bytes; $0.lines += lines; $0.alerts += alerts }
    }

    public var progressTotals: (bytes: Int, lines: Int, alerts: Int) { running.withLock { $0 } }

    public func add(bytes: Int = 0, lines: Int = 0, blank: Int = 0) {
        state.withLock { $0.bytes += bytes; $0.lines += lines; $0.blank += blank }
    }

    public var totals: (bytes: Int, lines: Int, blank: Int) { state.withLock { $0 } }
}

/// An extracted batch and each worker's share of its lines.
struct ShardedBatch: Sendable {
    var extracted: ExtractedBatch
    var shares: [[Int]]
    /// How far event time has come in the batch, when sequence rules need to know.
    var latestTime: Int64?
}

/// A worker's share of one batch.
public struct WorkUnit: Sendable {
    public var extracted: ExtractedBatch
    public var lines: [Int]
    /// The batch's number in intake order, for event-time progress.
    var batch = 0
}

/// One alert in an `AlertMessage`: its rule, its event-time bucket, and where its line ends.
public struct AlertEntry: Sendable {
    public var rule: Int
    /// The event's time divided by the rule's interval (DESIGN §2 schedule semantics).
    public var bucket: Int64
    /// The event's time (or the detection's, when the event has none readable).
    public var eventTime: Int64
    /// The alert's suppression group, for rules with `[rule.alert_suppression]`.
    public var group: String?
    public var end: Int
}

/// What workers hand the alert writer.
public enum AlertMessage: Sendable {
    case alerts(lines: [UInt8], entries: [AlertEntry], framedAt: ContinuousClock.Instant)
    /// Lets the writer flush blocks and rotate segments while no alerts arrive.
    case tick
}

/// Receives dead letters; the file writer lives in the I/O layer.
public protocol DeadLetterSink: Sendable {
    func write(_ letters: [DeadLetter]) async throws
    func close() async throws
}

/// The staged pipeline: Framer → Extractor → Sharder → Workers → AlertWriter → LZ4 spool.
///
/// Every arrow is a `BoundedChannel` of batches, so a stalled stage suspends the one before it,
/// back to the source. Sources send framed output into `intake` and finish it when done.
public final class Pipeline: Sendable {
    public let ruleSet: RuleSet
    public let options: PipelineOptions
    public let intake: BoundedChannel<FramedOutput>
    public let counters = IntakeCounters()
    public let prefilter: LiteralPrefilter
    /// The evaluator every worker starts from (`RuleEvaluator.replica`).
    private let template: EvaluatorTemplate
    /// Round-robin lanes: intake → laneInputs[k] → extractor and sharder k → laneOutputs[k] →
    /// merged in order into the workers' inputs.
    let laneInputs: [BoundedChannel<Batch>]
    let laneOutputs: [BoundedChannel<ShardedBatch>]
    let deadLetters: BoundedChannel<[DeadLetter]>
    let workerInputs: [BoundedChannel<WorkUnit>]
    let correlatorInputs: [BoundedChannel<CorrelatorMessage>]
    /// The watermark's source: the latest event time of the finished batches' step matches.
    let eventTimeProgress = EventTimeProgress()
    /// Partial sequences open over all correlators, for the metrics gauge.
    let openSequences = Atomic<Int>(0)
    let alertOutput: BoundedChannel<AlertMessage>
    let deadLetterSink: (any DeadLetterSink)?
    let builder = AlertBuilder()
    /// Per rule, the fields all its alerts share, written at its first alert.
    let ruleMembers: RuleMembers
    let signalCaps: SharedSignalCaps
    let metrics: PipelineMetrics
    /// For tests of backpressure: a worker waits on this before each unit.
    let workerGate: (@Sendable () async -> Void)?

    public init(ruleSet: RuleSet, options: PipelineOptions, deadLetterSink: (any DeadLetterSink)?,
                workerGate: (@Sendable () async -> Void)? = nil) {
        self.ruleSet = ruleSet
        self.options = options
        self.deadLetterSink = deadLetterSink
        self.workerGate = workerGate
        intake = BoundedChannel(name: "framer", capacity: options.channelCapacity)
        // The evaluator is built on another thread while the prefilter is (each reads every rule,
        // 0.15 s with all bundled rules); workers copy it instead of building their own.
        let building = EvaluatorTemplate()
        let built = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: built) { [defaultIndex = options.defaultIndex] in
            building.evaluator = RuleEvaluator(ruleSet: ruleSet, defaultIndex: defaultIndex)
        }
        prefilter = LiteralPrefilter(rules: ruleSet.rules, defaultIndex: options.defaultIndex, enabled: options.prefilter)
        built.wait()
        var evaluator = building.evaluator!
        evaluator.readUnfiltered(from: prefilter)
        evaluator.groupCap = options.maxGroups
        evaluator.distinctCap = options.maxGroupValues
        building.evaluator = evaluator
        template = building
        signalCaps = SharedSignalCaps(rules: ruleSet.rules)
        ruleMembers = RuleMembers(ruleSet: ruleSet, builder: builder)
        laneInputs = (0..<options.extractors).map { BoundedChannel(name: "extractor-\($0)", capacity: options.channelCapacity) }
        laneOutputs = (0..<options.extractors).map { BoundedChannel(name: "extracted-\($0)", capacity: options.channelCapacity) }
        deadLetters = BoundedChannel(name: "dead-letters", capacity: options.channelCapacity * 4)
        workerInputs = (0..<options.workers).map { BoundedChannel(name: "worker-\($0)", capacity: options.channelCapacity) }
        correlatorInputs = (0..<options.correlators).map { BoundedChannel(name: "correlator-\($0)", capacity: options.channelCapacity * 2) }
        alertOutput = BoundedChannel(name: "alerts", capacity: options.channelCapacity * 2)
        let stages = [intake.name] + laneInputs.map(\.name) + workerInputs.map(\.name) + correlatorInputs.map(\.name) + [alertOutput.name]
        metrics = options.metricsFactory.map { PipelineMetrics(factory: $0, stages: stages) } ?? .none
    }

    /// Queue depths per stage, for metrics.
    public var queueDepths: [(String, Int)] {
        [(intake.name, intake.depth)] + laneInputs.map { ($0.name, $0.depth) }
            + workerInputs.map { ($0.name, $0.depth) } + correlatorInputs.map { ($0.name, $0.depth) }
            + [(alertOutput.name, alertOutput.depth)]
    }

    /// Runs every stage until the sources finish `intake` and all of it has drained into the spool.
    public func run() async throws -> PipelineStats {
        let clock = ContinuousClock()
        let started = clock.now
        // The ticker sleeps between ticks; outside the group, it is cancelled as soon as the stages
        // are done instead of the run waiting out its sleep (up to a tick, 50 ms, on every run).
        let ticker = Task { await self.tickStage() }
        defer { ticker.cancel() }
        var stats = try await withThrowingTaskGroup(of: PipelineStats.self) { group in
            group.addTask { try await self.extractStages() }
            group.addTask { try await self.workerStages() }
            group.addTask { try await self.correlatorStages() }
            group.addTask { try await self.deadLetterStage() }
            group.addTask { try await self.writeStage() }
            var total = PipelineStats()
            do {
                for try await partial in group { total.merge(partial) }
            } catch {
                // One stage failed: unblock the others so the run ends with the error, not a hang.
                for channel in [intake] { channel.close() }
                deadLetters.close(); alertOutput.close()
                laneInputs.forEach { $0.close() }
                laneOutputs.forEach { $0.close() }
                workerInputs.forEach { $0.close() }
                correlatorInputs.forEach { $0.close() }
                throw error
            }
            return total
        }
        ticker.cancel()
        await ticker.value
        let intakeTotals = counters.totals
        stats.bytes = intakeTotals.bytes
        stats.events = intakeTotals.lines
        stats.blankLines = intakeTotals.blank
        // A prefiltered event was evaluated against every rule by proof: it holds no rule's literal.
        stats.evaluated += stats.prefiltered
        stats.rulesLoaded = ruleSet.rules.count
        stats.rulesSkipped = ruleSet.errors.count
        let elapsed = clock.now - started
        stats.elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return stats
    }

    /// Deals batches round-robin to the extraction lanes and merges their results back in the
    /// same order into the workers' inputs, so both cores prefilter, extract and shard while
    /// per-user order is kept; sharding in the lanes spares the separate stage and hop it had.
    private func extractStages() async throws -> PipelineStats {
        defer { workerInputs.forEach { $0.finish() }; deadLetters.finish() }
        return try await withThrowingTaskGroup(of: PipelineStats.self) { group in
            group.addTask {
                defer { self.laneInputs.forEach { $0.finish() } }
                var lane = 0
                for await output in self.intake {
                    switch output {
                    case .batch(let batch):
                        self.metrics.events.increment(by: batch.lineCount)
                        self.metrics.bytes.increment(by: batch.byteCount)
                        try await self.laneInputs[lane].send(batch)
                        lane = (lane + 1) % self.laneInputs.count
                    case .deadLetter(let letter):
                        try await self.deadLetters.send([letter])
                    }
                }
                return PipelineStats()
            }
            for lane in laneInputs.indices {
                group.addTask {
                    defer { self.laneOutputs[lane].finish() }
                    var extractor = Extractor(plan: self.ruleSet.plan, prefilter: self.prefilter,
                                              validatesSkipped: self.options.validatesSkipped,
                                              searchBacksOff: !self.options.searchesEveryBatch)
                    var sharder = Sharder(workers: self.options.workers, shardKeys: self.ruleSet.system.shardKeys)
                    var clock = BatchClock()
                    let needsTime = self.ruleSet.rules.contains { if case .sequence = $0.output { true } else { false } }
                    for await batch in self.laneInputs[lane] {
                        let (result, rejected) = extractor.extract(batch)
                        if !rejected.isEmpty { try await self.deadLetters.send(rejected) }
                        try await self.laneOutputs[lane].send(ShardedBatch(extracted: result, shares: sharder.split(result),
                                                                           latestTime: needsTime ? clock.latestTime(result) : nil))
                    }
                    return PipelineStats()
                }
            }
            group.addTask {
                // Lane k holds batches k, k + n, ...: the first lane to run dry ends the stream.
                var stats = PipelineStats()
                var lane = 0
                var batch = 0
                while let result = await self.laneOutputs[lane].next() {
                    stats.prefiltered += result.extracted.prefiltered
                    if result.extracted.unsearched {
                        stats.prefilterUnsearchedBatches += 1
                        self.metrics.prefilterUnsearchedBatches.increment()
                    }
                    self.metrics.prefiltered.increment(by: result.extracted.prefiltered)
                    if let latest = self.eventTimeProgress.dealt(batch: batch, units: result.shares.filter { !$0.isEmpty }.count,
                                                                 latest: result.latestTime) {
                        try await self.broadcast(progress: latest)
                    }
                    for (worker, lines) in result.shares.enumerated() where !lines.isEmpty {
                        try await self.workerInputs[worker].send(WorkUnit(extracted: result.extracted, lines: lines, batch: batch))
                    }
                    batch += 1
                    lane = (lane + 1) % self.laneOutputs.count
                }
                return stats
            }
            var total = PipelineStats()
            for try await partial in group { total.merge(partial) }
            return total
        }
    }

    private func workerStages() async throws -> PipelineStats {
        defer { correlatorInputs.forEach { $0.finish() } }
        return try await withThrowingTaskGroup(of: PipelineStats.self) { group in
            for input in workerInputs {
                group.addTask { try await self.workerStage(input) }
            }
            var total = PipelineStats()
            for try await partial in group { total.merge(partial) }
            return total
        }
    }

    private func workerStage(_ input: BoundedChannel<WorkUnit>) async throws -> PipelineStats {
        var evaluator = template.evaluator!.replica()
        var stats = PipelineStats()
        for await unit in input {
            if let workerGate { await workerGate() }
            let matches = evaluator.evaluate(unit.extracted, lines: unit.lines)
            stats.stepMatches += evaluator.stepMatches.count
            try await sendToCorrelators(evaluator.stepMatches, evaluator.partials, of: unit.batch)
            guard !matches.isEmpty else { continue }
            let now = Timestamp.nowMilliseconds()
            var lines: [UInt8] = []
            var entries: [AlertEntry] = []
            for match in matches {
                let rule = ruleSet.rules[match.rule]
                // An event without a readable time falls in the bucket of its detection.
                let time = match.eventTime ?? now
                guard let bucket = admitSignal(rule: match.rule, at: time, &stats) else { continue }
                let batch = unit.extracted.batch
                let source = AlertBuilder.Source(line: batch.lineBytes(match.line), position: batch.position(ofLine: match.line), index: match.index)
                let alert = builder.alert(rule: rule, source: source, eventTime: match.eventTime, now: now, ruleMembers: ruleMembers[match.rule],
                                          row: match.row)
                lines.append(contentsOf: alert.line)
                entries.append(AlertEntry(rule: match.rule, bucket: bucket, eventTime: time, group: alert.suppressionGroup, end: lines.count))
            }
            guard !entries.isEmpty else { continue }
            try await alertOutput.send(.alerts(lines: lines, entries: entries, framedAt: unit.extracted.batch.framedAt))
        }
        stats.evaluated = evaluator.eventsEvaluated
        stats.eventsWithoutIndex = evaluator.eventsWithoutIndex
        stats.esqlEventsWithoutTime = evaluator.eventsWithoutTime
        stats.esqlWarnings = evaluator.esqlWarnings
        return stats
    }

    /// At most max_signals alerts (sequences, for a sequence rule) per rule per interval bucket
    /// of event time (for suppressing rules, alerts and folded ones together, as Kibana's EQL and
    /// ES|QL rules count them): returns the bucket, or nil, counted as suppressed, past the cap,
    /// before any document is built.
    func admitSignal(rule: Int, at time: Int64, _ stats: inout PipelineStats) -> Int64? {
        let interval = signalCaps.intervals[rule]
        let bucket = time >= 0 ? time / interval : (time - interval + 1) / interval
        guard signalCaps.admit(rule: rule, bucket: bucket) else {
            stats.suppressed += 1
            stats.suppressedByRule[ruleSet.rules[rule].ruleID, default: 0] += 1
            metrics.suppressedByMaxSignals.increment()
            return nil
        }
        return bucket
    }

    private func deadLetterStage() async throws -> PipelineStats {
        var stats = PipelineStats()
        for await letters in deadLetters {
            stats.rejected += letters.count
            for letter in letters {
                stats.rejectedByReason[letter.reason.rawValue, default: 0] += 1
                metrics.rejected[letter.reason]?.increment()
            }
            try await deadLetterSink?.write(letters)
        }
        try await deadLetterSink?.close()
        return stats
    }

    private func writeStage() async throws -> PipelineStats {
        let spool = try SpoolWriter(directory: options.spoolDirectory, options: options.spool)
        var stats = PipelineStats()
        stats.recovered = spool.recovered
        spool.recovered.forEach(options.onRecovery)
        var suppressor = AlertSuppressor(rules: ruleSet.rules)
        // Alerts appended but not yet in a flushed block, with when their batch was framed.
        var waiting: [(framedAt: ContinuousClock.Instant, count: Int)] = []
        var flushes = spool.flushes
        func recordFlushed() {
            guard spool.flushes != flushes else { return }
            flushes = spool.flushes
            let now = ContinuousClock.now
            for entry in waiting {
                stats.alertLatency.record(now - entry.framedAt, count: entry.count)
                metrics.alertLatency.recordNanoseconds(Int64((now - entry.framedAt) / .nanoseconds(1)))
            }
            waiting.removeAll(keepingCapacity: true)
        }
        var closed = spool.segmentsClosed
        func publishSpoolState() {
            metrics.segmentsClosed.increment(by: spool.segmentsClosed - closed)
            closed = spool.segmentsClosed
            metrics.unflushedAlerts.record(waiting.reduce(0) { $0 + $1.count })
            metrics.spoolLagSeconds.record(waiting.first.map { (ContinuousClock.now - $0.framedAt) / .seconds(1) } ?? 0)
        }
        for await message in alertOutput {
            switch message {
            case .alerts(let lines, let entries, let framedAt):
                // Workers kept each rule under its max_signals; alert suppression folds alerts
                // into their group's.
                var kept: [UInt8] = []
                var count = 0
                var start = 0
                let updatesBefore = suppressor.updatesWritten
                let now = Timestamp.nowMilliseconds()
                for entry in entries {
                    defer { start = entry.end }
                    let rule = ruleSet.rules[entry.rule].ruleID
                    if let group = entry.group,
                       suppressor.place(rule: entry.rule, group: group, time: entry.eventTime, bucket: entry.bucket,
                                        line: lines[start..<entry.end], now: now, updates: &kept) == .folded {
                        stats.suppressedIntoGroups += 1
                        stats.suppressedIntoGroupsByRule[rule, default: 0] += 1
                        metrics.suppressedByGroup.increment()
                        continue
                    }
                    kept.append(contentsOf: lines[start..<entry.end])
                    count += 1
                    stats.alertsByRule[rule, default: 0] += 1
                }
                stats.suppressionUpdates += suppressor.updatesWritten - updatesBefore
                guard !kept.isEmpty else { break }
                waiting.append((framedAt, count))
                try await whileSpoolBlocked(spool, &stats) { try spool.append(kept, alerts: count) }
                counters.progress(alerts: count)
                metrics.alerts.increment(by: count)
                stats.alerts += count
            case .tick:
                try await whileSpoolBlocked(spool, &stats) { try spool.tick() }
            }
            recordFlushed()
            publishSpoolState()
        }
        var updates: [UInt8] = []
        suppressor.closeAll(now: Timestamp.nowMilliseconds(), updates: &updates)
        stats.suppressionUpdates = suppressor.updatesWritten
        try await whileSpoolBlocked(spool, &stats) { try spool.append(updates, alerts: 0) }
        try await whileSpoolBlocked(spool, &stats) { try spool.close() }
        recordFlushed()
        publishSpoolState()
        stats.segmentsClosed = spool.segmentsClosed
        return stats
    }

    /// Runs a spool operation; while the disk is full or failing, waits and retries without taking more
    /// alerts, so the stages before stall and intake stops back to the sources. Nothing is dropped.
    private func whileSpoolBlocked(_ spool: SpoolWriter, _ stats: inout PipelineStats, _ operation: () throws -> Void) async throws {
        var committed = false
        var paused: ContinuousClock.Instant?
        while true {
            do {
                if committed { try spool.resume() } else { try operation() }
                if let paused {
                    metrics.spoolBlocked.record(0)
                    stats.spoolBlockedSeconds += (ContinuousClock.now - paused) / .seconds(1)
                    options.onSpoolBlocked(false, "the disk takes writes again; writing resumed")
                }
                return
            } catch let blocked as SpoolBlocked {
                committed = committed || blocked.committed
                if paused == nil {
                    paused = ContinuousClock.now
                    stats.spoolBlockedPauses += 1
                    metrics.spoolBlockedPauses.increment()
                    metrics.spoolBlocked.record(1)
                    options.onSpoolBlocked(true, "\(blocked); intake paused until the disk takes writes again")
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Sends the writer a tick every `tickMilliseconds`, so blocks flush on time however quiet
    /// the input, until cancelled or the writer's input closes.
    private func tickStage() async {
        let interval = options.spool.tickMilliseconds
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(interval))
            for (stage, depth) in queueDepths { metrics.queueDepth[stage]?.record(depth) }
            // A busy correlator needs no tick to move its watermark; an idle one may.
            for input in correlatorInputs where input.depth == 0 { try? await input.send(.tick) }
            do { try await alertOutput.send(.tick) } catch { break }
        }
    }
}

extension PipelineStats {
    mutating func merge(_ other: PipelineStats) {
        evaluated += other.evaluated
        prefiltered += other.prefiltered
        prefilterUnsearchedBatches += other.prefilterUnsearchedBatches
        rejected += other.rejected
        rejectedByReason.merge(other.rejectedByReason, uniquingKeysWith: +)
        alerts += other.alerts
        suppressed += other.suppressed
        alertsByRule.merge(other.alertsByRule, uniquingKeysWith: +)
        suppressedByRule.merge(other.suppressedByRule, uniquingKeysWith: +)
        suppressedIntoGroups += other.suppressedIntoGroups
        suppressedIntoGroupsByRule.merge(other.suppressedIntoGroupsByRule, uniquingKeysWith: +)
        suppressionUpdates += other.suppressionUpdates
        eventsWithoutIndex += other.eventsWithoutIndex
        segmentsClosed += other.segmentsClosed
        recovered += other.recovered
        alertLatency.merge(other.alertLatency)
        spoolBlockedPauses += other.spoolBlockedPauses
        spoolBlockedSeconds += other.spoolBlockedSeconds
        lateEvents += other.lateEvents
        stepMatches += other.stepMatches
        sequencesFound += other.sequencesFound
        sequencesEvicted += other.sequencesEvicted
        sequencesEvictedByRule.merge(other.sequencesEvictedByRule, uniquingKeysWith: +)
        sequencesExpired += other.sequencesExpired
        sequencesOpenPeak += other.sequencesOpenPeak
        heldReleasedEarly += other.heldReleasedEarly
        esqlRuns += other.esqlRuns
        esqlRows += other.esqlRows
        esqlRowsFolded += other.esqlRowsFolded
        esqlPartlyLate += other.esqlPartlyLate
        esqlGroupsRefused += other.esqlGroupsRefused
        esqlValuesDropped += other.esqlValuesDropped
        esqlRowsRefused += other.esqlRowsRefused
        esqlCappedByRule.merge(other.esqlCappedByRule, uniquingKeysWith: +)
        esqlWarnings.add(other.esqlWarnings)
        esqlEventsWithoutTime += other.esqlEventsWithoutTime
    }
}

/// Holds the evaluator workers copy: written once, by the thread that builds it, before the
/// pipeline starts (a `DispatchGroup` wait orders it); only read after.
private final class EvaluatorTemplate: @unchecked Sendable {
    var evaluator: RuleEvaluator?
}

/// Per rule, the fields all its alerts share (`AlertBuilder.ruleMembers`), written when its first
/// alert is: writing them for every rule at start took 40 ms with all bundled rules, most of
/// which never alert. Workers and correlators ask concurrently; a rule two of them write at once
/// is written alike by both.
final class RuleMembers: Sendable {
    private let ruleSet: RuleSet
    private let builder: AlertBuilder
    private let written: Mutex<[[UInt8]?]>

    init(ruleSet: RuleSet, builder: AlertBuilder) {
        self.ruleSet = ruleSet
        self.builder = builder
        written = Mutex([[UInt8]?](repeating: nil, count: ruleSet.rules.count))
    }

    subscript(rule: Int) -> [UInt8] {
        if let known = written.withLock({ $0[rule] }) { return known }
        let members = builder.ruleMembers(ruleSet.rules[rule])
        written.withLock { $0[rule] = members }
        return members
    }
}
