import Synchronization

/// What workers (and the ticker) hand a correlator.
enum CorrelatorMessage: Sendable {
    case matches([StepMatch])
    /// Aggregating ES|QL rules' partial aggregates, all of one rule's to one correlator.
    case partials([ESQLPartial])
    /// Every step match of events up to this time (less the input's own disorder) has been sent.
    case progress(Int64)
    /// Lets an idle correlator move its watermark on.
    case tick
}

/// The correlation stage (DESIGN §1): workers send each sequence rule's step matches to the
/// correlator owning hash(rule, join key), which joins them in event time and hands the
/// sequences it finds, as Kibana's shell and building-block alerts, to the alert writer.
extension Pipeline {
    /// Routes a unit's step matches by rule and join key; once the batches up to this one are
    /// all done, tells every correlator how far event time has come (after the matches, so each
    /// correlator has them first).
    func sendToCorrelators(_ matches: [StepMatch], _ partials: [ESQLPartial] = [], of batch: Int) async throws {
        var shares = [[StepMatch]](repeating: [], count: correlatorInputs.count)
        var latest = Int64.min
        var partialShares = [[ESQLPartial]](repeating: [], count: correlatorInputs.count)
        // Partials do not move event time: their rule's time may be its timestamp_override
        // (`event.ingested`, minutes after @timestamp), which would make other rules' events late.
        for partial in partials { partialShares[windowsOwner(of: partial.rule)].append(partial) }
        for (index, share) in partialShares.enumerated() where !share.isEmpty {
            try await correlatorInputs[index].send(.partials(share))
        }
        for match in matches {
            var hasher = Hasher()
            hasher.combine(match.rule)
            hasher.combine(match.key)
            shares[Int(UInt(bitPattern: hasher.finalize()) % UInt(shares.count))].append(match)
            latest = max(latest, match.event.time)
        }
        for (index, share) in shares.enumerated() where !share.isEmpty {
            try await correlatorInputs[index].send(.matches(share))
        }
        guard let progress = eventTimeProgress.finished(batch: batch, latest: latest) else { return }
        try await broadcast(progress: progress)
    }

    /// The correlator holding an aggregating rule's windows: all of one rule in one place.
    func windowsOwner(of rule: Int) -> Int { rule % correlatorInputs.count }

    func broadcast(progress: Int64) async throws {
        for input in correlatorInputs { try await input.send(.progress(progress)) }
    }

    func correlatorStages() async throws -> PipelineStats {
        defer { alertOutput.finish() }
        let plans = ruleSet.rules.enumerated().reduce(into: [Int: SequencePlan]()) { plans, element in
            if case .sequence(let plan) = element.element.output { plans[element.offset] = plan }
        }
        return try await withThrowingTaskGroup(of: PipelineStats.self) { group in
            for (index, input) in correlatorInputs.enumerated() {
                // Each aggregating rule lives in one correlator: its runs' tables are whole there.
                let owned = ruleSet.rules.indices.filter { windowsOwner(of: $0) == index }
                group.addTask { try await self.correlatorStage(input, plans: plans, windowRules: owned) }
            }
            var total = PipelineStats()
            for try await partial in group { total.merge(partial) }
            return total
        }
    }

    private func correlatorStage(_ input: BoundedChannel<CorrelatorMessage>, plans: [Int: SequencePlan],
                                 windowRules: [Int]) async throws -> PipelineStats {
        var windows: [Int: RuleWindows] = [:]
        for rule in windowRules {
            guard case .esqlWindows(let plan) = ruleSet.rules[rule].output else { continue }
            windows[rule] = RuleWindows(rule: rule, plan: plan, folds: options.esqlOverlap == .fold, groupCap: options.maxGroups,
                                        distinctCap: options.maxGroupValues, rowCap: options.maxHeldEvents, fieldPlan: ruleSet.plan)
        }
        var correlator = Correlator(plans: plans, windows: windows, lateness: options.allowedLatenessMilliseconds, cap: options.maxOpenSequences,
                                    heldCap: options.maxHeldEvents)
        var stats = PipelineStats()
        var found: [FoundSequence] = []
        var seen = (latest: Int64.min, at: ContinuousClock.now)
        var open = 0
        var evicted = 0
        var reported = (rows: 0, folded: 0, groups: 0, values: 0, refused: 0)
        var capped = Set<Int>()
        /// The open partial sequences over all correlators (the gauge), and evictions as they
        /// happen, not at the end of a long `serve`.
        func observe() {
            let nowOpen = correlator.open
            let total = openSequences.add(nowOpen - open, ordering: .relaxed).newValue
            open = nowOpen
            metrics.sequencesOpen.record(total)
            let nowEvicted = correlator.evicted
            metrics.sequencesEvicted.increment(by: nowEvicted - evicted)
            evicted = nowEvicted
            guard !correlator.windows.isEmpty else { return }
            var now = (rows: 0, folded: 0, groups: 0, values: 0, refused: 0)
            correlator.forEachWindowCounters { rule, c, _ in
                now.rows += c.rows; now.folded += c.folded; now.groups += c.groupsRefused
                now.values += c.valuesDropped; now.refused += c.rowsRefused
                // Said once per rule, when it first happens, not only in the end-of-run stats.
                if c.groupsRefused + c.valuesDropped + c.rowsRefused > 0, capped.insert(rule).inserted {
                    options.onCapReached(ruleSet.rules[rule].ruleID, c.groupsRefused > 0 ? "--max-groups" : c.valuesDropped > 0 ? "--max-group-values" : "--max-held-events")
                }
            }
            metrics.esqlRows.increment(by: now.rows - reported.rows)
            metrics.esqlRowsFolded.increment(by: now.folded - reported.folded)
            metrics.esqlCapped["groups"]?.increment(by: now.groups - reported.groups)
            metrics.esqlCapped["values"]?.increment(by: max(0, now.values - reported.values))
            metrics.esqlCapped["rows"]?.increment(by: now.refused - reported.refused)
            reported = now
        }
        for await message in input {
            switch message {
            case .matches(let matches):
                let late = correlator.lateEvents
                correlator.receive(matches, into: &found)
                metrics.lateEvents.increment(by: correlator.lateEvents - late)
            case .partials(let partials):
                let late = correlator.lateEvents
                correlator.receive(partials)
                metrics.lateEvents.increment(by: correlator.lateEvents - late)
            case .progress(let latest):
                seen = (latest, ContinuousClock.now)
                correlator.advance(latest: latest, into: &found)
            case .tick:
                // No event for a while on a live source: event time goes on with the wall clock.
                let now = ContinuousClock.now
                if options.advancesWhenIdle, seen.latest != .min, now - seen.at > .seconds(1) {
                    correlator.advance(latest: seen.latest &+ Int64((now - seen.at) / .milliseconds(1)), into: &found)
                }
            }
            if !found.isEmpty { try await sendAlerts(for: &found, &stats) }
            if !correlator.runRows.isEmpty { try await sendRunAlerts(for: &correlator.runRows, &stats) }
            observe()
        }
        correlator.finish(into: &found)
        observe()
        if !found.isEmpty { try await sendAlerts(for: &found, &stats) }
        if !correlator.runRows.isEmpty { try await sendRunAlerts(for: &correlator.runRows, &stats) }
        correlator.forEachWindowCounters { rule, counters, warnings in
            stats.esqlRuns += counters.runs
            stats.esqlRows += counters.rows
            stats.esqlRowsFolded += counters.folded
            stats.esqlPartlyLate += counters.partlyLate
            stats.esqlGroupsRefused += counters.groupsRefused
            stats.esqlValuesDropped += counters.valuesDropped
            stats.esqlRowsRefused += counters.rowsRefused
            stats.esqlWarnings.add(warnings)
            if counters.groupsRefused + counters.valuesDropped + counters.rowsRefused > 0 {
                stats.esqlCappedByRule[ruleSet.rules[rule].ruleID, default: 0] += counters.groupsRefused + counters.valuesDropped + counters.rowsRefused
            }
        }
        stats.lateEvents = correlator.lateEvents
        stats.sequencesOpenPeak = correlator.openPeak
        stats.heldReleasedEarly = correlator.releasedEarly
        for (rule, counters) in correlator.counters {
            stats.sequencesExpired += counters.expired
            stats.sequencesEvicted += counters.evicted
            if counters.evicted > 0 { stats.sequencesEvictedByRule[ruleSet.rules[rule].ruleID, default: 0] += counters.evicted }
        }
        return stats
    }

    /// Builds each sequence's alerts (at most max_signals sequences per rule and interval, as
    /// Kibana's EQL search returns at most max_signals sequences) and hands them to the writer.
    private func sendAlerts(for found: inout [FoundSequence], _ stats: inout PipelineStats) async throws {
        let now = Timestamp.nowMilliseconds()
        var lines: [UInt8] = []
        var entries: [AlertEntry] = []
        var framedAt = ContinuousClock.now
        for sequence in found {
            let rule = ruleSet.rules[sequence.rule]
            let time = sequence.events.last?.time ?? now
            guard let bucket = admitSignal(rule: sequence.rule, at: time, &stats) else { continue }
            stats.sequencesFound += 1
            metrics.sequencesFound.increment()
            framedAt = min(framedAt, sequence.events.last?.framedAt ?? framedAt)
            for alert in builder.sequenceAlerts(rule: rule, events: sequence.events, now: now, ruleMembers: ruleMembers[sequence.rule]) {
                lines.append(contentsOf: alert.line)
                entries.append(AlertEntry(rule: sequence.rule, bucket: bucket, eventTime: time, group: nil, end: lines.count))
            }
        }
        found.removeAll(keepingCapacity: true)
        guard !entries.isEmpty else { return }
        try await alertOutput.send(.alerts(lines: lines, entries: entries, framedAt: framedAt))
    }

    /// Builds the alerts of scheduled runs' rows: at most max_signals per rule and run (Kibana
    /// appends `LIMIT max_signals`), the rest counted.
    private func sendRunAlerts(for rows: inout [ESQLRunRow], _ stats: inout PipelineStats) async throws {
        let now = Timestamp.nowMilliseconds()
        var lines: [UInt8] = []
        var entries: [AlertEntry] = []
        for row in rows {
            let rule = ruleSet.rules[row.rule]
            // The run's own bucket: rows of one run share one max_signals allowance.
            guard let bucket = admitSignal(rule: row.rule, at: row.run - 1, &stats) else { continue }
            let built: AlertBuilder.Built
            if let event = row.event {
                built = builder.alert(rule: rule, source: AlertBuilder.Source(line: event.line[...], position: event.position, index: event.index),
                                      eventTime: event.time, now: now, ruleMembers: ruleMembers[row.rule], row: row.slots)
            } else {
                built = builder.aggregateAlert(rule: rule, row: row, now: now, ruleMembers: ruleMembers[row.rule])
            }
            lines.append(contentsOf: built.line)
            entries.append(AlertEntry(rule: row.rule, bucket: bucket, eventTime: row.run - 1, group: nil, end: lines.count))
        }
        rows.removeAll(keepingCapacity: true)
        guard !entries.isEmpty else { return }
        try await alertOutput.send(.alerts(lines: lines, entries: entries, framedAt: .now))
    }
}
