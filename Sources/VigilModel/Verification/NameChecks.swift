/// Names and addresses must be unique across the cluster.
extension Verifier {
    /// Two nodes, networks, groups, applications, volume groups, filesystems or exports with the same
    /// name; two IP labels alike among interfaces and service addresses. (An adapter name such as
    /// `tr0` may appear twice on a node, once with its boot and once with its service label.)
    static func checkDuplicateNames(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        let paths = context.paths
        var found: [Diagnostic] = []
        func check(_ what: String, _ names: [String], _ entryPaths: [String], field: String) {
            found += duplicates(what, zip(names, entryPaths).map { ($0, $1) }, field: field, context)
        }
        check("node name", config.nodes.map(\.name), paths.nodes, field: "name")
        check("network name", config.networks.map(\.name), paths.networks, field: "name")
        check("resource group name", config.resourceGroups.map(\.name), paths.resourceGroups, field: "name")
        check("application name", config.applications.map(\.name), paths.applications, field: "name")
        check("volume group name", config.volumeGroups.map(\.name), paths.volumeGroups, field: "name")
        check("filesystem mount point", config.filesystems.map(\.mountPoint), paths.filesystems, field: "mount_point")
        check("NFS export path", config.nfsExports.map(\.path), paths.nfsExports, field: "path")
        var labels: [(name: String, path: String)] = []
        for (nodeIndex, node) in config.nodes.enumerated() {
            for (index, interface) in node.interfaces.enumerated() {
                labels.append((interface.label, paths.interface(node: nodeIndex, index)))
            }
        }
        for (index, service) in config.serviceAddresses.enumerated() {
            labels.append((service.label, paths.serviceAddresses[index]))
        }
        found += duplicates("label", labels, field: "label", context)
        return found
    }

    /// Every entry whose name an entry earlier in the file already has, reported at its `field`.
    static func duplicates(
        _ what: String, _ entries: [(name: String, path: String)], field: String, _ context: VerifyContext
    ) -> [Diagnostic] {
        var first: [String: String] = [:]
        var found: [Diagnostic] = []
        for entry in context.inFileOrder(entries, path: \.path) {
            guard let earlier = first[entry.name] else {
                first[entry.name] = entry.path
                continue
            }
            found.append(
                context.error(
                    "\(entry.path).\(field)",
                    """
                    \(what) \(entry.name) is already used by \(context.whereIs(earlier)); \
                    names must be unique in the cluster: rename one of them
                    """))
        }
        return found
    }

    /// Two interfaces or service addresses with the same IP address, anywhere in the cluster.
    static func checkDuplicateAddresses(_ context: VerifyContext) -> [Diagnostic] {
        var first: [IPv4Address: AddressHolder] = [:]
        var found: [Diagnostic] = []
        for holder in context.inFileOrder(context.addresses, path: \.path) {
            guard let earlier = first[holder.address] else {
                first[holder.address] = holder
                continue
            }
            found.append(
                context.error(
                    "\(holder.path).address",
                    """
                    address \(holder.address) of \(holder.described) (\(holder.path)) is already used by \
                    \(earlier.described) (\(context.whereIs(earlier.path))); every interface and service \
                    address needs an address of its own: change one of them
                    """))
        }
        return found
    }
}
