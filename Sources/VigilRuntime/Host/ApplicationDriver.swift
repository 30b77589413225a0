import Foundation
import Synchronization
import VigilModel

#if canImport(Glibc)
import Glibc
#endif

/// Applications through their start, stop and monitor commands, as real processes.
///
/// - start: idempotent (an application whose monitor passes — or, unmonitored, of which a process
///   still runs — is not started again). The start command runs with `launch` (its background
///   children survive it, its output goes to `STATE/NAME.out`) under the start timeout. In cgroup
///   containment it first enters the application's cgroup (created just before), so that every
///   process it ever makes is in it; in both modes it waits, before it runs anything, until its
///   process group is recorded and `onSpawn` (the daemon: the emergency plan) has accepted it.
///   With a monitor, the driver then waits until the monitor passes or the start timeout ends.
/// - stop: idempotent. The stop command runs under the stop timeout; if the application is still
///   healthy after it, or any of its processes still runs (in its cgroup, or in the process group
///   recorded at start), they get SIGTERM, then SIGKILL (`cgroup.kill`) after the kill grace. The
///   stop fails if the monitor still passes after that. A stopped application's cgroup is removed.
/// - monitor / check: the monitor command under its timeout; exit 0 is healthy.
///
/// The recorded process groups are kept in a `ProcessGroupRecord` (`STATE/applications`).
public actor ApplicationDriver {
    public internal(set) var config: ClusterConfig
    public let runner: any CommandRunning
    public let stateDirectory: String
    /// Between SIGTERM and SIGKILL when a stop escalates.
    public let killGrace: Duration
    /// How often the monitor is polled while a start waits for it.
    public let pollInterval: Duration
    /// Added to every command's environment (the daemon sets `VIGIL_NODE`).
    public let environment: [String: String]
    /// Where the applications run: each in a cgroup of its own, or tracked by process group.
    public nonisolated let containment: ApplicationContainment
    /// The process groups of the start commands, recorded the moment each is spawned.
    public nonisolated let groups: ProcessGroupRecord
    private let onSpawn: SpawnHook?
    /// Applications with a start, stop or restart under way, and who waits for its end: an
    /// application's operations run one at a time (the actor alone would interleave them at
    /// every await, and a stop could forget a group that a start had just recorded).
    private var busy: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Called with an application's name and process group the moment its start command is
    /// spawned, before the command may run anything of its own. An error refuses the start: the
    /// command ends without running its line, and the start fails with the error's reason.
    public typealias SpawnHook = @Sendable (_ application: String, _ group: Int32) throws(DriverFailure) -> Void

    public init(
        config: ClusterConfig, runner: any CommandRunning = CommandRunner(), stateDirectory: String,
        killGrace: Duration = .seconds(5), pollInterval: Duration = .milliseconds(250),
        environment: [String: String] = [:],
        containment: ApplicationContainment = .processGroups(reason: "no containment was chosen"),
        groups: ProcessGroupRecord? = nil, onSpawn: SpawnHook? = nil
    ) {
        self.environment = environment
        self.config = config
        self.runner = runner
        self.stateDirectory = stateDirectory
        self.killGrace = killGrace
        self.pollInterval = pollInterval
        self.containment = containment
        self.groups = groups ?? ProcessGroupRecord(stateDirectory: stateDirectory)
        self.onSpawn = onSpawn
    }

    /// What a periodic check found.
    public enum Health: Sendable, Hashable {
        case healthy
        case failing(String)
        /// No monitor is configured: the driver cannot tell.
        case unmonitored
    }

    /// The process groups recorded at start, by application.
    public var processGroups: [String: Int32] { groups.current }

    public func start(_ name: String) async -> Result<Void, DriverFailure> {
        await begin(name)
        defer { end(name) }
        return await startNow(name)
    }

    public func stop(_ name: String) async -> Result<Void, DriverFailure> {
        await begin(name)
        defer { end(name) }
        return await stopNow(name)
    }

    /// Stops and starts `name` as one operation (no other start or stop of it in between), the
    /// start only if `stillWanted()` says so once the stop is done: the application monitor's
    /// restart, which must not start an application whose group was released meanwhile. Returns
    /// the start's result, or `nil` when it was no longer wanted.
    public func restart(_ name: String, while stillWanted: @Sendable () -> Bool) async -> Result<Void, DriverFailure>? {
        await begin(name)
        defer { end(name) }
        _ = await stopNow(name)
        guard stillWanted() else { return nil }
        return await startNow(name)
    }

    /// Waits until no other operation on `name` runs, and takes the turn.
    private func begin(_ name: String) async {
        guard busy[name] != nil else {
            busy[name] = []
            return
        }
        await withCheckedContinuation { busy[name, default: []].append($0) }
    }

    /// Ends this operation's turn: hands it to the next waiter, if any.
    private func end(_ name: String) {
        guard var waiting = busy[name], !waiting.isEmpty else {
            busy[name] = nil
            return
        }
        let next = waiting.removeFirst()
        busy[name] = waiting
        next.resume()
    }

    private func startNow(_ name: String) async -> Result<Void, DriverFailure> {
        guard let application = config.application(named: name) else {
            return .failure(DriverFailure("no application \(name) in the configuration"))
        }
        // Already running (its monitor passes, or unmonitored with a process of its own alive).
        if await isRunning(name) { return .success(()) }
        let clock = ContinuousClock()
        let deadline = clock.now + application.startTimeout
        var command = ShellCommand(
            application.start, environment: environment.merging(["VIGIL_APPLICATION": name]) { $1 },
            timeout: application.startTimeout, killGrace: killGrace)
        if let cgroup = containment.cgroup(of: name) {
            do { try cgroup.create() } catch { return .failure(DriverFailure("start \(name): \(error.reason)")) }
            command.cgroup = cgroup.path
        }
        let refusal = Refusal()
        let output = "\(stateDirectory)/\(name).out"
        let result = await runner.launch(command, outputFile: output) { [groups, onSpawn] group in
            groups.record(name, group)
            do throws(DriverFailure) {
                try onSpawn?(name, group)
                return true
            } catch {
                refusal.reason.withLock { $0 = error }
                return false
            }
        }
        if let refused = refusal.reason.withLock({ $0 }) {
            groups.forget(name)
            return .failure(DriverFailure("start \(name) refused before it ran: \(refused.reason)"))
        }
        guard result.succeeded else { return .failure(DriverFailure("start \(name): \(result.summary)")) }
        guard application.monitor != nil else { return .success(()) }
        var last = await check(application)
        while last != .healthy, clock.now < deadline {
            do { try await Task.sleep(for: pollInterval) } catch {
                return .failure(DriverFailure("start \(name) cancelled"))
            }
            last = await check(application)
        }
        guard case .failing(let why) = last else { return .success(()) }
        return .failure(
            DriverFailure(
                "start \(name): monitor did not pass within \(application.startTimeout.formattedSeconds): \(why)"))
    }

    private func stopNow(_ name: String) async -> Result<Void, DriverFailure> {
        guard let application = config.application(named: name) else {
            return .failure(DriverFailure("no application \(name) in the configuration"))
        }
        let own = ownProcesses(name)
        // Nothing of ours runs: stop it only if its monitor says it runs anyway. (When something
        // of ours is alive it runs for sure: no monitor first, a stop is on a takeover's critical path.)
        if !own.alive, application.monitor != nil, await check(application) != .healthy { return forget(name, own) }
        let command = ShellCommand(
            application.stop, environment: environment.merging(["VIGIL_APPLICATION": name]) { $1 },
            timeout: application.stopTimeout, killGrace: killGrace)
        let result = await runner.run(command)
        var escalated = false
        var health = await check(application)
        if health == .healthy || own.alive {
            escalated = true
            if await !own.terminate(grace: killGrace) {
                return .failure(DriverFailure("stop \(name): \(own) survived SIGKILL"))
            }
            health = await check(application)
        }
        if health == .healthy {
            let how = own.isEmpty ? "no process group or cgroup recorded to kill" : "after killing \(own)"
            return .failure(DriverFailure("stop \(name): still healthy \(how) (stop command: \(result.summary))"))
        }
        if !result.succeeded && !escalated && application.monitor == nil {
            return .failure(DriverFailure("stop \(name): \(result.summary)"))
        }
        return forget(name, own)
    }

    /// Runs the monitor once.
    public func check(_ application: Application) async -> Health {
        guard let monitor = application.monitor else { return .unmonitored }
        let result = await runner.run(
            ShellCommand(
                monitor, environment: environment.merging(["VIGIL_APPLICATION": application.name]) { $1 },
                timeout: application.monitorTimeout,
                killGrace: .milliseconds(500), outputLimit: 4096))
        return result.succeeded ? .healthy : .failing(result.summary)
    }

    /// Whether the application runs here as far as the host shows: its monitor passes, or (without
    /// a monitor) a process of its own still runs: in its cgroup, or in the group recorded at start.
    public func isRunning(_ name: String) async -> Bool {
        guard let application = config.application(named: name) else { return false }
        switch await check(application) {
        case .healthy: return true
        case .failing: return false
        case .unmonitored:
            return ownProcesses(name).alive
        }
    }

    private func ownProcesses(_ name: String) -> OwnProcesses {
        OwnProcesses(group: groups.group(of: name).map(ProcessGroup.init), cgroup: containment.cgroup(of: name))
    }

    /// Forgets a stopped application's process group and removes its cgroup (and any directory
    /// the application made below it).
    private func forget(_ name: String, _ own: OwnProcesses) -> Result<Void, DriverFailure> {
        groups.forget(name)
        guard let cgroup = own.cgroup else { return .success(()) }
        var problems = cgroup.removeDescendants()
        if let failure = cgroup.remove() { problems.append("cannot remove \(cgroup): \(failure)") }
        guard problems.isEmpty else {
            return .failure(DriverFailure("stop \(name): " + problems.joined(separator: "; ")))
        }
        return .success(())
    }
}

/// Why the spawn hook refused a start, handed from the runner's task back to the driver.
private final class Refusal: Sendable {
    let reason = Mutex<DriverFailure?>(nil)
}

/// An application's own processes: those in its cgroup (and below), and those of the process
/// group its start command ran in (the only ones in process-group containment).
struct OwnProcesses: Sendable, CustomStringConvertible {
    let group: ProcessGroup?
    let cgroup: CgroupDirectory?

    var isEmpty: Bool { group == nil && cgroup == nil }

    var alive: Bool { cgroup?.populated == true || group?.isAlive == true }

    var description: String { [group?.description, cgroup?.description].compactMap { $0 }.joined(separator: " and ") }

    /// SIGTERM to every one, up to `grace` for them to go, then SIGKILL (`cgroup.kill`) and up to
    /// 2 s for the kernel to finish. Returns whether none is left running.
    func terminate(grace: Duration) async -> Bool {
        guard alive else { return true }
        group?.signal(SIGTERM)
        cgroup?.signalAll(SIGTERM)
        if await waitUntilGone(within: grace) { return true }
        group?.signal(SIGKILL)
        _ = cgroup?.kill()
        return await waitUntilGone(within: .seconds(2))
    }

    /// Polls until none runs, for at most `limit`.
    func waitUntilGone(within limit: Duration) async -> Bool {
        await poll(within: limit) { !alive }
    }
}
