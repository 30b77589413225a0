/// The cluster events, in the seed's names. Each is agreed cluster-wide, logged at its start and
/// completion, and may have hooks.
public enum ClusterEventName: String, Sendable, Hashable, CaseIterable, Comparable {
    case nodeUp = "node_up"
    case nodeUpComplete = "node_up_complete"
    case nodeDown = "node_down"
    case nodeDownComplete = "node_down_complete"
    case networkUp = "network_up"
    case networkUpComplete = "network_up_complete"
    case networkDown = "network_down"
    case networkDownComplete = "network_down_complete"
    case swapAdapter = "swap_adapter"
    case swapAdapterComplete = "swap_adapter_complete"
    case failStandby = "fail_standby"
    case joinStandby = "join_standby"
    case rgMove = "rg_move"
    case rgMoveComplete = "rg_move_complete"
    case reconfig = "reconfig"
    case migrate = "migrate"
    case configTooLong = "config_too_long"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The commands run around one event (the seed's pre-event, post-event, notify and recovery
/// scripts). Every command runs with a timeout and gets the event's name and arguments in its
/// environment; its output goes to the node's event log.
public struct EventHooks: Sendable, Equatable {
    /// Run, in order, before the event's own recovery steps.
    public var pre: [String]
    /// Run, in order, after the event's own recovery steps.
    public var post: [String]
    /// Run at the start and at the completion of the event, to tell someone.
    public var notify: [String]
    /// Run when the event's recovery steps fail; the steps are then retried.
    public var recovery: RecoveryHook?
    /// How long each hook command may run before it is killed with its process group.
    public var timeout: Duration

    public init(
        pre: [String] = [], post: [String] = [], notify: [String] = [], recovery: RecoveryHook? = nil,
        timeout: Duration = .seconds(60)
    ) {
        self.pre = pre
        self.post = post
        self.notify = notify
        self.recovery = recovery
        self.timeout = timeout
    }
}

/// The seed's recovery command with its retry count.
public struct RecoveryHook: Sendable, Equatable {
    public var command: String
    /// How many times the event's steps are retried after the recovery command ran (0: never).
    public var retries: Int

    public init(command: String, retries: Int) {
        self.command = command
        self.retries = retries
    }
}
