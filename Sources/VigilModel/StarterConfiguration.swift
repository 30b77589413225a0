/// The starter configuration `vigil init` writes: a cluster of the nodes named, with one network per
/// subnet of this host that their addresses are on, a disk heartbeat and tiebreaker when a shared
/// disk is given, and one cascading group per service address. Pure: the host's interfaces come in
/// as values, the YAML text goes out, and `vigil init` verifies it before writing it.
public struct StarterConfiguration: Sendable {
    /// A node named on the command line (`--node alpha=192.0.2.11,198.51.100.11`).
    public struct Node: Sendable, Hashable {
        public var name: String
        public var addresses: [IPv4Address]

        public init(name: String, addresses: [IPv4Address]) {
            self.name = name
            self.addresses = addresses
        }
    }

    /// An IPv4 address of one of this host's interfaces, with its prefix (`eth0 192.0.2.11/24`).
    public struct HostInterface: Sendable, Hashable {
        public var name: String
        public var address: IPv4Address
        public var prefixLength: Int

        public init(name: String, address: IPv4Address, prefixLength: Int) {
            self.name = name
            self.address = address
            self.prefixLength = prefixLength
        }

        /// The netmask of `prefixLength` (`/24` is `255.255.255.0`).
        public var netmask: IPv4Address {
            IPv4Address(prefixLength <= 0 ? 0 : UInt32.max << UInt32(32 - min(prefixLength, 32)))
        }

        /// Whether `other` is on this interface's subnet.
        public func contains(_ other: IPv4Address) -> Bool {
            other.masked(by: netmask) == address.masked(by: netmask)
        }

        /// `eth0 192.0.2.11/24`.
        public var description: String { "\(name) \(address)/\(prefixLength)" }
    }

    /// A service address named on the command line (`--service web=192.0.2.21`): its group is `web`.
    public struct Service: Sendable, Hashable {
        public var name: String
        public var address: IPv4Address

        public init(name: String, address: IPv4Address) {
            self.name = name
            self.address = address
        }
    }

    /// Why no configuration could be made: one line saying what to change.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public var clusterName: String
    public var clusterID: Int
    public var nodes: [Node]
    public var services: [Service]
    /// The shared disk for the disk heartbeat (and the tiebreaker of a two-node cluster), if any.
    public var disk: String?
    /// This host's interfaces with an IPv4 address.
    public var hostInterfaces: [HostInterface]

    public init(
        clusterName: String, clusterID: Int? = nil, nodes: [Node], services: [Service] = [], disk: String? = nil,
        hostInterfaces: [HostInterface]
    ) {
        self.clusterName = clusterName
        self.clusterID = clusterID ?? Self.clusterID(for: clusterName)
        self.nodes = nodes
        self.services = services
        self.disk = disk
        self.hostInterfaces = hostInterfaces
    }

    /// A cluster id from the cluster's name (FNV-1a, 1 to 2147483647): the same name gives the same
    /// id on every node that runs `vigil init`.
    public static func clusterID(for name: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % 2_147_483_647) + 1
    }

    /// One network of the starter configuration: a subnet of this host that a node's address is on.
    struct Subnet {
        var name: String
        var interface: HostInterface
        var isPublic: Bool
    }

    /// The configuration as YAML, with comments saying what was assumed; or the first problem.
    public func yaml() throws(Problem) -> String {
        try check()
        let networks = try self.networks()
        var lines: [String] = []
        lines.append("# Cluster \(clusterName), written by `vigil init`. Check it with: vigil verify FILE")
        lines.append("# Every node needs this same file (and the same cluster key): copy it, or edit it on one")
        lines.append("# node and run `vigil sync` once the cluster runs.")
        lines.append("")
        lines.append("cluster: {name: \(clusterName), id: \(clusterID)}")
        lines.append("")
        lines.append(contentsOf: quorumLines())
        lines.append("")
        lines.append("# One network per subnet the nodes' addresses are on (found on this host's interfaces).")
        lines.append("networks:")
        for network in networks {
            let attribute = network.isPublic ? "public" : "private"
            let netmask = network.interface.netmask
            lines.append(
                "  - {name: \(network.name), type: ether, attribute: \(attribute), netmask: \(netmask)}"
                    + "  # \(network.interface.address.masked(by: network.interface.netmask))/"
                    + "\(network.interface.prefixLength), \(network.interface.name) here")
        }
        if let disk {
            lines.append("  - {name: dhb, type: disk, device: \(ConfigWriter.quoted(disk))}")
        }
        lines.append("")
        lines.append("# Each node's adapters are assumed to have this host's names (\(adapterNames(networks))):")
        lines.append("# change `name:` where a node's differ.")
        lines.append("nodes:")
        for node in nodes {
            lines.append("  - name: \(node.name)")
            lines.append("    interfaces:")
            for address in node.addresses {
                guard let network = networks.first(where: { $0.interface.contains(address) }) else { continue }
                let adapter = network.interface.name
                let label = NameRules.suggestedIdentifier(for: "\(node.name)_\(adapter)", fallback: "\(node.name)_if")
                lines.append(
                    "      - {name: \(ConfigWriter.quoted(adapter)), label: \(label), role: boot, address: \(address), "
                        + "network: \(network.name)}")
            }
            if let disk {
                lines.append(
                    "      - {name: dhb, label: \(node.name)_dhb, network: dhb, device: \(ConfigWriter.quoted(disk))}")
            }
        }
        lines.append(contentsOf: serviceLines(networks))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The names and addresses given are usable: identifiers, no address twice, nodes to cluster.
    func check() throws(Problem) {
        if let problem = NameRules.identifierProblem(clusterName) { throw Problem("--name \(problem)") }
        guard !nodes.isEmpty else { throw Problem("no node: name each node with --node NAME=ADDRESS") }
        var seenNames: Set<String> = []
        var seenAddresses: [IPv4Address: String] = [:]
        for node in nodes {
            if let problem = NameRules.identifierProblem(node.name) { throw Problem("--node \(problem)") }
            guard seenNames.insert(node.name).inserted else { throw Problem("node \(node.name) is named twice") }
            guard !node.addresses.isEmpty else { throw Problem("node \(node.name) has no address") }
            for address in node.addresses {
                if let other = seenAddresses[address] {
                    throw Problem("address \(address) is given to both \(other) and \(node.name)")
                }
                seenAddresses[address] = node.name
            }
        }
        for service in services {
            if let problem = NameRules.identifierProblem(service.name) { throw Problem("--service \(problem)") }
            guard !seenNames.contains(service.name) else {
                throw Problem("service \(service.name) has the name of a node: name its group otherwise")
            }
            guard seenNames.insert(service.name).inserted else {
                throw Problem("service \(service.name) is named twice")
            }
            if let other = seenAddresses[service.address] {
                throw Problem("service address \(service.address) of \(service.name) is already \(other)'s")
            }
            seenAddresses[service.address] = service.name
        }
        if let disk, let problem = NameRules.absolutePathProblem(disk) { throw Problem("--disk \(problem)") }
    }

    /// One network per subnet of this host that some node address is on, in the order first used;
    /// an address on none of them is a problem naming the subnets there are.
    func networks() throws(Problem) -> [Subnet] {
        var networks: [Subnet] = []
        let candidates = hostInterfaces.sorted { $0.prefixLength > $1.prefixLength }  // the narrowest subnet wins
        for address in nodes.flatMap(\.addresses) + services.map(\.address) {
            if networks.contains(where: { $0.interface.contains(address) }) { continue }
            guard let interface = candidates.first(where: { $0.contains(address) }) else {
                let known = hostInterfaces.map(\.description).joined(separator: ", ")
                throw Problem(
                    "\(address) is on no subnet of this host (\(known.isEmpty ? "no IPv4 address" : known)): run "
                        + "vigil init on a node of the cluster, on the networks it uses")
            }
            networks.append(Subnet(name: "net\(networks.count + 1)", interface: interface, isPublic: false))
        }
        // Service addresses go on public networks; without services, the first network is public.
        for index in networks.indices {
            let carriesService = services.contains { networks[index].interface.contains($0.address) }
            networks[index].isPublic = carriesService || (services.isEmpty && index == 0)
        }
        return networks
    }

    func quorumLines() -> [String] {
        switch (nodes.count, disk) {
        case (2, .some):
            [
                "# Two nodes: neither is a majority alone, so the side holding the lease on the shared disk wins.",
                "quorum: {policy: disk, tiebreaker: dhb}",
            ]
        case (2, .none):
            [
                "# Two nodes and no shared disk: a single node is never a majority, so either node failing",
                "# stops every group. Give `vigil init` a shared disk with --disk for a tiebreaker.",
                "quorum: {policy: majority}",
            ]
        default:
            ["quorum: {policy: majority}"]
        }
    }

    /// A service address and a cascading group for each service, each preferring the next node in
    /// turn (mutual takeover); an example application in a comment.
    func serviceLines(_ networks: [Subnet]) -> [String] {
        var lines: [String] = [""]
        guard !services.isEmpty else {
            lines.append("# No service yet. A service address and a group that moves it, for example:")
            lines.append("#   service_addresses:")
            lines.append("#     - {label: web_svc, address: ADDRESS, network: net1}")
            lines.append("#   resource_groups:")
            lines.append(
                "#     - {name: web, policy: cascading, nodes: [\(nodes.map(\.name).joined(separator: ", "))],")
            lines.append("#        service_addresses: [web_svc]}")
            return lines
        }
        lines.append("# The addresses clients use; each moves with its group.")
        lines.append("service_addresses:")
        for service in services {
            let network = networks.first { $0.interface.contains(service.address) }?.name ?? "net1"
            lines.append("  - {label: \(service.name)_svc, address: \(service.address), network: \(network)}")
        }
        lines.append("")
        lines.append("# Each group prefers the next node in turn and falls back to it when it returns (cascading).")
        lines.append("# Add its applications, volume groups and filesystems (docs/configuration.md), e.g.")
        lines.append("#   applications:")
        lines.append("#     - {name: web, start: \"systemctl start nginx\", stop: \"systemctl stop nginx\",")
        lines.append("#        monitor: \"systemctl is-active --quiet nginx\"}")
        lines.append("resource_groups:")
        for (index, service) in services.enumerated() {
            let order = (0..<nodes.count).map { nodes[($0 + index) % nodes.count].name }
            lines.append("  - name: \(service.name)")
            lines.append("    policy: cascading")
            lines.append("    nodes: [\(order.joined(separator: ", "))]")
            lines.append("    service_addresses: [\(service.name)_svc]")
        }
        return lines
    }

    func adapterNames(_ networks: [Subnet]) -> String {
        networks.map { "\($0.interface.name) on \($0.name)" }.joined(separator: ", ")
    }
}
