import Foundation
import Synchronization
import VigilCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells the service manager (systemd, a unit of `Type=notify`) how the daemon is, in the protocol
/// of sd_notify(3), written here without libsystemd: one datagram of `KEY=value` lines to the
/// AF_UNIX socket named by `NOTIFY_SOCKET` (`@name`: the abstract namespace).
///
/// - `READY=1` once, with the first `STATUS=` of a daemon that has settled (`report`);
/// - `STATUS=` again only when its text changes;
/// - `WATCHDOG=1` from the daemon's loop (`petWatchdog`), when `WATCHDOG_USEC` asks for it;
/// - `STOPPING=1` when a graceful stop begins.
///
/// Without `NOTIFY_SOCKET` every call does nothing. A datagram that cannot be sent is counted
/// (`failures`) and otherwise ignored: the service manager's absence never stops the daemon.
public final class ServiceManagerNotifier: Sendable {
    /// The variables of the protocol. The daemon removes them from its own environment when it
    /// reads them (sd_notify's `unset_environment`), so that no command it runs inherits them.
    public static let environmentVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]

    /// The notify socket (`NOTIFY_SOCKET`); `nil`: no service manager listens.
    public let socketPath: String?
    /// The service manager's watchdog timeout (`WATCHDOG_USEC`), when it watches this process
    /// (`WATCHDOG_PID` unset or this process's pid, as sd_watchdog_enabled(3) says); `nil`: none.
    public let watchdogTimeout: Duration?
    private let state = Mutex(State())

    private struct State {
        var readySent = false
        var status: String?
        var lastWatchdogPet: Moment?
        var failures: UInt64 = 0
    }

    /// A notifier that never sends anything (no service manager).
    public static let disabled = ServiceManagerNotifier(socketPath: nil, watchdogTimeout: nil)

    public init(socketPath: String?, watchdogTimeout: Duration?) {
        self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
        self.watchdogTimeout = self.socketPath == nil ? nil : watchdogTimeout
    }

    /// The notifier the variables in `environment` describe, for the process `pid`. A
    /// `WATCHDOG_USEC` that is not a positive number of microseconds, or a `WATCHDOG_PID` that is
    /// not `pid`, leaves the watchdog off.
    public convenience init(environment: [String: String], pid: Int32) {
        var timeout: Duration?
        if let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0,
            microseconds <= UInt64(Int64.max)
        {
            let forUs = environment["WATCHDOG_PID"].map { Int32($0) == pid } ?? true
            if forUs { timeout = .microseconds(Int64(microseconds)) }
        }
        self.init(socketPath: environment["NOTIFY_SOCKET"], watchdogTimeout: timeout)
    }

    /// The notifier of this process's environment, whose variables are then removed from it
    /// (children started later do not see them). Call it before any thread that could read the
    /// environment starts: `unsetenv` is not safe beside them.
    public static func takeFromProcessEnvironment() -> ServiceManagerNotifier {
        let notifier = ServiceManagerNotifier(environment: ProcessInfo.processInfo.environment, pid: getpid())
        for name in environmentVariables { unsetenv(name) }
        return notifier
    }

    /// Whether a service manager listens.
    public var isEnabled: Bool { socketPath != nil }

    /// How often `WATCHDOG=1` is sent at most: every half of `watchdogTimeout`, as
    /// sd_watchdog_enabled(3) recommends; `nil` when the watchdog is off.
    public var watchdogPetInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// How many datagrams could not be sent.
    public var failures: UInt64 { state.withLock { $0.failures } }

    /// Says how the daemon is: `status` as `STATUS=` when it changed; with `READY=1` the first time
    /// `ready` is true (the daemon settled: see docs/systemd.md).
    public func report(ready: Bool, status: String) {
        guard isEnabled else { return }
        let lines: [String]? = state.withLock { state in
            let becomesReady = ready && !state.readySent
            guard becomesReady || state.status != status else { return nil }
            state.status = status
            if becomesReady { state.readySent = true }
            return (becomesReady ? ["READY=1"] : []) + ["STATUS=\(Self.oneLine(status))"]
        }
        if let lines { send(lines) }
    }

    /// Sends `WATCHDOG=1` when the watchdog is on and a quarter of its timeout passed since the
    /// last one. The daemon's loop calls it at every pet of its dead man switch, which comes at
    /// least every quarter of the timeout (`NodeDaemon`): a pet reaches the service manager at
    /// least every half of the timeout, and only while the loop runs.
    public func petWatchdog(at now: Moment) {
        guard let timeout = watchdogTimeout else { return }
        let due = state.withLock { state in
            if let last = state.lastWatchdogPet, now - last < timeout / 4 { return false }
            state.lastWatchdogPet = now
            return true
        }
        if due { send(["WATCHDOG=1"]) }
    }

    /// Says that a graceful stop has begun, and why.
    public func stopping(status: String) {
        guard isEnabled else { return }
        state.withLock { $0.status = status }
        send(["STOPPING=1", "STATUS=\(Self.oneLine(status))"])
    }

    /// A status on one line: the protocol separates assignments by newlines.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    private func send(_ lines: [String]) {
        guard let socketPath else { return }
        do {
            try UnixDatagramSender.sendOnce(Array(lines.joined(separator: "\n").utf8), to: socketPath)
        } catch {
            state.withLock { $0.failures += 1 }
        }
    }
}
