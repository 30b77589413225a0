import VigilModel

/// The version of the wire protocol. Every message carries it from the first release on, so that a
/// later version can still talk to this one during a rolling upgrade.
public let vigilProtocolVersion: UInt16 = 1

/// One message between two nodes, with everything the transport needs to route and check it.
public struct Envelope: Sendable, Hashable, Codable {
    public var protocolVersion: UInt16
    public var clusterID: Int
    public var from: String
    /// The sender's incarnation: a new one on every start of cluster services.
    public var incarnation: UInt64
    public var to: String
    /// The network to send it on.
    public var network: String
    /// For heartbeats: the sending adapter and the adapter it is addressed to. `nil` for other
    /// messages, which any working adapter pair of `network` may carry.
    public var fromAdapter: String?
    public var toAdapter: String?
    public var message: Message

    public init(
        clusterID: Int, from: String, incarnation: UInt64, to: String, network: String,
        fromAdapter: String? = nil, toAdapter: String? = nil, message: Message
    ) {
        self.protocolVersion = vigilProtocolVersion
        self.clusterID = clusterID
        self.from = from
        self.incarnation = incarnation
        self.to = to
        self.network = network
        self.fromAdapter = fromAdapter
        self.toAdapter = toAdapter
        self.message = message
    }
}

/// What nodes say to each other.
public enum Message: Sendable, Hashable, Codable {
    /// "I am alive", sent by every adapter to every peer adapter on its network every interval.
    case heartbeat(Heartbeat)
    /// A would-be coordinator asks the members it sees to form a new view.
    case propose(Proposal)
    /// A member's answer to a proposal: its promise, its truth and the newest agreed state it has.
    case accept(Acceptance)
    /// A member refuses a proposal, saying which coordinator and epoch it follows.
    case decline(Decline)
    /// The coordinator replicates the agreed cluster state (a new view, an event, a recovery round).
    case state(ClusterState)
    /// A member tells its coordinator what it sees and what it holds.
    case report(MemberReport)
    /// An administrator's request, forwarded to the coordinator.
    case request(AdminEnvelope)
    /// The coordinator's answer to a request, back to the node it came from.
    case reply(AdminReply)
    /// An administrator's `vigil start|stop --all` on another node: start or stop cluster services
    /// here. Handled even while cluster services are stopped (see `ClusterNode.receive`).
    case services(ServicesOrder)
    /// The answer to a `services` order, back to the node that gave it.
    case servicesDone(ServicesAnswer)
    /// A message for a node the sender cannot reach directly, handed to a neighbour that is closer
    /// to it (connectivity is a graph, not a clique: see `ClusterNode.reachable`).
    indirect case relay(Relay)
    /// Configuration synchronisation (`vigil sync`). The core ignores it: the daemon's
    /// `ConfigSync` handles it, whatever the phase of cluster services.
    case config(ConfigMessage)
}

/// A heartbeat. Besides "I am alive" it carries what a node needs to know whether it still belongs
/// to a cluster with quorum: the epochs the sender is in, and the newest stamp it received from
/// the addressee. A stamp is the addressee's own clock when it sent a heartbeat, so that an echo
/// proves, on the addressee's clock, when the sender last heard it: a delayed or queued heartbeat
/// can never make a lease look fresher than it is.
public struct Heartbeat: Sendable, Hashable, Codable {
    /// The view the sender is committed to: the highest it promised or installed.
    public var view: ViewID
    /// The epoch of the view the sender installed (0: none). A node that sees a view installed
    /// without it knows it was left out.
    public var installedEpoch: UInt64
    /// The sender's clock when it sent this heartbeat.
    public var stamp: Duration
    /// The newest stamp the sender received from the addressee, if any.
    public var echo: Duration?
    /// The peers the sender hears on an IP network, in configured order; over an IP network only
    /// the first other than the addressee (all the addressee needs to know is whether there is one).
    public var ipPeers: [String]
    /// Whether the sender is DISCONNECTED: cut off from every IP network while still heard over a
    /// non-IP path (it stops its services; see `LocalTopology.isDisconnected`).
    public var disconnected: Bool
    /// The sender's confirmation is getting old (heartbeats were lost): the addressee answers at
    /// once with a heartbeat of its own, which carries the echo, instead of at its next interval.
    public var urgent: Bool
    /// The peers the sender hears directly on any path that carries messages: its neighbours in
    /// the cluster's connectivity graph, from which each node learns who it can reach through
    /// whom (see `ClusterNode.reachable`).
    public var links: NodeMask
    /// The sender heard the addressee on this heartbeat's network within its detection time: the
    /// path works both ways, so messages may go on it (a one-way cut shows as heartbeats that
    /// arrive with this false).
    public var hearsYou: Bool
    /// The sender coordinates `view`, which it installed and has not promised away, and holds its
    /// own lease: its echo alone confirms the addressee's lease in that view, as a quorum's echoes
    /// would (how that stays safe: `ClusterNode+Lease`). This is what lets a member of a large
    /// view heartbeat only its ring neighbours and the coordinator (`MonitorRing`).
    public var grants: Bool
    /// The configuration version whose node order `links` follows (the sender's running one): a
    /// node running another version reads the mask's bits as other nodes, so it ignores it (a live
    /// reconfiguration that removes or reorders nodes). `nil`: not said (a disk record).
    public var linksVersion: UInt64?

    public init(
        view: ViewID, installedEpoch: UInt64, stamp: Duration, echo: Duration?, ipPeers: [String] = [],
        disconnected: Bool = false, urgent: Bool = false, links: NodeMask = NodeMask(), hearsYou: Bool = true,
        grants: Bool = false, linksVersion: UInt64? = nil
    ) {
        self.linksVersion = linksVersion
        self.view = view
        self.installedEpoch = installedEpoch
        self.stamp = stamp
        self.echo = echo
        self.ipPeers = ipPeers
        self.disconnected = disconnected
        self.urgent = urgent
        self.links = links
        self.hearsYou = hearsYou
        self.grants = grants
    }
}

/// A view's identity: its epoch and the node that proposed it. Two would-be coordinators may pick
/// the same epoch; the pair tells their views apart.
public struct ViewID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var epoch: UInt64
    public var coordinator: String

    public init(epoch: UInt64, coordinator: String) {
        self.epoch = epoch
        self.coordinator = coordinator
    }

    public var description: String { "\(epoch)@\(coordinator)" }
}

/// A proposal for a new view.
public struct Proposal: Sendable, Hashable, Codable {
    public var epoch: UInt64
    public var coordinator: String
    /// The proposed members and the incarnation of each that the coordinator has seen.
    public var members: [String: UInt64]
}

/// A member's acceptance of a proposal.
public struct Acceptance: Sendable, Hashable, Codable {
    public var epoch: UInt64
    public var report: MemberReport
    /// The newest agreed state this member has installed, if any.
    public var agreed: ClusterState?
    /// How long ago this member last heard each node it ever heard: the new coordinator waits
    /// `takeoverWait` after the latest of these before it takes over from a node left out.
    public var lastHeardAgo: [String: Duration]
    /// The coordinators of the views this member belongs to (`Membership.memberViews`): any of
    /// them may have confirmed the lease of a member it coordinated (`Heartbeat.grants`), so a new
    /// coordinator that leaves one out waits longer before taking over from the nodes it leaves out.
    public var coordinators: [String]?
}

/// A member's refusal of a proposal.
public struct Decline: Sendable, Hashable, Codable {
    public var epoch: UInt64
    /// The highest epoch this member has promised or installed.
    public var promised: UInt64
    /// The coordinator this member follows.
    public var follows: String
}

/// A message on its way to a node its origin does not reach directly: each hop hands it to a
/// neighbour closer to the addressee, never to a node it has already passed.
public struct Relay: Sendable, Hashable, Codable {
    /// The message as its origin made it (`from`, `to` and `incarnation` are the origin's and the
    /// addressee's; its `network` is the first hop's).
    public var inner: Envelope
    /// The nodes it passed through, the origin first.
    public var trail: [String]

    /// The most nodes a message passes through: more than any configuration this is for needs.
    public static let maximumHops = 8

    public init(inner: Envelope, trail: [String]) {
        self.inner = inner
        self.trail = trail
    }

    /// The heartbeat it carries, if it carries one.
    public var heartbeat: Heartbeat? {
        if case .heartbeat(let beat) = inner.message { beat } else { nil }
    }
}
