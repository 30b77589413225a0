import ArgumentParser
import Foundation
import VigilRuntime

/// `vigil sync`: pushes a configuration to every node with a new version number, or previews
/// what it would change (`--preview`).
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push a configuration to every node and run it live, or preview what it would change.",
        discussion: """
            Without FILE, the daemon's own --config file as it is now; with FILE, that file. The daemon \
            verifies it (a configuration with errors is refused and nothing is sent), stores it as the \
            next version in STATE/cluster.yaml, keeps it in STATE/config-history/ (the last 100 \
            versions: `vigil config history`) and sends it to every node, which verifies and stores it \
            too. Then the cluster runs it live, at one point of the agreed event stream (reconfig N): the \
            groups it removes, restarts or moves are released under the running version, every member \
            runs the new one, and groups start where it places them; no vigild restarts. The answer \
            comes once reconfig N completed. A node that is down gets the newest version as soon as its \
            vigild runs again. Refused, changing nothing, while the cluster is not stable, while a group \
            is being acquired or released, while a member does not answer, and for a change that leaves \
            two nodes no heartbeat path as it was.

            --preview changes nothing: it prints what changed (+ added, - removed, ~ changed, in the \
            file's terms), what each resource group would do from the live cluster's state (stay, \
            restart, move FROM -> TO, start, stop, with the placement's reason), what verify finds, \
            and last `preview: version A -> B: N groups move, M restart, K unchanged`. Exit status 0 \
            when a sync of the file would be accepted, 1 when not.

            --expect-version N refuses the sync unless the newest version the cluster has is N, so \
            that a change prepared (and previewed) against version N never overwrites a newer one.
            """)

    @Argument(help: "The configuration to push or preview (default: the daemon's --config file).")
    var file: String?

    @Flag(help: "Print what the sync would change, and change nothing.")
    var preview = false

    @Option(help: ArgumentHelp("Refuse unless the cluster's newest configuration version is this one.", valueName: "N"))
    var expectVersion: UInt64?

    @OptionGroup var options: AdminOptions

    func validate() throws {
        if preview && expectVersion != nil {
            throw ValidationError("--expect-version applies to a sync, not a preview")
        }
    }

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    /// The command for the daemon, with FILE's text read here (the daemon may not see the same
    /// paths as the caller).
    func command() throws -> AdminCommand {
        var text: String?
        var name: String?
        if let file {
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            name = file
        }
        if preview { return .syncPreview(text: text, file: name) }
        return .sync(text: text, file: name, expectVersion: expectVersion)
    }

    /// Runs the command; returns the exit status.
    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        let command: AdminCommand
        do { command = try self.command() } catch {
            printError("vigil: \(error)")
            return 1
        }
        var refused = false
        let status = await AdminExchange.run(
            command, options: options, print: print, printError: printError,
            observe: { payload in
                if case .preview(let answer) = payload { refused = answer.refusal != nil || answer.preview == nil }
            })
        return status != 0 ? status : (refused ? 1 : 0)
    }
}
