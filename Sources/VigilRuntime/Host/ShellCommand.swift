/// A command line for `/bin/sh -c`, with what it needs to run safely: extra environment variables, a
/// timeout after which its whole process group is terminated, and a bound on the output kept.
public struct ShellCommand: Sendable, Hashable {
    /// The command line, run as `/bin/sh -c LINE`.
    public var line: String
    /// Variables added to (or replacing those of) the daemon's environment.
    public var environment: [String: String]
    /// How long the command may run. When it expires the process group gets SIGTERM, then SIGKILL
    /// after `killGrace`.
    public var timeout: Duration
    /// Time between SIGTERM and SIGKILL when the timeout expires.
    public var killGrace: Duration
    /// Bytes of combined stdout and stderr kept; the rest is read and dropped, and the result says so.
    public var outputLimit: Int
    /// A cgroup v2 directory (its path) the command's shell moves itself into before the line
    /// runs, so that every process of the command is in it from the first; if the move fails, the
    /// line never runs (the command exits 125 and says why).
    public var cgroup: String?

    public init(
        _ line: String, environment: [String: String] = [:], timeout: Duration,
        killGrace: Duration = .seconds(2), outputLimit: Int = 64 * 1024, cgroup: String? = nil
    ) {
        precondition(timeout > .zero, "a command needs a positive timeout, got \(timeout)")
        precondition(outputLimit >= 0, "output limit must not be negative, got \(outputLimit)")
        self.line = line
        self.environment = environment
        self.timeout = timeout
        self.killGrace = killGrace
        self.outputLimit = outputLimit
        self.cgroup = cgroup
    }
}

/// How a command ended.
public enum CommandStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    /// The command could not be started at all (no `/bin/sh`, out of processes, ...).
    case notStarted(String)

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .notStarted(let reason): "not started: \(reason)"
        }
    }
}

/// The result of running a `ShellCommand`.
public struct CommandResult: Sendable, Hashable {
    public var status: CommandStatus
    /// Combined stdout and stderr, up to the command's output limit.
    public var output: String
    /// Whether output beyond the limit was dropped.
    public var outputTruncated: Bool
    public var duration: Duration
    /// Whether the timeout expired and the process group was killed.
    public var timedOut: Bool
    /// The process group the command ran in (its shell's pid); `nil` when it never started.
    public var processGroup: Int32?

    public init(
        status: CommandStatus, output: String = "", outputTruncated: Bool = false,
        duration: Duration = .zero, timedOut: Bool = false, processGroup: Int32? = nil
    ) {
        self.status = status
        self.output = output
        self.outputTruncated = outputTruncated
        self.duration = duration
        self.timedOut = timedOut
        self.processGroup = processGroup
    }

    /// Exited with status 0 within its timeout.
    public var succeeded: Bool { status == .exited(0) && !timedOut }

    /// A one-line account for failure reasons: the status and the last line of output.
    public var summary: String {
        var text = timedOut ? "timed out after \(duration.formattedSeconds) (\(status))" : status.description
        let lastLine = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        if !lastLine.isEmpty { text += ": " + String(lastLine.prefix(200)) }
        return text
    }
}

/// Runs shell commands on the host. The real implementation is `CommandRunner`; drivers take any
/// `CommandRunning` so that they can be tested with a fake.
public protocol CommandRunning: Sendable {
    /// Runs `command` to completion in a new session (its own process group), capturing combined
    /// output through a pipe. The command is complete when its shell has exited and every process
    /// holding the output pipe has closed it — or when the timeout kills the group.
    func run(_ command: ShellCommand) async -> CommandResult

    /// Runs `command`, whose children are meant to outlive it (an application's start command that
    /// backgrounds a server), in a new session. Output goes to `outputFile` (appended; `/dev/null`
    /// when `nil`) instead of a pipe, so background children holding it open are not waited for. Returns
    /// when the shell itself exits, or after its timeout kills the group. The result's output is what
    /// the command appended to the file, up to the limit; its process group stays alive with any
    /// children.
    ///
    /// With `admit`, the command's shell waits, before anything else it runs (after entering the
    /// command's cgroup), until `admit` has been called with its pid (its process group) and
    /// returned true: the caller can record the group where it must be known before the command
    /// runs. When `admit` returns false, or this process dies first, the line never runs (the
    /// command exits 125).
    func launch(
        _ command: ShellCommand, outputFile: String?, admit: (@Sendable (Int32) -> Bool)?
    ) async -> CommandResult
}

extension CommandRunning {
    /// `launch` without an admission: the command runs at once.
    public func launch(_ command: ShellCommand, outputFile: String?) async -> CommandResult {
        await launch(command, outputFile: outputFile, admit: nil)
    }
}
