import Foundation
import Testing
import VigilModel

/// Plans written by `TestPlanWriter` read back with `TestPlanLoader` to the same plan: every hand-written
/// example plan, and one action of every kind.
@Suite struct TestPlanWriterTests {
    /// The plan with where each case was written left out (a written plan's cases are elsewhere).
    func withoutLocations(_ plan: TestPlan) -> TestPlan {
        var plan = plan
        for index in plan.cases.indices { plan.cases[index].location = nil }
        return plan
    }

    func roundTrip(_ plan: TestPlan, nodes: [String]) throws -> TestPlan {
        let text = TestPlanWriter.yaml(plan, header: ["a header", ""], allNodes: nodes)
        return try TestPlanLoader.load(yaml: text, file: "/tmp/written-plan.yaml", nodes: nodes)
    }

    @Test(arguments: [
        ("scream.yaml", "scream-table12.yaml"), ("scream.yaml", "scream-cuts.yaml"),
        ("scream.yaml", "scream-partial.yaml"), ("pair.yaml", "pair-plan.yaml"), ("spscream.yaml", "spscream-plan.yaml"),
        ("scream-dare.yaml", "scream-dare-plan.yaml"), ("sixteen.yaml", "sixteen-ring-plan.yaml"),
    ])
    func anExamplePlanReadsBackEqual(configuration: String, planFile: String) throws {
        let nodes = try ConfigLoader.load(contentsOf: Fixture.example(configuration)).config.nodes.map(\.name)
        let plan = try TestPlanLoader.load(contentsOf: Fixture.example(planFile), nodes: nodes)
        #expect(!plan.cases.isEmpty)
        #expect(withoutLocations(try roundTrip(plan, nodes: nodes)) == withoutLocations(plan))
    }

    @Test func everyActionKindReadsBackEqual() throws {
        let nodes = ["a", "b", "true", "10"]
        let actions: [PlanAction] = [
            .start(nodes), .start(["a"]), .crash(["a", "b"]), .stop(["b"], mode: "takeover"), .stop(nodes, mode: "forced"),
            .failInterface(node: "a", interface: "eth0"), .repairInterface(node: "true", interface: "eth1"),
            .failNetwork(network: "lan", node: nil), .failNetwork(network: "lan", node: "10"),
            .repairNetwork(network: "lan", node: "a"), .partition(network: "lan", sides: [["a"], ["b", "10"]]),
            .cut(network: "lan", from: "a", to: "b", bothWays: true), .cut(network: "lan", from: "b", to: "a", bothWays: false),
            .heal(network: nil), .heal(network: "lan"), .pause(node: "a", duration: .milliseconds(1500)),
            .degrade(network: "lan", loss: 0.25, delay: .milliseconds(50)), .restore(network: nil),
            .move(group: "web", node: "b"), .online(group: "web"), .offline(group: "web", sticky: false),
            .offline(group: "db", sticky: true), .wait(.seconds(3)), .sync(file: "/etc/vigil/next.yaml"),
            .preview(file: "/etc/vigil/next.yaml", expect: ["web: a -> b", "a \"quoted\" line"]),
            .snapshotSave(name: "before"), .snapshotRestore(name: "before"),
            .snapshotDiff(name: "before", expect: ["no difference"]),
        ]
        let plan = TestPlan(
            name: "every: action, \"quoted\"", settle: .milliseconds(2500),
            cases: [
                TestCase(
                    number: 7, name: "all of them: one case", actions: actions, expect: ["a": ["web", "db"], "10": []],
                    addresses: ["web_svc": "a/eth0"], log: ["EVENT START: node_down a"], notLog: ["x: y"],
                    steady: ["db"], after: [.start(["a"])]),
                TestCase(number: 8, name: "nothing online", actions: [.stop(nodes, mode: "graceful")], expect: [:]),
            ])
        let read = withoutLocations(try roundTrip(plan, nodes: nodes))
        for (action, readAction) in zip(actions, read.cases[0].actions) { #expect(readAction == action) }
        #expect(read == plan)
    }

    @Test func actionsAreWrittenAsThePlansWriteThem() {
        let text = TestPlanWriter.yaml(
            TestPlan(
                name: "t",
                cases: [
                    TestCase(
                        number: 1, name: "start", actions: [.start(["g1", "g2"]), .crash(["g1"])],
                        expect: ["g2": ["IP4", "CH1"], "g1": ["CH1"]], after: [.move(group: "IP4", node: "g1")])
                ]), allNodes: ["g1", "g2"])
        #expect(text.contains("    do: [{start: all}, {crash: g1}]\n"))
        #expect(text.contains("    expect: {g1: [CH1], g2: [IP4, CH1]}\n"))
        #expect(text.contains("    after: [{move: {group: IP4, node: g1}}]\n"))
    }
}
