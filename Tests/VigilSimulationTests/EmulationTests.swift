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
        let sh2 = try #require(report.groups.first { $0.group == "SH2" })
        #expect(sh2.from == ["ghost3"])
        #expect(sh2.to == ["ghost4"])
        #expect(sh2.reason.hasPrefix("node_down ghost3: cascading"))
        #expect(sh2.passedOver == ["ghost3: not up"])
        #expect((sh2.outageSeconds ?? 0) > 0)
        #expect(report.log.contains { $0.hasSuffix("EVENT START: node_down ghost3") })
        // ghost4 takes SH2's resources over; the notify hook the configuration names runs too.
        let ghost4 = try #require(report.actions.first { $0.node == "ghost4" })
        #expect(ghost4.lines.contains { $0.hasSuffix("start Application_1") })
        #expect(ghost4.lines.contains { $0.contains("notify hook for node_down ghost3: ") })
        #expect(report.summary == "emulate: 1 group moves, 3 stay; nothing was changed")
    }

    /// The copy of a live state keeps what history decided: a sticky move, a rotating group left
    /// where a return found it; and predicts from there.
    @Test func aCopyOfALiveStateKeepsItsHistory() throws {
        let config = try Fixtures.config("scream.yaml")
        let live = Emulation(config: config, seed: 7)
        #expect(live.prepare() == nil)
        for action: PlanAction in [.crash(["ghost1"]), .start(["ghost1"]), .move(group: "SH3", node: "ghost3")] {
            _ = PlanActions.apply(action, to: live.simulator)
            live.settle()
        }
        let state = try #require(live.agreedState())
        #expect(state.placement["IP4"]?.nodes == ["ghost2"])
        #expect(state.placement["SH3"]?.nodes == ["ghost3"])
        let copy = Emulation(config: config, live: state, origin: "test")
        let problem = copy.prepare()
        #expect(problem == nil, "\(problem.map(\.description) ?? "")")
        #expect(copy.placement() == live.placement())
        let event = try EmulatedEvent.parse(["node_down", "ghost3"], config: config).get()
        let report = copy.play([event])
        _ = PlanActions.apply(event.action, to: live.simulator)
        live.settle()
        for outcome in report.groups { #expect(Set(outcome.to) == Set(live.placement()[outcome.group] ?? [])) }
        #expect(report.groups.first { $0.group == "SH3" }?.to == ["ghost4"])
    }

    @Test func aSyncThatAddsAGroupStartsIt() throws {
        let config = try Fixtures.config("scream-dare.yaml")
        let emulation = Emulation(config: config)
        #expect(emulation.prepare() == nil)
        let event = try EmulatedEvent.parse(["sync", Fixtures.path("scream-dare-2.yaml")], config: config).get()
        let report = emulation.play([event])
        #expect(report.groups.first { $0.group == "DB" }?.to == ["ghost2"])
        #expect(report.log.contains { $0.hasSuffix("EVENT START: reconfig 1") })
    }

    @Test func aPartitionedStateIsRefusedWithItsReason() throws {
        let config = try Fixtures.config("scream.yaml")
        var state = ClusterState(epoch: 3, coordinator: "ghost1", members: ["ghost1": 1, "ghost2": 1])
        state.disconnected = ["ghost2"]
        let problem = Emulation(config: config, live: state, origin: "test").prepare()
        #expect(problem?.description.contains("DISCONNECTED or NETPAR (ghost2)") == true)
    }

    @Test(arguments: [
        (["frob"], "unknown event 'frob'"),
        (["node_down", "ghost9"], "no node ghost9 in cluster scream"),
        (["stop", "ghost1"], "say how it stops"),
        (["fail_interface", "ghost1", "eth7"], "ghost1 has no interface eth7"),
        (["move", "XX", "ghost1"], "no resource group XX"),
        (["partition", "ether", "ghost1"], "sides are written A,B/C,D"),
        (["node_down", "ghost1", "--graceful"], "unexpected --graceful"),
    ])
    func aWrongEventSaysWhatIsWrong(words: [String], message: String) throws {
        let config = try Fixtures.config("scream.yaml")
        guard case .failure(let error) = EmulatedEvent.parse(words, config: config) else {
            Issue.record("\(words) parsed")
            return
        }
        #expect(error.description.contains(message), "\(error)")
    }

    @Test func eventsAreSeparatedByThen() throws {
        let config = try Fixtures.config("scream.yaml")
        let events = try EmulatedEvent.parseSequence(
            ["stop", "ghost1", "--takeover", "--then", "node_up", "ghost1"], config: config
        ).get()
        #expect(events.map(\.action) == [.stop(["ghost1"], mode: "takeover"), .start(["ghost1"])])
    }
}
