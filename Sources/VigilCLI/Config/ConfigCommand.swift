import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime

/// `vigil config`: the configuration versions the cluster has run (the seed's snapshots of the
/// cluster definition, kept at every sync).
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "List, show, compare and roll back configuration versions.",
        discussion: """
            Every version `vigil sync` stores is kept on every node (the last 100, in \
            STATE/config-history/).
            """,
        subcommands: [
            ConfigHistoryCommand.self, ConfigShowCommand.self, ConfigDiffCommand.self, ConfigRollbackCommand.self,
        ])
}

/// A version named on the command line: a number, or `live` (the version this node runs).
struct ConfigVersionArgument: ExpressibleByArgument, Sendable {
    /// `nil`: the running version.
    var number: UInt64?

    init?(argument: String) {
        if argument == "live" || argument == "running" {
            number = nil
        } else if let number = UInt64(argument), number > 0 {
            self.number = number
        } else {
            return nil
        }
    }

    var name: String { number.map { "version \($0)" } ?? "the newest version" }
}

/// `vigil config history`.
struct ConfigHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List the configuration versions kept on this node, newest first.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await AdminExchange.run(
            .configHistory, options: options, print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }
}

/// `vigil config show VERSION`.
struct ConfigShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a kept configuration version's text (`live`: the running one).")

    @Argument(help: "A version number, or `live` (the newest this node has).")
    var version: ConfigVersionArgument = ConfigVersionArgument(argument: "live")!

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await AdminExchange.run(
            .configText(version: version.number), options: options, print: { print($0) },
            printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }
}

/// `vigil config diff A [B]`: the semantic difference, as `sync --preview` prints it.
struct ConfigDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed from one configuration version to another (B: the running one by default).",
        discussion: "Semantic: added (+), removed (-) and changed (~) things in the file's terms; comments and "
            + "key order do not count. Exit status 0 when they run the same cluster, 1 when they differ.")

    @Argument(help: "The older version (a number or `live`).")
    var from: ConfigVersionArgument

    @Argument(help: "The newer version (a number or `live`).")
    var to: ConfigVersionArgument = ConfigVersionArgument(argument: "live")!

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        var texts: [(version: UInt64, text: String)] = []
        for version in [from, to] {
            switch await ConfigurationChange.text(of: version.number, options: options, printError: printError) {
            case .success(let text): texts.append(text)
            case .failure(let code): return code.rawValue
            }
        }
        return ConfigurationChange.printDifference(
            from: ("version \(texts[0].version)", texts[0].text), to: ("version \(texts[1].version)", texts[1].text),
            title: "version \(texts[0].version) -> \(texts[1].version)", options: options, print: print,
            printError: printError)
    }
}

/// `vigil config rollback VERSION`: a sync of that version's text, after its preview.
struct ConfigRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Sync a kept configuration version again, as the next version.",
        discussion: """
            Prints the preview of VERSION's text against the running configuration, then syncs it as \
            the next version (refused like any sync, and refused when another sync came in between). \
            With --preview, only the preview.
            """)

    @Argument(help: "The version to return to.")
    var version: UInt64

    @Flag(help: "Print the preview only, and change nothing.")
    var preview = false

    @OptionGroup var options: AdminOptions

    func run() async throws {
        let status = await execute(print: { print($0) }, printError: printToStandardError)
        if status != 0 { throw ExitCode(status) }
    }

    func execute(print: (String) -> Void, printError: (String) -> Void) async -> Int32 {
        switch await ConfigurationChange.text(of: version, options: options, printError: printError) {
        case .success(let kept):
            return await ConfigurationChange.previewThenSync(
                kept.text, label: "version \(version)", previewOnly: preview, options: options, print: print,
                printError: printError)
        case .failure(let code):
            return code.rawValue
        }
    }
}
