import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// A node that a quorum confirms only through others (cut from most of the cluster on IP, its
/// serial link down too) keeps its lease when the relays are slow: it asks for echoes at once
/// through the relays, as it does directly, and the nodes it asks answer at once.
@Suite struct RelayedLeaseTests {
    @Test(arguments: [11, 12, 13, 14, 15, 16] as [UInt64])
    func aNodeConfirmedOnlyThroughSlowRelaysKeepsItsLease(seed: UInt64) throws {
        let config = try Fixtures.config("scream-testbed.yaml")
        let simulator = Simulator(config: config, seed: seed)
        config.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(8))
        let before = simulator.onlineGroups().filter { !$0.value.isEmpty }
        #expect(before == ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2"], "ghost4": ["SH3"]])
        // ghost3 hears ghost4 alone (on IP and on its serial link to it); the others only through it.
        var actions: [PlanAction] = [.failNetwork(network: "rs232_23", node: "ghost3")]
        for network in ["ether", "token"] {
            for peer in ["ghost1", "ghost2"] {
                actions.append(.cut(network: network, from: "ghost3", to: peer, bothWays: true))
            }
            actions.append(.degrade(network: network, loss: 0, delay: .milliseconds(10)))
        }
        for action in actions { _ = PlanActions.apply(action, to: simulator) }
        let logged = simulator.clusterLog.count
        simulator.run(for: .seconds(20))
        let lapses = simulator.clusterLog.dropFirst(logged).filter { $0.text.contains("lost quorum") }
        #expect(lapses.isEmpty, "\(lapses.map(\.text))")
        #expect(simulator.onlineGroups().filter { !$0.value.isEmpty } == before)
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }
}
