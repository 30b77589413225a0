import Foundation
import ArgumentParser
import Testing
import VigilRuntime
@testable import VigilCLI
import VigilRoot

/// Every administration command parses into the request it stands for, with `--socket` and
/// `--json`, and refuses what it cannot mean.
@Suite("vigil admin commands: arguments")
struct AdminCommandParsingTests {
    func parse<C: ParsableCommand>(_ arguments: [String], as type: C.Type) throws -> C {
        try #require(try VigilCommand.parseAsRoot(arguments) as? C)
    }

    @Test("start, with --all, --socket and --json")
    func start() throws {
        let command = try parse(["start", "--all", "--socket", "/tmp/x.sock", "--json"], as: StartCommand.self)
        #expect(command.command == .start(all: true))
        #expect(command.options.socket == "/tmp/x.sock")
        #expect(command.options.json)
        #expect(try parse(["start"], as: StartCommand.self).command == .start(all: false))
    }

    @Test("stop takes exactly one of --graceful, --takeover, --forced")
    func stop() throws {
        #expect(try parse(["stop", "--graceful"], as: StopCommand.self).command == .stop(mode: .graceful, all: false))
        #expect(try parse(["stop", "--takeover", "--all"], as: StopCommand.self).command == .stop(mode: .takeover, all: true))
        #expect(try parse(["stop", "--forced"], as: StopCommand.self).command == .stop(mode: .forced, all: false))
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["stop"]) }
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["stop", "--graceful", "--forced"]) }
    }

    @Test("status, once or watching at an interval with its unit")
    func status() throws {
        #expect(try parse(["status"], as: StatusCommand.self).command == .status(watchIntervalMilliseconds: nil))
        #expect(try parse(["status", "--watch"], as: StatusCommand.self).command == .status(watchIntervalMilliseconds: 1000))
        #expect(try parse(["status", "--watch", "--interval", "250ms"], as: StatusCommand.self).command == .status(watchIntervalMilliseconds: 250))
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["status", "--interval", "5"]) }  // no unit
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["status", "--watch", "--interval", "10ms"]) }
    }

    @Test("rg list, move, online, offline")
    func rg() throws {
        #expect(try parse(["rg", "list"], as: RGListCommand.self).command == .rgList)
        #expect(try parse(["rg", "move", "SH2", "ghost4"], as: RGMoveCommand.self).command == .rgMove(group: "SH2", node: "ghost4"))
        #expect(try parse(["rg", "online", "SH2"], as: RGOnlineCommand.self).command == .rgOnline(group: "SH2"))
        #expect(try parse(["rg", "offline", "SH2"], as: RGOfflineCommand.self).command == .rgOffline(group: "SH2", sticky: false))
        #expect(try parse(["rg", "offline", "SH2", "--sticky"], as: RGOfflineCommand.self).command == .rgOffline(group: "SH2", sticky: true))
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["rg", "move", "SH2"]) }
    }

    @Test("log, its line count bounded")
    func log() throws {
        #expect(try parse(["log"], as: LogCommand.self).command == .log(cluster: false, lines: 50, follow: false))
        #expect(try parse(["log", "--cluster", "-n", "5", "--follow"], as: LogCommand.self).command == .log(cluster: true, lines: 5, follow: true))
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["log", "-n", "20000"]) }
    }

    @Test("sync")
    func sync() throws {
        #expect(try parse(["sync", "--json"], as: SyncCommand.self).command() == .sync(text: nil, file: nil, expectVersion: nil))
        #expect(try parse(["sync", "--expect-version", "7"], as: SyncCommand.self).command() == .sync(text: nil, file: nil, expectVersion: 7))
        #expect(try parse(["sync", "--preview"], as: SyncCommand.self).command() == .syncPreview(text: nil, file: nil))
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["sync", "--preview", "--expect-version", "3"]) }
        #expect(throws: (any Error).self) { try parse(["sync", "/nonexistent/cluster.yaml"], as: SyncCommand.self).command() }
    }

    @Test("sync FILE and sync --preview FILE send the file's text under its name")
    func syncFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sync-\(getpid()).yaml").path
        try "cluster: {name: c, id: 1}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try parse(["sync", path], as: SyncCommand.self).command() == .sync(text: "cluster: {name: c, id: 1}\n", file: path, expectVersion: nil))
        #expect(try parse(["sync", "--preview", path], as: SyncCommand.self).command() == .syncPreview(text: "cluster: {name: c, id: 1}\n", file: path))
    }

    @Test("config history, show, diff and rollback parse; a version is a positive number or live")
    func config() throws {
        #expect(throws: Never.self) { try VigilCommand.parseAsRoot(["config", "history"]) }
        #expect(try parse(["config", "show", "4"], as: ConfigShowCommand.self).version.number == 4)
        #expect(try parse(["config", "show"], as: ConfigShowCommand.self).version.number == nil)
        #expect(try parse(["config", "diff", "3", "live"], as: ConfigDiffCommand.self).to.number == nil)
        #expect(try parse(["config", "rollback", "2", "--preview"], as: ConfigRollbackCommand.self).preview)
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["config", "show", "0"]) }
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["config", "diff", "x"]) }
    }

    @Test("snapshot save, list, show, diff and restore parse")
    func snapshot() throws {
        for arguments in [
            ["snapshot", "save", "base"], ["snapshot", "list"], ["snapshot", "show", "base", "--raw"],
            ["snapshot", "diff", "base"], ["snapshot", "diff", "base", "other"], ["snapshot", "restore", "base", "--preview"],
        ] {
            #expect(throws: Never.self) { try VigilCommand.parseAsRoot(arguments) }
        }
        #expect(try parse(["snapshot", "diff", "base"], as: SnapshotDiffCommand.self).other == "live")
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["snapshot", "save"]) }
    }

    @Test("vigil --help shows the operator's commands in a group of their own, before the lab's")
    func helpGroups() throws {
        let help = VigilCommand.helpMessage()
        let operators = try #require(help.range(of: "OPERATOR SUBCOMMANDS:"), "\(help)")
        let lab = try #require(help.range(of: "LAB SUBCOMMANDS:"), "\(help)")
        #expect(operators.upperBound < lab.lowerBound)
        let operatorPart = help[operators.upperBound..<lab.lowerBound]
        for name in ["start", "stop", "status", "rg", "log", "sync", "acknowledge", "verify"] {
            #expect(operatorPart.contains("  \(name) "), "\(name) is not among the operator's commands:\n\(help)")
        }
        for name in ["sim", "test", "demo", "bench"] {
            #expect(!operatorPart.contains("  \(name) ") && help[lab.upperBound...].contains("  \(name) "), "\(help)")
        }
    }

    @Test("vigil --help lists every command")
    func help() {
        let help = VigilCommand.helpMessage()
        for name in ["start", "stop", "status", "rg", "log", "sync", "verify", "sim"] {
            #expect(help.contains("  \(name) "), "missing \(name) in:\n\(help)")
        }
    }
}
