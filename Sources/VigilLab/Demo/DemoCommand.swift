import ArgumentParser
import Foundation
import VigilModel

/// `vigil demo [--keep] [--state-dir DIR]`: starts the cluster scream on this machine (four `vigild`
/// on loopback addresses, examples/scream-local.yaml), crashes the node holding SH2, shows the
/// takeover and how long a client saw no answer, restarts the node, shows the fallback, and stops
/// everything. Builds nothing: `scripts/demo` builds, then runs this.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the cluster scream locally and fail SH2 over in front of you.",
        discussion: """
            Starts four vigild processes (ghost1..ghost4) on loopback addresses, no root needed, with \
            examples/scream-local.yaml; then, printing the status table after each step: waits for \
            every group to be placed (Table 12, case 1), starts a client asking SH2's service for its \
            node every 10ms, kills ghost3 (its daemon and its application, SIGKILL), waits for SH2 to \
            come up on ghost4, restarts ghost3, waits for SH2 to fall back, and stops everything. \
            vigild is taken from the directory of this vigil binary, or from $VIGILD. The last line is \
            `demo: SH2 moved ghost3 -> ghost4, client saw no answer for N ms`.
            """)

    /// The directory named in examples/scream-local.yaml; another --state-dir gets a rewritten copy.
    static let defaultStateDirectory = "/tmp/vigil-demo"

    @Flag(help: "Leave the cluster running at the end, and print how to explore and stop it.")
    var keep = false

    @Option(help: "Where the demo keeps its key, disk heartbeat file, and each node's state, socket and logs.")
    var stateDir: String = Self.defaultStateDirectory

    @Option(help: "The local cluster's configuration.")
    var config: String = "examples/scream-local.yaml"

    @Option(help: "The longest wait for each expected state, with its unit (a wait that runs out fails the demo).")
    var wait: String = "60s"

    func validate() throws {
        guard let duration = DurationText.parse(wait), duration > .zero else {
            throw ValidationError("--wait '\(wait)' is not a duration with a unit (60s, 2m)")
        }
        guard stateDir.hasPrefix("/"), stateDir != "/", !stateDir.contains("\n") else {
            throw ValidationError("--state-dir must be an absolute directory path, not '\(stateDir)'")
        }
    }

    var waitLimit: Duration { DurationText.parse(wait) ?? .seconds(60) }

    func run() throws {
        let setup = try DemoSetup.resolve(configPath: config, stateDirectory: stateDir)
        let runner = DemoRunner(setup: setup, keep: keep, waitLimit: waitLimit, print: demoPrint)
        do {
            try runner.run()
        } catch let failure as DemoCommandFailure {
            FileHandle.standardError.write(Data("vigil demo: \(failure)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Writes one line to standard output at once (unbuffered: the demo's narration must appear as it
/// happens, also through a pipe).
func demoPrint(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
