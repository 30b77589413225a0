import VigilModel

/// What the administrator adds on the command line to what the converted files say, the same for
/// every source: the cluster's name and id, nodes' addresses (`--address NODE=IP`), and a disk
/// heartbeat (`--disk-heartbeat DEVICE`); and the quorum that follows from the nodes.
enum ConversionAdditions {
    /// The disk heartbeat network's name.
    static let diskNetwork = "dhb"

    /// Everything but the addresses (which the mappings apply before they look for what is missing).
    static func apply(
        _ options: ConversionOptions, defaultName: String, file: String, to config: inout ClusterConfig,
        notes: inout [ConversionNote]
    ) {
        config.name = ConvertedNames.identifier(options.clusterName ?? config.name, fallback: defaultName)
        if let id = options.clusterID {
            config.id = id
        } else {
            config.id = 1
            notes.append(
                ConversionNote(
                    .assumed, file: file, line: 0,
                    "cluster id 1: every packet carries it, so "
                        + "give each cluster on a network its own (--cluster-id)"))
        }
        if let device = options.diskHeartbeat { addDiskHeartbeat(device, to: &config) }
        chooseQuorum(&config, file: file, notes: &notes)
    }

    static func addDiskHeartbeat(_ device: String, to config: inout ClusterConfig) {
        config.networks.append(Network(name: diskNetwork, type: "disk", kind: .disk(device: device)))
        for index in config.nodes.indices {
            let name = config.nodes[index].name
            config.nodes[index].interfaces.append(
                Interface(
                    name: diskNetwork, label: "\(name)_\(diskNetwork)", role: .boot, device: device,
                    network: diskNetwork))
        }
    }

    /// Two nodes: the disk tiebreaker when there is a disk heartbeat, else no quorum as the sources
    /// had (with a note); more: a majority.
    static func chooseQuorum(_ config: inout ClusterConfig, file: String, notes: inout [ConversionNote]) {
        let disk = config.networks.first { $0.isSharedDisk }
        if config.nodes.count % 2 == 0, let disk {
            config.quorum = .disk
            config.tiebreaker = disk.name
        } else if config.nodes.count == 2 {
            config.quorum = .none
            notes.append(
                ConversionNote(
                    .mustAdd, file: file, line: 0,
                    "a disk heartbeat: with two nodes and only "
                        + "IP networks, a cut network gives both nodes the groups (quorum: none, as before); "
                        + "add a shared "
                        + "disk with --disk-heartbeat DEVICE for quorum: disk"))
        }
    }

    /// `--address NODE=IP`: the node's boot address on the IP network whose subnet holds it (the first
    /// IP network when none does). A node not yet known is added with the first node's adapters
    /// (other networks without an address) and joins every group after the nodes already there.
    static func applyAddresses(
        _ options: ConversionOptions, to config: inout ClusterConfig, notes: inout [ConversionNote], file: String
    ) {
        for (name, address) in options.addresses {
            guard let network = network(holding: address, in: config) else {
                notes.append(
                    ConversionNote(
                        .mustAdd, file: file, line: 0,
                        "--address \(name)=\(address): the "
                            + "configuration has no IP network; add one"))
                continue
            }
            if config.node(named: name) == nil {
                addNode(name, to: &config)
                notes.append(
                    ConversionNote(
                        .assumed, file: file, line: 0,
                        "node \(name) (--address) has the "
                            + "adapters of \(config.nodes[0].name) and comes after the nodes of the files "
                            + "in every group"
                    ))
            }
            guard let index = config.nodes.firstIndex(where: { $0.name == name }) else { continue }
            if let at = config.nodes[index].interfaces.firstIndex(where: { $0.network == network.name }) {
                config.nodes[index].interfaces[at].address = address
            } else {
                let adapter = config.nodes.flatMap(\.interfaces).first { $0.network == network.name }?.name ?? "eth0"
                config.nodes[index].interfaces.append(
                    Interface(
                        name: adapter, label: "\(name)_\(adapter)", role: .boot, address: address, network: network.name
                    ))
            }
        }
    }

    static func network(holding address: IPv4Address, in config: ClusterConfig) -> Network? {
        let networks = config.networks.filter(\.isIP)
        let holding = networks.first { network in
            guard let mask = network.netmask else { return false }
            let known =
                config.nodes.flatMap(\.interfaces).filter { $0.network == network.name }.compactMap(\.address)
                + config.serviceAddresses.filter { $0.network == network.name }.map(\.address)
            return known.contains { $0.masked(by: mask) == address.masked(by: mask) }
        }
        return holding ?? networks.first
    }

    static func addNode(_ name: String, to config: inout ClusterConfig) {
        let template = config.nodes.first?.interfaces ?? []
        let interfaces = template.filter { $0.device == nil }.map {
            Interface(name: $0.name, label: "\(name)_\($0.name)", role: .boot, network: $0.network)
        }
        config.nodes.append(Node(name: name, interfaces: interfaces))
        for index in config.resourceGroups.indices { config.resourceGroups[index].nodes.append(name) }
    }
}
