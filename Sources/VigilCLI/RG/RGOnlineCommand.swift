import ArgumentParser
import VigilRuntime

/// `vigil rg online GROUP`: brings a group online where its policy puts it.
struct RGOnlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "online",
        abstract: "Bring a resource group online where its policy puts it.",
        discussion: "Clears any hold and any sticky placement of the group.")

    @Argument(help: "The resource group.", completion: LocalClusterNames.groups)
    var group: String

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .rgOnline(group: group) }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
