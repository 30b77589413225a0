import ArgumentParser
import VigilRuntime

/// `vigil rg list`: every group with its policy, its state on each node and why it is there.
struct RGListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the resource groups with their state on each node.")

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .rgList }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
