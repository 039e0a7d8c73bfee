import Synchronization

/// Thrown by `send` when the consumer has stopped reading.
public struct ChannelClosedError: Error, Sendable, Hashable {
    public init() {}
}

/// A bounded, multi-producer, single-consumer async channel between pipeline stages.
///
/// `send` suspends while `capacity` elements wait, so a slow stage holds back the stage before
/// it all the way to the source: this is how backpressure reaches the socket. It carries
/// batches, never single events, so the lock and continuation cost is paid per megabyte.
public final class BoundedChannel<Element: Sendable>: Sendable, AsyncSequence {
    private typealias Machine = BoundedChannelStateMachine<
        Element, CheckedContinuation<Void, any Error>, CheckedContinuation<Element?, Never>
    >
    private let state: Mutex<Machine>
    public let name: String

    public init(name: String, capacity: Int) {
        self.name = name
        self.state = Mutex(Machine(capacity: capacity))
    }

    public func send(_ element: Element) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let action = state.withLock { $0.send(element, waiter: continuation) }
            switch action {
            case .proceed: continuation.resume()
            case .resumeConsumer(let consumer, let element):
                continuation.resume()
                consumer.resume(returning: element)
            case .suspendProducer: break
            case .rejected: continuation.resume(throwing: ChannelClosedError())
            }
        }
    }

    /// The next element, or nil once the channel is finished and drained.
    public func next() async -> Element? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
            let action = state.withLock { machine -> Machine.NextAction in
                let action = machine.next()
                if case .suspendConsumer = action { machine.consumerWaits(continuation) }
                return action
            }
            switch action {
            case .element(let element, let producer):
                producer?.resume()
                continuation.resume(returning: element)
            case .endOfStream: continuation.resume(returning: nil)
            case .suspendConsumer: break
            }
        }
    }

    /// No more elements will be sent; the consumer drains what is buffered, then sees the end.
    public func finish() {
        state.withLock { $0.finish() }?.resume(returning: nil)
    }

    /// The consumer gives up: producers waiting or sending later get `ChannelClosedError`.
    public func close() {
        let (producers, consumer) = state.withLock { $0.close() }
        for producer in producers { producer.resume(throwing: ChannelClosedError()) }
        consumer?.resume(returning: nil)
    }

    /// Elements buffered now, for queue-depth metrics.
    public var depth: Int { state.withLock { $0.depth } }
    public var highWater: Int { state.withLock { $0.highWater } }
    public var capacity: Int { state.withLock { $0.capacity } }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel
        public mutating func next() async -> Element? { await channel.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
