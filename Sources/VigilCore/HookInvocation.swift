import VigilModel

/// Which hooks to run for an event (`Step.Work.runHooks`).
public struct HookInvocation: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable { case pre, post, notify, recovery }
    public var event: ClusterEvent
    public var phase: Phase
}

extension HookInvocation {
    /// The commands the configuration gives this phase of this event, in order (none configured:
    /// none): what a node runs (`HookRunner`) and what `vigil emulate` says it would run.
    public func commands(in config: ClusterConfig) -> [String] {
        config.hooks[event.name]?.commands(phase) ?? []
    }
}

extension EventHooks {
    /// The commands of one phase, in order.
    public func commands(_ phase: HookInvocation.Phase) -> [String] {
        switch phase {
        case .pre: pre
        case .post: post
        case .notify: notify
        case .recovery: recovery.map { [$0.command] } ?? []
        }
    }
}
