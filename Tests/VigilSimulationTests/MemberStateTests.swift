import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// The member states of the ASE seed (UP, DOWN, DISCONNECTED, NETPAR), each transition both ways,
/// as every node sees every other, and what each state does to the groups.
@Suite struct MemberStateTests {
    func started(_ file: String, seed: UInt64 = 5) throws -> Simulator {
        let simulator = Simulator(config: try Fixtures.config(file), seed: seed)
        simulator.config.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(5))
        return simulator
    }

    /// How `observer` sees `peer` now.
    func state(_ simulator: Simulator, _ observer: String, sees peer: String) -> MemberState? {
        simulator.hosts[observer]?.core?.topology.memberState(of: peer, at: simulator.now)
    }

    func agreed(_ simulator: Simulator) -> ClusterState? {
        simulator.config.nodes.compactMap { simulator.hosts[$0.name]?.core?.installed }.max { $1.isNewer(than: $0) }
    }

    func holders(_ simulator: Simulator) -> [String: [String]] {
        simulator.onlineGroups().filter { !$0.value.isEmpty }
    }

    func apply(_ actions: [PlanAction], _ simulator: Simulator) {
        for action in actions { _ = PlanActions.apply(action, to: simulator) }
    }

    static let cutPair: [PlanAction] = ["lan", "heartbeat"].map { .partition(network: $0, sides: [["alpha"], ["beta"]]) }

    @Test func everyNodeStartsUpForEveryOther() throws {
        let simulator = try started("pair.yaml")
        #expect(state(simulator, "alpha", sees: "beta") == .up)
        #expect(state(simulator, "beta", sees: "alpha") == .up)
        #expect(state(simulator, "alpha", sees: "alpha") == .up)
    }

    @Test func upToNetparAndBackMovesNothing() throws {
        let simulator = try started("pair.yaml")
        let before = holders(simulator)
        #expect(before == ["alpha": ["web"], "beta": ["db"]])
        apply(Self.cutPair, simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "alpha", sees: "beta") == .netpar)
        #expect(state(simulator, "beta", sees: "alpha") == .netpar)
        #expect(agreed(simulator)?.netpar == ["alpha", "beta"])
        #expect(holders(simulator) == before, "services stay where they run")
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        // Nothing starts or stops either: an administrator's move waits for the partition to heal.
        simulator.request(.move(group: "web", node: "beta"), on: "alpha")
        simulator.run(for: .seconds(5))
        #expect(holders(simulator) == before)
        apply([.heal(network: nil)], simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "alpha", sees: "beta") == .up)
        #expect(state(simulator, "beta", sees: "alpha") == .up)
        #expect(agreed(simulator)?.netpar == [])
        #expect(holders(simulator) == ["beta": ["web", "db"]], "the move is carried out once healed")
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func upToDisconnectedStopsItsServicesThenOthersTakeOver() throws {
        let simulator = try started("pair.yaml")
        apply([.failNetwork(network: "lan", node: "alpha"), .failNetwork(network: "heartbeat", node: "alpha")], simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "alpha", sees: "alpha") == .disconnected)
        #expect(state(simulator, "beta", sees: "alpha") == .disconnected)
        #expect(agreed(simulator)?.disconnected == ["alpha"])
        #expect(holders(simulator) == ["beta": ["web", "db"]])
        #expect(simulator.hosts["alpha"]!.resources.isEmpty)
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        apply([.repairNetwork(network: "lan", node: "alpha"), .repairNetwork(network: "heartbeat", node: "alpha")], simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "beta", sees: "alpha") == .up)
        #expect(agreed(simulator)?.disconnected == [])
        #expect(holders(simulator) == ["alpha": ["web"], "beta": ["db"]], "web falls back")
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func aNodeCutFromEveryIPNetworkIsDisconnectedOverTheSerialLinks() throws {
        let simulator = try started("scream.yaml")
        let ghost1 = simulator.config.node(named: "ghost1")!
        let ipNetworks = ghost1.networks.filter { simulator.config.network(named: $0)!.isIP }
        apply(ipNetworks.map { .failNetwork(network: $0, node: "ghost1") }, simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "ghost1", sees: "ghost1") == .disconnected)
        #expect(state(simulator, "ghost2", sees: "ghost1") == .disconnected, "ghost2 hears it on rs232_12")
        #expect(state(simulator, "ghost3", sees: "ghost1") == .down, "no path from ghost3 to ghost1")
        #expect(simulator.hosts["ghost1"]!.resources.isEmpty)
        #expect(holders(simulator)["ghost1"] == nil)
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        apply(ipNetworks.map { .repairNetwork(network: $0, node: "ghost1") }, simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "ghost2", sees: "ghost1") == .up)
        #expect(state(simulator, "ghost1", sees: "ghost1") == .up)
        #expect(holders(simulator)["ghost1"]?.contains("CH1") == true)
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func upToDownAndBack() throws {
        let simulator = try started("pair.yaml")
        simulator.crash("alpha")
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "beta", sees: "alpha") == .down)
        #expect(holders(simulator) == ["beta": ["web", "db"]])
        simulator.start("alpha")
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "beta", sees: "alpha") == .up)
        #expect(holders(simulator) == ["alpha": ["web"], "beta": ["db"]])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func netparToDownWhenTheDiskPathFailsTooTheTiebreakerDecides() throws {
        let simulator = try started("pair.yaml")
        apply(Self.cutPair, simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "alpha", sees: "beta") == .netpar)
        apply([.failNetwork(network: "dhb", node: "beta")], simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "alpha", sees: "beta") == .down)
        #expect(simulator.tiebreakers["dhb"]?.owner == "alpha")
        #expect(holders(simulator) == ["alpha": ["web", "db"]])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        apply([.heal(network: nil), .repairNetwork(network: "dhb", node: "beta")], simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "alpha", sees: "beta") == .up)
        #expect(holders(simulator) == ["alpha": ["web"], "beta": ["db"]])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func aDiskHeartbeatFailureAloneMovesNothing() throws {
        let simulator = try started("pair.yaml")
        apply([.failNetwork(network: "dhb", node: "alpha")], simulator)
        simulator.run(for: .seconds(10))
        #expect(state(simulator, "beta", sees: "alpha") == .up)
        #expect(holders(simulator) == ["alpha": ["web"], "beta": ["db"]])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }
}
