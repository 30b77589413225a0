import Testing
@testable import VigilCore
@testable import VigilRuntime

/// The daemon's queues are bounded where a flood can come from, and lose nothing else: past
/// `DaemonInbox.packetLimit` waiting packets a new one is dropped and counted, while results of
/// actions are always kept, in order; a tick or housekeeping already waiting is not queued twice.
@Suite struct DaemonQueuesTests {
    static let envelope = Envelope(clusterID: 1, from: "a", incarnation: 1, to: "b", network: "lan", message: .heartbeat(
        Heartbeat(view: ViewID(epoch: 1, coordinator: "a"), installedEpoch: 1, stamp: .zero, echo: nil)))

    @Test func packetsPastTheLimitAreDroppedAndCountedResultsNever() async {
        let inbox = DaemonInbox()
        for _ in 0..<(DaemonInbox.packetLimit + 10) { inbox.push(.received(Self.envelope)) }
        for id in UInt64(1)...5 { inbox.push(.actionsFinished(id, .succeeded)) }
        inbox.push(.tick)
        inbox.push(.tick)
        inbox.finish()
        #expect(inbox.droppedPackets == 10)
        var packets = 0
        var results: [UInt64] = []
        var ticks = 0
        while let input = await inbox.next() {
            switch input {
            case .received: packets += 1
            case .actionsFinished(let id, _): results.append(id)
            case .tick: ticks += 1
            default: Issue.record("unexpected input \(input)")
            }
        }
        #expect(packets == DaemonInbox.packetLimit)
        #expect(results == [1, 2, 3, 4, 5], "a result was lost or reordered")
        #expect(ticks == 1)
        // Taken off the queue, packets count no more: new ones are accepted again.
        let again = DaemonInbox()
        for _ in 0..<DaemonInbox.packetLimit { again.push(.received(Self.envelope)) }
        _ = await again.next()
        again.push(.received(Self.envelope))
        #expect(again.droppedPackets == 0)
    }

    @Test func hookRunsPastTheLimitAreDroppedAndCountedBatchesNever() {
        let queue = HostWorkQueue()
        let hooks = HookInvocation(event: .nodeUp(node: "a"), phase: .pre)
        for _ in 0..<HostWorkQueue.hookLimit { #expect(queue.add(hooks)) }
        #expect(!queue.add(hooks))
        #expect(queue.droppedHooks == 1)
        queue.add(ActionBatch(id: 1, group: "g", purpose: .acquire, actions: []))
        queue.took(.hooks(hooks))
        #expect(queue.add(hooks), "a hook run taken off the queue makes room")
    }

    @Test func jobsPastTheLimitAreRefusedAndCounted() async {
        let jobs = DaemonJobs()
        let gate = AsyncStream<Void>.makeStream()
        for _ in 0..<DaemonJobs.limit { #expect(jobs.submit { for await _ in gate.stream {} }) }
        #expect(!jobs.submit {})
        #expect(jobs.refused == 1)
        gate.continuation.finish()
    }
}
