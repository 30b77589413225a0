import NIOCore
import VigilModel

/// Where each node's adapters are on the IP networks, from the configuration: heartbeats go from
/// one adapter's address to another's. An adapter's address is that of its boot or standby
/// interface (always configured on it, unlike the service addresses that come and go).
public struct AddressBook: Sendable, Hashable {
    /// One adapter of one node on one IP network.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var node: String
        public var network: String
        public var adapter: String
        public var address: IPv4Address

        public init(node: String, network: String, adapter: String, address: IPv4Address) {
            self.node = node
            self.network = network
            self.adapter = adapter
            self.address = address
        }

        public var description: String { "\(node)/\(network)/\(adapter) \(address)" }
    }

    public private(set) var endpoints: [Endpoint] = []

    public init(config: ClusterConfig) {
        for node in config.nodes {
            for network in node.networks where config.network(named: network)?.isIP == true {
                for adapter in node.adapters(on: network) {
                    let fixed = node.interfaces.first {
                        $0.network == network && $0.name == adapter && $0.role != .service && $0.address != nil
                    }
                    if let fixed, let address = fixed.address {
                        endpoints.append(
                            Endpoint(node: node.name, network: network, adapter: adapter, address: address))
                    }
                }
            }
        }
    }

    /// The address of `node`'s `adapter` on `network`, if it has one there.
    public func address(node: String, network: String, adapter: String) -> IPv4Address? {
        endpoints.first { $0.node == node && $0.network == network && $0.adapter == adapter }?.address
    }

    /// The adapters of `node` on every IP network: the addresses its transport binds.
    public func endpoints(of node: String) -> [Endpoint] { endpoints.filter { $0.node == node } }

    /// The adapters of `node` on `network`, in configured order.
    public func endpoints(of node: String, on network: String) -> [Endpoint] {
        endpoints.filter { $0.node == node && $0.network == network }
    }

    /// Who an address belongs to, if anyone in the cluster.
    public func owner(of address: IPv4Address) -> Endpoint? { endpoints.first { $0.address == address } }
}

/// The address book's adapters as socket addresses on one port, resolved once: the daemon looks
/// up the two ends of every packet here rather than formatting and parsing addresses each time.
public struct Routes: Sendable {
    private struct Key: Hashable {
        var node: String
        var network: String
        var adapter: String
    }

    /// One adapter: its address and its socket address on the port.
    public struct Route: Sendable {
        public var address: IPv4Address
        public var socket: SocketAddress
    }

    private var byAdapter: [Key: Route] = [:]
    private var byNode: [String: [String: [Route]]] = [:]

    public init(book: AddressBook, port: Int) {
        for endpoint in book.endpoints {
            guard let socket = try? SocketAddress(endpoint.address, port: port) else { continue }
            let route = Route(address: endpoint.address, socket: socket)
            byAdapter[Key(node: endpoint.node, network: endpoint.network, adapter: endpoint.adapter)] = route
            byNode[endpoint.node, default: [:]][endpoint.network, default: []].append(route)
        }
    }

    /// `node`'s `adapter` on `network`, if it has an address there.
    public func route(node: String, network: String, adapter: String) -> Route? {
        byAdapter[Key(node: node, network: network, adapter: adapter)]
    }

    /// Every adapter of `node` on `network`, in configured order.
    public func routes(of node: String, on network: String) -> [Route] { byNode[node]?[network] ?? [] }
}

extension SocketAddress {
    /// The socket address of an IPv4 address and port.
    public init(_ address: VigilModel.IPv4Address, port: Int) throws {
        self = try SocketAddress(ipAddress: address.description, port: port)
    }

    /// The IPv4 address of an IPv4 socket address.
    var vigilIPv4: VigilModel.IPv4Address? { ipAddress.flatMap { VigilModel.IPv4Address($0) } }
}
