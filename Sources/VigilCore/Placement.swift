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
        group.nodes.contains(node)
            && PlacementDecision.Finding.eligibility(of: node, for: group, config: config, state: state).isEligible
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
            return offline(
                "left running unmanaged on \(holder) by a forced stop", rule: "left unmanaged by a forced stop")
        }
        switch state.admin.held[group.name] {
        case .administrator(let sticky)?:
            return offline("taken offline by an administrator\(sticky ? " (sticky)" : "")")
        case .stoppedWith(let node)?:
            return offline("offline until \(node), stopped gracefully, returns")
        case nil: break
        }
        let findings = group.nodes.map {
            PlacementDecision.Finding.eligibility(of: $0, for: group, config: config, state: state)
        }
        let eligible = zip(group.nodes, findings).filter { $0.1.isEligible }.map(\.0)
        /// The decision: `chosen` nodes chosen, eligible ones not chosen found `others`.
        func decided(_ rule: String, chosen: [String], others: (String) -> PlacementDecision.Finding)
            -> PlacementDecision
        {
            var candidates = zip(group.nodes, findings).map { node, finding in
                PlacementDecision.Candidate(
                    node: node, chosen.contains(node) ? .chosen : finding.isEligible ? others(node) : finding)
            }
            // The nodes after the last chosen one were not needed to decide: left out, so that the
            // agreed state stays small.
            if let last = candidates.lastIndex(where: { $0.finding == .chosen }) {
                candidates.removeSubrange((last + 1)...)
            }
            return PlacementDecision(rule: rule, candidates: candidates)
        }
        if group.policy == .concurrent {
            return GroupPlacement(
                nodes: eligible,
                reason: eligible.isEmpty
                    ? "concurrent: no participating node is eligible"
                    : "concurrent: online on every eligible node of \(list(group.nodes))",
                decision: decided("concurrent: online on every eligible node", chosen: eligible) { _ in .lowerPriority }
            )
        }
        if let chosen = state.admin.sticky[group.name], eligible.contains(chosen) {
            return GroupPlacement(
                nodes: [chosen], reason: "moved to \(chosen) by an administrator (sticky)",
                decision: decided("moved by an administrator (sticky)", chosen: [chosen]) { _ in
                    .passedOver("an administrator moved the group to \(chosen)")
                })
        }
        guard let first = eligible.first else {
            return GroupPlacement(
                nodes: [],
                reason: "no eligible node among \(list(group.nodes))\(whyNot(group, config: config, state: state))",
                decision: decided("no eligible node", chosen: []) { _ in .lowerPriority })
        }
        switch group.policy {
        case .cascading:
            var placement = cascading(group, eligible: eligible, first: first, state: state)
            placement.decision =
                placement.nodes.isEmpty
                ? decided("inactive takeover is off: waiting for \(group.nodes[0]) to come up once", chosen: []) { _ in
                    .passedOver("inactive takeover is off")
                }
                : decided("cascading: the highest-priority eligible node", chosen: placement.nodes) { _ in
                    .lowerPriority
                }
            return placement
        case .rotating:
            var placement = rotating(group, eligible: eligible, state: state, load: rotatingLoad)
            let chosen = placement.nodes[0]
            if state.placement[group.name]?.nodes.first == chosen {
                placement.decision = decided("rotating: stays where it is (no fallback)", chosen: [chosen]) { _ in
                    .passedOver("rotating groups do not fall back; it stays on \(chosen)")
                }
            } else {
                placement.decision = decided(
                    "rotating: the first eligible node with the fewest rotating groups", chosen: [chosen]
                ) { node in
                    (rotatingLoad[node] ?? 0) > (rotatingLoad[chosen] ?? 0)
                        ? .passedOver(
                            "holds \(rotatingLoad[node] ?? 0) rotating groups, \(chosen) \(rotatingLoad[chosen] ?? 0)")
                        : .lowerPriority
                }
            }
            return placement
        case .concurrent:
            preconditionFailure("concurrent groups are placed above")
        }
    }

    /// A group held offline by an administrator's or a stop's rule (the reason, unless told): no
    /// candidates are looked at.
    private static func offline(_ reason: String, rule: String? = nil) -> GroupPlacement {
        GroupPlacement(nodes: [], reason: reason, decision: PlacementDecision(rule: rule ?? reason, candidates: []))
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
            switch PlacementDecision.Finding.eligibility(of: node, for: group, config: config, state: state) {
            case .notUp: "\(node) down"
            case .disconnected: "\(node) DISCONNECTED"
            case .failedHere: "\(node) failed it"
            case .lostNetworks(let missing): "\(node) lost \(missing.joined(separator: ", "))"
            default: "\(node) lost "
            }
        }
        return ": " + reasons.joined(separator: ", ")
    }

    private static func list(_ nodes: [String]) -> String { "[" + nodes.joined(separator: ", ") + "]" }
}
