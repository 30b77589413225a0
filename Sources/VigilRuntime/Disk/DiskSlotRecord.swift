import VigilCore

/// What a node writes to its slot of the shared disk, every heartbeat interval of the disk network:
/// who it is, a sequence that advances with every write (a peer whose sequence advanced since the
/// last read was heard), the fields of the core's `Heartbeat` (the echo per peer), the groups it
/// holds, and a small outbox of messages to peers.
public struct DiskSlotRecord: Sendable, Hashable {
    public var clusterID: Int
    public var node: String
    public var incarnation: UInt64
    /// Advances with every write of this incarnation.
    public var sequence: UInt64
    /// The `Heartbeat` fields: the view the node is committed to, the epoch it installed, its clock
    /// when it wrote, and the newest stamp it received from each peer (the peer's `echo`).
    public var view: ViewID
    public var installedEpoch: UInt64
    public var stamp: Duration
    public var echoes: [String: Duration]
    /// The peers the node hears on IP networks, and whether it is DISCONNECTED (see `Heartbeat`).
    public var ipPeers: [String] = []
    public var disconnected = false
    /// The node's direct neighbours (see `Heartbeat.links`).
    public var links = NodeMask()
    /// The groups the node holds in any state but offline (what a partitioned peer must assume it runs).
    public var holdings: [String]
    /// Messages to peers, oldest first.
    public var outbox: [DiskOutboxMessage]

    public init(
        clusterID: Int, node: String, incarnation: UInt64, sequence: UInt64, view: ViewID, installedEpoch: UInt64,
        stamp: Duration, echoes: [String: Duration] = [:], holdings: [String] = [], outbox: [DiskOutboxMessage] = []
    ) {
        self.clusterID = clusterID
        self.node = node
        self.incarnation = incarnation
        self.sequence = sequence
        self.view = view
        self.installedEpoch = installedEpoch
        self.stamp = stamp
        self.echoes = echoes
        self.holdings = holdings
        self.outbox = outbox
    }

    /// The heartbeat this record carries to `peer`.
    public func heartbeat(to peer: String) -> Heartbeat {
        Heartbeat(
            view: view, installedEpoch: installedEpoch, stamp: stamp, echo: echoes[peer],
            ipPeers: ipPeers, disconnected: disconnected, links: links)
    }
}

/// One message in a slot's outbox: an authenticated packet (`PacketCodec`) for one peer, with a
/// sequence of the writer's so that a reader takes each message once.
public struct DiskOutboxMessage: Sendable, Hashable {
    public var to: String
    public var sequence: UInt64
    public var packet: [UInt8]

    public init(to: String, sequence: UInt64, packet: [UInt8]) {
        self.to = to
        self.sequence = sequence
        self.packet = packet
    }
}
