import VigilModel

/// The agreed state of the cluster, owned by the coordinator and replicated to every member. It holds
/// everything placement needs, so that every node computes the same answer, and the recovery round
/// in progress, so that members act on what was agreed and nothing else.
public struct ClusterState: Sendable, Hashable, Codable {
    /// The view: its epoch, its coordinator and its members with their incarnations.
    public var epoch: UInt64
    public var coordinator: String
    public var members: [String: UInt64]
    /// Changes within the epoch; `(epoch, seq)` orders states.
    public var seq: UInt64 = 0
    /// Members whose node_up has been processed and that have not departed: those that may hold groups.
    public var up: Set<String> = []
    /// The incarnation of each node in `up` when its node_up was processed: a node that restarted
    /// since is a new node, and the old one is down.
    public var upIncarnations: [String: UInt64] = [:]
    /// Members (with their incarnation) leaving with `stop` whose departure event has completed: they may stop now.
    public var departed: [String: UInt64] = [:]
    public var topology = TopologyView()
    public var admin = AdminState()
    /// Cascading groups whose highest-priority node has been up (inactive takeover).
    public var primaryHasBeenUp: Set<String> = []
    /// The agreed placement: where each group should be online, and why.
    public var placement: [String: GroupPlacement] = [:]
    /// Nodes on which a group failed to come online or to go offline: not eligible until cleared.
    public var failures: [String: Set<String>] = [:]
    /// The latest events, oldest first (at most `recentEventLimit`).
    public var events: [EventRecord] = []
    public var nextEventNumber: UInt64 = 1
    /// The number of the first event of this view: older events are history to a node that joins.
    public var firstEventOfView: UInt64 = 1
    /// The recovery round members are carrying out, if any.
    public var round: RecoveryRound?
    public var nextRoundNumber: UInt64 = 1
    /// An event ran longer than `config_too_long`: the cluster stays unstable until an administrator acts.
    public var tooLong = false
    /// The event whose config_too_long an administrator acknowledged: it is not reported again.
    public var acknowledgedEvent: UInt64?
    /// Members that are DISCONNECTED: cut off from every IP network. They hold no group.
    public var disconnected: Set<String> = []
    /// Members on either side of a network partition that only a non-IP path (the disk) bridges
    /// (NETPAR): while any, no group starts or stops anywhere until the partition heals.
    public var netpar: Set<String> = []
    /// The newest configuration version of the cluster: granted to a `vigil sync`
    /// (`AdminRequest.claimConfigVersion`) or stored by a member (`MemberReport.configVersion`);
    /// 0 before any. A sync proposes the version after it.
    public var configVersion: UInt64 = 0
    /// The configuration version the cluster runs: every member up runs it, and a member that runs
    /// another comes up only once it runs this one (0: the configuration files, never synchronised).
    public var activeConfigVersion: UInt64 = 0
    /// The version a `reconfig` event under way activates, once what it stops or moves is released.
    public var pendingConfigVersion: UInt64?
    /// The latest versions granted (at most `recentGrantLimit`), each with the request it went to:
    /// the syncing node uses its grant only once a state it installed names it (a grant whose state
    /// was lost with its coordinator may be given to another sync by the next one). Several, since
    /// a member may install only the newest of several states sent one after another.
    public var configGrants: [ConfigGrant] = []

    public static let recentGrantLimit = 16
    /// What each member last reported holding (groups not offline, with their state), so that any
    /// node can show every group's state on every node (`vigil status`).
    public var holdings: [String: [String: GroupState]] = [:]

    public static let recentEventLimit = 32

    public init(epoch: UInt64, coordinator: String, members: [String: UInt64]) {
        self.epoch = epoch
        self.coordinator = coordinator
        self.members = members
    }

    /// The identity of the view this state belongs to.
    public var viewID: ViewID { ViewID(epoch: epoch, coordinator: coordinator) }

    /// Whether `self` is newer than `other`.
    public func isNewer(than other: ClusterState?) -> Bool {
        guard let other else { return true }
        return (epoch, seq) > (other.epoch, other.seq)
    }

    /// Nodes stopping cluster services on purpose: their departure event runs or has completed.
    public var departing: Set<String> {
        var nodes = Set(departed.keys)
        if case .nodeDown(let node, let how)? = currentEvent?.event, how != .failed { nodes.insert(node) }
        return nodes
    }

    /// The event running now, if any.
    public var currentEvent: EventRecord? {
        events.last.flatMap { $0.completed == nil ? $0 : nil }
    }

    /// STABLE when no event runs, no round is under way and nothing ran too long.
    public var isStable: Bool { currentEvent == nil && round == nil && !tooLong }
}

/// A configuration version granted to one sync: the node that asked and its request's id.
public struct ConfigGrant: Sendable, Hashable, Codable {
    public var version: UInt64
    public var origin: String
    public var request: UInt64

    public init(version: UInt64, origin: String, request: UInt64) {
        self.version = version
        self.origin = origin
        self.request = request
    }
}

/// Where a group should be online, and the reason, as computed by `Placement`.
public struct GroupPlacement: Sendable, Hashable, Codable {
    public var nodes: [String]
    public var reason: String
    /// The same reason as a structure (`vigil explain`): the rule, every candidate with what was
    /// found about it, the cause and the event. `nil` in states of versions before it.
    public var decision: PlacementDecision?

    public init(nodes: [String], reason: String, decision: PlacementDecision? = nil) {
        self.nodes = nodes
        self.reason = reason
        self.decision = decision
    }
}

/// One step of recovery: every listed node releases (or acquires) the listed groups. All releases
/// of an event complete before any acquisition starts.
public struct RecoveryRound: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable { case release, acquire }
    public var number: UInt64
    public var kind: Kind
    /// Groups per node, in the order to process them.
    public var work: [String: [String]]
}
