import Testing
@testable import TriplineCore

@Suite struct BoundedChannelTests {
    typealias Machine = BoundedChannelStateMachine<Int, String, String>

    @Test func producersWaitWhenFullAndAreReleasedInOrder() {
        var machine = Machine(capacity: 2)
        guard case .proceed = machine.send(1, waiter: "p1") else { Issue.record("first send proceeds"); return }
        guard case .proceed = machine.send(2, waiter: "p2") else { Issue.record("second send proceeds"); return }
        guard case .suspendProducer = machine.send(3, waiter: "p3") else { Issue.record("third send waits"); return }
        guard case .suspendProducer = machine.send(4, waiter: "p4") else { Issue.record("fourth send waits"); return }
        guard case .element(1, let released) = machine.next() else { Issue.record("1 first"); return }
        #expect(released == "p3")
        guard case .element(2, let released2) = machine.next() else { Issue.record("2 next"); return }
        #expect(released2 == "p4")
        guard case .element(3, nil) = machine.next() else { Issue.record("3 next"); return }
        guard case .element(4, nil) = machine.next() else { Issue.record("4 next"); return }
        guard case .suspendConsumer = machine.next() else { Issue.record("empty: consumer waits"); return }
        #expect(machine.highWater == 4)
    }

    @Test func aDeliveredElementIsReleasedAtOnceThoughTheChannelNeverRunsDry() {
        final class Payload {}
        var machine = BoundedChannelStateMachine<Payload, String, String>(capacity: 4)
        weak var delivered: Payload?
        do {
            let first = Payload()
            delivered = first
            _ = machine.send(first, waiter: "p")
            _ = machine.send(Payload(), waiter: "p")
            guard case .element = machine.next() else { Issue.record("no element"); return }
        }
        // One element is still buffered; the delivered one must not be kept alive with it.
        #expect(machine.depth == 1)
        #expect(delivered == nil)
    }

    @Test func finishDrainsThenEnds() {
        var machine = Machine(capacity: 1)
        _ = machine.send(7, waiter: "p")
        _ = machine.finish()
        guard case .rejected = machine.send(8, waiter: "q") else { Issue.record("no sends after finish"); return }
        guard case .element(7, _) = machine.next() else { Issue.record("buffered element delivered"); return }
        guard case .endOfStream = machine.next() else { Issue.record("then the end"); return }
    }

    @Test func asyncProducerIsHeldBackByASlowConsumer() async throws {
        let channel = BoundedChannel<Int>(name: "t", capacity: 3)
        let producer = Task {
            for i in 0..<100 { try await channel.send(i) }
            channel.finish()
        }
        try await Task.sleep(for: .milliseconds(50))
        // The consumer has read nothing: the producer is stuck after filling the buffer.
        #expect(channel.depth == 3)
        var received: [Int] = []
        for await value in channel { received.append(value) }
        try await producer.value
        #expect(received == Array(0..<100))
        #expect(channel.highWater <= 4)
    }
}
