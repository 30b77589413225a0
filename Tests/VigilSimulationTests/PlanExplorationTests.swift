import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// `vigil plan`: the explored transitions cover the seed's Table 12, the plan written from them
/// passes when `vigil sim run` replays it from scratch, the diagram has no duplicate edge, and the
/// single points of failure are found (pair has none, a cluster on one network several).
@Suite struct PlanExplorationTests {
    /// Pair, fully explored.
    static let pair = TransitionExplorer(config: try! Fixtures.config("pair.yaml")).explore()

    /// The faults of the catalogue whose one action Table 12 does somewhere (crashes, the adapters of
    /// cases 2, 11 and 13, the move of case 12): scream's whole exploration takes minutes in a debug
    /// build, this one seconds, and it walks the same states.
    static func table12Faults() throws -> @Sendable (SingleFault) -> Bool {
        let config = try Fixtures.config("scream.yaml")
        let table12 = try Fixtures.plan("scream-table12.yaml", for: config)
        let actions = table12.cases.flatMap { $0.actions + $0.after }
        return { fault in fault.inject.count == 1 && actions.contains(fault.inject[0]) }
    }

    /// Each Table 12 case is done by a generated case from the same state, to the same placement.
    @Test func screamExplorationCoversTable12AndItsPlanReplays() throws {
        let config = try Fixtures.config("scream.yaml")
        let table12 = try Fixtures.plan("scream-table12.yaml", for: config)
        let exploration = TransitionExplorer(config: config, settle: .seconds(5), only: try Self.table12Faults())
            .explore()
        #expect(exploration.problems.isEmpty, "\(exploration.problems)")
        let coverage = PlanCoverage(reference: table12, exploration: exploration)
        #expect(coverage.matches.count == 15)
        #expect(coverage.uncovered.isEmpty, "\(coverage.uncovered)")
        // Case 5 crashes ghost2 while IP4 is on ghost2: a state that only a return leaves.
        let case5 = try #require(coverage.matches.first { $0.referenceCase == 5 }?.generatedCases.first)
        #expect(exploration.transitions[case5 - 1].before.groups["ghost2"] == ["CH1", "IP4"])
        let yaml = ExplorationPlan.yaml(exploration, configPath: "scream.yaml", planPath: "plan.yaml")
        let results = ExplorationCheck.replay(yaml: yaml, file: "plan.yaml", config: config)
        #expect(results.count == exploration.transitions.count)
        for result in results where !result.passed { Issue.record("\(result)") }
    }

    @Test(arguments: ["pair.yaml", "single-network.yaml"])
    func theWholePlanPassesWhenReplayedFromScratch(configuration: String) throws {
        let config = try Fixtures.config(configuration)
        let exploration =
            configuration == "pair.yaml" ? Self.pair : TransitionExplorer(config: config).explore()
        #expect(exploration.problems.isEmpty, "\(exploration.problems)")
        let yaml = ExplorationPlan.yaml(exploration, configPath: configuration, planPath: "plan.yaml")
        let results = ExplorationCheck.replay(yaml: yaml, file: "plan.yaml", config: config)
        #expect(results.count == exploration.transitions.count && results.count > 10)
        for result in results where !result.passed { Issue.record("\(result)") }
    }

    @Test func pairExplorationWalksEveryFaultAndItsUndo() throws {
        let exploration = Self.pair
        let faults = exploration.transitions.filter { $0.role == .fault }
        // From the steady state: 2 crashes, 2 stops, 3 adapters on each node, 3 networks lost
        // everywhere, and the moves of web and db.
        let fromSteady = faults.filter { $0.before == exploration.steady }
        #expect(fromSteady.count == 2 + 2 + 6 + 3 + 2)
        #expect(exploration.transitions.filter { $0.role == .undo }.count == faults.count)
        #expect(exploration.transitions.first?.role == .startCluster)
        #expect(exploration.transitions.last?.result == .nothingOnline)
        let crash = try #require(faults.first { $0.actions == [.crash(["alpha"])] })
        #expect(crash.result.groups == ["beta": ["web", "db"]])
        #expect(crash.events == ["EVENT START: node_down alpha"])
        #expect(crash.addresses == ["web_svc": "beta/eth0"])
    }

    /// One edge per pair of states, each event leading between them once in its label.
    @Test func theDiagramHasNoDuplicateEdgeAndIsTheSameEveryTime() throws {
        let dot = TransitionDiagram.dot(Self.pair)
        let edges = dot.split(separator: "\n").filter { $0.contains(" -> ") }
        let pairs = edges.map { $0.split(separator: " [")[0] }
        #expect(Set(pairs).count == pairs.count)
        let nodes = ["alpha", "beta"]
        let states = { (transition: Transition) in
            "\(transition.before.description(nodes: nodes))|\(transition.result.description(nodes: nodes))"
        }
        #expect(pairs.count == Set(Self.pair.transitions.map(states)).count)
        let labelled = edges.flatMap { edge in
            edge.split(separator: "label=\"")[1].dropLast(3).components(separatedBy: "\\n").map { "\(edge.split(separator: " [")[0])|\($0)" }
        }
        #expect(Set(labelled).count == labelled.count)
        #expect(labelled.count == Set(Self.pair.transitions.map { "\(states($0))|\($0.event)" }).count)
        #expect(dot.hasPrefix("digraph \"pair\" {\n") && dot.hasSuffix("}\n"))
        #expect(dot.contains("label=\"alpha: web\\nbeta: db\", style=bold"))
        #expect(dot.contains("s1 -> s2 [label=\"crash alpha\\nstop --takeover alpha\\nfail eth0 on alpha\\nrg move web beta\"];"))
        let again = TransitionExplorer(config: try Fixtures.config("pair.yaml")).explore()
        #expect(TransitionDiagram.dot(again) == dot)
        #expect(
            ExplorationPlan.yaml(again, configPath: "c", planPath: "p")
                == ExplorationPlan.yaml(Self.pair, configPath: "c", planPath: "p"))
    }

    @Test func theTableHasTheSeedsColumnsAndARowPerCase() {
        let table = TransitionTable.markdown(Self.pair, configPath: "examples/pair.yaml")
        let lines = table.split(separator: "\n")
        #expect(lines.contains("| Case | Action (command; initiator) | State before | State after | Cluster log |"))
        #expect(lines.filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Case") }.count == Self.pair.transitions.count)
        #expect(table.contains("| crash alpha; a failure | alpha: web \\| beta: db | alpha: --- \\| beta: web, db |"))
    }

    @Test func pairHasNoSinglePointOfFailure() throws {
        let exploration = SinglePointsOfFailure.explore(try Fixtures.config("pair.yaml"))
        #expect(SinglePointsOfFailure.find(in: exploration).isEmpty)
        #expect(SinglePointsOfFailure.checkedFaults(in: exploration) == 8)
    }

    @Test func oneNetworkWithoutADiskHeartbeatHasSeveral() throws {
        let exploration = SinglePointsOfFailure.explore(try Fixtures.config("single-network.yaml"))
        let found = SinglePointsOfFailure.find(in: exploration).map(\.description)
        #expect(found.count == 8)
        #expect(
            found.first
                == "SPOF: node alpha -> web offline: no quorum: beta lost it (policy majority; a majority of 2 nodes is 2)"
        )
        #expect(Set(found.map { $0.components(separatedBy: " -> ")[0] }).count == 4)
    }

    /// Only alpha has lan, where both groups' addresses live: its loss leaves them nowhere to go.
    @Test func aNetworkOnlyOneNodeHasIsNamed() throws {
        var config = try Fixtures.config("pair.yaml")
        config.nodes[1].interfaces.removeAll { $0.network == "lan" }
        let found = SinglePointsOfFailure.find(in: SinglePointsOfFailure.explore(config)).map(\.description)
        #expect(found.contains("SPOF: network lan on alpha -> web offline: no other node has lan"))
        #expect(found.contains("SPOF: network lan on alpha -> db offline: no other node has lan"))
    }
}
