/// Networks, interfaces and adapters.
extension Verifier {
    /// An IP network's netmask must be ones followed by zeros (`255.255.255.0`), and not all zeros.
    static func checkNetmasks(_ context: VerifyContext) -> [Diagnostic] {
        zip(context.config.networks, context.paths.networks).compactMap { network, path in
            guard let netmask = network.netmask, !netmask.isNetmask || netmask.prefixLength == 0 else { return nil }
            return context.error(
                "\(path).netmask",
                """
                netmask \(netmask) of network \(network.name) is not a valid netmask: write ones followed by \
                zeros, e.g. 255.255.255.0 for a /24
                """)
        }
    }

    /// Each interface is on a defined network and has what that network needs: an address on IP
    /// networks, a device and no address on serial links, no address on disk heartbeats.
    static func checkInterfaces(_ context: VerifyContext) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let known = context.config.networks.map(\.name)
        for (nodeIndex, node) in context.config.nodes.enumerated() {
            for (index, interface) in node.interfaces.enumerated() {
                let path = context.paths.interface(node: nodeIndex, index)
                let name = "interface \(interface.label) (\(interface.name)) of \(node.name)"
                guard let network = context.config.network(named: interface.network) else {
                    found.append(
                        context.error(
                            "\(path).network",
                            """
                            network \(interface.network) of \(name) is not defined\
                            \(VerifyContext.suggestion(interface.network, among: known)); define it under networks \
                            or use one of: \(VerifyContext.list(known))
                            """))
                    continue
                }
                found += checkInterfaceFields(interface, name: name, on: network, path: path, context)
            }
        }
        return found
    }

    static func checkInterfaceFields(
        _ interface: Interface, name: String, on network: Network, path: String, _ context: VerifyContext
    ) -> [Diagnostic] {
        var found: [Diagnostic] = []
        func add(_ field: String, _ message: String) {
            found.append(context.error(field.isEmpty ? path : "\(path).\(field)", message))
        }
        if network.isIP {
            if interface.address == nil {
                add("", "\(name) is on IP network \(network.name) but has no address; add address: a.b.c.d")
            }
            if interface.device != nil {
                add(
                    "device",
                    "\(name) is on IP network \(network.name); device applies only to serial and disk interfaces: "
                        + "remove it"
                )
            }
            return found
        }
        let kind = network.isSerial ? "serial link" : "disk heartbeat network"
        if interface.address != nil {
            add("address", "\(name) is on \(kind) \(network.name), which carries no IP address; remove the address")
        }
        if interface.role != .boot {
            add(
                "role",
                """
                \(name) has role \(interface.role.rawValue), but roles apply only to IP networks and \
                \(network.name) is a \(kind): remove the role
                """)
        }
        if network.isSerial && interface.device == nil {
            add("", "\(name) is on serial link \(network.name) but has no device; add its tty, e.g. device: /dev/ttyS0")
        }
        return found
    }

    /// An adapter is on one network only, and a standby is an adapter of its own: it cannot share
    /// its adapter name with the node's boot or service interface on the same network.
    static func checkAdapters(_ context: VerifyContext) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for (nodeIndex, node) in context.config.nodes.enumerated() {
            var networkOf: [String: String] = [:]
            for (index, interface) in node.interfaces.enumerated() {
                let path = context.paths.interface(node: nodeIndex, index)
                if let other = networkOf[interface.name], other != interface.network {
                    found.append(
                        context.error(
                            "\(path).network",
                            """
                            adapter \(interface.name) of \(node.name) is on network \(other) and on \
                            \(interface.network); an adapter is attached to one network: use another adapter name \
                            or network
                            """))
                }
                networkOf[interface.name] = networkOf[interface.name] ?? interface.network
                let active = node.interfaces.contains {
                    $0.name == interface.name && $0.network == interface.network && $0.role != .standby
                }
                if interface.role == .standby && active {
                    found.append(
                        context.error(
                            "\(path).name",
                            """
                            standby \(interface.label) of \(node.name) uses adapter \(interface.name), which also \
                            carries a boot or service address on \(interface.network); a standby must be a separate \
                            adapter: give it its own adapter name
                            """))
                }
            }
        }
        return found
    }

    /// Every node needs at least one IP network: cluster messages and service addresses travel on IP.
    static func checkNodesHaveIPNetworks(_ context: VerifyContext) -> [Diagnostic] {
        zip(context.config.nodes, context.paths.nodes).compactMap { node, path in
            let networks = node.networks.compactMap { context.config.network(named: $0) }
            // An undefined network is reported on its own; it may well be the IP network meant.
            guard networks.count == node.networks.count, !networks.contains(where: \.isIP) else { return nil }
            return context.error(
                path,
                """
                node \(node.name) has no interface on an IP network; add one: cluster messages and \
                service addresses travel on IP networks
                """)
        }
    }
}

extension Network {
    var isSerial: Bool { if case .serial = kind { return true } else { return false } }
    var isDisk: Bool { if case .disk = kind { return true } else { return false } }
}
