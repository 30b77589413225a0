import ArgumentParser
import Foundation
import VigilModel
import VigilSimulation

/// `vigil sim predict CONFIG --faults N`: prediction equals outcome for `vigil emulate` — before
/// each of N random single faults on a simulated cluster, a copy started from that moment's agreed
/// state predicts the placement; the cluster must then reach exactly that placement.
struct SimPredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Check that vigil emulate predicts what the cluster does, over random faults.",
        discussion: """
            A simulated cluster takes random single faults one after another (crashes, stops, starts, \
            adapters failed and repaired, groups moved, taken offline and online; never more than it \
            can take with its quorum). Before each, the engine of `vigil emulate` starts a copy of the \
            cluster from that moment's agreed state and plays the fault there. Prints every predicted \
            placement that was not the outcome, then `predict: N faults, M mismatches (K refused)`. \
            Exits 0 only if M is 0. Refused: states the copy says it cannot reproduce (a node cut from \
            every IP network), as `vigil emulate` refuses them.
            """)

    @Argument(help: "The cluster configuration (YAML).")
    var config: String

    @Option(help: "How many faults to predict.")
    var faults: Int = 1000

    @Option(help: "The seed of the first cluster; the others follow it.")
    var seed: UInt64 = 1

    func run() throws {
        let loaded = try ConfigLoader.load(contentsOf: config)
        var printed = 0
        let outcome = PredictionCheck(config: loaded.config).run(faults: faults, seed: seed) { progress in
            for line in progress.mismatches.dropFirst(printed) { print("MISMATCH \(line)") }
            printed = progress.mismatches.count
        }
        print(
            "predict: \(outcome.compared) faults, \(outcome.mismatches.count) mismatches "
                + "(\(outcome.refused.count) refused)")
        if !outcome.mismatches.isEmpty { throw ExitCode(1) }
    }
}
