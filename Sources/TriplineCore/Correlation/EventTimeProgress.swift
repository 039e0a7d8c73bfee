import Synchronization

/// The watermark's source: the latest event time of the step matches of every batch up to the
/// last one all workers have finished, in intake order.
///
/// Only a finished prefix of batches counts, so a worker running ahead of another never
/// makes the other's (earlier) matches late: which events are late depends on the input's
/// order and the allowed lateness, never on how the workers were scheduled.
final class EventTimeProgress: Sendable {
    private struct State {
        /// Per batch not yet in the finished prefix: units still running, and their latest time.
        var running: [Int: (units: Int, latest: Int64)] = [:]
        var nextToFinish = 0
        var latest = Int64.min
    }

    private let state = Mutex(State())

    /// A batch dealt to `units` workers (batches come in intake order, numbered from 0), its
    /// own events as late as `latest`; returns the new latest time if the batch went to no worker
    /// and the finished prefix moved it on.
    func dealt(batch: Int, units: Int, latest: Int64?) -> Int64? {
        state.withLock { state in
            state.running[batch] = (units, latest ?? .min)
            return Self.finishPrefix(&state)
        }
    }

    /// A worker is done with its unit of `batch`, its step matches sent; returns the new latest
    /// time when the finished prefix moved it on.
    func finished(batch: Int, latest: Int64) -> Int64? {
        state.withLock { state in
            guard var entry = state.running[batch] else { return nil }
            entry.units -= 1
            entry.latest = max(entry.latest, latest)
            state.running[batch] = entry
            return Self.finishPrefix(&state)
        }
    }

    private static func finishPrefix(_ state: inout State) -> Int64? {
        let before = state.latest
        while let entry = state.running[state.nextToFinish], entry.units <= 0 {
            state.latest = max(state.latest, entry.latest)
            state.running[state.nextToFinish] = nil
            state.nextToFinish += 1
        }
        return state.latest > before ? state.latest : nil
    }
}

/// How far event time has come in a batch: the latest `@timestamp` of its last few valid lines,
/// read apart from the rules' extraction (a line the prefilter skipped was not read, and events
/// that meet no rule must move event time on too, or a quiet rule's window would wait for the
/// end of input).
struct BatchClock {
    private var scanner = JSONLineScanner(plan: FieldPlan(paths: ["@timestamp"]))
    private var values: [FieldValue] = []
    private var scratch: [UInt8] = []

    mutating func latestTime(_ extracted: ExtractedBatch) -> Int64? {
        let batch = extracted.batch
        return batch.withUnsafeBytes { raw in
            var latest: Int64?
            // Skipped lines count too (`isValid` is false for them: not extracted); a line the
            // scanner refuses does not.
            for line in (0..<batch.lineCount).suffix(4) {
                values.removeAll(keepingCapacity: true)
                guard (try? scanner.scan(raw, line: batch.lines[line], into: &values)) != nil, let value = values.first,
                      case .date(let time)? = value.typed(.date, in: raw, scratch: &scratch) else { continue }
                latest = max(latest ?? .min, time)
            }
            return latest
        }
    }
}
