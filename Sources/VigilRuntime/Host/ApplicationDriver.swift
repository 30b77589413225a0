#if canImport(Glibc)
import Glibc
#endif
import Foundation
import VigilModel

/// Applications through their start, stop and monitor commands, as real processes.
///
/// - start: idempotent (an application whose monitor passes — or, unmonitored, whose recorded process
///   group still runs — is not started again). The start command
///   runs with `launch` (its background children survive it, its output goes to
///   `STATE/NAME.out`) under the start timeout; its process group is recorded. With a monitor, the
///   driver then waits until the monitor passes or the start timeout ends.
/// - stop: idempotent. The stop command runs under the stop timeout; if the application is still
///   healthy after it, or processes of the group recorded at start still run, the group gets SIGTERM
///   then SIGKILL. The stop fails if the monitor still passes after that.
/// - monitor / check: the monitor command under its timeout; exit 0 is healthy.
///
/// The recorded process groups are kept in `STATE/applications` with the boot id, so that a restarted
/// daemon (and the watchdog) still knows them and a group recorded before a reboot is never signalled.
public actor ApplicationDriver {
    public let config: ClusterConfig
    public let runner: any CommandRunning
    public let stateDirectory: String
    /// Between SIGTERM and SIGKILL when a stop escalates.
    public let killGrace: Duration
    /// How often the monitor is polled while a start waits for it.
    public let pollInterval: Duration
    private var groups: [String: Int32]
    /// Added to every command's environment (the daemon sets `VIGIL_NODE`).
    public let environment: [String: String]

    public init(
        config: ClusterConfig, runner: any CommandRunning = CommandRunner(), stateDirectory: String,
        killGrace: Duration = .seconds(5), pollInterval: Duration = .milliseconds(250), environment: [String: String] = [:]
    ) {
        self.environment = environment
        self.config = config
        self.runner = runner
        self.stateDirectory = stateDirectory
        self.killGrace = killGrace
        self.pollInterval = pollInterval
        self.groups = Self.readGroups(stateDirectory + "/applications")
    }

    /// What a periodic check found.
    public enum Health: Sendable, Hashable {
        case healthy
        case failing(String)
        /// No monitor is configured: the driver cannot tell.
        case unmonitored
    }

    /// The process groups recorded at start, by application: what an emergency release kills.
    public var processGroups: [String: Int32] { groups }

    public func start(_ name: String) async -> Result<Void, DriverFailure> {
        guard let application = config.application(named: name) else {
            return .failure(DriverFailure("no application \(name) in the configuration"))
        }
        // Already running (its monitor passes, or unmonitored with its recorded group alive).
        if await isRunning(name) { return .success(()) }
        let clock = ContinuousClock()
        let deadline = clock.now + application.startTimeout
        let command = ShellCommand(application.start, environment: environment.merging(["VIGIL_APPLICATION": name]) { $1 },
                                   timeout: application.startTimeout, killGrace: killGrace)
        let result = await runner.launch(command, outputFile: "\(stateDirectory)/\(name).out")
        if let group = result.processGroup, !result.timedOut { record(name, group) }
        guard result.succeeded else { return .failure(DriverFailure("start \(name): \(result.summary)")) }
        guard application.monitor != nil else { return .success(()) }
        var last = await check(application)
        while last != .healthy, clock.now < deadline {
            do { try await Task.sleep(for: pollInterval) } catch { return .failure(DriverFailure("start \(name) cancelled")) }
            last = await check(application)
        }
        guard case .failing(let why) = last else { return .success(()) }
        return .failure(DriverFailure("start \(name): monitor did not pass within \(application.startTimeout.formattedSeconds): \(why)"))
    }

    public func stop(_ name: String) async -> Result<Void, DriverFailure> {
        guard let application = config.application(named: name) else {
            return .failure(DriverFailure("no application \(name) in the configuration"))
        }
        let group = groups[name].map(ProcessGroup.init)
        // Nothing of ours runs: stop it only if its monitor says it runs anyway. (When our group is
        // alive it runs for sure: no monitor first, a stop is on a takeover's critical path.)
        if group?.isAlive != true, application.monitor != nil, await check(application) != .healthy { return forget(name) }
        let command = ShellCommand(application.stop, environment: environment.merging(["VIGIL_APPLICATION": name]) { $1 },
                                   timeout: application.stopTimeout, killGrace: killGrace)
        let result = await runner.run(command)
        var escalated = false
        var health = await check(application)
        if health == .healthy || group?.isAlive == true {
            escalated = true
            if let group, await !group.terminate(grace: killGrace) {
                return .failure(DriverFailure("stop \(name): \(group) survived SIGKILL"))
            }
            health = await check(application)
        }
        if health == .healthy {
            let how = group == nil ? "no process group recorded to kill" : "after killing \(group!)"
            return .failure(DriverFailure("stop \(name): still healthy \(how) (stop command: \(result.summary))"))
        }
        if !result.succeeded && !escalated && application.monitor == nil {
            return .failure(DriverFailure("stop \(name): \(result.summary)"))
        }
        return forget(name)
    }

    /// Runs the monitor once.
    public func check(_ application: Application) async -> Health {
        guard let monitor = application.monitor else { return .unmonitored }
        let result = await runner.run(ShellCommand(
            monitor, environment: environment.merging(["VIGIL_APPLICATION": application.name]) { $1 }, timeout: application.monitorTimeout,
            killGrace: .milliseconds(500), outputLimit: 4096))
        return result.succeeded ? .healthy : .failing(result.summary)
    }

    /// Whether the application runs here as far as the host shows: its monitor passes, or (without
    /// a monitor) processes of its recorded group still run.
    public func isRunning(_ name: String) async -> Bool {
        guard let application = config.application(named: name) else { return false }
        switch await check(application) {
        case .healthy: return true
        case .failing: return false
        case .unmonitored: return groups[name].map { ProcessGroup($0).isAlive } ?? false
        }
    }

    private func record(_ name: String, _ group: Int32) {
        groups[name] = group
        saveGroups()
    }

    private func forget(_ name: String) -> Result<Void, DriverFailure> {
        if groups.removeValue(forKey: name) != nil { saveGroups() }
        return .success(())
    }

    private func saveGroups() {
        let boot = Self.bootID
        let text = groups.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) \(boot)\n" }.joined()
        // Best effort by design: losing this file only loses the kill fallback after a restart.
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: stateDirectory + "/applications"), options: .atomic) }
        catch { FileHandle.standardError.write(Data("vigil: cannot record application process groups: \(error)\n".utf8)) }
    }

    /// This boot's id (`/proc/sys/kernel/random/boot_id`).
    static var bootID: Substring {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "unknown"
        return Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func readGroups(_ file: String) -> [String: Int32] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
        var groups: [String: Int32] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            // A group recorded before a reboot names nobody of ours now: ignored.
            let words = line.split(separator: " ")
            if words.count == 3, words[2] == bootID, let group = Int32(words[1]), group > 1 {
                groups[String(words[0])] = group
            }
        }
        return groups
    }
}
