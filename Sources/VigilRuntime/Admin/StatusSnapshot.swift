import VigilCore
import VigilModel

/// What `vigil status` shows: the cluster as the local node sees it (the seeds' clstat, clRGinfo and
/// asemgr status screens). A value built by the daemon and carried as JSON; every list is in
/// configuration order.
public struct StatusSnapshot: Codable, Sendable, Hashable {
    /// The cluster's name and numeric id.
    public var cluster: String
    public var clusterID: Int
    /// UP when this node is a member of an agreed view, DOWN otherwise.
    public var state: RunState
    /// STABLE, or UNSTABLE with `unstableReason` (e.g. `config_too_long: node_up ghost4 running 360s`).
    public var substate: Substate
    public var unstableReason: String?
    /// The node that answered.
    public var localNode: String
    /// The configuration version this node runs (raised by every `vigil sync`).
    public var configVersion: UInt64
    /// The newest configuration version this node stores (`vigil sync`), when newer than the one it
    /// runs: restarting `vigild` makes it the running one.
    public var storedConfigVersion: UInt64?
    /// The agreed view's number, when there is one.
    public var view: UInt64?
    /// The detection and takeover times the configuration's tuning gives.
    public var timing: Timing?
    public var nodes: [Node]
    public var interfaces: [Interface]
    public var groups: [Group]
    /// The event being run, if any.
    public var event: Event?
    /// Packet and error counters by name (`packets_received`, `packets_bad_auth`, ...).
    public var counters: [String: UInt64]
    /// The files the configuration names (`ClusterConfig.namedFiles`) as this node has them
    /// (`FileDigest`): only in statuses gathered from every node (`vigil verify --cluster`,
    /// `vigil snapshot save`), `nil` in `vigil status`.
    public var files: [String: String]?
    /// The agreed events this node knows, oldest first (`vigil snapshot save`); `nil` in `vigil status`.
    public var recentEvents: [String]?

    public init(
        cluster: String, clusterID: Int, state: RunState, substate: Substate, unstableReason: String? = nil,
        localNode: String, configVersion: UInt64, view: UInt64? = nil, timing: Timing? = nil, nodes: [Node] = [],
        interfaces: [Interface] = [], groups: [Group] = [], event: Event? = nil, counters: [String: UInt64] = [:]
    ) {
        self.cluster = cluster
        self.clusterID = clusterID
        self.state = state
        self.substate = substate
        self.unstableReason = unstableReason
        self.localNode = localNode
        self.configVersion = configVersion
        self.view = view
        self.timing = timing
        self.nodes = nodes
        self.interfaces = interfaces
        self.groups = groups
        self.event = event
        self.counters = counters
    }

    /// Whether the cluster is up for this node.
    public enum RunState: String, Codable, Sendable, Hashable {
        case up = "UP"
        case down = "DOWN"
    }

    /// Whether events complete in time (`config_too_long` makes the cluster UNSTABLE).
    public enum Substate: String, Codable, Sendable, Hashable {
        case stable = "STABLE"
        case unstable = "UNSTABLE"
    }

    /// A node's membership state, in the seeds' words (ASE's member states, plus the daemon's own).
    public enum MemberState: String, Codable, Sendable, Hashable, CaseIterable {
        /// A member of the agreed view.
        case up = "UP"
        /// Not heard on any path.
        case down = "DOWN"
        /// Lost every network but still writes its disk heartbeat: it stops its own services.
        case disconnected = "DISCONNECTED"
        /// Seen only over the disk: a network partition; nothing starts or stops until it heals.
        case netpar = "NETPAR"
        /// Its daemon runs with cluster services stopped.
        case stopped = "STOPPED"
        /// Heard, not yet in the agreed view.
        case joining = "JOINING"
    }

    /// One node and its state.
    public struct Node: Codable, Sendable, Hashable {
        public var name: String
        public var state: MemberState
        /// Whether it coordinates the agreed view.
        public var coordinator: Bool

        public init(name: String, state: MemberState, coordinator: Bool = false) {
            self.name = name
            self.state = state
            self.coordinator = coordinator
        }
    }

    /// A link's state.
    public enum LinkState: String, Codable, Sendable, Hashable {
        case up = "UP"
        case down = "DOWN"
    }

    /// One node's attachment to a network, with the service addresses it carries now.
    public struct Interface: Codable, Sendable, Hashable {
        public var node: String
        /// The device (`eth0`), or the disk path for a disk heartbeat.
        public var name: String
        /// The IP label (`ghost1_boot`).
        public var label: String
        public var network: String
        public var address: String
        public var state: LinkState
        /// Service addresses configured on it now, by label.
        public var serviceAddresses: [String]

        public init(
            node: String, name: String, label: String, network: String, address: String,
            state: LinkState, serviceAddresses: [String] = []
        ) {
            self.node = node
            self.name = name
            self.label = label
            self.network = network
            self.address = address
            self.state = state
            self.serviceAddresses = serviceAddresses
        }
    }

    /// A group's state on one node, in the wire's words (the core's `GroupState`).
    public enum GroupState: String, Codable, Sendable, Hashable, CaseIterable {
        case offline = "OFFLINE"
        case acquiring = "ACQUIRING"
        case online = "ONLINE"
        case releasing = "RELEASING"
        case error = "ERROR"

        public init(_ state: VigilCore.GroupState) {
            switch state {
            case .offline: self = .offline
            case .acquiring: self = .acquiring
            case .online: self = .online
            case .releasing: self = .releasing
            case .error: self = .error
            }
        }
    }

    /// A group on one node.
    public struct Placement: Codable, Sendable, Hashable {
        public var node: String
        public var state: GroupState

        public init(node: String, state: GroupState) {
            self.node = node
            self.state = state
        }
    }

    /// One resource group: its state on each node of its list, and why it is where it is.
    public struct Group: Codable, Sendable, Hashable {
        public var name: String
        /// `cascading`, `rotating` or `concurrent`.
        public var policy: String
        /// One entry per node of the group's list, in priority order.
        public var placements: [Placement]
        /// Why it is placed where it is (the placement's reason).
        public var reason: String?
        /// Why it is held offline (`administrator`, `administrator, sticky`, `stopped with ghost2`).
        public var hold: String?
        /// The node an administrator moved it to.
        public var sticky: String?
        /// What failed, when it is in ERROR somewhere.
        public var error: String?
        /// The decision the cluster agreed that put it where it is (`vigil explain`, `status --why`).
        public var decision: PlacementDecision?
        /// The agreed event the decision was made in, as the cluster log names it
        /// (`node_down ghost3`), when the agreed state still lists it.
        public var decidedIn: String?

        public init(
            name: String, policy: String, placements: [Placement], reason: String? = nil,
            hold: String? = nil, sticky: String? = nil, error: String? = nil, decision: PlacementDecision? = nil,
            decidedIn: String? = nil
        ) {
            self.name = name
            self.policy = policy
            self.placements = placements
            self.reason = reason
            self.hold = hold
            self.sticky = sticky
            self.error = error
            self.decision = decision
            self.decidedIn = decidedIn
        }

        /// The group's state on a node (OFFLINE when the node is not in its list).
        public func state(on node: String) -> GroupState {
            placements.first { $0.node == node }?.state ?? .offline
        }
    }

    /// The groups alone, with the cluster's nodes in order (what `vigil rg list` shows).
    public struct GroupList: Codable, Sendable, Hashable {
        public var nodes: [String]
        public var groups: [Group]

        public init(nodes: [String], groups: [Group]) {
            self.nodes = nodes
            self.groups = groups
        }
    }

    /// The groups with the nodes in configuration order.
    public var groupList: GroupList { GroupList(nodes: nodes.map(\.name), groups: groups) }

    /// The event the cluster is running.
    public struct Event: Codable, Sendable, Hashable {
        public var number: UInt64
        /// As the cluster log writes it: `node_up ghost4`.
        public var description: String
        /// How long it has been running, in milliseconds.
        public var runningMilliseconds: Int64

        public init(number: UInt64, description: String, runningMilliseconds: Int64) {
            self.number = number
            self.description = description
            self.runningMilliseconds = runningMilliseconds
        }
    }

    /// What the tuning means in time, so that nobody has to work out the arithmetic (milliseconds).
    public struct Timing: Codable, Sendable, Hashable {
        /// How long after a node stops it is declared down: the slowest of its networks.
        public var nodeDetectionMilliseconds: Int64
        /// How long a node without quorum runs before its dead man switch trips.
        public var deadManSwitchMilliseconds: Int64
        /// How long after survivors last heard a node they take over its groups.
        public var takeoverWaitMilliseconds: Int64

        public init(nodeDetectionMilliseconds: Int64, deadManSwitchMilliseconds: Int64, takeoverWaitMilliseconds: Int64)
        {
            self.nodeDetectionMilliseconds = nodeDetectionMilliseconds
            self.deadManSwitchMilliseconds = deadManSwitchMilliseconds
            self.takeoverWaitMilliseconds = takeoverWaitMilliseconds
        }

        /// The figures `vigil verify` prints, for the status (the slowest node's detection).
        public init(_ times: DetectionTimes) {
            self.init(
                nodeDetectionMilliseconds: times.nodes.map(\.detection.milliseconds).max() ?? 0,
                deadManSwitchMilliseconds: times.tripInterval.milliseconds,
                takeoverWaitMilliseconds: times.takeoverWait.milliseconds)
        }
    }
}
