import VigilModel

/// Everything one input to a node's core asks of its shell (the simulator or `vigild`), in the order
/// the shell must carry it out — the core's side of etcd raft's `Ready`. The order is the contract:
///
/// 1. **Persist** every record of `persist`, durably, before anything below happens: a peer must never
///    see an incarnation that the node's next start could repeat.
/// 2. **Protect**: when `protect` is set, make the dead man switch cover it before any action starts,
///    so that whatever this step's batches acquire can be released at every instant after, even if the
///    daemon dies right after starting them. A shell that cannot performs none of this step's batches
///    and reports each as failed (`ClusterNode.actionsFinished`).
/// 3. **Act**: start every item of `work`, in order. Action batches and hooks run on the host one
///    after another in this order; fences and disk requests may run beside them. Each reports back by
///    an input of its own (`actionsFinished`, `fenceFinished`, `diskCompleted`).
/// 4. **Send** every envelope of `messages`, in order.
///
/// `logs` record what the core decided; the shell may write them at any point of the step. `wake`
/// asks for a `tick` at that moment (it replaces any earlier wake; `nil` leaves it as it was).
/// `stopped` comes last: cluster services have stopped and the shell may end the core.
public struct Step: Sendable, Hashable {
    public var persist: [Persistence] = []
    /// The complete set the dead man switch must be able to release from now on; `nil` when it did
    /// not change since the last step that carried one.
    public var protect: Protection?
    public var work: [Work] = []
    public var messages: [Envelope] = []
    public var logs: [LogRecord] = []
    public var wake: Moment?
    public var stopped = false

    public init() {}

    /// Something to start on the host or on the shared storage (step 3 of the order).
    public enum Work: Sendable, Hashable {
        /// Perform these actions one after another and report with `actionsFinished`.
        case perform(ActionBatch)
        /// Run the hooks configured for an event at this phase.
        case runHooks(HookInvocation)
        /// Run a node's fence command and report with `fenceFinished`.
        case fence(FenceRequest)
        /// Read or write the tiebreaker sector of the shared disk and report with `diskCompleted`.
        case disk(DiskRequest)
        /// The cluster runs configuration `version` from now (a `reconfig` event, or a node that
        /// joined a cluster running a newer one): the host's drivers, hooks and transport take it
        /// before any later work. The core already runs it (`ClusterNode.config`).
        case runConfiguration(version: UInt64)
    }

    /// Whether the step asks for nothing at all.
    public var isEmpty: Bool { self == Step() }

    /// The action batches of `work`, in order.
    public var batches: [ActionBatch] {
        work.compactMap { if case .perform(let batch) = $0 { batch } else { nil } }
    }

    /// Adds a later step of the same node to this one, as if both were one: records to persist,
    /// work and messages in order, the later protection and wake where it has one. Sends of the
    /// first step then go after the work of the second: that only delays them, as a network may.
    public mutating func append(_ later: Step) {
        persist += later.persist
        protect = later.protect ?? protect
        work += later.work
        messages += later.messages
        logs += later.logs
        wake = later.wake ?? wake
        stopped = stopped || later.stopped
    }
}

/// A record the shell must make durable before it acts on a step (step 1 of `Step`'s order).
public enum Persistence: Sendable, Hashable {
    /// The node's incarnation: the next start of the daemon must take a larger one.
    case incarnation(UInt64)
}
