import ArgumentParser
import VigilCLI
import VigilLab
import VigilModel
import VigilRuntime

/// The `vigil` command line: the root command, with the operator's commands (VigilCLI) and the lab's
/// (VigilLab) as two groups of `vigil --help`. The commands that talk to the local `vigild` (start,
/// stop, status, rg, log, sync) are asynchronous, so the root is too.
///
/// Why a target of its own: the root must name both groups, so it sits above both libraries; in
/// either of them it would make that library depend on the other (the operator's commands on the
/// lab, or the lab on the operator's commands). Here neither depends on the other, nothing cycles,
/// and the tests of both parse through the real root (`VigilCommand.parseAsRoot`).
public struct VigilCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: a high-availability cluster manager.",
        version: VigilVersion.versionLine(program: "vigil"),
        groupedSubcommands: [
            CommandGroup(name: "Operator", subcommands: OperatorCommands.all),
            CommandGroup(name: "Lab", subcommands: LabCommands.all),
        ]
    )

    public init() {}
}

extension VigilCommand {
    /// Parses the process's arguments and runs the command, asynchronously. (In `main.swift`,
    /// `await VigilCommand.main()` would pick the synchronous overload.)
    public static func start() async {
        await main(nil)
    }
}
