import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime

/// `vigil snapshot`: the seed's cluster snapshot: the configuration and every node's status in one
/// text file, compared with the live cluster and restored by a sync.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save, list, show, compare and restore snapshots of the cluster.",
        discussion: """
            A snapshot is one text file, STATE/snapshots/NAME.snapshot on the node that saved it: the \
            configuration this node runs, and every node's status (view, versions, interfaces and \
            addresses, holdings, the last events) gathered over the cluster's own channel. A node that \
            does not answer within 3 seconds is marked unreachable in it.
            """,
        subcommands: [
            SnapshotSaveCommand.self, SnapshotListCommand.self, SnapshotShowCommand.self, SnapshotDiffCommand.self,
            SnapshotRestoreCommand.self,
        ])

    /// Reads snapshot `name` through the daemon; the parsed file, or the exit status.
    static func read(_ name: String, options: AdminOptions, printError: (String) -> Void) async -> Result<
        SnapshotFile, ExitCode
    > {
        var text: String?
        let status = await AdminExchange.run(
            .snapshotText(name: name), options: options.quiet, print: { _ in }, printError: printError,
            observe: { payload in if case .snapshot(_, let kept) = payload { text = kept } })
        guard status == 0, let text else { return .failure(ExitCode(status == 0 ? 1 : status)) }
        do {
            return .success(try SnapshotFile(parsing: text, file: "snapshot \(name)"))
        } catch {
            printError("vigil: \(error)")
            return .failure(ExitCode(1))
        }
    }
}

/// `vigil snapshot save NAME`.
struct SnapshotSaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Save the configuration and every node's status as snapshot NAME.")

    @Argument(help: "The snapshot's name (letters, digits, '_', '-', '.').")
    var name: String

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await AdminExchange.run(
            .snapshotSave(name: name), options: options, print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }
}

/// `vigil snapshot list`.
struct SnapshotListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the snapshots saved on this node, newest first.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await AdminExchange.run(
            .snapshotList, options: options, print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }
}

/// `vigil snapshot show NAME`.
struct SnapshotShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a snapshot: every node's status, then the configuration.")

    @Argument(help: "The snapshot's name.")
    var name: String

    @Flag(help: "Print the file as it is saved.")
    var raw = false

    @OptionGroup var options: AdminOptions

    func run() async throws {
        if raw || options.json {
            let status = await AdminExchange.run(
                .snapshotText(name: name), options: options, print: { print($0) }, printError: printToStandardError)
            if status != 0 { throw ExitCode(status) }
            return
        }
        switch await SnapshotCommand.read(name, options: options, printError: printToStandardError) {
        case .success(let snapshot): for line in SnapshotRenderer.show(snapshot) { print(line) }
        case .failure(let code): throw code
        }
    }
}

/// `vigil snapshot diff NAME [live|NAME2]`: the configuration's semantic difference.
struct SnapshotDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed from a snapshot's configuration to the live one (or another snapshot's).",
        discussion: "Semantic, as `vigil sync --preview` prints it. Exit status 0 when they run the same cluster, "
            + "1 when they differ.")

    @Argument(help: "The snapshot.")
    var name: String

    @Argument(help: "`live` (the configuration this node runs), or another snapshot.")
    var other: String = "live"

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        let first: SnapshotFile
        switch await SnapshotCommand.read(name, options: options, printError: printError) {
        case .success(let snapshot): first = snapshot
        case .failure(let code): return code.rawValue
        }
        let second: (label: String, text: String)
        if other == "live" {
            switch await ConfigurationChange.text(of: UInt64?.none, options: options, printError: printError) {
            case .success(let live): second = ("live (version \(live.version))", live.text)
            case .failure(let code): return code.rawValue
            }
        } else {
            switch await SnapshotCommand.read(other, options: options, printError: printError) {
            case .success(let snapshot): second = ("snapshot \(other)", snapshot.configuration)
            case .failure(let code): return code.rawValue
            }
        }
        let label = "snapshot \(name)"
        return ConfigurationChange.printDifference(
            from: (label, first.configuration), to: second, title: "\(label) -> \(second.label)", options: options,
            print: print, printError: printError)
    }
}

/// `vigil snapshot restore NAME [--preview]`: a sync of the snapshot's configuration.
struct SnapshotRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Sync a snapshot's configuration as the next version, after its preview.",
        discussion: """
            Prints the preview of the snapshot's configuration against the running one, then syncs it \
            (refused like any sync, and when another sync came in between). With --preview, only the \
            preview. The status in the snapshot is a record; it is not restored.
            """)

    @Argument(help: "The snapshot.")
    var name: String

    @Flag(help: "Print the preview only, and change nothing.")
    var preview = false

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        switch await SnapshotCommand.read(name, options: options, printError: printError) {
        case .success(let snapshot):
            return await ConfigurationChange.previewThenSync(
                snapshot.configuration, label: "snapshot \(name)", previewOnly: preview, options: options,
                print: print, printError: printError)
        case .failure(let code):
            return code.rawValue
        }
    }
}
