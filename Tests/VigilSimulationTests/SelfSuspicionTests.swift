import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// A node whose daemon was paused wakes late, suspects itself first (it waits longer before it
/// declares paths lost, never longer before it releases), and forgets it once its wake-ups come on
/// time again.
@Suite struct SelfSuspicionTests {
    @Test func aPausedNodeSuspectsItselfThenCalmsDown() throws {
        let config = try Fixtures.config("scream.yaml")
        let simulator = Simulator(config: config, seed: 1)
        for node in config.nodes { simulator.start(node.name) }
        simulator.run(for: .seconds(5))
        #expect(simulator.hosts["ghost3"]!.core!.topology.selfSuspicion == 0)
        simulator.pause("ghost3", for: .seconds(2))
        simulator.run(for: .milliseconds(2100))
        let core = try #require(simulator.hosts["ghost3"]!.core)
        #expect(core.topology.selfSuspicion > 0)
        #expect(simulator.hosts["ghost3"]!.log.contains { $0.text.contains(" late: it suspects itself first") })
        // Its lease is its own clock's business: the dead man switch released while it was paused.
        #expect(simulator.hosts["ghost3"]!.log.contains { $0.text.contains("dead man switch tripped on ghost3") })
        // Nobody else was late.
        #expect(simulator.hosts["ghost1"]!.core!.topology.selfSuspicion == 0)
        simulator.run(for: .seconds(10))
        #expect(simulator.hosts["ghost3"]!.core!.topology.selfSuspicion == 0)
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }
}
