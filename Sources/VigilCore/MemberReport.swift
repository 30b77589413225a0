/// What a member tells its coordinator: what it sees, what it holds, how far it got.
public struct MemberReport: Sendable, Hashable, Codable {
    /// Increases with every report of one incarnation, so that a late report never overwrites a newer one.
    public var number: UInt64
    public var incarnation: UInt64
    /// The agreed state the member has installed, as `(epoch, seq)`.
    public var installedEpoch: UInt64
    public var installedSeq: UInt64
    public var topology: TopologyReport
    public var holdings: Holdings
    /// The last recovery round the member finished, as `(epoch, number)`.
    public var doneRoundEpoch: UInt64
    public var doneRound: UInt64
    /// Set when the member was asked to stop cluster services.
    public var leaving: ClusterEvent.Departure?
    /// Whether the member may acquire groups now (a quorum of the installed view counts it in). A
    /// member without it gets no acquisitions.
    public var hasLease: Bool
    /// Set when the member is DISCONNECTED (`LocalTopology.isDisconnected`): it stops its services
    /// and may hold none.
    public var disconnected: Bool = false
    /// Whether the member holds the tiebreaker lease now (`quorum: disk`).
    public var holdsTiebreaker: Bool = false
    /// The newest configuration version the member stores (`vigil sync`; 0: none).
    public var configVersion: UInt64 = 0
    /// The configuration version the member runs.
    public var runningConfigVersion: UInt64 = 0

    /// Whether the member finished the round `number` of view `epoch`.
    public func finished(round number: UInt64, epoch: UInt64) -> Bool {
        (doneRoundEpoch, doneRound) >= (epoch, number)
    }

    /// The same report without its number, to tell whether anything changed.
    var content: MemberReport {
        var copy = self
        copy.number = 0
        return copy
    }
}
