/// The state of a member as one node sees it: the Host Status of the ASE seed (its section 2.5).
public enum MemberState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Heard on an IP network: it can be asked to start and stop services.
    case up = "UP"
    /// Not heard on any path, IP or not.
    case down = "DOWN"
    /// Cut off from every IP network while still heard over a non-IP path: it stops its own
    /// services, and only then may others take them over.
    case disconnected = "DISCONNECTED"
    /// Heard only over a non-IP path while it still hears others on IP: a network partition.
    /// Services stay where they run; none starts or stops until the partition heals.
    case netpar = "NETPAR"

    public var description: String { rawValue }
}
