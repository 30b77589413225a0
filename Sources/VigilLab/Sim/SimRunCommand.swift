import ArgumentParser
import VigilModel
import VigilSimulation

/// `vigil sim run CONFIG --plan PLAN`: runs a test plan in the simulator.
struct SimRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a test plan against a simulated cluster.",
        discussion: """
            Prints one line per case, `PASS case N: ...` or `FAIL case N: expected ..., got ...`, \
            then `N passed, M failed`. Exits 0 only if every case passed.
            """
    )

    @Argument(help: "The cluster configuration (YAML).")
    var config: String

    @Option(help: "The test plan (YAML).")
    var plan: String

    @Option(help: "The simulator's seed: the same seed replays the same run.")
    var seed: UInt64 = 1

    @Flag(help: "Print every message, decision and action as it happens.")
    var trace = false

    @Flag(help: "After each case, print its events and the cluster's status table.")
    var verbose = false

    func run() throws {
        if try !execute(print: { print($0) }) { throw ExitCode(1) }
    }

    /// Runs the plan, handing every output line to `print`. Returns whether every case passed.
    func execute(print: @escaping (String) -> Void) throws -> Bool {
        let loaded = try ConfigLoader.load(contentsOf: config)
        let testPlan = try TestPlanLoader.load(contentsOf: plan, nodes: loaded.config.nodes.map(\.name))
        let runner = PlanRunner(config: loaded.config, plan: testPlan, seed: seed)
        if trace { runner.simulator.trace = { print($0) } }
        var since = runner.simulator.now
        let results = runner.run { result in
            print(result.description)
            guard verbose else { return }
            for line in StatusTable.events(of: runner.simulator, since: since) { print("    \(line)") }
            for line in StatusTable.lines(of: runner.simulator) { print("  \(line)") }
            print("")
            since = runner.simulator.now
        }
        let failed = results.filter { !$0.passed }.count
        print("\(results.count - failed) passed, \(failed) failed")
        return failed == 0
    }
}
