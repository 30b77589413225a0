import VigilModel

/// A single fault after which a group that was online is online nowhere, and why no other node
/// took it: `SPOF: network ether on ghost1 -> IP4 offline: no other node has ether`.
public struct SinglePointOfFailure: Sendable, Equatable, CustomStringConvertible {
    /// What failed, as `SingleFault.subject` names it.
    public var fault: String
    public var group: String
    public var reason: String

    public var description: String { "SPOF: \(fault) -> \(group) offline: \(reason)" }
}

/// Finds the single points of failure of a configuration: from the steady state, every component
/// failure (a node's crash, an adapter, a node's loss of a network) is injected in the simulator,
/// and every group online before and nowhere after is reported, with the reason.
///
/// The loss of a whole network on every node and an administrator's moves are left out: the first
/// takes offline every group that needs the network by definition, the second is a choice.
public enum SinglePointsOfFailure {
    /// The explorer's walk for the report: component failures from the steady state only.
    public static func explore(_ config: ClusterConfig, settle: Duration = .seconds(10)) -> Exploration {
        TransitionExplorer(config: config, settle: settle, scope: .componentFailuresFromSteadyState).explore()
    }

    /// The single points of failure the exploration's faults from the steady state show, in the
    /// order they were injected, groups in configured order.
    public static func find(in exploration: Exploration) -> [SinglePointOfFailure] {
        let config = exploration.config
        var found: [SinglePointOfFailure] = []
        for transition in exploration.transitions where transition.role == .fault {
            guard let fault = transition.fault, fault.isComponentFailure, transition.before == exploration.steady
            else { continue }
            for group in config.resourceGroups {
                guard let agreed = transition.lostGroups[group.name] else { continue }
                found.append(
                    SinglePointOfFailure(
                        fault: fault.subject, group: group.name,
                        reason: reason(group, fault, config: config) ?? agreed))
            }
        }
        return found
    }

    /// The component failures the exploration injected from the steady state.
    public static func checkedFaults(in exploration: Exploration) -> Int {
        exploration.transitions.filter {
            $0.role == .fault && ($0.fault?.isComponentFailure ?? false) && $0.before == exploration.steady
        }.count
    }

    /// The reason the configuration alone gives, when it gives one: no other node of the group has
    /// the network the fault took away, or the group has no other node at all.
    static func reason(_ group: ResourceGroup, _ fault: SingleFault, config: ClusterConfig) -> String? {
        guard let node = fault.node else { return nil }
        let others = group.nodes.filter { $0 != node }
        if others.isEmpty { return "\(node) is its only node" }
        if let network = fault.lostNetwork, config.requiredNetworks(of: group).contains(network),
            !others.contains(where: { config.node(named: $0)?.networks.contains(network) ?? false })
        {
            return "no other node has \(network)"
        }
        return nil
    }
}
