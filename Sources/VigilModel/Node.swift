/// A host running `vigild`, with its attachments to the networks.
public struct Node: Sendable, Equatable {
    public var name: String
    /// The node's attachments, in configured order. One physical adapter may appear twice: once with
    /// its boot address and once with the node's own (non-moving) service address, as in the seed.
    public var interfaces: [Interface]
    /// A command that fences this node (power off or reset through its management board, or a storage
    /// reservation). Run by survivors before they take over from a node that may still be alive.
    public var fenceCommand: String?

    public init(name: String, interfaces: [Interface] = [], fenceCommand: String? = nil) {
        self.name = name
        self.interfaces = interfaces
        self.fenceCommand = fenceCommand
    }

    /// The distinct physical adapters of the node on a network, in configured order.
    public func adapters(on network: String) -> [String] {
        var seen: [String] = []
        for interface in interfaces where interface.network == network && !seen.contains(interface.name) {
            seen.append(interface.name)
        }
        return seen
    }

    /// The subnet of `adapter` on an IP network with `netmask`: that of its boot or standby address
    /// (always configured on it); nil when it has none.
    public func subnet(of adapter: String, netmask: IPv4Address) -> IPv4Address? {
        interfaces.first { $0.name == adapter && $0.role != .service && $0.address != nil }?.address?.masked(
            by: netmask)
    }

    /// The networks this node is attached to, in configured order, without repeats.
    public var networks: [String] {
        var seen: [String] = []
        for interface in interfaces where !seen.contains(interface.network) { seen.append(interface.network) }
        return seen
    }
}

/// A node's attachment to a network: an adapter name (`en0`, `tr1`, `tty0`), its IP label and
/// address on IP networks, or its device on serial and disk networks, and its role.
public struct Interface: Sendable, Equatable {
    /// The adapter's name on the host (`eth0`, `en0`, `tty1`).
    public var name: String
    /// The IP label (the seed's adapter IP label); for non-IP networks a name for the endpoint.
    public var label: String
    public var role: Role
    /// The address on IP networks; `nil` on serial and disk networks.
    public var address: IPv4Address?
    /// The device on serial and disk networks (`/dev/tty0`); `nil` on IP networks.
    public var device: String?
    public var network: String

    /// The seed's adapter functions.
    public enum Role: String, Sendable, Equatable, CaseIterable {
        /// The address the adapter has while cluster services are down; replaced by or joined with
        /// service addresses while they run.
        case boot
        /// A spare adapter on the same network: takes over service addresses when the active one fails.
        case standby
        /// The node's own service address (the seed's `svc` label named after the node); it stays on
        /// the node and moves to a standby adapter if its adapter fails.
        case service
    }

    public init(
        name: String, label: String, role: Role, address: IPv4Address? = nil, device: String? = nil,
        network: String
    ) {
        self.name = name
        self.label = label
        self.role = role
        self.address = address
        self.device = device
        self.network = network
    }
}
