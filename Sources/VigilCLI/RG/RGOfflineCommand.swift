import ArgumentParser
import VigilRuntime

/// `vigil rg offline GROUP [--sticky]`: takes a group offline.
struct RGOfflineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline",
        abstract: "Take a resource group offline.",
        discussion: """
            Without --sticky the group may come back with the next node_up or node_down; with \
            --sticky it stays offline, whatever happens, until `vigil rg online GROUP`.
            """)

    @Argument(help: "The resource group.", completion: LocalClusterNames.groups)
    var group: String

    @Flag(help: "Keep it offline until brought online again.")
    var sticky = false

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .rgOffline(group: group, sticky: sticky) }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
