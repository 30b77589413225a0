import Testing
@testable import VigilCore
import VigilModel

/// Proves `TopologyView.aggregate` tells the seed's three kinds of failure apart from the members'
/// reports (DESIGN.md, "Topology and membership"; HACMP Table 12 tests 2 and 11): an adapter failure
/// with a working standby (the network stays up and the service address moves to the standby, and
/// stays there after the repair), a network lost by one node, a network lost by everybody, and a
/// serial link with a dead end; and that a member alone on an IP network keeps it.
@Suite struct TopologyViewTests {
    /// Every member hears every other member attached to each of its networks, on every adapter.
    static func healthy(_ config: ClusterConfig, members: [String] = CoreFixture.ghosts) -> [String: TopologyReport] {
        var reports: [String: TopologyReport] = [:]
        for name in members {
            let node = config.node(named: name)!
            var networks: [String: NetworkSight] = [:]
            for network in node.networks {
                let others = config.nodes.filter { $0.name != name && members.contains($0.name) && $0.networks.contains(network) }
                networks[network] = NetworkSight(
                    heard: Set(others.map(\.name)),
                    adapters: Dictionary(uniqueKeysWithValues: node.adapters(on: network).map { ($0, AdapterSight(carrier: true, hearing: true)) }))
            }
            reports[name] = TopologyReport(networks: networks)
        }
        return reports
    }

    static func aggregate(
        _ config: ClusterConfig, _ reports: [String: TopologyReport],
        members: [String] = CoreFixture.ghosts, previous: TopologyView = TopologyView()
    ) -> TopologyView {
        TopologyView.aggregate(config: config, members: Set(members), reports: reports, previous: previous)
    }

    /// The nodes on which `network` is up.
    static func upOn(_ network: String, in view: TopologyView) -> Set<String> {
        Set(view.nodes.filter { $0.value.networksUp.contains(network) }.keys)
    }

    @Test func healthyClusterHasEveryNetworkUpOnItsFirstAdapter() throws {
        let config = try CoreFixture.scream()
        let view = Self.aggregate(config, Self.healthy(config))
        for node in config.nodes {
            #expect(view.nodes[node.name]?.networksUp == Set(node.networks), "\(node.name)")
            #expect(view.nodes[node.name]?.active["token"] == "tr0")
            #expect(view.nodes[node.name]?.active["ether"] == "en0")
            #expect(view.nodes[node.name]?.active["rs232_12"] == nil, "serial links carry no service address")
        }
    }

    @Test func aNodeHearingNobodyWhileOthersHearEachOtherLosesTheNetworkAlone() throws {
        let config = try CoreFixture.scream()
        var reports = Self.healthy(config)
        reports["ghost1"]!.networks["ether"] = NetworkSight(heard: [], adapters: ["en0": AdapterSight(carrier: true, hearing: false)])
        for other in ["ghost2", "ghost3", "ghost4"] { reports[other]!.networks["ether"]!.heard.remove("ghost1") }
        let view = Self.aggregate(config, reports)
        #expect(Self.upOn("ether", in: view) == ["ghost2", "ghost3", "ghost4"])
        #expect(view.nodes["ghost1"]?.adaptersUp.contains("en0") == false)
        #expect(view.nodes["ghost1"]?.active["ether"] == nil)
        #expect(view.nodes["ghost1"]?.networksUp.contains("token") == true, "only ether is lost on ghost1")
    }

    @Test func nobodyHearingAnybodyOnAnIPNetworkTakesItDownEverywhere() throws {
        let config = try CoreFixture.scream()
        var reports = Self.healthy(config)
        for node in CoreFixture.ghosts {
            reports[node]!.networks["ether"] = NetworkSight(heard: [], adapters: ["en0": AdapterSight(carrier: true, hearing: false)])
        }
        let view = Self.aggregate(config, reports)
        #expect(Self.upOn("ether", in: view) == [])
        #expect(Self.upOn("token", in: view) == Set(CoreFixture.ghosts))
    }

    @Test func theOnlyMemberWithCarrierKeepsAnIPNetworkNobodyHears() throws {
        let config = try CoreFixture.scream()
        var reports = Self.healthy(config)
        for node in CoreFixture.ghosts {
            reports[node]!.networks["ether"] = NetworkSight(heard: [], adapters: ["en0": AdapterSight(carrier: node == "ghost2", hearing: false)])
        }
        let view = Self.aggregate(config, reports)
        #expect(Self.upOn("ether", in: view) == ["ghost2"], "the others lost their links; ghost2 is alone, not broken")
    }

    @Test func aSerialLinkWithOneEndWithoutCarrierIsDownAtBothEnds() throws {
        let config = try CoreFixture.scream()
        var reports = Self.healthy(config)
        // ghost2's tty0 (rs232_12) lost carrier; ghost1 still heard ghost2 within the detection time.
        reports["ghost2"]!.networks["rs232_12"] = NetworkSight(heard: [], adapters: ["tty0": AdapterSight(carrier: false, hearing: false)])
        let view = Self.aggregate(config, reports)
        #expect(Self.upOn("rs232_12", in: view) == [])
        #expect(Self.upOn("rs232_23", in: view) == ["ghost2", "ghost3"], "ghost2's other link is unaffected")
        #expect(view.nodes["ghost1"]?.adaptersUp.contains("tty1") == false)
    }

    @Test func aSerialLinkNobodyHearsIsDownAtBothEnds() throws {
        let config = try CoreFixture.scream()
        var reports = Self.healthy(config)
        reports["ghost1"]!.networks["rs232_12"] = NetworkSight(heard: [], adapters: ["tty1": AdapterSight(carrier: true, hearing: false)])
        reports["ghost2"]!.networks["rs232_12"] = NetworkSight(heard: [], adapters: ["tty0": AdapterSight(carrier: true, hearing: false)])
        #expect(Self.upOn("rs232_12", in: Self.aggregate(config, reports)) == [])
    }

    @Test func aDiskHeartbeatSharedByThreeNodesStaysUpForThoseStillOnIt() {
        // ASE's shared SCSI bus: one disk heartbeat that every node writes. node3 lost its path to
        // the disk; node1 and node2 still hear each other there and must keep the disk path, which
        // is what tells a partition from a dead node between them.
        let names = ["node1", "node2", "node3"]
        var nodes = CoreFixture.nodes(names, on: ["ether"])
        for index in nodes.indices {
            nodes[index].interfaces.append(Interface(name: "hb", label: "\(names[index])_hb", role: .boot, device: "/dev/sdb1", network: "dhb"))
        }
        let config = ClusterConfig(
            name: "disk", id: 3,
            networks: [CoreFixture.ipNetwork("ether"), Network(name: "dhb", type: "disk", kind: .disk(device: "/dev/sdb1"))],
            nodes: nodes)
        var reports = Self.healthy(config, members: names)
        reports["node3"]!.networks["dhb"] = NetworkSight(heard: [], adapters: ["hb": AdapterSight(carrier: false, hearing: false)])
        for other in ["node1", "node2"] { reports[other]!.networks["dhb"]!.heard.remove("node3") }
        let view = Self.aggregate(config, reports, members: names)
        #expect(Self.upOn("dhb", in: view) == ["node1", "node2"])
    }

    @Test func table12Test2AdapterFailureWithAStandbyMovesTheActiveAdapter() throws {
        let config = try CoreFixture.scream()
        let before = Self.aggregate(config, Self.healthy(config))
        #expect(before.nodes["ghost1"]?.active["token"] == "tr0")
        var reports = Self.healthy(config)
        reports["ghost1"]!.networks["token"]!.adapters = [
            "tr0": AdapterSight(carrier: false, hearing: false),
            "tr1": AdapterSight(carrier: true, hearing: true),
        ]
        let after = Self.aggregate(config, reports, previous: before)
        #expect(after.nodes["ghost1"]?.networksUp.contains("token") == true, "the network stays up on ghost1")
        #expect(after.nodes["ghost1"]?.adaptersUp.contains("tr0") == false)
        #expect(after.nodes["ghost1"]?.adaptersUp.contains("tr1") == true)
        #expect(after.nodes["ghost1"]?.active["token"] == "tr1")
        #expect(after.nodes["ghost2"]?.active["token"] == "tr0", "other nodes are unaffected")
    }

    @Test func anAdapterWithCarrierThatHearsNothingIsNotWorkingWhileItsStandbyHears() throws {
        let config = try CoreFixture.scream()
        var reports = Self.healthy(config)
        reports["ghost3"]!.networks["token"]!.adapters = [
            "tr0": AdapterSight(carrier: true, hearing: false),
            "tr1": AdapterSight(carrier: true, hearing: true),
        ]
        let view = Self.aggregate(config, reports, previous: Self.aggregate(config, Self.healthy(config)))
        #expect(view.nodes["ghost3"]?.adaptersUp.contains("tr0") == false)
        #expect(view.nodes["ghost3"]?.active["token"] == "tr1")
    }

    @Test func activeAdapterStaysOnTheStandbyAfterTheOriginalIsRepaired() throws {
        let config = try CoreFixture.scream()
        var failed = Self.healthy(config)
        failed["ghost1"]!.networks["token"]!.adapters["tr0"] = AdapterSight(carrier: false, hearing: false)
        let swapped = Self.aggregate(config, failed, previous: Self.aggregate(config, Self.healthy(config)))
        #expect(swapped.nodes["ghost1"]?.active["token"] == "tr1")
        let repaired = Self.aggregate(config, Self.healthy(config), previous: swapped)
        #expect(repaired.nodes["ghost1"]?.adaptersUp.isSuperset(of: ["tr0", "tr1"]) == true)
        #expect(repaired.nodes["ghost1"]?.active["token"] == "tr1", "HACMP: the service address stays on the standby")
    }

    @Test func aSingleMemberAloneOnAnIPNetworkWithCarrierKeepsItUp() throws {
        let config = try CoreFixture.scream()
        var reports = Self.healthy(config, members: ["ghost1"])
        for network in ["ether", "token"] {
            for adapter in reports["ghost1"]!.networks[network]!.adapters.keys {
                reports["ghost1"]!.networks[network]!.adapters[adapter]!.hearing = false
            }
        }
        let view = Self.aggregate(config, reports, members: ["ghost1"])
        #expect(view.nodes.keys.sorted() == ["ghost1"])
        #expect(view.nodes["ghost1"]?.networksUp.isSuperset(of: ["ether", "token"]) == true)
        #expect(view.nodes["ghost1"]?.active == ["ether": "en0", "token": "tr0"])
        // Without carrier, it has no network.
        reports["ghost1"]!.networks["ether"]!.adapters["en0"]!.carrier = false
        #expect(Self.aggregate(config, reports, members: ["ghost1"]).nodes["ghost1"]?.networksUp.contains("ether") == false)
    }
}
