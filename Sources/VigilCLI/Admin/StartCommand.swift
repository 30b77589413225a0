import ArgumentParser
import VigilRuntime

/// `vigil start [--all]`: starts cluster services on this node or every node (the seed's rc.cluster).
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start cluster services on this node, or on every node.",
        discussion: """
            With --all, this node starts and asks every other node's vigild to start; the answer lists \
            what each node did, and names the nodes that did not answer within 6s (their vigild is not \
            running, or no network reaches them): the others are started all the same.
            """)

    @Flag(help: "Start cluster services on every node of the cluster (nodes that cannot be reached are named).")
    var all = false

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .start(all: all) }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command, handing output lines to `print` and messages to `printError`; returns the
    /// exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
