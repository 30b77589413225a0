/// Non-IP paths: serial links, disk heartbeats, and the daisy chain (seed 3.1.3).
extension Verifier {
    /// One end of a serial link or a disk heartbeat: a node's interface on it.
    struct PathEnd {
        var node: String
        var interface: String
    }

    /// The node interfaces on a network, in configuration order.
    static func ends(of network: String, _ config: ClusterConfig) -> [PathEnd] {
        config.nodes.flatMap { node in
            node.interfaces.filter { $0.network == network }.map { PathEnd(node: node.name, interface: $0.name) }
        }
    }

    /// A serial network is one cable: exactly two interfaces, on two different nodes. A disk
    /// heartbeat needs at least two nodes to mean anything.
    static func checkSerialLinks(_ context: VerifyContext) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for (network, path) in zip(context.config.networks, context.paths.networks) {
            let ends = ends(of: network.name, context.config)
            let shown = VerifyContext.list(ends.map { "\($0.node) \($0.interface)" })
            if network.isSerial && (ends.count != 2 || ends[0].node == ends[1].node) {
                found.append(
                    context.error(
                        path,
                        """
                        serial network \(network.name) has \(ends.count) end(s) (\(shown)); a serial link is one \
                        cable between two nodes: give it exactly one interface on each of two nodes
                        """))
            }
            if network.isDisk && Set(ends.map(\.node)).count < 2 {
                found.append(
                    context.warning(
                        path,
                        """
                        disk heartbeat network \(network.name) is used by \(ends.count) node(s) (\(shown)); it tells \
                        a partition from a dead node only between nodes that both write it: add an interface on \
                        it to each node sharing the disk
                        """))
            }
        }
        return found
    }

    /// With more than three nodes on serial links, the links must form a daisy chain: a path or a
    /// ring, every node linked to at most two neighbours, all in one piece (seed 3.1.3: "If multiple
    /// serial networks connect to one node, you must change this to a daisy chain").
    static func checkDaisyChain(_ context: VerifyContext) -> [Diagnostic] {
        var links: [(network: Int, a: String, b: String)] = []
        for (index, network) in context.config.networks.enumerated() where network.isSerial {
            let ends = ends(of: network.name, context.config)
            guard ends.count == 2, ends[0].node != ends[1].node else { continue }
            links.append((index, ends[0].node, ends[1].node))
        }
        var nodes: [String] = []
        for link in links { for node in [link.a, link.b] where !nodes.contains(node) { nodes.append(node) } }
        guard nodes.count > 3 else { return [] }
        var found: [Diagnostic] = []
        var degree: [String: [String]] = [:]
        for link in links {
            let name = context.config.networks[link.network].name
            for node in [link.a, link.b] {
                degree[node, default: []].append(name)
                guard degree[node]!.count == 3 else { continue }
                found.append(
                    context.error(
                        context.paths.networks[link.network],
                        """
                        node \(node) has more than two serial links (\(degree[node]!.joined(separator: ", "))...); \
                        with more than three nodes, serial links must form a daisy chain, each node linked to at \
                        most its two neighbours (a path or a ring): recable so that \(node) links to two nodes only
                        """))
            }
        }
        found += daisyChainPieces(links.map { ($0.network, $0.a, $0.b) }, nodes: nodes, context)
        return found
    }

    /// The serial links must join all their nodes into one chain: reports links outside the piece
    /// reachable from the first node.
    static func daisyChainPieces(
        _ links: [(network: Int, a: String, b: String)], nodes: [String], _ context: VerifyContext
    ) -> [Diagnostic] {
        var reached: Set<String> = [nodes[0]]
        var grew = true
        while grew {
            grew = false
            for link in links where reached.contains(link.a) != reached.contains(link.b) {
                reached.formUnion([link.a, link.b])
                grew = true
            }
        }
        let apart = nodes.filter { !reached.contains($0) }
        guard !apart.isEmpty, let link = links.first(where: { !reached.contains($0.a) }) else { return [] }
        return [
            context.error(
                context.paths.networks[link.network],
                """
                serial links do not form one daisy chain: \(apart.joined(separator: ", ")) are not linked to \
                \(reached.sorted().joined(separator: ", ")); with more than three nodes, serial links must chain \
                all of them in one path or ring: add a link between the two pieces
                """)
        ]
    }

    /// Without a serial link or disk heartbeat, nodes that lose their IP networks cannot tell a
    /// partition from a dead node.
    static func checkNonIPPaths(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        guard config.nodes.count >= 2 else { return [] }
        let nonIP = config.networks.filter { !$0.isIP }.map(\.name)
        guard !nonIP.isEmpty else {
            return [
                context.warning(
                    "networks",
                    """
                    the cluster has no serial link or disk heartbeat network: if the IP networks fail, nodes \
                    cannot tell a partition from a dead node, and each side may take over the other's groups; \
                    add a disk heartbeat (type: disk) on shared storage, or serial links
                    """)
            ]
        }
        return zip(config.nodes, context.paths.nodes).compactMap { node, path in
            guard !node.networks.contains(where: nonIP.contains) else { return nil }
            return context.warning(
                path,
                """
                node \(node.name) is on no serial link or disk heartbeat (\(nonIP.joined(separator: ", "))): \
                if its IP networks fail, the others cannot tell it is partitioned rather than dead; add an \
                interface on one of them
                """)
        }
    }
}
