import ArgumentParser
import VigilRuntime

/// `vigil rg move GROUP NODE`: moves a group and keeps it there (sticky) until cleared.
struct RGMoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a resource group to a node and keep it there.",
        discussion: "The placement is sticky: it survives later events until `vigil rg online GROUP` clears it.")

    @Argument(help: "The resource group.", completion: LocalClusterNames.groups)
    var group: String

    @Argument(help: "The node to move it to.", completion: LocalClusterNames.nodes)
    var node: String

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .rgMove(group: group, node: node) }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
