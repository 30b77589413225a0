import ArgumentParser

/// The `vigil` command line: the root command and its nouns. The commands that talk to the local
/// `vigild` (start, stop, status, rg, log, sync) are asynchronous, so the root is too.
public struct VigilCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: a high-availability cluster manager.",
        subcommands: [
            StartCommand.self, StopCommand.self, StatusCommand.self, RGCommand.self, LogCommand.self,
            SyncCommand.self, AcknowledgeCommand.self, VerifyCommand.self, SimCommand.self, TestCommand.self,
            DemoCommand.self, DemoServiceCommand.self, TestbedCommand.self, BenchCommand.self,
        ]
    )

    public init() {}
}

extension VigilCommand {
    /// Parses the process's arguments and runs the command, asynchronously. (In `main.swift`,
    /// `await VigilCommand.main()` would pick the synchronous overload.)
    public static func start() async {
        await main(nil)
    }
}
