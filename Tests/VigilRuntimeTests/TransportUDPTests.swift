import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing
@testable import VigilCore
import VigilModel
@testable import VigilRuntime

/// Real sockets on loopback addresses (all of 127/8 reaches lo without configuring anything):
/// two transports exchange envelopes; forged and garbage datagrams are counted and never delivered.
@Suite(.serialized) struct TransportUDPTests {
    static let clusterID = 20

    /// Two nodes, `a` and `b`, each with one adapter on the IP network `lan`.
    static func config(base: UInt32) -> ClusterConfig {
        func node(_ name: String, _ last: UInt32) -> Node {
            Node(name: name, interfaces: [Interface(
                name: "en0", label: "\(name)_boot", role: .boot, address: IPv4Address(base + last), network: "lan")])
        }
        return ClusterConfig(
            name: "pair", id: clusterID,
            networks: [Network(name: "lan", type: "ether", kind: .ip(attribute: .private, netmask: IPv4Address(0xFFFF_FF00)))],
            nodes: [node("a", 1), node("b", 2)])
    }

    static let base = IPv4Address("127.0.77.0")!.value

    struct Pair {
        let book: AddressBook
        let a: UDPTransport
        let b: UDPTransport
        let group: MultiThreadedEventLoopGroup
    }

    func withPair(_ body: (Pair) async throws -> Void) async throws {
        let config = Self.config(base: Self.base)
        let book = AddressBook(config: config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let codec = try WireFixture.codec(clusterID: Self.clusterID)
        let a = try await UDPTransport.bind(node: "a", endpoints: book.endpoints(of: "a"), port: 0, codec: codec, group: group)
        let b = try await UDPTransport.bind(node: "b", endpoints: book.endpoints(of: "b"), port: 0, codec: codec, group: group)
        do {
            try await body(Pair(book: book, a: a, b: b, group: group))
        } catch {
            await a.close(); await b.close()
            try await group.shutdownGracefully()
            throw error
        }
        await a.close(); await b.close()
        try await group.shutdownGracefully()
    }

    /// The next envelope delivered by `transport`, or a failure after 5 seconds.
    func next(_ transport: UDPTransport) async throws -> ReceivedEnvelope {
        try await withThrowingTaskGroup(of: ReceivedEnvelope?.self) { group in
            group.addTask {
                var iterator = transport.inbound.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let first else { throw TimedOut() }
            return first
        }
    }

    struct TimedOut: Error {}

    func address(_ transport: UDPTransport) throws -> SocketAddress { try #require(transport.boundAddress(of: transport.localAddresses[0])) }

    @Test func twoTransportsExchangeEnvelopes() async throws {
        try await withPair { pair in
            var beat = WireFixture.heartbeat(from: "a", to: "b", clusterID: Self.clusterID)
            beat.network = "lan"
            beat.fromAdapter = "en0"
            beat.toAdapter = "en0"
            try await pair.a.send(beat, to: address(pair.b), from: pair.a.localAddresses[0])
            let received = try await next(pair.b)
            #expect(received.envelope == beat)
            #expect(received.local.node == "b" && received.local.adapter == "en0" && received.local.network == "lan")
            #expect(received.remote == (try address(pair.a)))

            var state = WireFixture.everyMessage(clusterID: Self.clusterID)[6]
            (state.from, state.to) = ("b", "a")
            try await pair.b.send(state, to: address(pair.a), from: pair.b.localAddresses[0])
            #expect(try await next(pair.a).envelope == state)
            #expect(pair.a.counters.snapshot.accepted == 1 && pair.a.counters.snapshot.received == 1)
            #expect(pair.b.counters.snapshot.sent == 1)
        }
    }

    /// A paused socket (`readPause`) is read once per pause: packets that come while it rests, in
    /// several bursts, arrive together, whole and in order; and one `sendNow` batch carrying the
    /// same agreed state to several addressees encodes it once, each packet still addressed as its
    /// envelope says.
    @Test func aPausedSocketDeliversWhatCameWhileItRested() async throws {
        let config = Self.config(base: Self.base + 16)
        let book = AddressBook(config: config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let codec = try WireFixture.codec(clusterID: Self.clusterID)
        let deliveries = NIOLockedValueBox<[[Envelope]]>([])
        let a = try await UDPTransport.bind(node: "a", endpoints: book.endpoints(of: "a"), port: 0, codec: codec, group: group)
        let b = try await UDPTransport.bind(
            node: "b", endpoints: book.endpoints(of: "b"), port: 0, codec: codec, group: group, readPause: .milliseconds(300),
            deliver: { batch in deliveries.withLockedValue { $0.append(batch.map(\.envelope)) } })
        let target = try #require(b.boundAddress(of: b.localAddresses[0]))
        func send(_ envelopes: [Envelope]) {
            a.sendNow(envelopes.map { UDPTransport.Outbound(envelope: $0, local: a.localAddresses[0], remote: target) }, spawn: { _ in false }) { _, _ in }
        }
        var state = WireFixture.everyMessage(clusterID: Self.clusterID)[6]
        (state.from, state.to, state.network) = ("a", "b", "lan")
        var elsewhere = state
        elsewhere.to = "c"
        // The first packet is read at once; the socket then rests while four bursts come.
        send([state, elsewhere, state])
        try await Task.sleep(for: .milliseconds(40))
        var beats: [Envelope] = []
        for burst in 0..<4 {
            var sent: [Envelope] = []
            for index in 1...10 {
                var beat = WireFixture.heartbeat(from: "a", to: "b", clusterID: Self.clusterID)
                (beat.network, beat.fromAdapter, beat.toAdapter) = ("lan", "en0", "en0")
                if case .heartbeat(var body) = beat.message {
                    body.stamp = .milliseconds(burst * 10 + index)
                    beat.message = .heartbeat(body)
                }
                sent.append(beat)
            }
            send(sent)
            beats += sent
            try await Task.sleep(for: .milliseconds(30))
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while deliveries.withLockedValue({ $0.joined().count }) < beats.count + 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let received = deliveries.withLockedValue { $0 }
        await a.close(); await b.close()
        try await group.shutdownGracefully()
        // The state for "c" is misaddressed at b and dropped; the others all arrive, in order.
        #expect(Array(received.joined()) == [state, state] + beats)
        #expect(received.count <= 3, "\(received.map(\.count)): the bursts should have waited for the pause to end")
        #expect(b.counters.snapshot.received == UInt64(beats.count + 3))
    }

    /// A socket whose packets come further apart than its pause reads each as it comes: its
    /// first packet after a quiet spell does not wait for a pause (a long one here, 20 s); only a
    /// read that follows another within the pause makes the socket rest.
    @Test func aSocketReadSeldomDoesNotRest() async throws {
        let config = Self.config(base: Self.base + 24)
        let book = AddressBook(config: config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let codec = try WireFixture.codec(clusterID: Self.clusterID)
        let deliveries = NIOLockedValueBox<[Envelope]>([])
        let a = try await UDPTransport.bind(node: "a", endpoints: book.endpoints(of: "a"), port: 0, codec: codec, group: group)
        let b = try await UDPTransport.bind(
            node: "b", endpoints: book.endpoints(of: "b"), port: 0, codec: codec, group: group, readPause: .seconds(20),
            deliver: { batch in deliveries.withLockedValue { $0 += batch.map(\.envelope) } })
        let target = try #require(b.boundAddress(of: b.localAddresses[0]))
        func beat(_ stamp: Int) -> Envelope {
            var beat = WireFixture.heartbeat(from: "a", to: "b", clusterID: Self.clusterID)
            (beat.network, beat.fromAdapter, beat.toAdapter) = ("lan", "en0", "en0")
            if case .heartbeat(var body) = beat.message {
                body.stamp = .milliseconds(stamp)
                beat.message = .heartbeat(body)
            }
            return beat
        }
        func send(_ envelope: Envelope) {
            a.sendNow([UDPTransport.Outbound(envelope: envelope, local: a.localAddresses[0], remote: target)], spawn: { _ in false }) { _, _ in }
        }
        func delivered(_ count: Int) async -> Bool {
            await eventually(within: .seconds(10)) { deliveries.withLockedValue { $0.count } >= count }
        }
        // The first read, then a second one at once (before, each read rested 20 s).
        send(beat(1))
        #expect(await delivered(1))
        send(beat(2))
        #expect(await delivered(2), "the second packet waited for a pause after a lone read")
        // Two reads within the pause: the socket rests now, and the third packet waits.
        send(beat(3))
        try await Task.sleep(for: .milliseconds(500))
        let whileResting = deliveries.withLockedValue { $0 }
        await a.close(); await b.close()
        try await group.shutdownGracefully()
        #expect(whileResting == [beat(1), beat(2)])
    }

    @Test func theAddressBookRoutesHeartbeatsByAdapter() throws {
        let book = AddressBook(config: Self.config(base: Self.base))
        #expect(book.address(node: "b", network: "lan", adapter: "en0") == IPv4Address("127.0.77.2"))
        #expect(book.endpoints(of: "a").map(\.address) == [IPv4Address("127.0.77.1")!])
        #expect(book.owner(of: IPv4Address("127.0.77.2")!)?.node == "b")
        let scream = try WireFixture.scream()
        let ghost1 = AddressBook(config: scream).endpoints(of: "ghost1")
        // tr0 carries the node's service label and its boot address: the boot address is the adapter's.
        #expect(ghost1.map { "\($0.network)/\($0.adapter) \($0.address)" } == [
            "token/tr0 9.3.187.184", "token/tr1 192.168.187.184", "ether/en0 192.168.1.184"])
    }

    @Test func aPacketWithTheWrongKeyIsDroppedAndCounted() async throws {
        try await withPair { pair in
            let forger = try await UDPTransport.bind(
                node: "a", endpoints: [AddressBook.Endpoint(node: "a", network: "lan", adapter: "en1", address: IPv4Address("127.0.77.3")!)],
                port: 0, codec: try WireFixture.codec(clusterID: Self.clusterID, secret: Array("not the cluster's key at all".utf8)),
                group: pair.group)
            var forged = WireFixture.everyMessage(clusterID: Self.clusterID)[5]
            (forged.from, forged.to) = ("a", "b")
            try await forger.send(forged, to: address(pair.b), from: forger.localAddresses[0])
            await forger.close()
            var genuine = forged
            genuine.message = .decline(Decline(epoch: 1, promised: 2, follows: "a"))
            try await pair.a.send(genuine, to: address(pair.b), from: pair.a.localAddresses[0])
            #expect(try await next(pair.b).envelope == genuine)
            let counts = pair.b.counters.snapshot
            #expect(counts[.badTag] == 1)
            #expect(counts.received == 2 && counts.accepted == 1)
        }
    }

    @Test func garbageAndMisaddressedDatagramsAreCountedAndIgnored() async throws {
        try await withPair { pair in
            let raw = try await DatagramBootstrap(group: pair.group)
                .bind(to: SocketAddress(IPv4Address("127.0.77.4")!, port: 0)).get()
            var random = SplitMix64(seed: 42)
            for size in [0, 3, 60, 500] {
                let data = ByteBuffer(bytes: random.bytes(size))
                try await raw.writeAndFlush(AddressedEnvelope(remoteAddress: address(pair.b), data: data)).get()
            }
            var magicOnly = ByteBuffer(bytes: PacketCodec.magic + random.bytes(80))
            try await raw.writeAndFlush(AddressedEnvelope(remoteAddress: address(pair.b), data: magicOnly)).get()
            magicOnly.clear()
            try await raw.close()
            var elsewhere = WireFixture.heartbeat(from: "a", to: "c", clusterID: Self.clusterID)
            elsewhere.network = "lan"
            try await pair.a.send(elsewhere, to: address(pair.b), from: pair.a.localAddresses[0])
            let good = WireFixture.heartbeat(from: "a", to: "b", clusterID: Self.clusterID)
            try await pair.a.send(good, to: address(pair.b), from: pair.a.localAddresses[0])
            #expect(try await next(pair.b).envelope == good)
            let counts = pair.b.counters.snapshot
            #expect(counts.received == 7)
            #expect(counts.accepted == 1)
            #expect(counts[.misaddressed] == 1)
            #expect(counts[.tooShort] == 2)
            #expect(counts[.badMagic] + counts[.unsupportedVersion] + counts[.wrongCluster] + counts[.lengthMismatch] == 3)
            #expect(counts.droppedTotal == 6)
        }
    }

    @Test func sendingWithoutASocketOrAnAddressFails() async throws {
        try await withPair { pair in
            let beat = WireFixture.heartbeat(from: "a", to: "b", clusterID: Self.clusterID)
            await #expect(throws: TransportError.noSocket(IPv4Address("127.0.77.9")!)) {
                try await pair.a.send(beat, to: try address(pair.b), from: IPv4Address("127.0.77.9")!)
            }
            // The fixture's heartbeat names the network `token`, which this book does not know.
            await #expect(throws: TransportError.self) { try await pair.a.send(beat, book: pair.book) }
            #expect(pair.a.counters.snapshot.sendFailed == 2)
        }
    }
}

/// Replays and shutdown: a heartbeat is taken once per path and stamp; the transport runs as a
/// service and closes on graceful shutdown.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TransportReplayTests {
    @Test func aReplayedHeartbeatIsDroppedAndANewerOneTaken() async throws {
        let harness = TransportUDPTests()
        try await harness.withPair { pair in
            var beat = WireFixture.heartbeat(from: "a", to: "b", clusterID: TransportUDPTests.clusterID)
            let to = try harness.address(pair.b)
            try await pair.a.send(beat, to: to, from: pair.a.localAddresses[0])
            #expect(try await harness.next(pair.b).envelope == beat)
            try await pair.a.send(beat, to: to, from: pair.a.localAddresses[0])
            // The same stamp on another adapter pair is another path: taken.
            var otherPath = beat
            otherPath.toAdapter = "tr0"
            try await pair.a.send(otherPath, to: to, from: pair.a.localAddresses[0])
            #expect(try await harness.next(pair.b).envelope == otherPath)
            guard case .heartbeat(var newer) = beat.message else { return }
            newer.stamp += .milliseconds(200)
            beat.message = .heartbeat(newer)
            try await pair.a.send(beat, to: to, from: pair.a.localAddresses[0])
            #expect(try await harness.next(pair.b).envelope == beat)
            let counts = pair.b.counters.snapshot
            #expect(counts[.replayed] == 1)
            #expect(counts.received == 4 && counts.accepted == 3)
        }
    }

    @Test func theTransportClosesOnGracefulShutdown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let endpoint = AddressBook.Endpoint(node: "a", network: "lan", adapter: "en0", address: IPv4Address("127.0.77.5")!)
        let transport = try await UDPTransport.bind(
            node: "a", endpoints: [endpoint], port: 0, codec: try WireFixture.codec(clusterID: TransportUDPTests.clusterID), group: group)
        let services = ServiceGroup(configuration: .init(services: [transport], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await services.run() }
            tasks.addTask {
                for await _ in transport.inbound {}
                // inbound ended: the transport closed.
            }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(transport.boundAddress(of: endpoint.address) == nil, "the socket is closed")
        try await group.shutdownGracefully()
    }
}
