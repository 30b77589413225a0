import ArgumentParser

/// `vigil rg`: resource groups, cluster-wide (the seed's clRGinfo and cldare -M).
struct RGCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rg",
        abstract: "List, move, and bring resource groups online or offline.",
        subcommands: [RGListCommand.self, RGMoveCommand.self, RGOnlineCommand.self, RGOfflineCommand.self])
}
