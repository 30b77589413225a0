import VigilCore
import VigilModel

/// What one read of the shared disk brought: the envelopes for the core (heartbeats from the
/// peers heard, messages posted to this node), and what else the daemon reports.
public struct DiskInbox: Sendable {
    /// Heartbeats (one per peer heard) and outbox messages to this node, in slot order.
    public var envelopes: [Envelope] = []
    /// Peers whose record advanced since the last read: heard on the disk network.
    public var heard: [String] = []
    /// What each peer with a valid record says it holds.
    public var holdings: [String: [String]] = [:]
    /// Slots that could not be trusted, by node (a blank slot of a node that never wrote is not listed).
    public var faults: [String: DiskRecordError] = [:]
    /// Outbox messages to this node that failed authentication or did not parse.
    public var rejected: [PacketError] = []
}

/// Turns reads of every slot into what the core expects from the disk network, remembering what
/// it saw: a peer is heard when its record advanced (a higher sequence, or a newer incarnation)
/// since the previous read, and each outbox message is delivered once.
///
/// The first read only sets the baseline: a record already there may be days old, so nobody is
/// heard on it and its messages are not delivered.
public struct DiskHeartbeatReader: Sendable {
    /// The configuration whose node order gives each slot its node.
    public private(set) var config: ClusterConfig
    public let me: String
    /// The disk network's name: the `network` of every envelope made here.
    public let network: String
    public let codec: PacketCodec

    private struct Seen: Sendable {
        var incarnation: UInt64
        var sequence: UInt64
        var lastMessage: UInt64
    }

    private var seen: [String: Seen] = [:]
    private var baselined = false

    public init(config: ClusterConfig, me: String, network: String, codec: PacketCodec) {
        precondition(config.node(named: me) != nil, "\(me) is not a node of \(config.name)")
        self.config = config
        self.me = me
        self.network = network
        self.codec = codec
    }

    /// Reads the slots by `config`'s node order from now on (a live reconfiguration): what was seen
    /// of each node that stays is kept; a node it adds is read from its next record.
    public mutating func reconfigure(to config: ClusterConfig) {
        precondition(config.node(named: me) != nil, "\(me) is not a node of \(config.name)")
        self.config = config
        seen = seen.filter { config.node(named: $0.key) != nil }
    }

    /// Absorbs one read of every slot (`DiskHeartbeat.readAll()`).
    public mutating func absorb(_ slots: [Int: Result<DiskSlotRecord, DiskRecordError>]) -> DiskInbox {
        var inbox = DiskInbox()
        for (slot, peer) in config.nodes.enumerated() where peer.name != me {
            guard let read = slots[slot] else { continue }
            switch read {
            case .failure(.blank): continue
            case .failure(let fault): inbox.faults[peer.name] = fault
            case .success(let record) where record.node != peer.name:
                inbox.faults[peer.name] = .unexpectedNode(expected: peer.name, found: record.node)
            case .success(let record) where record.clusterID != config.id:
                // Another cluster's record on a disk this one uses too: never a heartbeat here.
                inbox.faults[peer.name] = .wrongCluster(record.clusterID)
            case .success(let record):
                inbox.holdings[peer.name] = record.holdings
                absorb(record, into: &inbox)
            }
        }
        baselined = true
        return inbox
    }

    private mutating func absorb(_ record: DiskSlotRecord, into inbox: inout DiskInbox) {
        let peer = record.node
        let previous = seen[peer]
        if let previous, record.incarnation < previous.incarnation { return }
        let newIncarnation = previous.map { record.incarnation > $0.incarnation } ?? true
        let advanced = newIncarnation || record.sequence > previous!.sequence
        let lastMessage = newIncarnation ? 0 : previous!.lastMessage
        seen[peer] = Seen(
            incarnation: record.incarnation, sequence: record.sequence,
            lastMessage: max(lastMessage, record.outbox.map(\.sequence).max() ?? 0))
        guard baselined, advanced else { return }
        inbox.heard.append(peer)
        inbox.envelopes.append(
            Envelope(
                clusterID: config.id, from: peer, incarnation: record.incarnation, to: me, network: network,
                fromAdapter: config.node(named: peer)?.adapters(on: network).first,
                toAdapter: config.node(named: me)?.adapters(on: network).first,
                message: .heartbeat(record.heartbeat(to: me))))
        for message in record.outbox where message.to == me && message.sequence > lastMessage {
            switch Result(catching: { () throws(PacketError) in try codec.decode(bytes: message.packet) }) {
            case .success(let envelope) where envelope.from == peer && envelope.to == me:
                inbox.envelopes.append(envelope)
            case .success(let envelope):
                inbox.rejected.append(
                    PacketError(.misaddressed, "\(envelope.from) -> \(envelope.to) in \(peer)'s outbox"))
            case .failure(let error):
                inbox.rejected.append(error)
            }
        }
    }
}
