import ArgumentParser
import VigilRuntime

/// `vigil sync`: pushes this node's configuration to every node with a new version number.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push this node's configuration to every node, with a new version number.",
        discussion: """
            The daemon verifies its --config file as it is now (a file with errors is refused and \
            nothing is sent), stores it as the next version in STATE/cluster.yaml and sends it to every \
            node, which verifies and stores it too. A node that is down gets the newest version as soon \
            as its vigild runs again. A running daemon keeps its configuration: each node runs the new \
            version from its next start (`vigil status` says "restart vigild to use version N").
            """)

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
