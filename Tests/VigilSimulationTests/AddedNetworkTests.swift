import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// A network added by a live reconfiguration counts as up until its first heartbeats had time to
/// come: it is never declared down only because they had not come yet; one that really does not
/// work is declared down once its detection time has passed.
@Suite struct AddedNetworkTests {
    /// pair without its private `heartbeat` network (version 0), and pair itself (version 1).
    static func versions() throws -> (without: ClusterConfig, with: ClusterConfig) {
        let pair = try Fixtures.config("pair.yaml")
        var without = pair
        without.networks.removeAll { $0.name == "heartbeat" }
        for index in without.nodes.indices { without.nodes[index].interfaces.removeAll { $0.network == "heartbeat" } }
        return (without, pair)
    }

    /// Runs pair from version 0 and syncs version 1 to both nodes; returns the cluster log lines
    /// about the added network from the sync on.
    static func addHeartbeatNetwork(seed: UInt64, broken: Bool) throws -> (lines: [String], simulator: Simulator) {
        let (without, with) = try versions()
        let simulator = Simulator(config: without, seed: seed, world: with)
        without.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(8))
        if broken { simulator.faults.failedAdapters.insert("beta/eth1") }
        let start = simulator.clusterLog.count
        simulator.defineConfiguration(with, version: 1)
        for node in with.nodes { simulator.configurationStored(version: 1, on: node.name) }
        simulator.run(for: .seconds(6))
        let lines = simulator.clusterLog.dropFirst(start).map(\.text)
        #expect(lines.contains { $0.contains("EVENT COMPLETED: reconfig 1") }, "\(lines)")
        return (lines.filter { $0.contains("heartbeat") && $0.contains("EVENT START") }, simulator)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aWorkingNetworkAddedLiveIsNeverDeclaredDown(seed: UInt64) throws {
        let (events, simulator) = try Self.addHeartbeatNetwork(seed: seed, broken: false)
        #expect(events.isEmpty, "\(events)")
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test(arguments: [1, 2] as [UInt64])
    func aBrokenNetworkAddedLiveIsDeclaredDownAfterItsDetectionTime(seed: UInt64) throws {
        let (events, simulator) = try Self.addHeartbeatNetwork(seed: seed, broken: true)
        #expect(events.contains { $0.contains("network_down") }, "\(events)")
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }
}
