import ArgumentParser
import VigilRuntime

/// `vigil sync`: pushes this node's configuration to every node with a new version number.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push this node's configuration to every node, with a new version number.",
        discussion: "A node that is down gets the newest configuration when it rejoins.")

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .sync }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
