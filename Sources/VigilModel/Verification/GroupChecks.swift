/// Resource groups: their nodes, their resources and their policy.
extension Verifier {
    /// A group's nodes exist and are listed once each; a group has at least one node.
    static func checkGroupMembers(_ context: VerifyContext) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let known = context.config.nodes.map(\.name)
        for (group, path) in zip(context.config.resourceGroups, context.paths.resourceGroups) {
            if group.nodes.isEmpty {
                found.append(
                    context.error(
                        "\(path).nodes",
                        "group \(group.name) has no nodes; list the nodes that may run it, in priority order"))
            }
            found += references(group.nodes, kind: "node", in: group, path: "\(path).nodes", known: known, context)
        }
        return found
    }

    /// A group's service addresses, volume groups, filesystems, exports and applications exist and
    /// are listed once each.
    static func checkGroupResources(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        var found: [Diagnostic] = []
        for (group, path) in zip(config.resourceGroups, context.paths.resourceGroups) {
            found += references(
                group.serviceAddresses, kind: "service address", in: group,
                path: "\(path).service_addresses", known: config.serviceAddresses.map(\.label), context)
            found += references(
                group.volumeGroups, kind: "volume group", in: group,
                path: "\(path).volume_groups", known: config.volumeGroups.map(\.name), context)
            found += references(
                group.filesystems, kind: "filesystem", in: group,
                path: "\(path).filesystems", known: config.filesystems.map(\.mountPoint), context)
            found += references(
                group.nfsExports, kind: "NFS export", in: group,
                path: "\(path).nfs_exports", known: config.nfsExports.map(\.path), context)
            found += references(
                group.applications, kind: "application", in: group,
                path: "\(path).applications", known: config.applications.map(\.name), context)
        }
        return found
    }

    /// Each name of a group's list refers to a defined entry, and appears once.
    static func references(
        _ names: [String], kind: String, in group: ResourceGroup, path: String, known: [String],
        _ context: VerifyContext
    ) -> [Diagnostic] {
        var seen: Set<String> = []
        var found: [Diagnostic] = []
        let defined = Set(known)
        for (index, name) in names.enumerated() {
            if !defined.contains(name) {
                found.append(
                    context.error(
                        "\(path)[\(index)]",
                        """
                        \(kind) \(name) of group \(group.name) is not defined\
                        \(VerifyContext.suggestion(name, among: known)); define it or use one of: \
                        \(VerifyContext.list(known))
                        """))
            } else if !seen.insert(name).inserted {
                found.append(
                    context.error(
                        "\(path)[\(index)]", "\(kind) \(name) is listed twice in group \(group.name); list it once"))
            }
        }
        return found
    }

    /// A cascading group with one node has nothing to fail over to.
    static func checkGroupPolicies(_ context: VerifyContext) -> [Diagnostic] {
        zip(context.config.resourceGroups, context.paths.resourceGroups).compactMap { group, path in
            guard group.policy == .cascading, Set(group.nodes).count == 1, let only = group.nodes.first else {
                return nil
            }
            return context.warning(
                "\(path).nodes",
                """
                cascading group \(group.name) has a single node, \(only): if it fails, the group has nowhere \
                to go; add a node to take it over
                """)
        }
    }

    /// A service address is on a defined IP network and is used by a group.
    static func checkServiceAddressNetworks(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        let ipNetworks = config.networks.filter(\.isIP).map(\.name)
        var found: [Diagnostic] = []
        for (service, path) in zip(config.serviceAddresses, context.paths.serviceAddresses) {
            if config.network(named: service.network)?.isIP != true {
                let problem = config.network(named: service.network) == nil ? "is not defined" : "is not an IP network"
                found.append(
                    context.error(
                        "\(path).network",
                        """
                        network \(service.network) of service address \(service.label) \(problem); use one of the \
                        IP networks: \(VerifyContext.list(ipNetworks))
                        """))
            }
            if !config.resourceGroups.contains(where: { $0.serviceAddresses.contains(service.label) }) {
                found.append(
                    context.warning(
                        path,
                        """
                        service address \(service.label) is in no resource group, so no node will ever configure \
                        it; add it to a group's service_addresses or remove it
                        """))
            }
        }
        return found
    }

    /// Every node of a group can carry the group's service addresses: it has an interface on each
    /// address's network.
    static func checkServiceAddressReach(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        var found: [Diagnostic] = []
        for (group, path) in zip(config.resourceGroups, context.paths.resourceGroups) {
            for (index, label) in group.serviceAddresses.enumerated() {
                guard let service = config.serviceAddress(labelled: label),
                    config.network(named: service.network) != nil
                else { continue }
                for name in group.nodes {
                    guard let node = config.node(named: name), !node.networks.contains(service.network) else {
                        continue
                    }
                    found.append(
                        context.error(
                            "\(path).service_addresses[\(index)]",
                            """
                            service address \(label) of group \(group.name) is on network \(service.network), but \
                            node \(name) of \(group.name) has no interface on \(service.network); add an interface \
                            on \(service.network) to \(name) or remove \(name) from \(group.name)
                            """))
                }
            }
        }
        return found
    }
}
