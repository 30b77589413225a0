import ArgumentParser
import VigilModel

/// `vigil verify FILE`: reads a configuration and checks it (the seed's clverify). Prints every
/// problem as `FILE:LINE:COLUMN: error: MESSAGE`, the failure detection and takeover times that
/// follow from the tuning, and a summary line; exits with status 1 when there is an error.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a cluster configuration file.",
        discussion: """
            Reports every problem with its file, line and column, says how to fix it, and prints the \
            failure detection time of each network and of a node, the dead man switch's trip interval \
            and how long a takeover waits. Exits 0 only if there is no error.
            """
    )

    @Argument(help: "The configuration file (YAML).")
    var file: String

    @Flag(help: "Print the diagnostics, timing and counts as one JSON object.")
    var json = false

    /// What `run` prints, and whether the configuration has errors.
    func output() -> (lines: [String], failed: Bool) {
        let report = VerifyReport(path: file)
        return (json ? [report.json()] : report.textLines(), report.errorCount > 0)
    }

    func run() throws {
        let (lines, failed) = output()
        for line in lines { print(line) }
        if failed { throw ExitCode(1) }
    }
}
