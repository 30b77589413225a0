import VigilModel

/// The version of the wire protocol. Every message carries it from the first release on, so that a
/// later version can still talk to this one during a rolling upgrade.
public let vigilProtocolVersion: UInt16 = 1

/// One message between two nodes, with everything the transport needs to route and check it.
public struct Envelope: Sendable, Hashable {
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
public enum Message: Sendable, Hashable {
    /// "I am alive", sent by every adapter to every peer adapter on its network every interval.
    /// Carries the epoch of the sender's view so that a node left out of a newer view notices.
    case heartbeat(viewEpoch: UInt64)
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
}

/// A proposal for a new view.
public struct Proposal: Sendable, Hashable {
    public var epoch: UInt64
    public var coordinator: String
    /// The proposed members and the incarnation of each that the coordinator has seen.
    public var members: [String: UInt64]
}

/// A member's acceptance of a proposal.
public struct Acceptance: Sendable, Hashable {
    public var epoch: UInt64
    public var report: MemberReport
    /// The newest agreed state this member has installed, if any.
    public var agreed: ClusterState?
}

/// A member's refusal of a proposal.
public struct Decline: Sendable, Hashable {
    public var epoch: UInt64
    /// The highest epoch this member has promised or installed.
    public var promised: UInt64
    /// The coordinator this member follows.
    public var follows: String
}
