import VigilModel

extension ClusterState {
    /// The agreed state carried over to a new configuration (`vigil sync`): what placement is
    /// computed from once the new version runs, so that a preview and the reconfiguration itself
    /// decide alike.
    ///
    /// - Nodes the new configuration removes are no longer up; nodes it adds are not up until
    ///   they join (their own node_up).
    /// - A network the new configuration adds counts as up on every up node attached to it, with
    ///   all its adapters there working, the first one active (its heartbeats start with the new
    ///   version; the coordinator judges it from the members' reports after twice its detection
    ///   time, and if they fail, the usual network_down follows). A
    ///   network whose type or kind changed keeps its state.
    /// - Administrative state, failures and placements of removed groups are forgotten, and so are
    ///   sticky moves to removed nodes, holds until a removed node returns, and groups left
    ///   unmanaged on a removed node.
    /// - A cascading group counts as having had its highest-priority node up when it had and that
    ///   node is still the first, or when its (new) first node is up now.
    public func adapted(from old: ClusterConfig, to new: ClusterConfig) -> ClusterState {
        var state = self
        let nodes = Set(new.nodes.map(\.name))
        let groups = Set(new.resourceGroups.map(\.name))
        state.up = up.filter { nodes.contains($0) }
        state.upIncarnations = upIncarnations.filter { nodes.contains($0.key) }
        state.disconnected = disconnected.filter { nodes.contains($0) }
        state.netpar = netpar.filter { nodes.contains($0) }
        state.topology.nodes = topology.nodes.filter { nodes.contains($0.key) }
        let oldNetworks = Set(old.networks.map(\.name))
        for network in new.networks where !oldNetworks.contains(network.name) {
            for node in new.nodes where state.up.contains(node.name) && node.networks.contains(network.name) {
                let adapters = node.adapters(on: network.name)
                state.topology.nodes[node.name, default: NodeTopology()].networksUp.insert(network.name)
                state.topology.nodes[node.name]!.adaptersUp.formUnion(adapters)
                if network.isIP { state.topology.nodes[node.name]!.active[network.name] = adapters.first }
            }
        }
        state.admin.sticky = admin.sticky.filter { groups.contains($0.key) && nodes.contains($0.value) }
        // A group held offline until a node returns is released from the hold when the node is removed.
        state.admin.held = admin.held.filter { group, hold in
            guard groups.contains(group) else { return false }
            if case .stoppedWith(let node) = hold { return nodes.contains(node) }
            return true
        }
        state.admin.unmanaged = admin.unmanaged.filter { groups.contains($0.key) && nodes.contains($0.value) }
        state.failures = failures.filter { groups.contains($0.key) }.mapValues { $0.filter { nodes.contains($0) } }
        state.placement = placement.filter { groups.contains($0.key) }.mapValues { placed in
            GroupPlacement(
                nodes: placed.nodes.filter { nodes.contains($0) }, reason: placed.reason, decision: placed.decision)
        }
        state.primaryHasBeenUp = Set(
            new.resourceGroups.filter { group in
                guard let first = group.nodes.first else { return false }
                let unchanged = old.group(named: group.name)?.nodes.first == first
                return (unchanged && primaryHasBeenUp.contains(group.name)) || state.up.contains(first)
            }.map(\.name))
        return state
    }
}
