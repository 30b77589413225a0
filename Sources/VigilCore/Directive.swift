import VigilModel

/// What a core asks its shell to do. The shell performs directives in the order given and makes no
/// protocol decision of its own.
public enum Directive: Sendable, Hashable {
    /// Send a message.
    case send(Envelope)
    /// Perform these actions one after another and report with `actionsFinished`.
    case perform(ActionBatch)
    /// Call `tick` at this moment (a later directive replaces an earlier one).
    case wake(at: Moment)
    /// Read or write the tiebreaker sector of the shared disk and report with `diskCompleted`.
    case disk(DiskRequest)
    /// Run a node's fence command and report with `fenceFinished`.
    case fence(FenceRequest)
    /// Run the hooks configured for an event at this phase.
    case runHooks(HookInvocation)
    /// Write a record to a log.
    case log(LogRecord)
    /// Cluster services on this node have stopped: the shell may end the core.
    case stopped
}

/// Which hooks to run for an event.
public struct HookInvocation: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable { case pre, post, notify, recovery }
    public var event: ClusterEvent
    public var phase: Phase
}

/// A line for a log, with the time it happened.
public struct LogRecord: Sendable, Hashable, CustomStringConvertible {
    public enum Destination: String, Sendable, Hashable {
        /// The cluster log (the seed's cluster.log): a line per event start and completion.
        case cluster
        /// The node's event log (the seed's hacmp.out): every decision and action, in detail.
        case event
    }

    public var time: Moment
    public var node: String
    public var destination: Destination
    public var text: String

    public var description: String { "\(time) \(node) \(text)" }
}
