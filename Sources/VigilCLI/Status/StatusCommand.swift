import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime

/// `vigil status [--watch] [--interval 1s]`: the cluster, its nodes, interfaces and groups (the
/// seed's clstat and clRGinfo). `--watch` redraws the table at every interval until interrupted.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the cluster, its nodes, interfaces and resource groups.",
        discussion: """
            The first line gives the cluster state (UP or DOWN) and substate (STABLE, or UNSTABLE and \
            why); then each node with its member state (UP, DOWN, DISCONNECTED, NETPAR, STOPPED, \
            JOINING), each interface with its address and state, and each resource group with its state \
            on every node (ONLINE, OFFLINE, ACQUIRING, RELEASING, ERROR) and why it is there.
            """)

    @Flag(help: "Redraw the status at every interval until interrupted (like clstat).")
    var watch = false

    @Flag(help: "After the table, every group's agreed decision: the event, the rule, the nodes passed over.")
    var why = false

    @Option(help: "How often --watch redraws, with its unit (100ms to 1h).")
    var interval: DurationArgument = DurationArgument(.seconds(1))

    @OptionGroup var options: AdminOptions

    var command: AdminCommand {
        .status(watchIntervalMilliseconds: watch ? Int(interval.duration.milliseconds) : nil)
    }

    func validate() throws {
        guard AdminCommand.watchIntervals.contains(Int(interval.duration.milliseconds)) else {
            throw ValidationError(
                "--interval must be between 100ms and 1h, not \(DurationText.format(interval.duration)).")
        }
    }

    func run() async throws {
        let status = await execute(print: printFlushed, printError: printToStandardError, clearScreen: isatty(1) != 0)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command; returns the exit status. With `--watch`, each redraw starts with the
    /// terminal's clear-screen sequence when `clearScreen`, with an empty line otherwise.
    func execute(print: (String) -> Void, printError: (String) -> Void, clearScreen: Bool = false) async -> Int32 {
        var frames = 0
        return await AdminExchange.run(command, options: options, print: print, printError: printError) { payload in
            defer { frames += 1 }
            var lines = AdminText.lines(payload)
            if why, case .status(let snapshot) = payload {
                lines += ["", "why:"] + snapshot.groups.compactMap(DecisionRenderer.why)
            }
            guard watch else { return lines }
            if clearScreen { return ["\u{1B}[H\u{1B}[2J" + (lines.first ?? "")] + lines.dropFirst() }
            return frames == 0 ? lines : [""] + lines
        }
    }
}

/// A duration on the command line, with its unit: `500ms`, `1s`, `2m`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        guard let duration = DurationText.parse(argument) else { return nil }
        self.duration = duration
    }

    var defaultValueDescription: String { DurationText.format(duration) }
}
