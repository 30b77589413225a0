import ArgumentParser

/// `vigil sim`: the deterministic simulator.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the cluster in the deterministic simulator.",
        subcommands: [SimRunCommand.self, SimFuzzCommand.self, SimReplayCommand.self, SimPredictCommand.self]
    )
}
