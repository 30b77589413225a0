import ArgumentParser
import VigilRuntime

/// `vigil stop --graceful | --takeover | --forced [--all]`: stops cluster services (the seed's clstop).
struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop cluster services on this node, or on every node.",
        usage: "vigil stop (--graceful | --takeover | --forced) [--all] [--socket <path>] [--json]",
        discussion: """
            --graceful releases this node's groups and leaves them offline until the node returns; \
            --takeover releases them and lets the other nodes take them over; --forced leaves them \
            running, unmanaged, and nobody takes them over. One of the three is required. With --all, \
            every node stops in that way; the answer lists what each node did and names the nodes that \
            did not answer within 6s.
            """)

    /// The way of stopping, as flags.
    enum How: String, EnumerableFlag {
        case graceful, takeover, forced

        static func help(for value: How) -> ArgumentHelp? {
            switch value {
            case .graceful: "Release the groups; they stay offline until the node returns."
            case .takeover: "Release the groups; the other nodes take them over."
            case .forced: "Leave the resources running, unmanaged."
            }
        }

        var mode: StopMode {
            switch self {
            case .graceful: .graceful
            case .takeover: .takeover
            case .forced: .forced
            }
        }
    }

    @Flag var how: How

    @Flag(
        help: """
            Stop cluster services on every node of the cluster, in the same way (nodes that cannot be reached are \
            named; the others are stopped all the same).
            """)
    var all = false

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .stop(mode: how.mode, all: all) }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
