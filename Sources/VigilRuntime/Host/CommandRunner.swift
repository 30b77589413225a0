import Foundation
import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs shell commands as real processes with swift-subprocess: `/bin/sh -c LINE` in a new session
/// (so its process group is its own and can be killed whole), with the command's environment added to
/// the daemon's, and a timeout after which the group gets SIGTERM and, after a grace, SIGKILL.
///
/// The new session comes from `setsid(1)`, which calls setsid() and execs the shell in the same
/// process (`sessionLeader`), not from Subprocess's `createSession`: that option makes Subprocess
/// fork by itself with clone3 and reset signal handlers with signal() in the child, which is not
/// async-signal-safe in glibc. A child cloned while another thread held glibc's abort lock (any
/// posix_spawn of the process resetting SIGABRT, such as Foundation's Process) wedged before exec
/// for good (swift-subprocess issue 374, open in the version used here). Without that option
/// Subprocess spawns with glibc's posix_spawn, which guards the lock.
///
/// A process that leaves the session (`setsid`) escapes the group kill; if it also keeps the output
/// pipe open, `run` waits for it. Commands that daemonize belong in `launch`, in a cgroup
/// (`ShellCommand.cgroup`), which no process leaves by forking or `setsid`.
public struct CommandRunner: CommandRunning {
    public init() {}

    public func run(_ command: ShellCommand) async -> CommandResult {
        let collector = OutputCollector(limit: command.outputLimit)
        return await supervise(command) { started in
            try await Subprocess.run(
                .path(.init(Self.sessionLeader)), arguments: Arguments(Self.arguments(command, admitted: false)),
                environment: Self.environment(command), platformOptions: Self.options(command),
                input: .none, output: .sequence, error: .combinedWithOutput
            ) { execution in
                started(execution.processIdentifier.value)
                for try await buffer in execution.standardOutput {
                    buffer.withUnsafeBytes { collector.append($0) }
                }
            }.terminationStatus
        } output: {
            collector.result
        }
    }

    public func launch(
        _ command: ShellCommand, outputFile: String?, admit: (@Sendable (Int32) -> Bool)?
    ) async -> CommandResult {
        let path = outputFile ?? "/dev/null"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            return CommandResult(status: .notStarted("cannot open \(path): \(String(cString: strerror(errno)))"))
        }
        let startOffset = outputFile == nil ? 0 : lseek(fd, 0, SEEK_END)
        let gate: AdmissionGate?
        do throws(DriverFailure) { gate = admit == nil ? nil : try AdmissionGate() } catch {
            close(fd)
            return CommandResult(status: .notStarted(error.reason))
        }
        // Whatever happened, the gate is closed: a shell still waiting reads the end of its input
        // and never runs the line.
        defer { gate?.finish(admitted: false) }
        let input = gate?.childEnd ?? open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            close(fd)
            return CommandResult(status: .notStarted("cannot open /dev/null: \(String(cString: strerror(errno)))"))
        }
        return await supervise(command) { started in
            try await Subprocess.run(
                .path(.init(Self.sessionLeader)), arguments: Arguments(Self.arguments(command, admitted: gate != nil)),
                environment: Self.environment(command), platformOptions: Self.options(command),
                input: .fileDescriptor(.init(rawValue: input), closeAfterSpawningProcess: true),
                output: .fileDescriptor(.init(rawValue: fd), closeAfterSpawningProcess: true),
                error: .combinedWithOutput
            ) { execution in
                let pid = execution.processIdentifier.value
                started(pid)
                if let gate, let admit { gate.finish(admitted: admit(pid)) }
            }.terminationStatus
        } output: {
            guard let outputFile else { return ("", false) }
            return Self.readTail(of: outputFile, from: Int(startOffset), limit: command.outputLimit)
        }
    }

    /// Runs `body` (which starts the process and reports its pid) under the command's timeout: when
    /// it expires, the process group gets SIGTERM, then SIGKILL after the grace. Cancellation of the
    /// calling task kills the group at once.
    private func supervise(
        _ command: ShellCommand,
        _ body: @escaping @Sendable (_ started: @Sendable (Int32) -> Void) async throws -> TerminationStatus,
        output: () -> (String, Bool)
    ) async -> CommandResult {
        let clock = ContinuousClock()
        let begin = clock.now
        let state = SupervisionBox()
        let started: @Sendable (Int32) -> Void = { pid in state.withLock { $0.group = pid } }
        let outcome: Result<TerminationStatus, any Error> = await withTaskGroup(
            of: Result<TerminationStatus, any Error>?.self
        ) { tasks in
            tasks.addTask {
                do { return .success(try await body(started)) } catch { return .failure(error) }
            }
            tasks.addTask {
                // Cancellation (the command finished first) ends the timer: nothing to kill.
                do { try await Task.sleep(for: command.timeout) } catch { return nil }
                let group = state.withLock { state -> Int32? in
                    state.timedOut = true
                    return state.group
                }
                guard let group else { return nil }
                kill(-group, SIGTERM)
                do { try await Task.sleep(for: command.killGrace) } catch { return nil }
                kill(-group, SIGKILL)
                return nil
            }
            defer { tasks.cancelAll() }
            while let next = await tasks.next() {
                if let next { return next }
            }
            preconditionFailure("the process task always reports")
        }
        let snapshot = state.withLock { $0 }
        let (text, truncated) = output()
        let status: CommandStatus
        switch outcome {
        case .success(.exited(let code)): status = .exited(code)
        case .success(.signaled(let signal)): status = .signaled(signal)
        case .failure(let error): status = .notStarted(String(describing: error))
        }
        return CommandResult(
            status: status, output: text, outputTruncated: truncated, duration: clock.now - begin,
            timedOut: snapshot.timedOut, processGroup: snapshot.group)
    }

    struct SupervisionState: Sendable {
        var group: Int32?
        var timedOut = false
    }

    /// The supervised process's group and whether its timeout expired, shared with the timer task.
    final class SupervisionBox: Sendable {
        private let state = Mutex(SupervisionState())
        func withLock<T: Sendable>(_ body: (inout SupervisionState) -> T) -> T { state.withLock { body(&$0) } }
    }

    /// `setsid(1)`'s arguments for `command`: `/bin/sh` and its own (`shellArguments`).
    static func arguments(_ command: ShellCommand, admitted: Bool) -> [String] {
        ["/bin/sh"] + shellArguments(command, admitted: admitted)
    }

    /// `setsid(1)`: started by posix_spawn in the daemon's process group (so not a group leader), it
    /// calls setsid() and execs its arguments without forking: the shell keeps the pid, which is
    /// its session's and its process group's id.
    static let sessionLeader: String = CommandLookup().path(of: "setsid") ?? "/usr/bin/setsid"

    /// `/bin/sh`'s arguments for `command`: `-c LINE`; or, when the command enters a cgroup or
    /// waits to be admitted, a wrapper that does that first and then `exec`s `/bin/sh -c LINE`
    /// (the same pid, so the same process group). `echo` and `read` are built into the shell: no
    /// process is forked before the move, and nothing of the line runs unless both succeed.
    static func shellArguments(_ command: ShellCommand, admitted: Bool) -> [String] {
        guard command.cgroup != nil || admitted else { return ["-c", command.line] }
        var steps: [String] = []
        if command.cgroup != nil {
            steps.append(
                #"echo 0 > "$1/cgroup.procs" || "#
                    + #"{ echo "vigil: not started: cannot enter cgroup $1" >&2; exit 125; }"#)
        }
        if admitted {
            steps.append(
                #"read -r admitted || "#
                    + #"{ echo "vigil: not started: the daemon did not admit it" >&2; exit 125; }"#)
            steps.append(#"exec /bin/sh -c "$2" < /dev/null"#)
        } else {
            steps.append(#"exec /bin/sh -c "$2""#)
        }
        return ["-c", steps.joined(separator: "\n"), "vigil-start", command.cgroup ?? "", command.line]
    }

    static func environment(_ command: ShellCommand) -> Environment {
        var additions: [Environment.Key: String?] = [:]
        for (name, value) in command.environment {
            guard let key = Environment.Key(rawValue: name) else { continue }
            additions[key] = value
        }
        return .inherit.updating(additions)
    }

    static func options(_ command: ShellCommand) -> PlatformOptions {
        // A new session (`setsid(1)`, see the type's note): the shell leads its own process group,
        // detached from any terminal.
        var options = PlatformOptions()
        // If the calling task is cancelled: SIGTERM to the whole group, then SIGKILL.
        options.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: command.killGrace)
        ]
        return options
    }

    /// What was appended to `path` from `offset` on, up to `limit` bytes.
    static func readTail(of path: String, from offset: Int, limit: Int) -> (String, Bool) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ("", false) }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(max(0, offset)))
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            let truncated = data.count > limit
            return (String(decoding: data.prefix(limit), as: UTF8.self), truncated)
        } catch {
            return ("(output unreadable: \(error))", false)
        }
    }
}

/// Where a launched command's shell reads its admission (its standard input, one end of a socket
/// pair): one line when admitted, the end of the file otherwise, and the end of the file too if
/// this process dies first (nobody else holds this end: both ends are close-on-exec, and the
/// child's end is closed here once the child has it). A socket rather than a pipe, so that
/// writing to a shell that already died fails with EPIPE (`MSG_NOSIGNAL`) instead of raising
/// SIGPIPE in the daemon.
final class AdmissionGate: Sendable {
    let childEnd: Int32
    private let ownEnd: Mutex<Int32>

    init() throws(DriverFailure) {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw DriverFailure("cannot make the admission socket: \(String(cString: strerror(errno)))")
        }
        childEnd = ends[0]
        ownEnd = Mutex(ends[1])
    }

    /// Sends the admission (when `admitted`) and closes this end; only the first call acts.
    func finish(admitted: Bool) {
        ownEnd.withLock { fd in
            guard fd >= 0 else { return }
            // A shell that died already cannot read it: the send fails, and it runs nothing anyway.
            if admitted { _ = send(fd, "1\n", 2, Int32(MSG_NOSIGNAL)) }
            close(fd)
            fd = -1
        }
    }
}

/// Keeps the first `limit` bytes of a stream and counts the rest.
final class OutputCollector: Sendable {
    private let storage: Mutex<(bytes: [UInt8], dropped: Int)>
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        self.storage = Mutex(([], 0))
    }

    func append(_ chunk: UnsafeRawBufferPointer) {
        storage.withLock { state in
            let room = max(0, limit - state.bytes.count)
            state.bytes.append(contentsOf: chunk.prefix(room))
            state.dropped += max(0, chunk.count - room)
        }
    }

    var result: (String, Bool) {
        storage.withLock { (String(decoding: $0.bytes, as: UTF8.self), $0.dropped > 0) }
    }
}
