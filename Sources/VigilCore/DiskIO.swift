/// The tiebreaker sector of the shared disk: who claims the tiebreaker lease, and a sequence number
/// every claim and renewal increases.
public struct TiebreakerRecord: Sendable, Hashable, CustomStringConvertible {
    public var owner: String
    public var incarnation: UInt64
    public var sequence: UInt64

    public init(owner: String, incarnation: UInt64, sequence: UInt64) {
        self.owner = owner
        self.incarnation = incarnation
        self.sequence = sequence
    }

    public var description: String { "\(owner)#\(incarnation) seq \(sequence)" }
}

/// A request to the shared disk that holds the tiebreaker (the runtime reads and writes one sector
/// of a block device or file; the simulator a shared register).
public struct DiskRequest: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        case read
        case write(TiebreakerRecord)
    }

    public var id: UInt64
    /// The disk network whose device holds the tiebreaker.
    public var network: String
    public var operation: Operation

    public init(id: UInt64, network: String, operation: Operation) {
        self.id = id
        self.network = network
        self.operation = operation
    }
}

/// How a disk request ended: the sector read (`nil` if never written), a write done, or a failure.
public enum DiskOutcome: Sendable, Hashable {
    case read(TiebreakerRecord?)
    case written
    case failed(String)
}
