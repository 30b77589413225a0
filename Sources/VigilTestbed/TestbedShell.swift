import Foundation

/// Runs the test bed's commands (`ip`, `tc`, `bridge`, `mount`) synchronously, each with a timeout,
/// and returns their status and output. Synchronous on purpose: the test bed's set-up and tear-down
/// must also run from a signal handler, where no task can be awaited.
public struct TestbedShell: Sendable {
    /// The result of one command.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
        public var succeeded: Bool { status == 0 }
    }

    /// How long one command may run before it is killed (none of ours should take a second).
    public var timeout: Duration = .seconds(20)
    /// Called with every command line that failed and was not `allowed` to (for the caller's log).
    public var onFailure: @Sendable (String) -> Void = { _ in }

    public init(onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onFailure = onFailure
    }

    /// Runs `arguments[0]` (looked up in PATH) with the rest as arguments; output and errors merged.
    @discardableResult
    public func run(_ arguments: [String], allowFailure: Bool = false) -> Outcome {
        precondition(!arguments.isEmpty, "an empty command line")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            let outcome = Outcome(status: 127, output: "\(arguments[0]): \(error)")
            if !allowFailure { onFailure(arguments.joined(separator: " ") + ": " + outcome.output) }
            return outcome
        }
        let killer = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.milliseconds)), execute: killer)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        let outcome = Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        if !outcome.succeeded && !allowFailure {
            onFailure(
                arguments.joined(separator: " ") + ": " + outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
            )
        }
        return outcome
    }

    /// `ip ARGS` in the network namespace `namespace` (`ip -n NS ...`).
    @discardableResult
    public func ip(_ namespace: String?, _ arguments: String, allowFailure: Bool = false) -> Outcome {
        let words = arguments.split(separator: " ").map(String.init)
        return run(["ip"] + (namespace.map { ["-n", $0] } ?? []) + words, allowFailure: allowFailure)
    }

    /// A command run inside `namespace` (`ip netns exec NS ...`).
    @discardableResult
    public func inside(_ namespace: String, _ arguments: [String], allowFailure: Bool = false) -> Outcome {
        run(["ip", "netns", "exec", namespace] + arguments, allowFailure: allowFailure)
    }
}
