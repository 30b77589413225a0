import Foundation
import Testing
import VigilCore
import VigilRoot
import VigilRuntime

@testable import VigilCLI

/// The commands against a real `AdminServer` on a Unix socket with a fake daemon: what they print,
/// what they say on standard error, and their exit status.
@Suite("vigil admin commands: against a daemon", .timeLimit(.minutes(1)))
struct AdminCommandRoundTripTests {
    /// A daemon of one group `WEB` that refuses anything else and fails `sync`.
    final class Daemon: AdminHandler {
        func status() async throws -> StatusSnapshot { StatusRendererTests.snapshot }
        func agreedState() async throws -> AgreedStateAnswer {
            AgreedStateAnswer(node: "ghost1", running: false, configVersion: 0, configText: nil, state: nil)
        }
        func start(all: Bool) async throws -> String { "starting cluster services on ghost1" }
        func stop(mode: StopMode, all: Bool) async throws -> String {
            throw AdminRefusal("the cluster is UNSTABLE (config_too_long); run `vigil status`")
        }
        func perform(_ request: AdminRequest) async throws -> String {
            guard request.group == "WEB" else { throw AdminRefusal("no resource group \(request.group ?? "")") }
            return "\(request): done"
        }
        func sync(text: String?, file: String?, expectVersion: UInt64?) async throws -> String {
            struct Failed: Error, CustomStringConvertible { var description: String { "disk full" } }
            throw Failed()
        }
        func syncPreview(text: String?, file: String?) async throws -> SyncPreview {
            SyncPreview(
                source: file ?? "cluster.yaml", preview: nil, findings: [], errors: 0, warnings: 0, refusal: nil)
        }
        func configHistory() async throws -> (entries: [ConfigStore.HistoryEntry], running: UInt64) { ([], 0) }
        func snapshotSave(name: String) async throws -> String { "snapshot \(name) saved" }
        func clusterStatus() async throws -> [NodeStatus] { [] }
        func snapshotList() async throws -> [SnapshotEntry] { [] }
        func snapshotText(name: String) async throws -> String { throw AdminRefusal("no snapshot \(name)") }
        func configText(version: UInt64?) async throws -> (version: UInt64, text: String) {
            throw AdminRefusal("version \(version ?? 0) is not kept")
        }
        func log(cluster: Bool, lines: Int, follow: Bool) -> AsyncThrowingStream<String, any Error> {
            AsyncThrowingStream { continuation in
                for line in ["EVENT START: node_up ghost4", "EVENT COMPLETED: node_up ghost4"].suffix(lines) {
                    continuation.yield(line)
                }
                continuation.finish()
            }
        }
    }

    /// Output, error lines and exit status of one command line.
    struct Run {
        var out: [String] = []
        var err: [String] = []
        var status: Int32 = -1
    }

    /// Parses `arguments` (with `--socket` added) and runs the command against the daemon.
    func run(_ arguments: [String], socket: String) async throws -> Run {
        var result = Run()
        let print: (String) -> Void = { result.out.append($0) }
        let printError: (String) -> Void = { result.err.append($0) }
        let parsed = try VigilCommand.parseAsRoot(arguments + ["--socket", socket])
        switch parsed {
        case let command as StatusCommand: result.status = await command.execute(print: print, printError: printError)
        case let command as StartCommand: result.status = await command.execute(print: print, printError: printError)
        case let command as StopCommand: result.status = await command.execute(print: print, printError: printError)
        case let command as RGListCommand: result.status = await command.execute(print: print, printError: printError)
        case let command as RGMoveCommand: result.status = await command.execute(print: print, printError: printError)
        case let command as RGOfflineCommand:
            result.status = await command.execute(print: print, printError: printError)
        case let command as LogCommand: result.status = await command.execute(print: print, printError: printError)
        case let command as SyncCommand: result.status = await command.execute(print: print, printError: printError)
        default: Issue.record("unexpected command \(parsed)")
        }
        return result
    }

    /// Runs `body` with a server for `Daemon` on a socket in a fresh directory.
    func withDaemon<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let directory = "/tmp/vigil-cli-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await AdminServer.bind(path: directory + "/vigild.sock", handler: Daemon())
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let result = try await body(server.path)
            group.cancelAll()
            return result
        }
    }

    @Test("status prints the renderer's table; --json prints the snapshot")
    func status() async throws {
        let (text, json) = try await withDaemon { socket in
            (try await run(["status"], socket: socket), try await run(["status", "--json"], socket: socket))
        }
        #expect(text.status == 0 && text.err.isEmpty)
        #expect(text.out == StatusRenderer.lines(StatusRendererTests.snapshot))
        #expect(json.status == 0 && json.out.count == 1)
        let decoded = try JSONDecoder().decode(StatusSnapshot.self, from: Data(json.out[0].utf8))
        #expect(decoded == StatusRendererTests.snapshot)
    }

    @Test("actions print what was done")
    func actions() async throws {
        let (start, move, list) = try await withDaemon { socket in
            (
                try await run(["start"], socket: socket),
                try await run(["rg", "move", "WEB", "ghost2"], socket: socket),
                try await run(["rg", "list"], socket: socket)
            )
        }
        #expect(start.out == ["starting cluster services on ghost1"] && start.status == 0)
        #expect(move.out == ["rg move WEB ghost2: done"] && move.status == 0)
        #expect(
            list.out == [
                "  GROUP  POLICY      ghost1   ghost2     ghost3   ghost4",
                "  CH1    concurrent  ONLINE   ACQUIRING  -        -",
                "  SH2    cascading   -        -          OFFLINE  ERROR",
                "  IP4    rotating    OFFLINE  -          -        RELEASING",
                "  SH2: sticky on ghost4; error: mount /sh2 failed; why: node_down ghost3: ghost4 is next",
                "  IP4: held: administrator, sticky",
            ])
        #expect(list.status == 0)
    }

    @Test("a refused command prints `vigil: refused: REASON` and exits 1")
    func refused() async throws {
        let (stop, offline, offlineJSON) = try await withDaemon { socket in
            (
                try await run(["stop", "--graceful"], socket: socket),
                try await run(["rg", "offline", "DB"], socket: socket),
                try await run(["rg", "offline", "DB", "--json"], socket: socket)
            )
        }
        #expect(stop.err == ["vigil: refused: the cluster is UNSTABLE (config_too_long); run `vigil status`"])
        #expect(stop.status == 1 && stop.out.isEmpty)
        #expect(offline.err == ["vigil: refused: no resource group DB"] && offline.status == 1)
        #expect(offlineJSON.out == [#"{"refused":{"reason":"no resource group DB"}}"#] && offlineJSON.status == 1)
    }

    @Test("a daemon failure prints `vigil: error: MESSAGE` and exits 1")
    func failed() async throws {
        let sync = try await withDaemon { socket in try await run(["sync"], socket: socket) }
        #expect(sync.err == ["vigil: error: disk full"] && sync.status == 1)
    }

    @Test("log prints the lines, --json one object per line")
    func log() async throws {
        let (text, json) = try await withDaemon { socket in
            (
                try await run(["log", "--cluster"], socket: socket),
                try await run(["log", "-n", "1", "--json"], socket: socket)
            )
        }
        #expect(text.out == ["EVENT START: node_up ghost4", "EVENT COMPLETED: node_up ghost4"] && text.status == 0)
        #expect(json.out == [#"{"line":"EVENT COMPLETED: node_up ghost4"}"#])
    }

    @Test("no daemon: a clear message and exit status 2")
    func absent() async throws {
        let socket = "/tmp/vigil-cli-test-absent-" + UUID().uuidString.prefix(8) + ".sock"
        let result = try await run(["rg", "list"], socket: socket)
        #expect(result.status == 2 && result.out.isEmpty)
        #expect(result.err.count == 1)
        #expect(
            result.err.first?.hasPrefix("vigil: vigild is not running on this node (no socket at \(socket))") == true)
    }
}
