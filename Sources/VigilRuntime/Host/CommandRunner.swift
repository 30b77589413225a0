#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Subprocess
import Synchronization

/// Runs shell commands as real processes with swift-subprocess: `/bin/sh -c LINE` in a new session
/// (so its process group is its own and can be killed whole), with the command's environment added to
/// the daemon's, and a timeout after which the group gets SIGTERM and, after a grace, SIGKILL.
///
/// A process that leaves the session (`setsid`) escapes the group kill; if it also keeps the output
/// pipe open, `run` waits for it. Commands that daemonize belong in `launch`.
public struct CommandRunner: CommandRunning {
    public init() {}

    public func run(_ command: ShellCommand) async -> CommandResult {
        let collector = OutputCollector(limit: command.outputLimit)
        return await supervise(command) { started in
            try await Subprocess.run(
                .path("/bin/sh"), arguments: ["-c", command.line],
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

    public func launch(_ command: ShellCommand, outputFile: String?) async -> CommandResult {
        let path = outputFile ?? "/dev/null"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            return CommandResult(status: .notStarted("cannot open \(path): \(String(cString: strerror(errno)))"))
        }
        let startOffset = outputFile == nil ? 0 : lseek(fd, 0, SEEK_END)
        return await supervise(command) { started in
            try await Subprocess.run(
                .path("/bin/sh"), arguments: ["-c", command.line],
                environment: Self.environment(command), platformOptions: Self.options(command),
                input: .none, output: .fileDescriptor(.init(rawValue: fd), closeAfterSpawningProcess: true),
                error: .combinedWithOutput
            ) { execution in
                started(execution.processIdentifier.value)
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
        let outcome: Result<TerminationStatus, any Error> = await withTaskGroup(of: Result<TerminationStatus, any Error>?.self) { tasks in
            tasks.addTask {
                do { return .success(try await body(started)) } catch { return .failure(error) }
            }
            tasks.addTask {
                // Cancellation (the command finished first) ends the timer: nothing to kill.
                do { try await Task.sleep(for: command.timeout) } catch { return nil }
                let group = state.withLock { state -> Int32? in state.timedOut = true; return state.group }
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

    static func environment(_ command: ShellCommand) -> Environment {
        var additions: [Environment.Key: String?] = [:]
        for (name, value) in command.environment {
            guard let key = Environment.Key(rawValue: name) else { continue }
            additions[key] = value
        }
        return .inherit.updating(additions)
    }

    static func options(_ command: ShellCommand) -> PlatformOptions {
        var options = PlatformOptions()
        // A new session: the shell leads its own process group, detached from any terminal.
        options.createSession = true
        // If the calling task is cancelled: SIGTERM to the whole group, then SIGKILL.
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: command.killGrace)]
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
