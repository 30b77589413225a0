/// A path between nodes that Vigil watches: an IP network (the seed's ether and token networks), a
/// serial link between exactly two nodes (the seed's rs232 networks), or a disk heartbeat on a shared
/// block device or file (the seed's target-mode SSA; the ASE's shared SCSI bus).
public struct Network: Sendable, Equatable {
    public var name: String
    /// The network's type as the seed names it (`ether`, `token`, `fddi`, `rs232`, `disk`, ...).
    /// Heartbeat tuning is chosen by type.
    public var type: String
    public var kind: Kind

    public enum Kind: Sendable, Equatable {
        /// An IP network. Service addresses live on these.
        case ip(attribute: Attribute, netmask: IPv4Address)
        /// A point-to-point serial link between two nodes; each end is a node interface with a device.
        case serial
        /// A heartbeat written to a shared block device or file; each node writes its own slot.
        case disk(device: String)
    }

    /// The seed's network attribute: `public` networks carry client traffic, `private` ones only
    /// cluster traffic.
    public enum Attribute: String, Sendable, Equatable, CaseIterable {
        case `public`, `private`
    }

    public init(name: String, type: String, kind: Kind) {
        self.name = name
        self.type = type
        self.kind = kind
    }

    public var isIP: Bool { if case .ip = kind { return true } else { return false } }
    /// A disk heartbeat: every attached node reads every other's slot, so it carries messages too.
    public var isSharedDisk: Bool { if case .disk = kind { return true } else { return false } }
    public var netmask: IPv4Address? { if case .ip(_, let mask) = kind { return mask } else { return nil } }
}
