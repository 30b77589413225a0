/// Which hooks to run for an event (`Step.Work.runHooks`).
public struct HookInvocation: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable { case pre, post, notify, recovery }
    public var event: ClusterEvent
    public var phase: Phase
}
