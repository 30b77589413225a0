import ArgumentParser

/// The `vigil` command line: the root command and its nouns.
public struct VigilCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: a high-availability cluster manager.",
        subcommands: [VerifyCommand.self, SimCommand.self, DemoCommand.self, DemoServiceCommand.self]
    )

    public init() {}
}
