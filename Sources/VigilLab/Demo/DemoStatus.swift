import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of `vigil status --json` the demo waits on: each node's member state and each group's
/// state on every node of its list (the keys of the admin protocol's `StatusSnapshot`).
struct DemoStatus: Decodable, Sendable, Hashable {
    struct Node: Decodable, Sendable, Hashable {
        var name: String
        var state: String
    }

    struct Placement: Decodable, Sendable, Hashable {
        var node: String
        var state: String
    }

    struct Group: Decodable, Sendable, Hashable {
        var name: String
        var placements: [Placement]
    }

    /// The figures the tuning gives (milliseconds), when the daemon reports them.
    struct Timing: Decodable, Sendable, Hashable {
        var nodeDetectionMilliseconds: Int64
        var takeoverWaitMilliseconds: Int64
    }

    var nodes: [Node]
    var groups: [Group]
    var timing: Timing?

    /// The nodes on which `group` is ONLINE, in list order.
    func online(_ group: String) -> [String] {
        groups.first { $0.name == group }?.placements.filter { $0.state == "ONLINE" }.map(\.node) ?? []
    }

    /// Whether every node's state is UP.
    func allUp(_ names: [String]) -> Bool {
        names.allSatisfy { name in nodes.contains { $0.name == name && $0.state == "UP" } }
    }
}

/// Asks a node's daemon for its status by running this `vigil` binary's `status` command, as an
/// administrator would: `vigil status --socket S [--json]`. Every call is bounded by `timeout`.
struct DemoStatusReader {
    let vigil: String
    let scratchDirectory: String
    let timeout: Duration

    /// The status as JSON, decoded; nil with the reason when the daemon does not answer (yet).
    func status(socket: String) -> Result<DemoStatus, DemoCommandFailure> {
        switch run(["status", "--socket", socket, "--json"]) {
        case .failure(let failure): return .failure(failure)
        case .success(let output):
            let line = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            do { return .success(try JSONDecoder().decode(DemoStatus.self, from: Data(line.utf8))) } catch {
                return .failure(DemoCommandFailure("vigil status --json gave no status: \(line.prefix(200))"))
            }
        }
    }

    /// The status table as `vigil status` prints it.
    func table(socket: String) -> String {
        switch run(["status", "--socket", socket]) {
        case .success(let output): output
        case .failure(let failure): "(no status: \(failure))\n"
        }
    }

    /// Runs `vigil ARGUMENTS` with its output in a scratch file (no pipe to fill), killing it after
    /// `timeout`. Fails with its output when it exits non-zero.
    func run(_ arguments: [String]) -> Result<String, DemoCommandFailure> {
        let outPath = "\(scratchDirectory)/.status.out"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
            let out = FileHandle(forWritingAtPath: outPath)
        else {
            return .failure(DemoCommandFailure("cannot write \(outPath)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: vigil)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            try? out.close()
            return .failure(DemoCommandFailure("cannot run \(vigil): \(error)"))
        }
        let finished = DemoProcesses.waitGone(process.processIdentifier, timeout: timeout)
        if !finished { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? out.close()
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard finished else {
            return .failure(DemoCommandFailure("vigil \(arguments[0]) gave no answer within \(timeout)"))
        }
        guard process.terminationStatus == 0 else {
            return .failure(DemoCommandFailure(output.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return .success(output)
    }
}
