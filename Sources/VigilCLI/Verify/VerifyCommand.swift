import ArgumentParser
import VigilModel
import VigilRuntime

/// `vigil verify FILE`: reads a configuration and checks it (the seed's clverify). Prints every
/// problem as `FILE:LINE:COLUMN: error: MESSAGE`, the failure detection and takeover times that
/// follow from the tuning, and a summary line; exits with status 1 when there is an error.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a cluster configuration file.",
        discussion: """
            Reports every problem with its file, line and column, says how to fix it, and prints the \
            failure detection time of each network and of a node, the dead man switch's trip interval \
            and how long a takeover waits. Exits 0 only if there is no error.

            --cluster also asks the local vigild for every node's status over the cluster's channel and \
            compares the nodes: the configuration version each runs and stores, and every file the \
            configuration's commands name (application scripts, hooks, fence commands) by its SHA-256 \
            (`drift: /etc/vigil/web.start differs on ghost2`). A drift is an error (exit 1). FILE may \
            then be left out.
            """
    )

    @Argument(help: "The configuration file (YAML).")
    var file: String?

    @Flag(help: "Print the diagnostics, timing and counts as one JSON object.")
    var json = false

    @Flag(help: "Also compare the running nodes: configuration versions and the files it names.")
    var cluster = false

    @Option(
        help: ArgumentHelp(
            "With --cluster: the daemon's control socket (default: $VIGIL_SOCKET, else "
                + "\(AdminClient.standardSocketPath)).", valueName: "path"))
    var socket: String?

    func validate() throws {
        if file == nil && !cluster { throw ValidationError("give the configuration file to verify (or --cluster)") }
    }

    /// What `run` prints for the file, and whether the configuration has errors.
    func output() -> (lines: [String], failed: Bool) {
        guard let file else { return ([], false) }
        let report = VerifyReport(path: file)
        return (json ? [report.json()] : report.textLines(), report.errorCount > 0)
    }

    func run() async throws {
        let (lines, failed) = output()
        for line in lines { print(line) }
        var drifted = false
        if cluster {
            var options = try AdminOptions.parse([])
            options.socket = socket
            options.json = json
            let status = await AdminExchange.run(
                .clusterStatus, options: options, print: { print($0) }, printError: printToStandardError,
                observe: { payload in
                    if case .statuses(let nodes) = payload { drifted = !ClusterDrift(nodes).drifts.isEmpty }
                })
            if status != 0 { throw ExitCode(status) }
        }
        if failed || drifted { throw ExitCode(1) }
    }
}
