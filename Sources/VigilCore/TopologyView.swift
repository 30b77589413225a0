import VigilModel

/// The agreed state of every member's networks and adapters: which networks are up on which node,
/// which adapters work, and which adapter carries the service addresses of each IP network.
/// The coordinator builds it from the members' reports; it changes only through agreed events.
public struct TopologyView: Sendable, Hashable, Codable {
    public var nodes: [String: NodeTopology] = [:]

    public init(nodes: [String: NodeTopology] = [:]) { self.nodes = nodes }

    public func isUp(_ network: String, on node: String) -> Bool {
        nodes[node]?.networksUp.contains(network) ?? false
    }
}

/// One node's agreed topology.
public struct NodeTopology: Sendable, Hashable, Codable {
    /// Networks (IP and non-IP) this node is considered attached to and working on.
    public var networksUp: Set<String>
    /// Adapters that work, by name.
    public var adaptersUp: Set<String>
    /// For each IP network that is up: the adapter carrying the node's service addresses there.
    public var active: [String: String]

    public init(networksUp: Set<String> = [], adaptersUp: Set<String> = [], active: [String: String] = [:]) {
        self.networksUp = networksUp
        self.adaptersUp = adaptersUp
        self.active = active
    }
}

extension TopologyView {
    /// Builds the cluster-wide topology from the members' reports.
    ///
    /// A network is up on a member when it hears another member on it or another member hears it
    /// there. When nobody on a network hears anybody, the network is down for every member attached
    /// to it, unless only one of them still has carrier on an IP network (it is alone, the others
    /// lost their links) or only one member is attached at all. A serial link (point to point) that
    /// one end lost, or that nobody hears, is down at both ends. An adapter works when it has carrier and hears
    /// heartbeats, or has carrier on a network that is up for its node though none of its adapters hear.
    /// The active adapter stays where it is while it works (the seed's swapped service address stays
    /// on the standby), otherwise it is the first working adapter in configured order.
    public static func aggregate(
        config: ClusterConfig, members: Set<String>, reports: [String: TopologyReport], previous: TopologyView
    ) -> TopologyView {
        var view = TopologyView()
        for member in members { view.nodes[member] = NodeTopology() }
        for network in config.networks {
            let attached = config.nodes.map(\.name).filter {
                members.contains($0) && reports[$0]?.networks[network.name] != nil
            }
            let upNodes = networkUp(
                network.name, attached: attached, reports: reports, pointToPoint: network.kind == .serial)
            for member in attached {
                guard let sight = reports[member]?.networks[network.name] else { continue }
                let up = upNodes.contains(member)
                let working = workingAdapters(sight, networkUp: up)
                view.nodes[member]!.adaptersUp.formUnion(working)
                guard up else { continue }
                view.nodes[member]!.networksUp.insert(network.name)
                if network.isIP {
                    let ordered = config.node(named: member)!.adapters(on: network.name).filter(working.contains)
                    let kept = previous.nodes[member]?.active[network.name]
                    view.nodes[member]!.active[network.name] =
                        kept.flatMap { working.contains($0) ? $0 : nil } ?? ordered.first
                }
            }
        }
        return view
    }

    private static func networkUp(
        _ network: String, attached: [String], reports: [String: TopologyReport], pointToPoint: Bool
    ) -> Set<String> {
        let sights = attached.compactMap { node in reports[node]?.networks[network].map { (node, $0) } }
        let others = Set(attached)
        var connected: Set<String> = []
        for (node, sight) in sights {
            let heardMembers = sight.heard.intersection(others).subtracting([node])
            if !heardMembers.isEmpty {
                connected.insert(node)
                connected.formUnion(heardMembers)
            }
        }
        let withCarrier = sights.filter { $0.1.adapters.values.contains { $0.carrier } }.map(\.0)
        if pointToPoint && withCarrier.count < sights.count { return [] }
        if !connected.isEmpty { return connected.intersection(withCarrier) }
        return withCarrier.count == 1 && (!pointToPoint || attached.count == 1) ? Set(withCarrier) : []
    }

    private static func workingAdapters(_ sight: NetworkSight, networkUp: Bool) -> Set<String> {
        guard networkUp else { return [] }
        let withCarrier = sight.adapters.filter { $0.value.carrier }
        let hearing = withCarrier.filter { $0.value.hearing }
        return Set((hearing.isEmpty ? withCarrier : hearing).keys)
    }
}
