import VigilModel

/// Where every resource group belongs: a pure function of the configuration, the agreed membership
/// and topology, and administrative state, so every node computes the same answer. Every decision
/// carries its reason.
///
/// The rules (DESIGN.md, seed Table 9): a node is eligible for a group when it is up, participates in
/// the group, has every network of the group's service addresses up, and has not failed the group.
/// Cascading groups go to the highest-priority eligible node (so they fall back); with inactive
/// takeover off they wait until their highest-priority node has been up once. Rotating groups stay
/// where they are while eligible, else go to the first eligible node in list order that holds the
/// fewest rotating groups. Concurrent groups run on every eligible node. An administrator's sticky
/// move wins while its node is eligible; an offline hold keeps a group offline.
public enum Placement {
    /// Computes the placement of every group, in configured order.
    public static func compute(
        config: ClusterConfig, state: ClusterState
    ) -> [String: GroupPlacement] {
        var result: [String: GroupPlacement] = [:]
        // Rotating groups that keep their node are counted first, so that a group that has to move
        // sees every node's real load whatever the configured order.
        var rotatingLoad: [String: Int] = [:]
        var staying: Set<String> = []
        for group in config.resourceGroups where group.policy == .rotating {
            if let node = stayingNode(group, config: config, state: state) {
                rotatingLoad[node, default: 0] += 1
                staying.insert(group.name)
            }
        }
        for group in config.resourceGroups {
            let decision = place(group, config: config, state: state, rotatingLoad: rotatingLoad)
            if group.policy == .rotating && !staying.contains(group.name) {
                for node in decision.nodes { rotatingLoad[node, default: 0] += 1 }
            }
            result[group.name] = decision
        }
        return result
    }

    /// Whether `node` may hold `group` now.
    public static func isEligible(_ node: String, for group: ResourceGroup, config: ClusterConfig, state: ClusterState)
        -> Bool
    {
        state.up.contains(node) && group.nodes.contains(node)
            && config.requiredNetworks(of: group).allSatisfy { state.topology.isUp($0, on: node) }
            && !(state.failures[group.name]?.contains(node) ?? false)
            && !state.disconnected.contains(node)
    }

    /// The node a rotating group keeps: its sticky node or its current one, while eligible and not held offline.
    private static func stayingNode(_ group: ResourceGroup, config: ClusterConfig, state: ClusterState) -> String? {
        guard state.admin.unmanaged[group.name] == nil, state.admin.held[group.name] == nil else { return nil }
        let eligible = { (node: String) in isEligible(node, for: group, config: config, state: state) }
        if let chosen = state.admin.sticky[group.name], eligible(chosen) { return chosen }
        if let current = state.placement[group.name]?.nodes.first, eligible(current) { return current }
        return nil
    }

    private static func place(
        _ group: ResourceGroup, config: ClusterConfig, state: ClusterState, rotatingLoad: [String: Int]
    ) -> GroupPlacement {
        if let holder = state.admin.unmanaged[group.name] {
            return GroupPlacement(nodes: [], reason: "left running unmanaged on \(holder) by a forced stop")
        }
        switch state.admin.held[group.name] {
        case .administrator(let sticky)?:
            return GroupPlacement(nodes: [], reason: "taken offline by an administrator\(sticky ? " (sticky)" : "")")
        case .stoppedWith(let node)?:
            return GroupPlacement(nodes: [], reason: "offline until \(node), stopped gracefully, returns")
        case nil: break
        }
        let eligible = group.nodes.filter { isEligible($0, for: group, config: config, state: state) }
        if group.policy == .concurrent {
            return GroupPlacement(
                nodes: eligible,
                reason: eligible.isEmpty
                    ? "concurrent: no participating node is eligible"
                    : "concurrent: online on every eligible node of \(list(group.nodes))")
        }
        if let chosen = state.admin.sticky[group.name], eligible.contains(chosen) {
            return GroupPlacement(nodes: [chosen], reason: "moved to \(chosen) by an administrator (sticky)")
        }
        guard let first = eligible.first else {
            return GroupPlacement(
                nodes: [],
                reason: "no eligible node among \(list(group.nodes))\(whyNot(group, config: config, state: state))")
        }
        switch group.policy {
        case .cascading:
            return cascading(group, eligible: eligible, first: first, state: state)
        case .rotating:
            return rotating(group, eligible: eligible, state: state, load: rotatingLoad)
        case .concurrent:
            preconditionFailure("concurrent groups are placed above")
        }
    }

    private static func cascading(_ group: ResourceGroup, eligible: [String], first: String, state: ClusterState)
        -> GroupPlacement
    {
        let primary = group.nodes[0]
        if !group.inactiveTakeover && !state.primaryHasBeenUp.contains(group.name) {
            return GroupPlacement(
                nodes: [],
                reason: "inactive takeover is off: waiting for \(primary), the highest-priority node, to come up once")
        }
        if first == primary {
            return GroupPlacement(
                nodes: [first],
                reason: "cascading: \(first) is the highest-priority eligible node of \(list(group.nodes))")
        }
        let skipped = group.nodes.prefix { $0 != first }
        return GroupPlacement(
            nodes: [first],
            reason:
                "cascading: \(skipped.joined(separator: ", ")) not eligible; \(first) is next in \(list(group.nodes))")
    }

    private static func rotating(_ group: ResourceGroup, eligible: [String], state: ClusterState, load: [String: Int])
        -> GroupPlacement
    {
        if let current = state.placement[group.name]?.nodes.first, eligible.contains(current) {
            return GroupPlacement(
                nodes: [current], reason: "rotating: stays on \(current), still eligible (no fallback)")
        }
        let lightest = eligible.min {
            (load[$0] ?? 0, index(of: $0, in: group)) < (load[$1] ?? 0, index(of: $1, in: group))
        }!
        let previous = state.placement[group.name]?.nodes.first
        let why = previous.map { "\($0) not eligible; " } ?? ""
        let lighter = (load[lightest] ?? 0) < (load[eligible[0]] ?? 0) ? " holding the fewest rotating groups" : ""
        return GroupPlacement(
            nodes: [lightest],
            reason: "rotating: \(why)\(lightest) is the first eligible node of \(list(group.nodes))\(lighter)")
    }

    private static func index(of node: String, in group: ResourceGroup) -> Int {
        group.nodes.firstIndex(of: node) ?? Int.max
    }

    private static func whyNot(_ group: ResourceGroup, config: ClusterConfig, state: ClusterState) -> String {
        let reasons = group.nodes.map { node -> String in
            if !state.up.contains(node) { return "\(node) down" }
            if state.disconnected.contains(node) { return "\(node) DISCONNECTED" }
            if state.failures[group.name]?.contains(node) ?? false { return "\(node) failed it" }
            let missing = config.requiredNetworks(of: group).sorted().filter { !state.topology.isUp($0, on: node) }
            return "\(node) lost \(missing.joined(separator: ", "))"
        }
        return ": " + reasons.joined(separator: ", ")
    }

    private static func list(_ nodes: [String]) -> String { "[" + nodes.joined(separator: ", ") + "]" }
}
