import Foundation
import VigilModel
import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The daemons of the test bed: one `vigild` per node, started inside the node's namespace with
/// `ip netns exec vt-NODE` (its own mount namespace there, where the node's disk views are bound
/// over the configured devices), the `ip` address driver, a state directory and control socket per
/// node, and the test bed's key. Administrator commands go over each node's control socket.
public struct TestbedCluster: Sendable {
    public let testbed: Testbed
    /// The `vigild` binary.
    public let vigild: String

    public init(testbed: Testbed, vigild: String) {
        self.testbed = testbed
        self.vigild = vigild
    }

    var layout: TestbedLayout { testbed.layout }
    var config: ClusterConfig { layout.config }

    /// The pid of `node`'s vigild (the process in its namespace whose name is vigild), if it runs.
    public func daemonPid(_ node: String) -> Int32? {
        testbed.processes(in: layout.namespace(of: node), named: "vigild").first
    }

    /// Starts cluster services on `node`: boots a crashed node and starts its vigild with `--start`
    /// (from `configFile`, the test bed's configuration unless given), or asks a running vigild to start.
    public func start(_ node: String, configFile: String? = nil) async throws {
        if daemonPid(node) != nil {
            let response = try await admin(node).send(.start(all: false))
            if case .refused(let reason) = response { throw TestbedError("start on \(node) refused: \(reason)") }
            return
        }
        try testbed.boot(node)
        try launch(node, configFile: configFile)
    }

    /// Starts `node`'s vigild in its namespace; its output goes to NODE/vigild.out. `configFile` is
    /// its `--config` (the test bed's configuration unless given): the file an administrator puts
    /// on a node, which a version `vigil sync` stored there overrides.
    public func launch(_ node: String, configFile: String? = nil) throws {
        var binds: [String] = []
        for network in layout.diskNetworks where config.node(named: node)?.networks.contains(network.name) ?? false {
            guard let device = layout.sharedDevice(of: network) else { continue }
            binds.append("mount --bind '\(layout.diskView(network.name, of: node))' '\(device)'")
        }
        let script = (binds + ["exec \"$@\""]).joined(separator: " && ")
        let arguments = [
            "/bin/sh", "-c", script, "sh", vigild,
            "--config", configFile ?? testbed.configPath, "--node", node, "--state-dir", layout.stateDirectory(node),
            "--key", layout.keyFile, "--socket", layout.socket(node), "--address-driver", "ip", "--start",
        ]
        var environment = ProcessInfo.processInfo.environment
        let binDirectory = (testbed.vigil as NSString).deletingLastPathComponent
        environment["PATH"] = binDirectory + ":" + (environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        environment["VIGIL_NODE"] = node
        try testbed.spawn(
            in: layout.namespace(of: node), arguments, output: layout.daemonOutput(node), environment: environment)
    }

    /// Stops cluster services on `node` (`graceful`, `takeover` or `forced`); the daemon keeps running.
    public func stop(_ node: String, mode: String) async throws {
        guard let stopMode = StopMode(rawValue: mode) else { throw TestbedError("unknown stop mode \(mode)") }
        guard daemonPid(node) != nil else { return }
        let response = try await admin(node).send(.stop(mode: stopMode, all: false))
        if case .refused(let reason) = response { throw TestbedError("stop on \(node) refused: \(reason)") }
    }

    /// Stops `node`'s vigild for `duration` (SIGSTOP, then SIGCONT).
    public func pause(_ node: String, for duration: Duration) async throws {
        guard let pid = daemonPid(node) else { throw TestbedError("no vigild runs on \(node)") }
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        try await Task.sleep(for: duration)
    }

    /// Sends a group request to the first node whose cluster services run; nil when it was done.
    public func request(_ command: AdminCommand) async -> String? {
        for node in config.nodes.map(\.name) where daemonPid(node) != nil {
            guard let snapshot = await status(node), snapshot.state == .up else { continue }
            do {
                switch try await admin(node, timeout: .seconds(40)).send(command) {
                case .ok: return nil
                case .refused(let reason): return "\(command) refused: \(reason)"
                case .error(let message): return "\(command) failed: \(message)"
                }
            } catch {
                return "\(command) on \(node): \(error)"
            }
        }
        return "\(command): no node runs cluster services"
    }

    /// The status `node`'s daemon reports, or nil when it does not answer.
    public func status(_ node: String) async -> StatusSnapshot? {
        guard FileManager.default.fileExists(atPath: layout.socket(node)) else { return nil }
        // A daemon that does not answer (starting, stopped, paused) has no status to judge: nil.
        do {
            guard
                case .ok(.status(let snapshot)) = try await admin(node, timeout: .seconds(3)).send(
                    .status(watchIntervalMilliseconds: nil))
            else {
                return nil
            }
            return snapshot
        } catch {
            return nil
        }
    }

    func admin(_ node: String, timeout: Duration = .seconds(10)) -> AdminClient {
        AdminClient(socketPath: layout.socket(node), answerTimeout: timeout)
    }
}
