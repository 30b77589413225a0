import Testing
import VigilCore
import VigilModel

@testable import VigilSimulation

/// `vigil emulate`'s engine: a copy of the cluster started from a configuration's steady state or
/// from a live agreed state, events played on it with the real core.
@Suite struct EmulationTests {
    @Test func aCrashFromTheSteadyStateMovesTheGroupToItsNextNode() throws {
        let config = try Fixtures.config("scream.yaml")
        let emulation = Emulation(config: config)
        #expect(emulation.prepare() == nil)
        let event = try EmulatedEvent.parse(["node_down", "ghost3"], config: config).get()
        let report = emulation.play([event])
        print(report.lines.joined(separator: "\n"))
        let sh2 = try #require(report.groups.first { $0.group == "SH2" })
        #expect(sh2.from == ["ghost3"])
        #expect(sh2.to == ["ghost4"])
        #expect(report.log.contains { $0.hasSuffix("EVENT START: node_down ghost3") })
        #expect(report.summary == "emulate: 1 group moves, 3 stay; nothing was changed")
    }

    @Test func aCopyOfALiveStateKeepsItsHistory() throws {
        let config = try Fixtures.config("scream.yaml")
        let live = Simulator(config: config, seed: 7)
        for node in config.nodes { live.start(node.name) }
        live.run(for: .seconds(10))
        _ = PlanActions.apply(.crash(["ghost1"]), to: live)
        live.run(for: .seconds(10))
        _ = PlanActions.apply(.start(["ghost1"]), to: live)
        live.run(for: .seconds(10))
        _ = PlanActions.apply(.move(group: "SH3", node: "ghost3"), to: live)
        live.run(for: .seconds(10))
        let state = try #require(live.hosts["ghost2"]?.core?.installed)
        print(state.placement.mapValues(\.nodes))
        let emulation = Emulation(config: config, live: state, origin: "test")
        let problem = emulation.prepare()
        #expect(problem == nil, "\(problem!)")
        let event = try EmulatedEvent.parse(["node_down", "ghost3"], config: config).get()
        let report = emulation.play([event])
        print(report.lines.joined(separator: "\n"))
    }
}
