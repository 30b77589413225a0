import VigilModel

/// What the test bed builds for a configuration, by name: a network namespace per node, a switch
/// namespace with a bridge per IP network, a veth pair per adapter, a client namespace on every
/// public network, and a view of each disk heartbeat per node. A pure value: `Testbed` makes it.
///
/// Names: namespaces `vt-NODE`, `vt-switch`, `vt-client`; in vt-switch, bridge `b-NETWORK` (and
/// `bNETWORK-K` for side K of a partition), the switch end of node N's adapter `nN-ADAPTER` (N is the
/// node's position, from 1), the client's `cs-NETWORK`; in a node's namespace the adapter keeps its
/// configured name (tr0, en0), so that the `ip` driver uses the configuration as it is.
public struct TestbedLayout: Sendable {
    public static let prefix = "vt-"
    public static let switchNamespace = "vt-switch"
    public static let clientNamespace = "vt-client"

    public let config: ClusterConfig
    /// The test bed's directory: node state, logs, the key, the disk views.
    public let directory: String

    /// One adapter of one node: a veth pair between its namespace and the switch.
    public struct Link: Sendable, Hashable {
        public var node: String
        public var adapter: String
        public var network: String
        /// The switch's end of the pair, in vt-switch.
        public var port: String
        /// Boot and standby addresses, with their prefix length (`203.0.113.184/24`).
        public var addresses: [String]
    }

    /// The client's attachment to a public network.
    public struct ClientLink: Sendable, Hashable {
        public var network: String
        public var device: String
        public var port: String
        public var address: IPv4Address
        public var prefix: Int
    }

    public init(config: ClusterConfig, directory: String) {
        self.config = config
        self.directory = directory
    }

    public func namespace(of node: String) -> String { Self.prefix + node }

    public var ipNetworks: [Network] { config.networks.filter(\.isIP) }
    public var diskNetworks: [Network] { config.networks.filter(\.isSharedDisk) }

    public func bridge(of network: String, side: Int = 0) -> String {
        side == 0 ? "b-\(network)" : "b\(network)-\(side)"
    }

    /// Every adapter of every node on an IP network, once per adapter.
    public var links: [Link] {
        config.nodes.enumerated().flatMap { index, node in
            node.networks.compactMap { config.network(named: $0) }.filter(\.isIP).flatMap { network in
                node.adapters(on: network.name).map { adapter in
                    let prefix = network.netmask?.prefixLength ?? 24
                    let addresses = node.interfaces
                        .filter { $0.name == adapter && $0.network == network.name && $0.role != .service }
                        .compactMap { $0.address.map { "\($0)/\(prefix)" } }
                    return Link(
                        node: node.name, adapter: adapter, network: network.name, port: "n\(index + 1)\(adapter)",
                        addresses: addresses)
                }
            }
        }
    }

    public func links(of node: String) -> [Link] { links.filter { $0.node == node } }

    /// The client on every public IP network: the boot subnet's host .250 (or the highest free one).
    public var clientLinks: [ClientLink] {
        ipNetworks.compactMap { network in
            guard case .ip(.public, let mask) = network.kind else { return nil }
            let boots = config.nodes.flatMap(\.interfaces).filter { $0.network == network.name && $0.role != .standby }
            guard let first = boots.compactMap(\.address).first else { return nil }
            let used = Set(
                config.nodes.flatMap(\.interfaces).compactMap(\.address) + config.serviceAddresses.map(\.address))
            let base = first.masked(by: mask).value
            let hosts = ~mask.value
            let candidates = [UInt32(250)] + (1..<hosts).reversed().map { $0 }
            guard let host = candidates.first(where: { $0 < hosts && !used.contains(IPv4Address(base | $0)) }) else {
                return nil
            }
            return ClientLink(
                network: network.name, device: "c-\(network.name)", port: "cs-\(network.name)",
                address: IPv4Address(base | host), prefix: mask.prefixLength)
        }
    }

    // MARK: Files

    public func nodeDirectory(_ node: String) -> String { "\(directory)/\(node)" }
    public func stateDirectory(_ node: String) -> String { "\(directory)/\(node)/state" }
    public func socket(_ node: String) -> String { "\(directory)/\(node)/vigild.sock" }
    public func daemonOutput(_ node: String) -> String { "\(directory)/\(node)/vigild.out" }
    public var keyFile: String { "\(directory)/cluster.key" }
    public var diskDirectory: String { "\(directory)/disk" }

    /// The configured device of a disk network (what every vigild opens).
    public func sharedDevice(of network: Network) -> String? {
        if case .disk(let device) = network.kind { return device }
        return nil
    }

    /// Node `node`'s own view of disk network `network`, bound over the configured device in the
    /// node's mount namespace.
    public func diskView(_ network: String, of node: String) -> String { "\(diskDirectory)/\(network).\(node)" }

    /// While this file exists, the relay leaves `node` out of `network`: its disk path has failed.
    public func diskFault(_ network: String, of node: String) -> String { "\(diskDirectory)/\(network).\(node).failed" }

    /// The nodes attached to a disk network, with their slot (the node's position in the configuration).
    public func diskMembers(_ network: String) -> [(node: String, slot: Int)] {
        config.nodes.enumerated().filter { $0.element.networks.contains(network) }.map { ($0.element.name, $0.offset) }
    }
}
