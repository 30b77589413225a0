import Synchronization

/// What a transport did with packets, for `vigil status` and the metrics endpoint.
public struct PacketCounts: Sendable, Hashable, Codable {
    /// Datagrams that arrived, whatever became of them.
    public var received: UInt64 = 0
    /// Datagrams that passed every check and were delivered.
    public var accepted: UInt64 = 0
    /// Datagrams dropped, by reason. A reason that never happened is absent.
    public var dropped: [PacketDropReason: UInt64] = [:]
    /// Packets handed to the kernel, and packets that could not be (encoding or socket errors).
    public var sent: UInt64 = 0
    public var sendFailed: UInt64 = 0

    public init() {}

    public var droppedTotal: UInt64 { dropped.values.reduce(0, +) }

    public subscript(reason: PacketDropReason) -> UInt64 { dropped[reason] ?? 0 }
}

/// Thread-safe packet counters, shared by a transport's channels and read by whoever reports them.
public final class PacketCounters: Sendable {
    private let counts = Mutex(PacketCounts())

    public init() {}

    /// A copy of the counts now.
    public var snapshot: PacketCounts { counts.withLock { $0 } }

    func countReceived() { counts.withLock { $0.received &+= 1 } }
    func countAccepted() { counts.withLock { $0.accepted &+= 1 } }
    func countDropped(_ reason: PacketDropReason) { counts.withLock { $0.dropped[reason, default: 0] &+= 1 } }
    /// An accepted packet that found the receive queue full: dropped after all.
    func countQueueFull() {
        counts.withLock {
            $0.accepted &-= 1
            $0.dropped[.queueFull, default: 0] &+= 1
        }
    }
    func countSent() { counts.withLock { $0.sent &+= 1 } }
    func countSendFailed() { counts.withLock { $0.sendFailed &+= 1 } }
}
