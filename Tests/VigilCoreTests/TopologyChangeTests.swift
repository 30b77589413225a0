import Testing
@testable import VigilCore
import VigilModel

/// Proves `TopologyChange` turns the difference between the agreed and the observed topology into
/// the seed's events (HACMP event list: network_down, network_up, swap_adapter, fail_standby,
/// join_standby), with a cluster-wide `network_down -1 NET` when every member on a network lost it,
/// one event at a time and losses before gains.
@Suite struct TopologyChangeTests {
    /// Every ghost with every network it is attached to up, every adapter working, the first adapter active.
    static func healthy(_ config: ClusterConfig) -> TopologyView {
        var view = TopologyView()
        for node in config.nodes {
            var active: [String: String] = [:]
            for network in node.networks where config.network(named: network)!.isIP {
                active[network] = node.adapters(on: network).first
            }
            view.nodes[node.name] = NodeTopology(
                networksUp: Set(node.networks), adaptersUp: Set(node.interfaces.map(\.name)), active: active)
        }
        return view
    }

    /// `view` with `network` down on `node` (and its adapters there not working).
    static func lose(_ network: String, on node: String, in view: inout TopologyView, config: ClusterConfig) {
        view.nodes[node]!.networksUp.remove(network)
        view.nodes[node]!.adaptersUp.subtract(config.node(named: node)!.adapters(on: network))
        view.nodes[node]!.active[network] = nil
    }

    static let up = Set(CoreFixture.ghosts)

    @Test func networkDownForOneNode() throws {
        let config = try CoreFixture.scream()
        let agreed = Self.healthy(config)
        var observed = agreed
        Self.lose("ether", on: "ghost1", in: &observed, config: config)
        let event = TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config)
        #expect(event == .networkDown(network: "ether", node: "ghost1"))
        #expect(event?.description == "network_down ghost1 ether")
        #expect(TopologyChange.firstGain(from: agreed, to: observed, up: Self.up, config: config) == nil)
    }

    @Test func networkDownOnSomeNodesIsReportedOneNodeAtATime() throws {
        let config = try CoreFixture.scream()
        let agreed = Self.healthy(config)
        var observed = agreed
        Self.lose("ether", on: "ghost2", in: &observed, config: config)
        Self.lose("ether", on: "ghost3", in: &observed, config: config)
        #expect(TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config)
            == .networkDown(network: "ether", node: "ghost2"))
    }

    @Test func globalNetworkDownWhenEveryAttachedMemberLostIt() throws {
        let config = try CoreFixture.scream()
        let agreed = Self.healthy(config)
        var observed = agreed
        for node in CoreFixture.ghosts { Self.lose("ether", on: node, in: &observed, config: config) }
        let event = TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config)
        #expect(event == .networkDown(network: "ether", node: nil))
        #expect(event?.description == "network_down -1 ether")
    }

    @Test func nodesThatAreNotUpAreNotAskedAbout() throws {
        let config = try CoreFixture.scream()
        let agreed = Self.healthy(config)
        var observed = agreed
        Self.lose("ether", on: "ghost1", in: &observed, config: config)
        #expect(TopologyChange.firstLoss(from: agreed, to: observed, up: ["ghost2", "ghost3", "ghost4"], config: config) == nil)
    }

    @Test func swapAdapterNamesTheAdapterItLeavesAndTheOneItTakes() throws {
        let config = try CoreFixture.scream()
        let agreed = Self.healthy(config)
        var observed = agreed
        observed.nodes["ghost3"]!.adaptersUp.remove("tr0")
        observed.nodes["ghost3"]!.active["token"] = "tr1"
        let event = TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config)
        #expect(event == .swapAdapter(node: "ghost3", network: "token", from: "tr0", to: "tr1"))
        #expect(event?.description == "swap_adapter ghost3 token tr0 tr1")
    }

    @Test func failStandbyWhenAnAdapterThatCarriesNothingFails() throws {
        let config = try CoreFixture.scream()
        let agreed = Self.healthy(config)
        var observed = agreed
        observed.nodes["ghost2"]!.adaptersUp.remove("tr1")
        #expect(TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config)
            == .failStandby(node: "ghost2", adapter: "tr1"))
    }

    @Test func joinStandbyWhenAFailedAdapterWorksAgain() throws {
        let config = try CoreFixture.scream()
        var agreed = Self.healthy(config)
        agreed.nodes["ghost2"]!.adaptersUp.remove("tr0")
        agreed.nodes["ghost2"]!.active["token"] = "tr1"
        var observed = agreed
        observed.nodes["ghost2"]!.adaptersUp.insert("tr0")
        #expect(TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config) == nil)
        let event = TopologyChange.firstGain(from: agreed, to: observed, up: Self.up, config: config)
        #expect(event == .joinStandby(node: "ghost2", adapter: "tr0"))
        #expect(event?.description == "join_standby ghost2 tr0")
    }

    @Test func networkUpForOneNodeAndForEverybody() throws {
        let config = try CoreFixture.scream()
        let healthy = Self.healthy(config)
        var oneDown = healthy
        Self.lose("ether", on: "ghost4", in: &oneDown, config: config)
        let one = TopologyChange.firstGain(from: oneDown, to: healthy, up: Self.up, config: config)
        #expect(one == .networkUp(network: "ether", node: "ghost4"))
        #expect(one?.description == "network_up ghost4 ether")
        var allDown = healthy
        for node in CoreFixture.ghosts { Self.lose("ether", on: node, in: &allDown, config: config) }
        let all = TopologyChange.firstGain(from: allDown, to: healthy, up: Self.up, config: config)
        #expect(all == .networkUp(network: "ether", node: nil))
        #expect(all?.description == "network_up -1 ether")
    }

    @Test func lossesComeBeforeGainsAndNetworksBeforeAdapters() throws {
        let config = try CoreFixture.scream()
        var agreed = Self.healthy(config)
        Self.lose("token", on: "ghost4", in: &agreed, config: config)
        var observed = Self.healthy(config)
        // ghost4 regains token, ghost1 swaps its token adapter, ghost2 loses ether.
        observed.nodes["ghost1"]!.adaptersUp.remove("tr0")
        observed.nodes["ghost1"]!.active["token"] = "tr1"
        Self.lose("ether", on: "ghost2", in: &observed, config: config)
        #expect(TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config)
            == .networkDown(network: "ether", node: "ghost2"))
        // Once ghost2's ether loss is agreed, the swap is next; the gain waits for firstGain.
        agreed.nodes["ghost2"] = TopologyChange.take("ether", of: "ghost2", from: observed, into: agreed, config: config)
        #expect(TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config)
            == .swapAdapter(node: "ghost1", network: "token", from: "tr0", to: "tr1"))
        agreed.nodes["ghost1"] = TopologyChange.take("token", of: "ghost1", from: observed, into: agreed, config: config)
        #expect(TopologyChange.firstLoss(from: agreed, to: observed, up: Self.up, config: config) == nil)
        #expect(TopologyChange.firstGain(from: agreed, to: observed, up: Self.up, config: config)
            == .networkUp(network: "token", node: "ghost4"))
    }

    @Test func takeCopiesOneNetworkOfOneNodeAndNothingElse() throws {
        let config = try CoreFixture.scream()
        let agreed = Self.healthy(config)
        var observed = agreed
        Self.lose("ether", on: "ghost1", in: &observed, config: config)
        Self.lose("token", on: "ghost1", in: &observed, config: config)
        let taken = TopologyChange.take("ether", of: "ghost1", from: observed, into: agreed, config: config)
        #expect(!taken.networksUp.contains("ether"))
        #expect(!taken.adaptersUp.contains("en0"))
        #expect(taken.networksUp.contains("token"), "token's loss is another event")
        #expect(taken.adaptersUp.isSuperset(of: ["tr0", "tr1"]))
        #expect(taken.active["token"] == "tr0")
    }
}
