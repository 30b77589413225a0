import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a tripped dead man switch must let go of: kept current by the daemon (from its start,
/// after every action batch, and the moment an application's start command is spawned) so that
/// the watchdog thread can act without asking any task.
public struct EmergencyPlan: Sendable, Hashable {
    /// Service addresses to remove, on their Linux devices.
    public var addresses: [Address]
    /// Process groups of running applications, killed with SIGKILL.
    public var processGroups: [Int32]
    /// cgroup v2 directories (the node's application root) whose whole subtree is killed, and
    /// whose directories below are then removed.
    public var cgroups: [String]

    public struct Address: Sendable, Hashable {
        public var device: String
        public var address: String
        public var prefix: Int
        public init(device: String, address: String, prefix: Int) {
            self.device = device
            self.address = address
            self.prefix = prefix
        }
    }

    public init(addresses: [Address] = [], processGroups: [Int32] = [], cgroups: [String] = []) {
        self.addresses = addresses
        self.processGroups = processGroups
        self.cgroups = cgroups
    }

    public var isEmpty: Bool { addresses.isEmpty && processGroups.isEmpty && cgroups.isEmpty }
}

/// The synchronous emergency release run by a tripped `Watchdog`: removes the plan's addresses with
/// `ip` (spawned directly with `posix_spawn`, each with a short timeout), then kills the plan's
/// cgroups (`killCgroup`) and SIGKILLs its process groups, then — only when `haltCommand` is set,
/// never by default — runs it (e.g. `["/usr/sbin/reboot", "-f"]`). Uses no Swift concurrency, so
/// a stuck cooperative pool cannot block it.
public final class EmergencyRelease: Sendable {
    /// The `ip` executable; `nil` when not installed (addresses are then left, and reported).
    public let ipPath: String?
    /// Put before `ip` (e.g. `["/usr/sbin/ip", "netns", "exec", "NAME"]` in tests).
    public let commandPrefix: [String]
    public let haltCommand: [String]?
    /// How long each spawned command may take before it is killed.
    public let commandTimeout: Duration
    private let plan = Mutex(EmergencyPlan())

    public init(
        ipPath: String? = CommandLookup().path(of: "ip"), commandPrefix: [String] = [], haltCommand: [String]? = nil,
        commandTimeout: Duration = .seconds(2)
    ) {
        self.ipPath = ipPath
        self.commandPrefix = commandPrefix
        self.haltCommand = haltCommand
        self.commandTimeout = commandTimeout
    }

    /// Replaces the plan.
    public func update(_ next: EmergencyPlan) { plan.withLock { $0 = next } }

    public var current: EmergencyPlan { plan.withLock { $0 } }

    /// Releases everything in the plan; returns a line per step, for the log (written after the fact,
    /// by whoever can).
    @discardableResult
    public func perform() -> [String] {
        let plan = current
        var report: [String] = []
        for entry in plan.addresses {
            guard let ipPath else {
                report.append("ip not found: \(entry.address) left on \(entry.device)")
                continue
            }
            let argv =
                commandPrefix + [ipPath, "-4", "addr", "del", "\(entry.address)/\(entry.prefix)", "dev", entry.device]
            report.append(
                "remove \(entry.address) from \(entry.device): \(Self.spawnAndWait(argv, timeout: commandTimeout))")
        }
        for root in plan.cgroups where root.hasPrefix("/") && root.count > 1 {
            report += Self.killCgroup(CgroupDirectory(root))
        }
        for group in plan.processGroups where group > 1 {
            let sent = kill(-group, SIGKILL) == 0
            report.append("SIGKILL process group \(group): \(sent ? "sent" : String(cString: strerror(errno)))")
        }
        if let haltCommand {
            report.append("halt: \(Self.spawnAndWait(haltCommand, timeout: commandTimeout))")
        }
        return report
    }

    /// How long a killed cgroup may take to empty, per round: the kernel delivers the SIGKILLs at
    /// once; their processes need a few milliseconds to exit, more on a starved machine.
    static let emptyWait: Duration = .milliseconds(500)
    /// Rounds of kill, wait and remove. A round's removal fails only if a process entered a
    /// directory after its kill: a start command that was spawned before the daemon stopped
    /// and moved itself in just then. The daemon spawns one start at a time per caller (the host
    /// worker and the application monitor), so three rounds catch every one that can be late.
    static let cgroupRounds = 3

    /// Kills everything in `root`'s subtree, waits until it is empty, then removes every directory
    /// below it (deepest first), so that a start command spawned but not yet moved in fails to
    /// enter its cgroup and never runs. Returns a line per step.
    static func killCgroup(_ root: CgroupDirectory) -> [String] {
        var report: [String] = []
        for round in 1...cgroupRounds {
            let before = Watchdog.monotonicNanoseconds()
            guard root.exists else {
                report.append("\(root) does not exist: nothing runs in it")
                break
            }
            report.append(root.kill())
            let emptied = root.waitUntilEmpty(within: emptyWait)
            let waited = (Watchdog.monotonicNanoseconds() - before) / 1_000_000
            report.append(emptied ? "\(root) empty after \(waited) ms" : "\(root) still populated after \(waited) ms")
            let left = root.removeDescendants()
            if left.isEmpty {
                report.append("application cgroups below \(root) removed")
                break
            }
            report += left
            if round == cgroupRounds { report.append("\(root): gave up after \(cgroupRounds) rounds") }
        }
        return report
    }

    /// Spawns `argv` (argv[0] a full path) and waits up to `timeout` for it; kills it after that.
    /// Returns a short account (`exit 0`, `killed after timeout`, `spawn failed: ...`).
    static func spawnAndWait(_ argv: [String], timeout: Duration) -> String {
        precondition(!argv.isEmpty, "nothing to spawn")
        var pid: pid_t = 0
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        let spawned = posix_spawn(&pid, argv[0], nil, nil, &cArguments, environ)
        guard spawned == 0 else { return "spawn failed: \(String(cString: strerror(spawned)))" }
        let deadline = Watchdog.monotonicNanoseconds() + UInt64(timeout.nanoseconds)
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 { return "wait failed: \(String(cString: strerror(errno)))" }
            if Watchdog.monotonicNanoseconds() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return "killed after timeout"
            }
            Watchdog.sleep(.milliseconds(5))
        }
        let exited = status & 0x7f == 0
        return exited ? "exit \((status >> 8) & 0xff)" : "killed by signal \(status & 0x7f)"
    }
}
