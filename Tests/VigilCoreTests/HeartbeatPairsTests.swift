import Testing
import VigilCore
import VigilModel

/// Which adapter heartbeats which: within a subnet when the boot and standby adapters each have one
/// (a packet for the other subnet would leave through whichever adapter routes there, proving
/// nothing, and fail while that adapter is down); every pair when they share a subnet.
@Suite struct HeartbeatPairsTests {
    /// Two nodes with a boot adapter `en0` and a standby `en1` on one network; the standby in
    /// 192.0.2.0/24 (`ownSubnets`) or in the boot subnet.
    static func config(ownSubnets: Bool) -> ClusterConfig {
        let nodes = ["n1", "n2"].enumerated().map { index, name in
            Node(name: name, interfaces: [
                Interface(name: "en0", label: "\(name)_boot", role: .boot, address: IPv4Address("198.51.100.\(11 + index)")!, network: "ether"),
                Interface(name: "en1", label: "\(name)_stby", role: .standby,
                          address: IPv4Address(ownSubnets ? "192.0.2.\(11 + index)" : "198.51.100.\(21 + index)")!, network: "ether"),
            ])
        }
        return ClusterConfig(name: "pairs", id: 1, networks: [CoreFixture.ipNetwork("ether")], nodes: nodes)
    }

    static func pairs(_ config: ClusterConfig) -> Set<String> {
        var topology = LocalTopology(config: config, me: "n1")
        let (due, _) = topology.heartbeats(at: Moment.zero + .seconds(1), incarnation: 1, view: ViewID(epoch: 0, coordinator: "n1"), installedEpoch: 0)
        return Set(due.map { "\($0.fromAdapter ?? "?")>\($0.toAdapter ?? "?")" })
    }

    @Test func boot_and_standby_subnets_beat_within_each() {
        #expect(Self.pairs(Self.config(ownSubnets: true)) == ["en0>en0", "en1>en1"])
    }

    @Test func one_shared_subnet_beats_every_pair() {
        #expect(Self.pairs(Self.config(ownSubnets: false)) == ["en0>en0", "en0>en1", "en1>en0", "en1>en1"])
    }
}

/// What a heartbeat says of the sender's IP peers: over an IP network, where each heartbeat has
/// one addressee, only whether the sender hears a node other than the addressee (one name), so
/// that a heartbeat stays the same size however large the cluster.
@Suite struct HeartbeatIPPeersTests {
    @Test func an_ip_heartbeat_names_one_peer_other_than_its_addressee() {
        let names = ["n1", "n2", "n3", "n4"]
        let config = ClusterConfig(name: "four", id: 1, networks: [CoreFixture.ipNetwork("ether")],
                                   nodes: CoreFixture.nodes(names, on: ["ether"]))
        var topology = LocalTopology(config: config, me: "n1")
        let view = ViewID(epoch: 1, coordinator: "n1")
        let now = Moment.zero + .seconds(1)
        for peer in ["n2", "n3", "n4"] {
            let beat = Heartbeat(view: view, installedEpoch: 1, stamp: .milliseconds(900), echo: nil)
            topology.heard(from: peer, incarnation: 1, network: "ether", onAdapter: nil, heartbeat: beat, at: now)
        }
        let (due, _) = topology.heartbeats(at: now, incarnation: 1, view: view, installedEpoch: 1)
        var named: [String: [String]] = [:]
        for envelope in due { if case .heartbeat(let beat) = envelope.message { named[envelope.to] = beat.ipPeers } }
        #expect(named == ["n2": ["n3"], "n3": ["n2"], "n4": ["n2"]])
    }
}

/// In a large cluster a peer's adapter pairs take turns: one heartbeat per peer per round, the
/// pair changing every round, so that both adapters still hear many peers every round; an adapter
/// that hears nothing (a silent fault) brings every pair back.
@Suite struct HeartbeatTurnsTests {
    /// `count` nodes, each with a boot adapter in 198.51.100.0/24 and a standby in 192.0.2.0/24.
    static func config(nodes count: Int) -> ClusterConfig {
        let nodes = (1...count).map { index in
            Node(name: "n\(index)", interfaces: [
                Interface(name: "en0", label: "n\(index)_boot", role: .boot, address: IPv4Address("198.51.100.\(10 + index)")!, network: "ether"),
                Interface(name: "en1", label: "n\(index)_stby", role: .standby, address: IPv4Address("192.0.2.\(10 + index)")!, network: "ether"),
            ])
        }
        return ClusterConfig(name: "turns", id: 1, networks: [CoreFixture.ipNetwork("ether")], nodes: nodes)
    }

    /// n1's topology, having heard every peer on both its adapters at `now`.
    static func hearing(_ config: ClusterConfig, adapters: [String] = ["en0", "en1"], at now: Moment) -> LocalTopology {
        var topology = LocalTopology(config: config, me: "n1")
        for peer in config.nodes.dropFirst() {
            for adapter in adapters {
                topology.heard(from: peer.name, incarnation: 1, network: "ether", onAdapter: adapter,
                               heartbeat: Heartbeat(view: ViewID(epoch: 1, coordinator: "n1"), installedEpoch: 1, stamp: .milliseconds(1), echo: nil), at: now)
            }
        }
        return topology
    }

    /// The adapter pairs each peer gets in one round of regular heartbeats.
    static func round(_ topology: inout LocalTopology, at now: Moment) -> [String: Set<String>] {
        let (due, _) = topology.heartbeats(at: now, incarnation: 1, view: ViewID(epoch: 1, coordinator: "n1"), installedEpoch: 1)
        var pairs: [String: Set<String>] = [:]
        for envelope in due { pairs[envelope.to, default: []].insert("\(envelope.fromAdapter!)>\(envelope.toAdapter!)") }
        return pairs
    }

    @Test func ten_nodes_take_turns_between_their_adapters() {
        let config = Self.config(nodes: 10)
        let start = Moment.zero + .seconds(1)
        var topology = Self.hearing(config, at: start)
        let first = Self.round(&topology, at: start)
        let second = Self.round(&topology, at: start + .milliseconds(150))
        #expect(first.count == 9 && first.values.allSatisfy { $0.count == 1 })
        #expect(second.count == 9 && second.values.allSatisfy { $0.count == 1 })
        for peer in first.keys { #expect(first[peer]!.union(second[peer]!) == ["en0>en0", "en1>en1"], "\(peer)") }
        // Each adapter beats to about half the peers every round.
        let boot = first.values.filter { $0.contains("en0>en0") }.count
        #expect((4...5).contains(boot))
    }

    @Test func an_adapter_hearing_nothing_brings_every_pair_back() {
        let config = Self.config(nodes: 10)
        let start = Moment.zero + .seconds(1)
        var topology = Self.hearing(config, adapters: ["en0"], at: start)
        #expect(Self.round(&topology, at: start).values.allSatisfy { $0 == ["en0>en0", "en1>en1"] })
    }

    @Test func a_small_cluster_beats_every_pair() {
        let config = Self.config(nodes: 8)
        let start = Moment.zero + .seconds(1)
        var topology = Self.hearing(config, at: start)
        #expect(Self.round(&topology, at: start).values.allSatisfy { $0 == ["en0>en0", "en1>en1"] })
    }
}

/// A peer that asks for echoes at once (an urgent heartbeat, one copy per adapter pair) gets one
/// answer per half urgent interval, not one per copy.
@Suite struct UrgentReplyTests {
    @Test func copies_of_an_urgent_request_get_one_answer() {
        let config = HeartbeatPairsTests.config(ownSubnets: true)
        var topology = LocalTopology(config: config, me: "n1")
        let view = ViewID(epoch: 1, coordinator: "n1")
        func ask(at now: Moment, stamp: Int) {
            let beat = Heartbeat(view: view, installedEpoch: 1, stamp: .milliseconds(stamp), echo: nil, urgent: true)
            topology.heard(from: "n2", incarnation: 1, network: "ether", onAdapter: "en0", heartbeat: beat, at: now)
        }
        func answers(at now: Moment) -> Int { topology.urgentReplyBeats(incarnation: 1, view: view, installedEpoch: 1, at: now).count }
        let start = Moment.zero + .seconds(1)
        ask(at: start, stamp: 1)
        #expect(answers(at: start) == 2)
        ask(at: start + .milliseconds(1), stamp: 2)
        #expect(answers(at: start + .milliseconds(1)) == 0)
        ask(at: start + .milliseconds(50), stamp: 3)
        #expect(answers(at: start + .milliseconds(50)) == 2)
    }
}
