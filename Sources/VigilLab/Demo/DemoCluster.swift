import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The demo's four daemons on one machine: their directory, key, disk heartbeat file and processes.
/// It signals only the daemons it started (by pid) and the demo services whose pid files its
/// daemons' applications wrote.
final class DemoCluster {
    let directory: String
    let config: String
    let vigild: String
    let vigil: String
    let nodes: [String]
    private var daemons: [String: Process] = [:]

    /// The file that marks a directory as the demo's own, so that a rerun may clear it.
    static let marker = ".vigil-demo"
    /// The disk heartbeat file's size: the tiebreaker slot and one 4 KiB slot per node, with room.
    static let diskSize = 64 * 1024

    init(directory: String, config: String, vigild: String, vigil: String, nodes: [String]) {
        self.directory = directory
        self.config = config
        self.vigild = vigild
        self.vigil = vigil
        self.nodes = nodes
    }

    func nodeDirectory(_ node: String) -> String { "\(directory)/\(node)" }
    func socket(_ node: String) -> String { "\(nodeDirectory(node))/vigild.sock" }
    var keyFile: String { "\(directory)/cluster.key" }

    /// The exact command line of one node's daemon: the contract between `vigil demo` and `vigild`.
    func daemonArguments(_ node: String) -> [String] {
        [
            "--config", config, "--node", node, "--state-dir", nodeDirectory(node), "--key", keyFile,
            "--address-driver", "loopback-demo", "--socket", socket(node), "--start",
        ]
    }

    /// Makes a fresh directory: the node directories, a random 32-byte key (mode 0600) and the
    /// zero-filled disk heartbeat file `diskFile`. Refuses a directory that is not the demo's own, or
    /// one where a kept demo's daemon still runs.
    func prepare(diskFile: String) throws {
        let files = FileManager.default
        if files.fileExists(atPath: directory) {
            for node in nodes {
                if let pid = DemoPidFile.read("\(nodeDirectory(node))/vigild.pid"), DemoProcesses.isAlive(pid) {
                    throw DemoCommandFailure(
                        """
                        a demo cluster still runs in \(directory) (\(node)'s vigild, pid \(pid)); \
                        stop it with: kill \(pid) (and the other nodes' vigild.pid), or use --state-dir
                        """)
                }
            }
            let contents = try files.contentsOfDirectory(atPath: directory)
            guard contents.isEmpty || contents.contains(Self.marker) else {
                throw DemoCommandFailure(
                    "\(directory) exists and is not a demo directory; choose another with --state-dir")
            }
            try files.removeItem(atPath: directory)
        }
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: "\(directory)/\(Self.marker)"))
        for node in nodes { try files.createDirectory(atPath: nodeDirectory(node), withIntermediateDirectories: true) }
        try writeKey()
        try Data(count: Self.diskSize).write(to: URL(fileURLWithPath: diskFile))
    }

    private func writeKey() throws {
        var key = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in key.indices { key[index] = generator.next() }
        guard files.createFile(atPath: keyFile, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw DemoCommandFailure("cannot write the cluster key \(keyFile)")
        }
    }

    private var files: FileManager { .default }

    /// Starts `node`'s vigild, its output appended to NODE/vigild.out, with VIGIL_NODE set and the
    /// directory of `vigil` first in PATH (the demo's application commands call `vigil demo-service`).
    func start(_ node: String) throws -> Int32 {
        let outPath = "\(nodeDirectory(node))/vigild.out"
        if !files.fileExists(atPath: outPath), !files.createFile(atPath: outPath, contents: nil) {
            throw DemoCommandFailure("cannot create \(outPath)")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        try out.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: vigild)
        process.arguments = daemonArguments(node)
        var environment = ProcessInfo.processInfo.environment
        let binDirectory = URL(fileURLWithPath: vigil).deletingLastPathComponent().path
        environment["PATH"] = binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["VIGIL_NODE"] = node
        process.environment = environment
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try out.close()
        daemons[node] = process
        try DemoPidFile.write("\(nodeDirectory(node))/vigild.pid", pid: process.processIdentifier)
        return process.processIdentifier
    }

    /// The pid of `node`'s daemon while it runs.
    func daemonPid(_ node: String) -> Int32? {
        guard let process = daemons[node], process.isRunning else { return nil }
        return process.processIdentifier
    }

    /// How `node`'s daemon ended, once it has: `exit status 1`, `signal 9`.
    func exitDescription(_ node: String) -> String {
        guard let process = daemons[node], !process.isRunning else { return "still running" }
        let how = process.terminationReason == .uncaughtSignal ? "signal" : "exit status"
        return "\(how) \(process.terminationStatus)"
    }

    /// A node crash: SIGKILL for its daemon and for every demo service (with its process group)
    /// whose pid file is in the node's directory. Returns one line per process killed.
    func crash(_ node: String) -> [String] {
        var killed: [String] = []
        if let process = daemons[node], process.isRunning {
            // The daemon's own children first (its dead man switch process): on a real crash they
            // die with it, and must not get the chance to release anything in an orderly way.
            let children = DemoProcesses.descendants(of: process.processIdentifier)
            let names = children.map { "its child \(Self.commandName($0.pid)) (pid \($0.pid))" }
            for child in children where child.isAlive { kill(child.pid, SIGKILL) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            killed.append("vigild (pid \(process.processIdentifier))")
            killed += names
        }
        for (file, pid) in servicePids(node) {
            killed.append("\(file) (\(DemoProcesses.killHard(pid)))")
        }
        return killed
    }

    /// The program name of `pid` (its first command-line word's last path component).
    static func commandName(_ pid: Int32) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
            let first = data.split(separator: 0).first
        else { return "gone" }
        let words = data.split(separator: 0).prefix(2).map { String(decoding: $0, as: UTF8.self) }
        let name = URL(fileURLWithPath: String(decoding: first, as: UTF8.self)).lastPathComponent
        return words.count > 1 && words[1].hasPrefix("--watchdog") ? "\(name) \(words[1])" : name
    }

    /// The demo services recorded in `node`'s directory that still run, by pid file name.
    func servicePids(_ node: String) -> [(String, Int32)] {
        let names = (try? files.contentsOfDirectory(atPath: nodeDirectory(node))) ?? []
        return names.filter { $0.hasSuffix(".pid") && $0 != "vigild.pid" }.sorted().compactMap { name in
            guard let pid = DemoPidFile.read("\(nodeDirectory(node))/\(name)"),
                DemoProcesses.isAlive(pid), DemoPidFile.isDemoService(pid)
            else { return nil }
            return (name, pid)
        }
    }

    /// Stops everything the demo started: SIGTERM to every daemon (they release their groups and
    /// stop their applications), SIGKILL to a daemon still running after `grace`, then SIGTERM and if
    /// need be SIGKILL to any demo service left. Returns what had to be killed, if anything.
    func stopAll(grace: Duration = .seconds(10)) -> [String] {
        var forced: [String] = []
        let running = nodes.compactMap { node in daemons[node].flatMap { $0.isRunning ? (node, $0) : nil } }
        // What the daemons started themselves (their dead man switch processes, commands running):
        // each daemon ends its own, and what is left of them afterwards is killed below.
        let children = running.flatMap { DemoProcesses.descendants(of: $0.1.processIdentifier) }
        for (_, process) in running { kill(process.processIdentifier, SIGTERM) }
        for (node, process) in running where !DemoProcesses.waitGone(process.processIdentifier, timeout: grace) {
            kill(process.processIdentifier, SIGKILL)
            forced.append(
                "\(node)'s vigild (pid \(process.processIdentifier)) did not stop on SIGTERM within \(grace): killed")
        }
        for (_, process) in running { process.waitUntilExit() }
        for child in children where child.isAlive && !DemoProcesses.waitGone(child.pid, timeout: .seconds(2)) {
            if child.isAlive { kill(child.pid, SIGKILL) }
            forced.append("pid \(child.pid), started by a daemon, outlived it: killed")
        }
        for node in nodes {
            for (file, pid) in servicePids(node) {
                kill(pid, SIGTERM)
                if !DemoProcesses.waitGone(pid, timeout: .seconds(2)) { DemoProcesses.killHard(pid) }
                forced.append("\(node)/\(file): left running by its daemon, stopped (pid \(pid))")
            }
            _ = DemoProcesses.remove("\(nodeDirectory(node))/vigild.pid")
        }
        return forced
    }
}
