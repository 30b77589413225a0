import Foundation
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

    /// A node that a synced file adds is a node of the plan from that sync on, not before; the
    /// snapshot actions read their names and expected lines.
    @Test func aSyncedFileAddsItsNodesFromThatSyncOnAndSnapshotsAreRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try String(contentsOf: Fixture.repoRoot.appendingPathComponent("examples/scream-dare.yaml"), encoding: .utf8)
        let six = try String(contentsOf: Fixture.repoRoot.appendingPathComponent("examples/scream-dare-6.yaml"), encoding: .utf8)
        try six.write(to: directory.appendingPathComponent("six.yaml"), atomically: true, encoding: .utf8)
        let planPath = directory.appendingPathComponent("plan.yaml").path
        let plan = try TestPlanLoader.load(yaml: """
            cases:
              - do: [{snapshot: first}, {sync: six.yaml}, {start: ghost5}]
                expect: {ghost5: []}
              - do: [{snapshot_restore: first}, {snapshot_diff: {name: first, expect: [no difference]}}]
                expect: {}
            """, file: planPath, nodes: nodes)
        #expect(plan.cases[0].actions == [.snapshotSave(name: "first"), .sync(file: directory.path + "/six.yaml"), .start(["ghost5"])])
        #expect(plan.cases[1].actions == [.snapshotRestore(name: "first"), .snapshotDiff(name: "first", expect: ["no difference"])])
        #expect(plan.syncedFiles == [directory.path + "/six.yaml"])

        // Before the sync, ghost5 is no node of the plan.
        #expect {
            _ = try TestPlanLoader.load(yaml: "cases:\n  - do: [{start: ghost5}, {sync: six.yaml}]\n", file: planPath, nodes: nodes)
        } throws: { error in "\(error)".contains("'ghost5' is not a node of the cluster") }

        // The hosts: the starting configuration's, then ghost5 appended (its disk slot stays the fifth).
        let (loaded, _) = ConfigLoader.load(yaml: base, file: "scream-dare.yaml")
        let start = try #require(loaded).config
        let world = PlanHosts.configuration(start, syncing: plan.syncedFiles)
        #expect(world.nodes.map(\.name) == ["ghost1", "ghost2", "ghost3", "ghost4", "ghost5"])
        #expect(world.resourceGroups.map(\.name) == start.resourceGroups.map(\.name))
        #expect(PlanHosts.configuration(start, syncing: [directory.path + "/missing.yaml"]).nodes.count == 4)
    }
}
