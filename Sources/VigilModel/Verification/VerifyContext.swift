/// What every check works from: the configuration, where each field was written, the path of each
/// entry (computed as the loader computed them), and the addresses held by interfaces and service
/// addresses.
struct VerifyContext {
    let config: ClusterConfig
    let sourceMap: SourceMap
    let paths: ConfigPaths
    /// Every IP address in the configuration, interfaces in node order then service addresses.
    let addresses: [AddressHolder]

    init(_ loaded: LoadedConfig) {
        config = loaded.config
        sourceMap = loaded.sourceMap
        paths = ConfigPaths(config)
        addresses = AddressHolder.all(in: config, paths: paths)
    }

    func error(_ path: String, _ message: String) -> Diagnostic {
        Diagnostic(.error, at: sourceMap.location(of: path), message)
    }

    func warning(_ path: String, _ message: String) -> Diagnostic {
        Diagnostic(.warning, at: sourceMap.location(of: path), message)
    }

    /// `nodes[ghost2].interfaces[3], line 58`: where another entry is, for "already used by" messages.
    func whereIs(_ path: String) -> String { "\(path), line \(sourceMap.location(of: path).line)" }

    /// Sorts paths by where they were written, so "first" means first in the file.
    func inFileOrder<T>(_ items: [T], path: (T) -> String) -> [T] {
        items.enumerated().sorted { lhs, rhs in
            let a = sourceMap.location(of: path(lhs.element))
            let b = sourceMap.location(of: path(rhs.element))
            return (a.line, a.column, lhs.offset) < (b.line, b.column, rhs.offset)
        }.map(\.element)
    }

    /// ` (did you mean 'x'?)` when `name` looks like a misspelling of one of `known`.
    static func suggestion(_ name: String, among known: [String]) -> String {
        Spelling.closest(to: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// `a, b, c`, or `none` for an empty list.
    static func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
}

/// The `SourceMap` path of each configuration entry, by index, as the loader named them.
struct ConfigPaths {
    let nodes: [String]
    let networks: [String]
    let serviceAddresses: [String]
    let applications: [String]
    let volumeGroups: [String]
    let filesystems: [String]
    let nfsExports: [String]
    let resourceGroups: [String]

    init(_ config: ClusterConfig) {
        nodes = SourcePath.entryPaths("nodes", names: config.nodes.map(\.name))
        networks = SourcePath.entryPaths("networks", names: config.networks.map(\.name))
        serviceAddresses = SourcePath.entryPaths("service_addresses", names: config.serviceAddresses.map(\.label))
        applications = SourcePath.entryPaths("applications", names: config.applications.map(\.name))
        volumeGroups = SourcePath.entryPaths("volume_groups", names: config.volumeGroups.map(\.name))
        filesystems = SourcePath.entryPaths("filesystems", names: config.filesystems.map(\.mountPoint))
        nfsExports = SourcePath.entryPaths("nfs_exports", names: config.nfsExports.map(\.path))
        resourceGroups = SourcePath.entryPaths("resource_groups", names: config.resourceGroups.map(\.name))
    }

    func interface(node: Int, _ index: Int) -> String { "\(nodes[node]).interfaces[\(index)]" }
}

/// One IP address and who holds it: a node's interface or a service address.
struct AddressHolder {
    var label: String
    var address: IPv4Address
    var network: String
    /// The node of an interface; `nil` for a service address.
    var node: String?
    /// The role of an interface; `nil` for a service address.
    var role: Interface.Role?
    /// The entry's path (the address is at `path.address`).
    var path: String

    /// `ghost4_boot_en0 on ghost4`, or `service address ip4_svc`.
    var described: String {
        if let node { return "\(label) on \(node)" }
        return "service address \(label)"
    }

    static func all(in config: ClusterConfig, paths: ConfigPaths) -> [AddressHolder] {
        var holders: [AddressHolder] = []
        for (nodeIndex, node) in config.nodes.enumerated() {
            for (index, interface) in node.interfaces.enumerated() {
                guard let address = interface.address else { continue }
                holders.append(
                    AddressHolder(
                        label: interface.label, address: address, network: interface.network, node: node.name,
                        role: interface.role, path: paths.interface(node: nodeIndex, index)))
            }
        }
        for (index, service) in config.serviceAddresses.enumerated() {
            holders.append(
                AddressHolder(
                    label: service.label, address: service.address, network: service.network, node: nil, role: nil,
                    path: paths.serviceAddresses[index]))
        }
        return holders
    }
}
