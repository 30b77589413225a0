import VigilCore

/// Builds the records this node writes to its slot: advances the sequence on every record, and
/// keeps the outbox of messages to peers.
///
/// A posted message stays in the outbox for `outboxLifetime` writes (readers take it once, by its
/// sequence), or until `outboxLimit` newer messages or the slot's space push it out, oldest first.
public struct DiskHeartbeatWriter: Sendable {
    public let clusterID: Int
    public let node: String
    /// Raised when cluster services start again in the same daemon (a new incarnation of the core).
    public internal(set) var incarnation: UInt64
    public let codec: PacketCodec
    /// How many records carry each outbox message: at least the peers' read interval over ours,
    /// with room for a missed read or two.
    public var outboxLifetime: Int
    public var outboxLimit: Int
    /// The longest outbox packet accepted, in bytes: short messages only (a slot is a few KiB).
    public var maximumMessageBytes: Int

    public private(set) var sequence: UInt64 = 0
    private var outbox: [(message: DiskOutboxMessage, writesLeft: Int)] = []
    private var nextMessage: UInt64 = 1

    public init(
        clusterID: Int, node: String, incarnation: UInt64, codec: PacketCodec,
        outboxLifetime: Int = 16, outboxLimit: Int = 8, maximumMessageBytes: Int = 1024
    ) {
        precondition(
            outboxLifetime > 0 && outboxLimit > 0 && outboxLimit <= DiskRecordCodec.maximumOutbox,
            "outbox lifetime \(outboxLifetime), limit \(outboxLimit)")
        self.clusterID = clusterID
        self.node = node
        self.incarnation = incarnation
        self.codec = codec
        self.outboxLifetime = outboxLifetime
        self.outboxLimit = outboxLimit
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Messages waiting in the outbox.
    public var pendingMessages: Int { outbox.count }

    /// Queues a message to a peer for the next records. Throws when it cannot be encoded or is
    /// longer than `maximumMessageBytes`.
    public mutating func post(_ envelope: Envelope) throws {
        precondition(envelope.from == node, "posting \(envelope.from)'s message from \(node)'s slot")
        let packet = try codec.encodeBytes(envelope)
        guard packet.count <= maximumMessageBytes else {
            throw DiskRecordError.tooLarge(bytes: packet.count, limit: maximumMessageBytes)
        }
        outbox.append((DiskOutboxMessage(to: envelope.to, sequence: nextMessage, packet: packet), outboxLifetime))
        nextMessage += 1
        if outbox.count > outboxLimit { outbox.removeFirst(outbox.count - outboxLimit) }
    }

    /// The next record, from the core's heartbeats due on the disk network (one per peer: the
    /// view, installed epoch and stamp are the same in each; the echo is per peer). `nil` when
    /// none of them is a heartbeat from this node.
    public mutating func record(heartbeats: [Envelope], holdings: [String], slotSize: Int) -> DiskSlotRecord? {
        var first: Heartbeat?
        var echoes: [String: Duration] = [:]
        for envelope in heartbeats where envelope.from == node {
            guard case .heartbeat(let beat) = envelope.message else { continue }
            first = first ?? beat
            if let echo = beat.echo { echoes[envelope.to] = echo }
        }
        guard let first else { return nil }
        var next = record(
            view: first.view, installedEpoch: first.installedEpoch, stamp: first.stamp,
            echoes: echoes, holdings: holdings, slotSize: slotSize)
        next.ipPeers = first.ipPeers
        next.disconnected = first.disconnected
        next.links = first.links
        return next
    }

    /// The next record. Outbox messages that would not fit in the slot are left out, oldest first,
    /// and every message carried counts one write of its lifetime.
    public mutating func record(
        view: ViewID, installedEpoch: UInt64, stamp: Duration, echoes: [String: Duration], holdings: [String],
        slotSize: Int
    ) -> DiskSlotRecord {
        sequence += 1
        var record = DiskSlotRecord(
            clusterID: clusterID, node: node, incarnation: incarnation, sequence: sequence, view: view,
            installedEpoch: installedEpoch, stamp: stamp, echoes: echoes, holdings: holdings,
            outbox: outbox.map(\.message))
        while !record.outbox.isEmpty, !Self.fits(record, slotSize: slotSize) {
            record.outbox.removeFirst()
            outbox.removeFirst()
        }
        for index in outbox.indices { outbox[index].writesLeft -= 1 }
        outbox.removeAll { $0.writesLeft <= 0 }
        return record
    }

    /// Whether a record fits in a slot. Other encoding errors (a name too long) are not about
    /// space: they surface when the record is written.
    private static func fits(_ record: DiskSlotRecord, slotSize: Int) -> Bool {
        switch Result(catching: { () throws(DiskRecordError) in try DiskRecordCodec.encode(record, slotSize: slotSize) }
        ) {
        case .failure(.tooLarge): false
        case .success, .failure: true
        }
    }
}
