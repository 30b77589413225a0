import VigilModel

/// Turns the difference between the agreed topology and the observed one into the seed's events,
/// one at a time: losses (network_down, swap_adapter, fail_standby) before gains (network_up,
/// join_standby). A network lost by every member on it at once is one cluster-wide network_down.
enum TopologyChange {
    static func firstLoss(from agreed: TopologyView, to observed: TopologyView, up: Set<String>, config: ClusterConfig)
        -> ClusterEvent?
    {
        for network in config.networks {
            let attached = members(on: network.name, up: up, config: config)
            let lost = attached.filter { agreed.isUp(network.name, on: $0) && !observed.isUp(network.name, on: $0) }
            if !lost.isEmpty {
                let stillUp = attached.filter {
                    agreed.isUp(network.name, on: $0) && observed.isUp(network.name, on: $0)
                }
                return .networkDown(network: network.name, node: stillUp.isEmpty && lost.count > 1 ? nil : lost[0])
            }
        }
        for node in config.nodes where up.contains(node.name) {
            guard let was = agreed.nodes[node.name], let now = observed.nodes[node.name] else { continue }
            for network in node.networks where was.networksUp.contains(network) && now.networksUp.contains(network) {
                if let from = was.active[network], let to = now.active[network], from != to {
                    return .swapAdapter(node: node.name, network: network, from: from, to: to)
                }
            }
            for adapter in node.interfaces.map(\.name)
            where was.adaptersUp.contains(adapter) && !now.adaptersUp.contains(adapter) {
                return .failStandby(node: node.name, adapter: adapter)
            }
        }
        return nil
    }

    static func firstGain(from agreed: TopologyView, to observed: TopologyView, up: Set<String>, config: ClusterConfig)
        -> ClusterEvent?
    {
        for network in config.networks {
            let attached = members(on: network.name, up: up, config: config)
            let gained = attached.filter { !agreed.isUp(network.name, on: $0) && observed.isUp(network.name, on: $0) }
            if !gained.isEmpty {
                let wasUp = attached.filter { agreed.isUp(network.name, on: $0) }
                return .networkUp(network: network.name, node: wasUp.isEmpty && gained.count > 1 ? nil : gained[0])
            }
        }
        for node in config.nodes where up.contains(node.name) {
            guard let was = agreed.nodes[node.name], let now = observed.nodes[node.name] else { continue }
            for adapter in node.interfaces.map(\.name)
            where !was.adaptersUp.contains(adapter) && now.adaptersUp.contains(adapter) {
                return .joinStandby(node: node.name, adapter: adapter)
            }
        }
        return nil
    }

    /// `node`'s agreed topology with `network` (its state, adapters and active adapter) taken from `observed`.
    static func take(
        _ network: String, of node: String, from observed: TopologyView, into agreed: TopologyView,
        config: ClusterConfig
    ) -> NodeTopology {
        var result = agreed.nodes[node] ?? NodeTopology()
        let seen = observed.nodes[node] ?? NodeTopology()
        let adapters = Set(config.node(named: node)?.adapters(on: network) ?? [])
        result.adaptersUp = result.adaptersUp.subtracting(adapters).union(seen.adaptersUp.intersection(adapters))
        if seen.networksUp.contains(network) {
            result.networksUp.insert(network)
        } else {
            result.networksUp.remove(network)
        }
        result.active[network] = seen.active[network]
        return result
    }

    private static func members(on network: String, up: Set<String>, config: ClusterConfig) -> [String] {
        config.nodes.filter { up.contains($0.name) && $0.networks.contains(network) }.map(\.name)
    }
}
