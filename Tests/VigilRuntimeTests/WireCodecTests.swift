import Foundation
import NIOCore
import Testing
@testable import VigilCore
import VigilModel
@testable @_spi(Fuzzing) import VigilRuntime

/// Every message survives the trip through a packet unchanged, and the hot path stays small.
@Suite struct WireCodecTests {
    @Test func everyMessageCaseRoundTrips() throws {
        let codec = try WireFixture.codec()
        let envelopes = WireFixture.everyMessage()
        let cases = Set(envelopes.map { "\($0.message)".prefix { $0 != "(" } })
        #expect(cases.count == 8, "every Message case is covered: \(cases.sorted())")
        for envelope in envelopes {
            let packet = try codec.encode(envelope)
            let decoded = try codec.decode(packet)
            #expect(decoded == envelope)
        }
    }

    @Test func heartbeatsTravelInBinaryAndTheRestInJSON() throws {
        let codec = try WireFixture.codec()
        for envelope in WireFixture.everyMessage() {
            let packet = try codec.encodeBytes(envelope)
            let isHeartbeat = if case .heartbeat = envelope.message { true } else { false }
            #expect(packet[5] == (isHeartbeat ? PayloadKind.binaryHeartbeat : .json).rawValue)
        }
    }

    /// Heartbeats relayed through others are as frequent as direct ones while a large cluster
    /// forms: they travel in binary too, every field kept; a relayed proposal stays JSON.
    @Test func relayedHeartbeatsTravelInBinary() throws {
        let codec = try WireFixture.codec()
        var inner = WireFixture.heartbeat()
        inner.message = .heartbeat(
            Heartbeat(
                view: ViewID(epoch: 9, coordinator: "ghost1"), installedEpoch: 8, stamp: .milliseconds(12_345),
                echo: .milliseconds(12_001), ipPeers: ["ghost2", "ghost4"], urgent: true,
                links: NodeMask(words: [0b1001]), hearsYou: false, grants: true, linksVersion: 4))
        let relay = Envelope(
            clusterID: inner.clusterID, from: "ghost2", incarnation: 5, to: "ghost4", network: "token",
            fromAdapter: "ghost2_tok", toAdapter: nil,
            message: .relay(Relay(inner: inner, trail: [inner.from, "ghost2"])))
        let packet = try codec.encodeBytes(relay)
        #expect(packet[5] == PayloadKind.binaryRelayedHeartbeat.rawValue)
        #expect(try codec.decode(bytes: packet) == relay)
        var proposal = inner
        proposal.message = .propose(Proposal(epoch: 3, coordinator: "ghost1", members: ["ghost1": 1]))
        var relayedProposal = relay
        relayedProposal.message = .relay(Relay(inner: proposal, trail: [proposal.from, "ghost2"]))
        let proposalPacket = try codec.encodeBytes(relayedProposal)
        #expect(proposalPacket[5] == PayloadKind.json.rawValue)
        #expect(try codec.decode(bytes: proposalPacket) == relayedProposal)
        // Every shorter payload is refused, never read past its end.
        let payload = Array(packet[PacketCodec.headerSize..<(packet.count - PacketCodec.tagSize)])
        for length in 0..<payload.count {
            let cut = codec.seal(payload: Array(payload[..<length]), kind: PayloadKind.binaryRelayedHeartbeat.rawValue)
            #expect(throws: PacketError.self) { try codec.decode(bytes: cut) }
        }
    }

    /// A message that arrives again (the copy sent to the node's other adapter, byte for byte) is
    /// taken from the transport's memo, not decoded again; its addressing is still read from the
    /// packet, its tag still checked, and a message that differs in one byte is decoded afresh.
    @Test func aMessageThatArrivesAgainIsDecodedOnce() throws {
        let codec = try WireFixture.codec()
        let memo = MessageDecodeMemo()
        // As the loop sends a batch: each message's JSON encoded once for all its packets.
        var json = MessageJSONMemo()
        func packet(_ envelope: Envelope) throws -> ByteBuffer {
            try codec.encode(envelope, allocator: ByteBufferAllocator(), memo: &json)
        }
        let messages = WireFixture.everyMessage().filter { if case .heartbeat = $0.message { false } else { true } }
        for envelope in messages {
            #expect(try codec.decode(packet(envelope), memo: memo) == envelope)
        }
        #expect(memo.hits == 0)
        // The agreed state, and its copy to another address of the node (the same JSON).
        let state = try #require(messages.first { if case .state = $0.message { true } else { false } })
        var copy = state
        copy.to = "ghost4"
        #expect(try codec.decode(packet(state), memo: memo) == state)
        #expect(memo.hits == 0, "decoded earlier, but four other messages came since")
        #expect(try codec.decode(packet(copy), memo: memo) == copy)
        #expect(memo.hits == 1)
        // One field of the state changed: decoded, not the remembered one.
        guard case .state(var changed) = state.message else { Issue.record("not a state"); return }
        changed.epoch += 1
        var next = state
        next.message = .state(changed)
        #expect(try codec.decode(packet(next), memo: memo) == next)
        #expect(memo.hits == 1)
        // A copy with a broken tag is refused before the memo is asked.
        var forged = Array(try packet(next).readableBytesView)
        forged[forged.count - 1] ^= 1
        #expect(throws: PacketError.self) { try codec.decode(ByteBuffer(bytes: forged), memo: memo) }
        #expect(memo.hits == 1)
        // A malformed payload is refused each time, never remembered.
        let bytes = Array(try packet(next).readableBytesView)
        let cut = Array(bytes[PacketCodec.headerSize..<(bytes.count - PacketCodec.tagSize - 5)])
        let garbage = codec.seal(payload: cut, kind: PayloadKind.json.rawValue)
        for _ in 0..<2 {
            #expect(throws: PacketError.self) { try codec.decode(ByteBuffer(bytes: garbage), memo: memo) }
        }
        #expect(memo.hits == 1)
    }

    @Test func aHeartbeatWithoutAdaptersOrEchoRoundTrips() throws {
        let codec = try WireFixture.codec()
        var envelope = WireFixture.heartbeat()
        envelope.fromAdapter = nil
        envelope.toAdapter = nil
        envelope.protocolVersion = 7
        envelope.message = .heartbeat(Heartbeat(view: ViewID(epoch: 0, coordinator: ""), installedEpoch: 0, stamp: .nanoseconds(-5), echo: nil))
        #expect(try codec.decode(codec.encode(envelope)) == envelope)
    }

    /// Measures what the brief asks: a heartbeat stays far below one Ethernet frame (1400 bytes of
    /// payload), whatever the cluster's size, and the agreed state of scream and of 32 nodes.
    @Test func packetSizes() throws {
        let scream = try WireFixture.scream()
        let codec = try WireFixture.codec(clusterID: scream.id)
        let beat = try codec.encodeBytes(WireFixture.heartbeat(clusterID: scream.id))
        let nodes = scream.nodes.map(\.name)
        let screamState = WireFixture.state(nodes: nodes, networks: scream.networks.map(\.name), groups: scream.resourceGroups.map(\.name))
        let stateEnvelope = Envelope(clusterID: scream.id, from: "ghost1", incarnation: 1, to: "ghost2", network: "ether", message: .state(screamState))
        let statePacket = try codec.encodeBytes(stateEnvelope)
        let big = (1...32).map { "node\($0)" }
        let bigState = WireFixture.state(nodes: big, networks: ["public", "private", "disk"], groups: (1...32).map { "group\($0)" })
        let bigPacket = try codec.encodeBytes(Envelope(clusterID: scream.id, from: "node1", incarnation: 1, to: "node2", network: "public", message: .state(bigState)))
        var jsonBeat = WireFixture.heartbeat(clusterID: scream.id)
        jsonBeat.message = .heartbeat(Heartbeat(view: ViewID(epoch: 12, coordinator: "ghost1"), installedEpoch: 12, stamp: .milliseconds(98_765_432), echo: .milliseconds(98_765_001)))
        let jsonBeatBytes = try JSONEncoder().encode(jsonBeat).count + PacketCodec.headerSize + PacketCodec.tagSize
        print("wire sizes: heartbeat \(beat.count) B (as JSON it would be \(jsonBeatBytes) B); scream ClusterState \(statePacket.count) B; 32-node ClusterState \(bigPacket.count) B")
        #expect(beat.count < 200)
        #expect(beat.count < jsonBeatBytes / 2)
        #expect(statePacket.count < PacketCodec.maximumPacketSize)
        #expect(bigPacket.count < PacketCodec.maximumPacketSize)
    }

    @Test func anEnvelopeOfAnotherClusterIsNotEncoded() throws {
        let codec = try WireFixture.codec(clusterID: 20)
        #expect(throws: PacketEncodingError.wrongCluster(envelope: 21, codec: 20)) {
            try codec.encode(WireFixture.heartbeat(clusterID: 21))
        }
    }

    @Test func aNameLongerThanTheLimitIsNotEncoded() throws {
        let codec = try WireFixture.codec()
        let envelope = WireFixture.heartbeat(from: String(repeating: "g", count: WireLimits.maximumNameBytes + 1))
        #expect(throws: PacketEncodingError.self) { try codec.encode(envelope) }
    }

    @Test func aShortClusterKeyIsRefused() throws {
        #expect(throws: ClusterKeyError.tooShort(bytes: 5, minimum: 16)) {
            try ClusterKey(secret: Array("short\n\n".utf8), clusterID: 20)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-key-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ClusterKeyError.self) { try ClusterKey.load(fromFile: path, clusterID: 20) }
        try Data((WireFixture.secret + Array("\n".utf8))).write(to: URL(fileURLWithPath: path))
        let fromFile = PacketCodec(clusterID: 20, key: try ClusterKey.load(fromFile: path, clusterID: 20))
        // The file's final newline is ignored: the key is the same as the secret's.
        #expect(try fromFile.decode(try WireFixture.codec().encode(WireFixture.heartbeat())) == WireFixture.heartbeat())
    }

    @Test func theSameSecretGivesEachClusterItsOwnKey() throws {
        let twenty = try WireFixture.codec(clusterID: 20)
        let other = PacketCodec(clusterID: 20, key: try ClusterKey(secret: WireFixture.secret, clusterID: 21))
        #expect(throws: PacketError(.badTag)) { try other.decode(twenty.encode(WireFixture.heartbeat())) }
    }
}
