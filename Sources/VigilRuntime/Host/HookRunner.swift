import VigilCore
import VigilModel

/// Runs the hooks configured for an event (the seed's pre-event, post-event, notify and recovery
/// scripts), one command after another in configured order, each with the hooks' timeout and in its
/// own process group. Each command gets in its environment:
/// `VIGIL_EVENT` (the event name), `VIGIL_EVENT_ARGS` (its arguments, space separated),
/// `VIGIL_NODE` (this node) and `VIGIL_PHASE` (`pre`, `post`, `notify`, `recovery`).
/// Each command's start, result and output go to the node's event log.
///
/// A failing command does not stop the ones after it (each hook is independent, as notify
/// commands are); the results say what failed, and the caller decides what a failure means.
public struct HookRunner: Sendable {
    public let hooks: [ClusterEventName: EventHooks]
    public let node: String
    public let runner: any CommandRunning
    public let logs: NodeLogs

    public init(
        hooks: [ClusterEventName: EventHooks], node: String, runner: any CommandRunning = CommandRunner(),
        logs: NodeLogs
    ) {
        self.hooks = hooks
        self.node = node
        self.runner = runner
        self.logs = logs
    }

    /// One hook command's result.
    public struct Outcome: Sendable, Hashable {
        public var command: String
        public var result: CommandResult
    }

    public func run(_ invocation: HookInvocation) async -> [Outcome] {
        await run(event: invocation.event, phase: invocation.phase)
    }

    /// Runs the commands of `phase` for `event`; none configured → no results.
    public func run(event: ClusterEvent, phase: HookInvocation.Phase) async -> [Outcome] {
        guard let hooks = hooks[event.name] else { return [] }
        let commands = hooks.commands(phase)
        let environment = [
            "VIGIL_EVENT": event.name.rawValue,
            "VIGIL_EVENT_ARGS": event.arguments.joined(separator: " "),
            "VIGIL_NODE": node,
            "VIGIL_PHASE": phase.rawValue,
        ]
        var outcomes: [Outcome] = []
        for command in commands {
            logs.event("\(phase.rawValue) hook for \(event): running \(command)")
            let result = await runner.run(ShellCommand(command, environment: environment, timeout: hooks.timeout))
            var line =
                "\(phase.rawValue) hook for \(event): \(command): \(result.status), \(result.duration.formattedSeconds)"
            if result.timedOut { line += ", timed out after \(hooks.timeout.formattedSeconds): process group killed" }
            if !result.output.isEmpty { line += "\n" + result.output.trimmingTrailingNewlines() }
            if result.outputTruncated { line += "\n[output truncated]" }
            logs.event(line)
            outcomes.append(Outcome(command: command, result: result))
        }
        return outcomes
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while text.last?.isNewline == true { text = text.dropLast() }
        return String(text)
    }
}
