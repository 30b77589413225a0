import ArgumentParser
import VigilRuntime

/// `vigil acknowledge`: the administrator has looked at an event that ran longer than
/// config_too_long; the cluster is no longer marked UNSTABLE for it.
struct AcknowledgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acknowledge",
        abstract: "Clear UNSTABLE after an event ran longer than config_too_long.",
        discussion: """
            An event that runs longer than tuning.config_too_long marks the cluster UNSTABLE, and \
            group requests are refused until an administrator acts: look at `vigil log --cluster` \
            and `vigil status`, put right what blocks the event, then acknowledge. Refused when the \
            cluster is not UNSTABLE.
            """)

    @OptionGroup var options: AdminOptions

    var command: AdminCommand { .acknowledge }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        await AdminExchange.run(command, options: options, print: print, printError: printError)
    }
}
