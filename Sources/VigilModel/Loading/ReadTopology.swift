import Yams

/// Reading the cluster's identity, networks, nodes and interfaces.
extension ConfigReader {
    static let topLevelKeys = [
        "cluster", "tuning", "networks", "nodes", "service_addresses", "applications", "volume_groups",
        "filesystems", "nfs_exports", "resource_groups", "hooks", "quorum", "format",
    ]

    /// The whole configuration; `nil` only when the top level is not a mapping.
    mutating func readConfig(_ root: YAMLNode) -> ClusterConfig? {
        let required = ["cluster", "networks", "nodes"]
        guard let top = fields(root, path: "", allowed: Self.topLevelKeys, required: required) else { return nil }
        if top.value("format") != nil {
            // A later format may mean anything: nothing else is read from such a file.
            guard let format = int(top, "format", range: 1...Int(Int32.max)) else { return nil }
            guard ConfigFormat.readable.contains(format) else {
                error(
                    top.value("format")?.mark,
                    "format is \(format), newer than this vigil reads (formats \(ConfigFormat.readable.lowerBound) to "
                        + "\(ConfigFormat.readable.upperBound)): upgrade vigil on this node, or write the file in "
                        + "format \(ConfigFormat.current)")
                return nil
            }
            self.format = format
        }
        let identity = top.value("cluster").flatMap { readIdentity($0) }
        var config = ClusterConfig(name: identity?.name ?? "", id: identity?.id ?? 0)
        if let tuning = top.value("tuning") { config.tuning = readTuning(tuning) ?? Tuning() }
        if let quorum = top.value("quorum"), let read = readQuorum(quorum) {
            config.quorum = read.policy
            config.tiebreaker = read.tiebreaker
        }
        for (path, node) in entries(top, "networks", nameKey: "name", limit: ConfigLimits.maximumNetworks) {
            if let network = readNetwork(node, path: path) { config.networks.append(network) }
        }
        for (path, node) in entries(top, "nodes", nameKey: "name", limit: ConfigLimits.maximumNodes) {
            if let member = readNode(node, path: path) { config.nodes.append(member) }
        }
        readResources(top, into: &config)
        if let hooks = top.value("hooks") { config.hooks = readHooks(hooks) }
        return config
    }

    mutating func readIdentity(_ node: YAMLNode) -> (name: String, id: Int)? {
        guard let set = fields(node, path: "cluster", allowed: ["name", "id"], required: ["name", "id"]) else {
            return nil
        }
        let name = string(set, "name")
        let id = int(set, "id", range: ConfigLimits.clusterID)
        guard let name, let id else { return nil }
        return (name, id)
    }

    static let networkKeys = ["name", "type", "attribute", "netmask", "device"]

    mutating func readNetwork(_ node: YAMLNode, path: String) -> Network? {
        guard let set = fields(node, path: path, allowed: Self.networkKeys, required: ["name", "type"]) else {
            return nil
        }
        let name = string(set, "name")
        let type = string(set, "type")
        let attribute = choice(set, "attribute", of: Network.Attribute.self)
        let netmask = address(set, "netmask")
        let device = string(set, "device")
        guard let name, let type else { return nil }
        switch NetworkTypes.kind(of: type) {
        case .serial:
            reject(set, ["attribute", "netmask", "device"], because: "a serial network (type \(type))")
            return Network(name: name, type: type, kind: .serial)
        case .disk:
            reject(set, ["attribute", "netmask"], because: "a disk heartbeat network (type \(type))")
            guard let device else {
                error(set.mark, "\(path) is a disk heartbeat network and needs the shared device: device: /dev/...")
                return nil
            }
            return Network(name: name, type: type, kind: .disk(device: device))
        case .ip:
            reject(set, ["device"], because: "an IP network (type \(type)); devices belong to serial and disk networks")
            guard let netmask else {
                if set.value("netmask") == nil {
                    error(
                        set.mark,
                        "\(path) is an IP network (type \(type)) and needs a netmask, e.g. netmask: 255.255.255.0")
                }
                return nil
            }
            return Network(name: name, type: type, kind: .ip(attribute: attribute ?? .public, netmask: netmask))
        }
    }

    /// Reports each of `keys` present in `set`: they do not apply to this kind of entry.
    mutating func reject(_ set: FieldSet, _ keys: [String], because reason: String) {
        for key in keys {
            guard let field = set.field(key) else { continue }
            error(field.keyMark, "\(set.path(key)) does not apply to \(reason); remove it")
        }
    }

    static let nodeKeys = ["name", "fence", "interfaces"]

    mutating func readNode(_ node: YAMLNode, path: String) -> Node? {
        guard let set = fields(node, path: path, allowed: Self.nodeKeys, required: ["name"]) else { return nil }
        let name = string(set, "name")
        let fence = string(set, "fence")
        var interfaces: [Interface] = []
        for (entryPath, entry) in entries(set, "interfaces", nameKey: nil, limit: ConfigLimits.maximumInterfaces) {
            if let interface = readInterface(entry, path: entryPath, node: name ?? "") { interfaces.append(interface) }
        }
        guard let name else { return nil }
        return Node(name: name, interfaces: interfaces, fenceCommand: fence)
    }

    static let interfaceKeys = ["name", "label", "role", "address", "device", "network"]

    mutating func readInterface(_ node: YAMLNode, path: String, node nodeName: String) -> Interface? {
        let required = ["name", "network"]
        guard let set = fields(node, path: path, allowed: Self.interfaceKeys, required: required) else { return nil }
        let name = string(set, "name")
        let label = string(set, "label")
        let role = choice(set, "role", of: Interface.Role.self)
        let address = address(set, "address")
        let device = string(set, "device")
        let network = string(set, "network")
        guard let name, let network else { return nil }
        return Interface(
            name: name, label: label ?? "\(nodeName)_\(name)", role: role ?? .boot, address: address,
            device: device, network: network)
    }
}

/// Yams' YAML node; `Node` in this module is a cluster node.
typealias YAMLNode = Yams.Node

/// How a network's type decides its kind.
public enum NetworkTypes {
    /// Types of point-to-point serial links (the seed's rs232, target-mode SSA and SCSI).
    public static let serial: Set<String> = ["rs232", "serial", "tmssa", "tmscsi"]
    /// Types of disk heartbeat networks.
    public static let disk: Set<String> = ["disk", "diskhb"]

    /// The kind a network of this type has: serial, disk, or (any other type) IP.
    public static func kind(of type: String) -> Kind {
        if serial.contains(type) { return .serial }
        if disk.contains(type) { return .disk }
        return .ip
    }

    /// The three kinds of network, without their parameters.
    public enum Kind: Sendable { case ip, serial, disk }
}
