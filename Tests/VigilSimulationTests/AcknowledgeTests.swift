import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// config_too_long marks the cluster UNSTABLE and group requests are refused until an
/// administrator acknowledges it; an acknowledgement when nothing is unstable is refused.
@Suite struct AcknowledgeTests {
    func answer(_ simulator: Simulator, on node: String) -> AdminReply? {
        simulator.hosts[node]?.core?.answers.last
    }

    @Test func anUnstableClusterRefusesMovesUntilAcknowledged() throws {
        var config = try Fixtures.config("pair.yaml")
        config.tuning.configTooLong = .seconds(2)
        let simulator = Simulator(config: config, seed: 4)
        // Each of web's four actions takes a second: its node_up runs longer than config_too_long.
        simulator.actionTime = (.seconds(1), .seconds(1))
        config.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(3))
        let agreed = { simulator.hosts["alpha"]!.core!.installed! }
        #expect(agreed().tooLong)

        simulator.actionTime = (.milliseconds(1), .milliseconds(5))
        simulator.run(for: .seconds(10))
        #expect(agreed().tooLong, "still UNSTABLE after the slow event completed")
        simulator.request(.move(group: "web", node: "beta"), on: "beta")
        simulator.run(for: .seconds(2))
        #expect(answer(simulator, on: "beta")?.refusal?.contains("UNSTABLE") == true, "\(simulator.hosts["beta"]!.core!.answers)")
        #expect(simulator.onlineGroups()["alpha"] == ["web"])

        simulator.request(.acknowledge, on: "beta")
        simulator.run(for: .seconds(2))
        #expect(answer(simulator, on: "beta")?.refusal == nil)
        #expect(!agreed().tooLong)
        #expect(agreed().isStable)

        simulator.request(.move(group: "web", node: "beta"), on: "beta")
        simulator.run(for: .seconds(3))
        #expect(answer(simulator, on: "beta")?.refusal == nil)
        #expect(simulator.onlineGroups()["beta"] == ["web", "db"])

        simulator.request(.acknowledge, on: "alpha")
        simulator.run(for: .seconds(2))
        #expect(answer(simulator, on: "alpha")?.refusal?.contains("not UNSTABLE") == true)
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }
}
