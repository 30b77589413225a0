import Testing
@testable import VigilCore
@testable import VigilRuntime

/// The daemon's queues are bounded where a flood can come from, and lose nothing else: past
/// `DaemonInbox.packetLimit` waiting packets a new one is dropped and counted, while results of
/// actions are always kept, in order; a tick or housekeeping already waiting is not queued twice.
@Suite struct DaemonQueuesTests {
    static let envelope = Envelope(clusterID: 1, from: "a", incarnation: 1, to: "b", network: "lan", message: .decline(
        Decline(epoch: 2, promised: 3, follows: "a")))

    static func heartbeat(from node: String, network: String = "lan", stamp: Duration) -> Envelope {
        Envelope(clusterID: 1, from: node, incarnation: 1, to: "b", network: network, message: .heartbeat(
            Heartbeat(view: ViewID(epoch: 1, coordinator: "a"), installedEpoch: 1, stamp: stamp, echo: nil)))
    }

    /// A heartbeat that arrives while an older one of its stream waits replaces it, at the end of
    /// the queue (after what arrived between them); other streams, relays of other origins and
    /// every other input are kept, in order.
    @Test func aNewerHeartbeatReplacesTheOneOfItsStreamThatWaits() async {
        let inbox = DaemonInbox()
        var relayed = Self.heartbeat(from: "c", stamp: .milliseconds(7))
        relayed.to = "b"
        func relay(_ inner: Envelope) -> Envelope {
            Envelope(clusterID: 1, from: "a", incarnation: 1, to: "b", network: "lan",
                     message: .relay(Relay(inner: inner, trail: [inner.from, "a"])))
        }
        var relayedFromD = relayed
        relayedFromD.from = "d"
        inbox.push(.received(Self.heartbeat(from: "a", stamp: .milliseconds(1))))
        inbox.push(.received(Self.heartbeat(from: "a", network: "wan", stamp: .milliseconds(1))))
        inbox.push(.received(relay(relayed)))
        inbox.push(.received(Self.envelope))
        inbox.push(.received(relay(relayedFromD)))
        inbox.push(.received(Self.heartbeat(from: "a", stamp: .milliseconds(2))))
        inbox.push(.actionsFinished(1, .succeeded))
        inbox.push(.received(Self.heartbeat(from: "a", stamp: .milliseconds(3))))
        relayed.message = .heartbeat(Heartbeat(view: ViewID(epoch: 1, coordinator: "a"), installedEpoch: 1, stamp: .milliseconds(8), echo: nil))
        inbox.push(.received(relay(relayed)))
        inbox.finish()
        var seen: [String] = []
        while let input = await inbox.next() {
            switch input {
            case .received(let envelope):
                switch envelope.message {
                case .heartbeat(let beat): seen.append("beat \(envelope.from) \(envelope.network) \(beat.stamp)")
                case .relay(let relay):
                    if case .heartbeat(let beat) = relay.inner.message { seen.append("relay \(relay.inner.from) \(beat.stamp)") }
                default: seen.append("decline")
                }
            case .actionsFinished(let id, _): seen.append("result \(id)")
            default: Issue.record("unexpected input \(input)")
            }
        }
        #expect(seen == [
            "beat a wan 0.001 seconds", "decline", "relay d 0.007 seconds", "result 1", "beat a lan 0.003 seconds",
            "relay c 0.008 seconds",
        ])
        #expect(inbox.coalescedHeartbeats == 3)
        #expect(inbox.droppedPackets == 0)
    }

    /// The packets waiting at the head of the queue are taken together, up to the limit, skipping
    /// heartbeats a newer one replaced and stopping at the first other input or configuration message.
    @Test func thePacketsWaitingAtTheHeadAreTakenTogether() async {
        let inbox = DaemonInbox()
        var config = Self.envelope
        config.message = .config(.announce(version: 2))
        inbox.push(.received(Self.envelope))
        inbox.push(.received(Self.heartbeat(from: "a", stamp: .milliseconds(1))))
        inbox.push(.received(Self.envelope))
        inbox.push(.received(Self.heartbeat(from: "a", stamp: .milliseconds(2))))
        inbox.push(.received(Self.heartbeat(from: "c", stamp: .milliseconds(3))))
        inbox.push(.received(config))
        inbox.push(.received(Self.envelope))
        inbox.push(.tick)
        _ = await inbox.next()
        #expect(inbox.takeWaitingPackets(limit: 2) == [Self.envelope, Self.heartbeat(from: "a", stamp: .milliseconds(2))])
        #expect(inbox.takeWaitingPackets(limit: 10) == [Self.heartbeat(from: "c", stamp: .milliseconds(3))])
        #expect(inbox.takeWaitingPackets(limit: 10) == [])
        inbox.finish()
        var rest: [String] = []
        while let input = await inbox.next() {
            switch input {
            case .received(let envelope): rest.append(envelope == config ? "config" : "packet")
            case .tick: rest.append("tick")
            default: rest.append("other")
            }
        }
        #expect(rest == ["config", "packet", "tick"])
    }

    /// Coalesced heartbeats make room: a full inbox still takes the newest beat of a stream that waits.
    @Test func aFullInboxStillTakesTheNewestBeatOfAWaitingStream() async {
        let inbox = DaemonInbox()
        inbox.push(.received(Self.heartbeat(from: "a", stamp: .milliseconds(1))))
        for _ in 1..<DaemonInbox.packetLimit { inbox.push(.received(Self.envelope)) }
        inbox.push(.received(Self.envelope))
        #expect(inbox.droppedPackets == 1)
        inbox.push(.received(Self.heartbeat(from: "a", stamp: .milliseconds(2))))
        #expect(inbox.droppedPackets == 1)
        #expect(inbox.coalescedHeartbeats == 1)
        inbox.finish()
        var last: Envelope?
        while let input = await inbox.next() { if case .received(let envelope) = input { last = envelope } }
        #expect(last == Self.heartbeat(from: "a", stamp: .milliseconds(2)))
    }

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
