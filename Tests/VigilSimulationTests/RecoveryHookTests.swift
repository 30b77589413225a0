import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// The seed's recovery command with its retry count: a failing step runs the event's recovery
/// command and is tried again; once the retries are used up the group is in error and moves.
@Suite struct RecoveryHookTests {
    func pair(retries: Int) throws -> Simulator {
        var config = try Fixtures.config("pair.yaml")
        config.hooks[.nodeUp] = EventHooks(recovery: RecoveryHook(command: "/usr/local/bin/fix-web", retries: retries))
        return Simulator(config: config, seed: 11)
    }

    func recoveries(_ simulator: Simulator, on node: String) -> Int {
        simulator.hosts[node]!.hooks.filter { $0.phase == .recovery }.count
    }

    @Test func aStepThatFailsOnceSucceedsAfterTheRecoveryCommand() throws {
        let simulator = try pair(retries: 2)
        simulator.failingActions = ["alpha/start web"]
        simulator.config.nodes.forEach { simulator.start($0.name) }
        for _ in 0..<200 where recoveries(simulator, on: "alpha") == 0 { simulator.run(for: .milliseconds(10)) }
        #expect(recoveries(simulator, on: "alpha") == 1)
        simulator.failingActions = []
        simulator.run(for: .seconds(5))
        #expect(simulator.onlineGroups()["alpha"] == ["web"], "web came online on alpha after a retry")
        // The retry already under way when the failure was removed may have failed once more.
        #expect((1...2).contains(recoveries(simulator, on: "alpha")))
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func afterItsRetriesTheGroupFailsAndMoves() throws {
        let simulator = try pair(retries: 2)
        simulator.failingActions = ["alpha/start web"]
        simulator.config.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(8))
        #expect(recoveries(simulator, on: "alpha") == 2)
        #expect(simulator.onlineGroups()["beta"] == ["web", "db"])
        #expect(simulator.clusterLog.contains { $0.text.contains("still fails after 2 recovery attempts") })
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func withoutARecoveryCommandAFailureIsFinal() throws {
        let simulator = Simulator(config: try Fixtures.config("pair.yaml"), seed: 11)
        simulator.failingActions = ["alpha/start web"]
        simulator.config.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(8))
        #expect(recoveries(simulator, on: "alpha") == 0)
        #expect(simulator.onlineGroups()["beta"] == ["web", "db"])
    }
}
