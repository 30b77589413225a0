import ArgumentParser
import Foundation
import VigilModel
import VigilSimulation

/// `vigil sim fuzz CONFIG --seeds N`: random fault schedules, each checked after every step.
struct SimFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Run random fault schedules and check the invariants after every step.",
        discussion: """
            Each schedule starts every node, injects random faults for a while (keeping every pair \
            of running nodes connected by at least one IP network), heals them, and checks that the \
            cluster converges. Prints a line per violation with its seed (replay it with `vigil sim \
            replay CONFIG --seed S`), then `N schedules, V violations`. Exits 0 only if V is 0.
            """
    )

    @Argument(help: "The cluster configuration (YAML).")
    var config: String

    @Option(help: "How many schedules to run.")
    var seeds: Int = 100

    @Option(help: "The seed of the first schedule; the others follow it.")
    var first: UInt64 = 1

    @Option(
        help: """
            Fault kinds to inject, comma-separated, or all: \
            \(FaultKind.allCases.map(\.rawValue).joined(separator: ", ")).
            """)
    var faults: String = "all"

    func validate() throws {
        guard seeds > 0 else { throw ValidationError("--seeds must be at least 1") }
        guard FaultKind.parseList(faults) != nil else {
            throw ValidationError(
                "--faults: expected a comma-separated list of "
                    + "\(FaultKind.allCases.map(\.rawValue).joined(separator: ", ")), or all"
            )
        }
    }

    func run() throws {
        if try !execute(print: { print($0) }) { throw ExitCode(1) }
    }

    /// Runs the schedules, handing every output line to `print`. Returns whether none broke an invariant.
    func execute(print: (String) -> Void) throws -> Bool {
        let loaded = try ConfigLoader.load(contentsOf: config)
        let fuzzer = Fuzzer(config: loaded.config, faults: FaultKind.parseList(faults)!)
        let started = ContinuousClock.now
        var violations = 0
        var longest: (Duration, UInt64)? = nil
        for seed in first..<(first + UInt64(seeds)) {
            let outcome = fuzzer.run(seed: seed)
            for violation in outcome.violations { print("seed \(seed): \(violation)") }
            violations += outcome.violations.count
            if let recovery = outcome.recovery, recovery > (longest?.0 ?? .zero) { longest = (recovery, seed) }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "speed: %.1f schedules per second", Double(seeds) / max(seconds, 1e-9)))
        if let longest {
            print(
                "recovery: every group back online at most \(DurationText.format(longest.0)) after the last fault "
                    + "healed (seed \(longest.1))"
            )
        }
        print("\(seeds) schedules, \(violations) violations")
        return violations == 0
    }
}

/// `vigil sim replay CONFIG --seed S`: one schedule, step by step.
struct SimReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay one fault schedule step by step, with every message and decision."
    )

    @Argument(help: "The cluster configuration (YAML).")
    var config: String

    @Option(help: "The schedule's seed, as `vigil sim fuzz` printed it.")
    var seed: UInt64

    @Option(help: "Fault kinds, as given to `vigil sim fuzz`.")
    var faults: String = "all"

    func run() throws {
        let loaded = try ConfigLoader.load(contentsOf: config)
        guard let kinds = FaultKind.parseList(faults) else { throw ValidationError("--faults: unknown fault kind") }
        let outcome = Fuzzer(config: loaded.config, faults: kinds).run(seed: seed) { print($0) }
        for violation in outcome.violations { print("seed \(seed): \(violation)") }
        print("1 schedules, \(outcome.violations.count) violations")
        if !outcome.violations.isEmpty { throw ExitCode(1) }
    }
}
