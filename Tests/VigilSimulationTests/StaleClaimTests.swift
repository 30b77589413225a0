import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// A node whose claims about the graph are stale must not keep a crashed node in the proposals.
/// The shape a fuzz schedule found: the coordinator pauses, the others form a view under the next
/// node, that node crashes just before the coordinator resumes; the resumed node proposes views
/// with every node, and the acceptances it got renewed an old member report that still said the
/// crashed node was heard, so it proposed the crashed node again for seven seconds.
@Suite struct StaleClaimTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func aNodeThatCrashedWhileTheCoordinatorWasPausedIsLeftOutSoon(seed: UInt64) throws {
        let config = try Fixtures.config("scream-ring.yaml")
        let simulator = Simulator(config: config, seed: seed)
        config.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(8))
        simulator.pause("ghost1", for: .milliseconds(1470))
        simulator.run(for: .milliseconds(1400))
        simulator.crash("ghost2")
        let crashed = simulator.now
        simulator.run(for: .seconds(6))
        let waitingForTheDead = simulator.clusterLog.filter {
            $0.text.contains("timed out waiting for ghost2")
        }
        #expect(waitingForTheDead.count <= 1, "\(waitingForTheDead.map { "\($0.time) \($0.text)" })")
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        // Every group is held again by a node that is up.
        let held = simulator.onlineGroups().values.flatMap { $0 }
        for group in ["SH2", "SH3", "IP4"] {
            #expect(held.contains(group), "\(group) offline \(simulator.now - crashed) after the crash")
        }
    }
}
