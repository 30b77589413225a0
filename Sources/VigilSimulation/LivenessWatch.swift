import VigilCore
import VigilModel

/// Liveness *during* faults, not only after they heal: while a view with quorum stands, a group
/// that one of its members could hold is online within `bound`. A member could hold a group when
/// it is on the group's list, up and connected in the agreed state, not failed for the group,
/// really running (not paused, not crashed) in the incarnation the view names, and can use every
/// network the group needs; groups an administrator holds, and cascading groups waiting for their
/// first node (inactive takeover), are left out. The clock restarts whenever the view changes.
public struct LivenessWatch: Sendable {
    let config: ClusterConfig
    let bound: Duration
    private var view: ViewID?
    private var offlineSince: [String: Moment] = [:]
    public private(set) var violations: [Violation] = []

    public init(config: ClusterConfig, bound: Duration) {
        self.config = config
        self.bound = bound
    }

    /// The bound for `config`: detecting a lost node on its slowest path, the takeover wait, and
    /// room for a new view and the group's actions.
    public static func takeoverBound(of config: ClusterConfig) -> Duration {
        let detection = config.networks.map { config.heartbeat(for: $0).detectionTime }.max() ?? .seconds(1)
        return detection + config.takeoverWait + .seconds(5)
    }

    /// Looks at the cluster now; `networkWorks` says, from the simulator's truth, whether a node can
    /// use a network.
    public mutating func observe(_ simulator: Simulator, networkWorks: (String, String) -> Bool) {
        let now = simulator.now
        guard let state = quorumView(simulator) else {
            view = nil
            offlineSince = [:]
            return
        }
        if state.viewID != view {
            view = state.viewID
            offlineSince = [:]
        }
        for group in config.resourceGroups {
            let online = config.nodes.contains { simulator.hosts[$0.name]?.resources.holdsAll(of: group) ?? false }
            let eligible = online ? [] : eligibleMembers(for: group, in: state, simulator, networkWorks: networkWorks)
            guard !eligible.isEmpty else {
                offlineSince[group.name] = nil
                continue
            }
            let since = offlineSince[group.name] ?? now
            offlineSince[group.name] = since
            if now - since > bound {
                violations.append(
                    Violation(
                        time: now,
                        text:
                            "\(group.name) offline for \(DurationText.format(now - since)) in view \(state.viewID) "
                            + "though member \(eligible.joined(separator: ", ")) could hold it "
                            + "(\(state.placement[group.name]?.reason ?? "no placement"))"))
                offlineSince[group.name] = now
            }
        }
    }

    /// The installed state of the running coordinator with the highest view whose members hold
    /// quorum (any view, without a quorum policy).
    private func quorumView(_ simulator: Simulator) -> ClusterState? {
        var best: ClusterState?
        for node in config.nodes {
            guard let host = simulator.hosts[node.name], host.isUp,
                host.pausedUntil.map({ $0 <= simulator.now }) ?? true,
                let core = host.core, core.isCoordinator, let state = core.installed
            else { continue }
            guard config.quorum == .none || config.hasMajority(Set(state.members.keys)) else { continue }
            if best.map({ state.epoch > $0.epoch }) ?? true { best = state }
        }
        return best
    }

    private func eligibleMembers(
        for group: ResourceGroup, in state: ClusterState, _ simulator: Simulator,
        networkWorks: (String, String) -> Bool
    ) -> [String] {
        guard state.admin.held[group.name] == nil, state.admin.unmanaged[group.name] == nil,
            group.inactiveTakeover || group.policy != .cascading || state.primaryHasBeenUp.contains(group.name)
        else { return [] }
        return group.nodes.filter { node in
            guard let incarnation = state.members[node], state.up.contains(node), !state.disconnected.contains(node),
                !(state.failures[group.name]?.contains(node) ?? false),
                let host = simulator.hosts[node], host.isUp, host.pausedUntil.map({ $0 <= simulator.now }) ?? true,
                host.core?.incarnation == incarnation, host.core?.phase == .running
            else { return false }
            return config.requiredNetworks(of: group).allSatisfy { networkWorks(node, $0) }
        }
    }
}
