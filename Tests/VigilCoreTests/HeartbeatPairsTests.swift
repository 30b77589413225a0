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
