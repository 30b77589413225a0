import ArgumentParser
import VigilRuntime

/// `vigil log [--follow] [--cluster] [-n N]`: the node's event log (the seed's hacmp.out) or the
/// cluster log (cluster.log).
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show this node's event log, or the cluster log.")

    @Flag(help: "Show the cluster log (one line per event start and completion) instead of the event log.")
    var cluster = false

    @Flag(name: .shortAndLong, help: "Keep printing new lines as they are written.")
    var follow = false

    @Option(name: [.customShort("n"), .long], help: "How many of the last lines to show (0 to 10000).")
    var lines = 50

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .log(cluster: cluster, lines: lines, follow: follow) }

    func validate() throws {
        guard AdminCommand.logLines.contains(lines) else {
            throw ValidationError("-n must be between 0 and 10000, not \(lines).")
        }
    }

    func run() async throws {
        let status = await execute(print: printFlushed, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
