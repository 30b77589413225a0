import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// The seed's acceptance test, Table 12 of the HACMP/ES migration guide, and the spscream plan,
/// run in the simulator: every case must pass with no invariant broken on the way.
@Suite struct AcceptancePlanTests {
    @Test func table12PassesAllFifteenCases() throws {
        let config = try Fixtures.config("scream.yaml")
        let plan = try Fixtures.plan("scream-table12.yaml", for: config)
        #expect(plan.cases.count == 15)
        let runner = PlanRunner(config: config, plan: plan)
        let results = runner.run()
        for result in results where !result.passed { Issue.record("\(result)") }
        #expect(results.filter(\.passed).count == 15)
        #expect(runner.simulator.violations.isEmpty)
    }

    @Test func table12Case7KeepsIP4OnGhost1DespiteTheMisprint() throws {
        let config = try Fixtures.config("scream.yaml")
        let plan = try Fixtures.plan("scream-table12.yaml", for: config)
        let case7 = try #require(plan.cases.first { $0.number == 7 })
        #expect(case7.expect["ghost1"] == ["CH1", "IP4"])
        #expect(case7.expect["ghost4"] == ["SH2", "SH3"])
    }

    @Test func spscreamMutualTakeoverPasses() throws {
        let config = try Fixtures.config("spscream.yaml")
        let plan = try Fixtures.plan("spscream-plan.yaml", for: config)
        let results = PlanRunner(config: config, plan: plan).run()
        for result in results where !result.passed { Issue.record("\(result)") }
        #expect(!results.isEmpty && results.allSatisfy { $0.passed })
    }

    /// Non-transitive, one-way and partial cuts of the IP networks, with the ring still joining
    /// every node: nothing starts or stops (`not_log`), with the disk ring and with rs232.
    @Test(arguments: ["scream-testbed.yaml", "scream.yaml"])
    func cutsThatLeaveTheClusterConnectedMoveNothing(configuration: String) throws {
        let config = try Fixtures.config(configuration)
        let plan = try Fixtures.plan("scream-cuts.yaml", for: config)
        let runner = PlanRunner(config: config, plan: plan)
        let results = runner.run()
        for result in results where !result.passed { Issue.record("\(result)") }
        #expect(results.count == 7 && results.allSatisfy(\.passed))
        #expect(runner.simulator.violations.isEmpty)
    }

    @Test func aLineThatMustNotBeLoggedFailsTheCase() throws {
        let config = try Fixtures.config("scream.yaml")
        let plan = TestPlan(name: "quiet start", cases: [
            TestCase(number: 1, name: "start", actions: [.start(config.nodes.map(\.name))],
                     expect: ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2"], "ghost4": ["SH3"]],
                     notLog: ["EVENT START: node_up ghost3"]),
        ])
        let result = try #require(PlanRunner(config: config, plan: plan).run().first)
        #expect(result.problems == ["'EVENT START: node_up ghost3' must not be in the cluster log: EVENT START: node_up ghost3"])
    }

    @Test func aWrongExpectationFailsWithExpectedAndGot() throws {
        let config = try Fixtures.config("scream.yaml")
        let plan = TestPlan(name: "wrong", cases: [
            TestCase(number: 1, name: "start", actions: [.start(config.nodes.map(\.name))],
                     expect: ["ghost1": ["CH1"], "ghost2": ["CH1", "IP4"], "ghost3": ["SH2"], "ghost4": ["SH3"]]),
        ])
        let result = try #require(PlanRunner(config: config, plan: plan).run().first)
        #expect(!result.passed)
        #expect(result.description.hasPrefix("FAIL case 1: expected ghost1: CH1 | ghost2: CH1, IP4"))
        #expect(result.description.contains("got ghost1: CH1, IP4 | ghost2: CH1 | ghost3: SH2 | ghost4: SH3"))
    }

    @Test func rgMoveToANodeOutsideTheGroupIsRefusedAndChangesNothing() throws {
        let config = try Fixtures.config("scream.yaml")
        let plan = TestPlan(name: "refused move", cases: [
            TestCase(number: 1, name: "start", actions: [.start(config.nodes.map(\.name))],
                     expect: ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2"], "ghost4": ["SH3"]]),
            TestCase(number: 2, name: "move SH2 to ghost1", actions: [.move(group: "SH2", node: "ghost1")],
                     expect: ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2"], "ghost4": ["SH3"]]),
        ])
        let results = PlanRunner(config: config, plan: plan).run()
        #expect(results[0].passed)
        #expect(results[1].problems == ["rg move SH2 ghost1 refused: ghost1 does not participate in SH2 (nodes: ghost3, ghost4)"])
    }

    @Test func stickyOfflineSurvivesANodeFailureUntilBroughtOnline() throws {
        let config = try Fixtures.config("scream.yaml")
        let all = config.nodes.map(\.name)
        let plan = TestPlan(name: "sticky offline", cases: [
            TestCase(number: 1, name: "start", actions: [.start(all)],
                     expect: ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2"], "ghost4": ["SH3"]]),
            TestCase(number: 2, name: "SH3 offline sticky", actions: [.offline(group: "SH3", sticky: true)],
                     expect: ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2"]]),
            TestCase(number: 3, name: "ghost2 crashes", actions: [.crash(["ghost2"])],
                     expect: ["ghost1": ["CH1", "IP4"], "ghost3": ["SH2"]]),
            TestCase(number: 4, name: "SH3 online", actions: [.online(group: "SH3")],
                     expect: ["ghost1": ["CH1", "IP4"], "ghost3": ["SH2"], "ghost4": ["SH3"]]),
        ])
        let results = PlanRunner(config: config, plan: plan).run()
        for result in results where !result.passed { Issue.record("\(result)") }
        #expect(results.allSatisfy { $0.passed })
    }
}
