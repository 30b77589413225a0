import Testing
import VigilModel

/// Test plans read from YAML; a bad plan names file, line and field and changes nothing.
@Suite struct TestPlanLoaderTests {
    let nodes = ["ghost1", "ghost2", "ghost3", "ghost4"]

    @Test func aPlanReadsItsCasesActionsAndExpectations() throws {
        let plan = try TestPlanLoader.load(yaml: """
            name: small
            settle: 5s
            cases:
              - case: 3
                name: crash ghost1
                do: [{crash: ghost1}, {fail_interface: {node: ghost3, interface: tr0}}, {move: {group: IP4, node: ghost2}}]
                expect: {ghost2: [CH1, IP4]}
                addresses: {ip4_svc: ghost2/en0}
                log: ["EVENT COMPLETED: node_down ghost1"]
                after: [{stop: {nodes: all, mode: takeover}}]
            """, file: "p.yaml", nodes: nodes)
        #expect(plan.name == "small" && plan.settle == .seconds(5))
        let only = try #require(plan.cases.first)
        #expect(only.number == 3)
        #expect(only.actions == [.crash(["ghost1"]), .failInterface(node: "ghost3", interface: "tr0"), .move(group: "IP4", node: "ghost2")])
        #expect(only.expect == ["ghost2": ["CH1", "IP4"]])
        #expect(only.addresses == ["ip4_svc": "ghost2/en0"])
        #expect(only.after == [.stop(nodes, mode: "takeover")])
    }

    @Test func cutsAndLinesThatMustNotBeLoggedAreRead() throws {
        let plan = try TestPlanLoader.load(yaml: """
            cases:
              - case: 1
                do:
                  - cut: {network: ether, from: ghost1, to: ghost3}
                  - cut: {network: token, from: ghost4, to: ghost2, one_way: true}
                expect: {ghost1: [CH1]}
                not_log: ["EVENT START", "left out of view"]
            """, file: "p.yaml", nodes: nodes)
        let only = try #require(plan.cases.first)
        #expect(only.actions == [
            .cut(network: "ether", from: "ghost1", to: "ghost3", bothWays: true),
            .cut(network: "token", from: "ghost4", to: "ghost2", bothWays: false),
        ])
        #expect(only.notLog == ["EVENT START", "left out of view"])
        #expect(only.actions[1].description == "cut token ghost4 -> ghost2")
    }

    @Test func aCutOfANodeFromItselfIsAnError() {
        #expect {
            _ = try TestPlanLoader.load(
                yaml: "cases:\n  - do: [{cut: {network: ether, from: ghost1, to: ghost1}}]\n", file: "p.yaml",
                nodes: nodes)
        } throws: { error in
            "\(error)".hasPrefix("p.yaml:2:") && "\(error)".contains("from and to are the same node")
        }
    }

    @Test func anUnknownActionIsAnErrorAtItsLine() {
        #expect {
            _ = try TestPlanLoader.load(yaml: "cases:\n  - do: [{explode: ghost1}]\n", file: "p.yaml", nodes: nodes)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("p.yaml:2:") && text.contains("unknown action 'explode'")
        }
    }

    @Test func anUnknownNodeIsNamed() {
        #expect {
            _ = try TestPlanLoader.load(yaml: "cases:\n  - do: [{crash: ghost9}]\n", file: "p.yaml", nodes: nodes)
        } throws: { error in
            "\(error)".contains("'ghost9' is not a node of the cluster")
        }
    }

    @Test func aDurationWithoutUnitIsRefused() {
        #expect {
            _ = try TestPlanLoader.load(yaml: "cases:\n  - do: [{wait: 5}]\n", file: "p.yaml", nodes: nodes)
        } throws: { error in
            "\(error)".contains("must be a duration with a unit")
        }
    }

    /// Yams reads `1:1:...:1` as a base-60 number and trapped on its overflow when the case number
    /// was read with `Node.int`.
    @Test func aBase60CaseNumberDoesNotTrap() throws {
        let plan = try TestPlanLoader.load(yaml: "cases:\n  - case: 1:1:1:1:1:1:1:1:1:1:1:1\n    do: []\n",
                                           file: "p.yaml", nodes: nodes)
        #expect(plan.cases.map(\.number) == [1])
    }

    @Test func aDurationTooLongIsRefused() {
        for text in ["99999999999999999999s", "25h"] {
            #expect {
                _ = try TestPlanLoader.load(yaml: "cases:\n  - do: [{wait: \(text)}]\n", file: "p.yaml", nodes: nodes)
            } throws: { error in
                "\(error)".contains("must be a duration with a unit, at most 24h")
            }
        }
    }
}
