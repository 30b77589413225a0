import ArgumentParser
import Foundation
import VigilModel
import VigilSimulation

/// `vigil plan CONFIG --out DIR`: the state-transition diagram and the test plan of a configuration,
/// explored with the real core in the simulator (the seed's hand-drawn diagram and its Table 12).
/// `vigil plan CONFIG --single-failures`: the single faults that leave a group offline.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Explore every single fault of a configuration: test plan, transitions, diagram, SPOFs.",
        discussion: """
            Runs the configuration's cluster in the simulator, the real core deciding. From the \
            steady state (every node started) it injects, one at a time, every single fault the \
            configuration allows, and undoes it: each node's crash and return, a graceful stop \
            with takeover and the return, each adapter's failure and repair (serial and disk \
            paths too), each network lost on one node and on every node, and each move of a \
            group to another node. A placement a return leaves (a rotating group does not fall \
            back) is explored the same way.

            With --out DIR it writes:
              plan.yaml       the test plan: a case per transition, expecting the
                              placement, the moved addresses and the events the simulator
                              produced (for vigil sim run and vigil test --testbed)
              transitions.md  the seed's Table 12 layout: case, action, state before and
                              after, cluster log
              diagram.dot     the state-transition diagram: placements and events
              diagram.svg     the diagram drawn, when Graphviz's dot is installed
            Before writing, it replays the plan from scratch as vigil sim run does; it
            exits 1 if a case fails.

            With --single-failures it prints a line for each component failure (a node, an
            adapter, a node's network) after which a group is offline, and why:
              SPOF: network ether on ghost1 -> IP4 offline: no other node has ether
            then a summary line; it exits 1 when there is one.
            """
    )

    @Argument(help: "The cluster configuration (YAML).")
    var config: String

    @Option(help: ArgumentHelp("Write plan.yaml, transitions.md and the diagram here.", valueName: "dir"))
    var out: String?

    @Flag(help: "List the single faults after which some group is offline; exit 1 if there is one.")
    var singleFailures = false

    @Option(help: "The simulator's seed (vigil sim run replays the plan with seed 1, its default).")
    var seed: UInt64 = 1

    @Option(help: "The most states faults are explored from (the steady state and those returns leave).")
    var maxStates = 8

    @Option(
        help: ArgumentHelp(
            "With --out: say which generated case covers each case of this plan (same action from the same "
                + "state, same placement after); exit 1 if one is not covered.", valueName: "plan"))
    var covers: String?

    func validate() throws {
        if out == nil && !singleFailures { throw ValidationError("give --out DIR, or --single-failures") }
        if maxStates < 1 { throw ValidationError("--max-states must be at least 1") }
        if covers != nil && out == nil { throw ValidationError("--covers needs --out DIR") }
    }

    func run() throws {
        let loaded: ClusterConfig
        do {
            loaded = try ConfigLoader.load(contentsOf: config).config
        } catch {
            throw PlanCommandError(Self.firstLine(of: error, about: config))
        }
        var failed = false
        if let out {
            failed = try writePlan(loaded, to: out, print: { print($0) }) || failed
        }
        if singleFailures {
            failed = reportSinglePointsOfFailure(loaded, print: { print($0) }) || failed
        }
        if failed { throw ExitCode(1) }
    }

    /// Explores, checks the plan in a fresh simulator, writes the files. Whether a case failed.
    func writePlan(_ loaded: ClusterConfig, to directory: String, print: (String) -> Void) throws -> Bool {
        let files = try PlanFiles(directory: directory)
        let explorer = TransitionExplorer(config: loaded, seed: seed, stateLimit: maxStates)
        var explored = 0
        let exploration = explorer.explore { _ in
            explored += 1
            if explored % Self.progressEvery == 0 { printToStandardError("plan: \(explored) cases explored") }
        }
        let planPath = files.path("plan.yaml")
        let yaml = ExplorationPlan.yaml(exploration, configPath: config, planPath: planPath)
        let results = ExplorationCheck.replay(yaml: yaml, file: planPath, config: loaded, seed: seed)
        try files.write("plan.yaml", yaml)
        try files.write("transitions.md", TransitionTable.markdown(exploration, configPath: config))
        let dot = TransitionDiagram.dot(exploration)
        try files.write("diagram.dot", dot)
        let states = Set(exploration.transitions.flatMap { [$0.before, $0.result] }).count
        let edges = dot.split(separator: "\n").filter { $0.contains(" -> ") }.count
        let failures = results.filter { !$0.passed }
        let unexplored =
            exploration.unexplored > 0 ? "; \(exploration.unexplored) more not explored (--max-states)" : ""
        print("plan: \(exploration.transitions.count) cases, \(states) states, \(edges) edges\(unexplored)")
        print("steady state: \(exploration.steady.description(nodes: loaded.nodes.map(\.name)))")
        print(
            "wrote \(planPath): \(results.count - failures.count) of \(results.count) cases pass when replayed "
                + "in the simulator")
        for failure in failures { print("  \(failure)") }
        print("wrote \(files.path("transitions.md"))")
        print("wrote \(files.path("diagram.dot"))")
        print(try files.drawDiagram())
        for problem in exploration.problems { print("  \(problem)") }
        for note in exploration.abandoned { print("note: \(note)") }
        for network in loaded.networks.map(\.name) where FaultCatalogue.returnIsTimed(network, loaded) {
            print(
                "note: not in the plan: network \(network) lost on every node (a rotating group's address is "
                    + "on it; where the group comes back is decided by timing)")
        }
        let uncovered = try covers.map { try reportCoverage(of: $0, by: exploration, print: print) } ?? false
        return !failures.isEmpty || !exploration.problems.isEmpty || uncovered
    }

    /// A loader's error in one line: its first diagnostic (which names the file), and how many more.
    static func firstLine(of error: any Error, about file: String) -> String {
        let lines = String(describing: error).split(separator: "\n")
        let more = lines.count > 1 ? " (and \(lines.count - 1) more: vigil verify \(file) lists them)" : ""
        return "plan: \(lines.first ?? "\(file): cannot be read")\(more)"
    }

    /// How often the exploration says how far it got (on standard error): a case takes from a tenth
    /// of a second to half a second.
    static let progressEvery = 25

    /// Prints which generated case covers each case of the plan at `path`. Whether one is not covered.
    func reportCoverage(of path: String, by exploration: Exploration, print: (String) -> Void) throws -> Bool {
        let reference: TestPlan
        do {
            reference = try TestPlanLoader.load(contentsOf: path, nodes: exploration.config.nodes.map(\.name))
        } catch {
            throw PlanCommandError(Self.firstLine(of: error, about: path))
        }
        let coverage = PlanCoverage(reference: reference, exploration: exploration)
        for match in coverage.matches { print("covers \(match)") }
        print(
            "covers: \(coverage.matches.count - coverage.uncovered.count) of \(coverage.matches.count) cases of \(path)"
        )
        return !coverage.uncovered.isEmpty
    }

    /// Prints every single point of failure and a summary line. Whether there is one.
    func reportSinglePointsOfFailure(_ loaded: ClusterConfig, print: (String) -> Void) -> Bool {
        let exploration = SinglePointsOfFailure.explore(loaded)
        let found = SinglePointsOfFailure.find(in: exploration)
        for spof in found { print(spof.description) }
        let checked = SinglePointsOfFailure.checkedFaults(in: exploration)
        let faults = Set(found.map(\.fault)).count
        print(
            found.isEmpty
                ? "single failures: none of \(checked) single faults leaves a group offline"
                : "single failures: \(faults) of \(checked) single faults leave a group offline")
        return !found.isEmpty
    }
}

/// A failure of `vigil plan` told in one line (no usage text after it).
struct PlanCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
