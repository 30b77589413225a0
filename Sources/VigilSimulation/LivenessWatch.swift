import VigilCore
import VigilModel

/// Liveness *during* faults, not only after they heal: while a view with quorum stands (its live
/// members that the coordinator is really joined to, directly or through others, are a quorum), a
/// group that one of those members could hold is online within `bound`. A member could hold a group when
/// it is on the group's list, up and connected in the agreed state, not failed for the group,
/// really running (not paused, not crashed) in the incarnation the view names, not waiting after a
/// lost lease (`LeaseLossBackoff`), and can use every network the group needs; groups an
/// administrator holds, and cascading groups waiting for their first node (inactive takeover), are
/// left out. The clock restarts whenever the view changes.
public struct LivenessWatch: Sendable {
    /// The configuration the cluster runs (its nodes and quorum), as of the last observation.
    private(set) var config: ClusterConfig
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
        config = simulator.activeConfig
        guard let (state, joined) = quorumView(simulator) else {
            view = nil
            offlineSince = [:]
            return
        }
        if state.viewID != view {
            view = state.viewID
            offlineSince = [:]
        }
        // The groups of the version the agreed state runs.
        for group in simulator.invariantChecker.config(of: state).resourceGroups {
            let online = config.nodes.contains { simulator.hosts[$0.name]?.resources.holdsAll(of: group) ?? false }
            let eligible =
                online
                ? [] : eligibleMembers(for: group, in: state, joined: joined, simulator, networkWorks: networkWorks)
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

    /// The installed state of the running coordinator with the highest view whose live members
    /// (up, running in the incarnation the view names, not paused) that it is really joined to
    /// hold quorum: a majority, or half with the tiebreaker's owner among them (any view, without
    /// a quorum policy); with those members.
    private func quorumView(_ simulator: Simulator) -> (state: ClusterState, joined: Set<String>)? {
        var best: (state: ClusterState, joined: Set<String>)?
        for node in config.nodes {
            guard isLive(node.name, simulator), let core = simulator.hosts[node.name]?.core, core.isCoordinator,
                let state = core.installed
            else { continue }
            let live = Set(
                state.members.filter { member, incarnation in
                    isLive(member, simulator) && simulator.hosts[member]?.core?.incarnation == incarnation
                }.keys)
            let joined = component(of: node.name, among: live, simulator)
            guard hasQuorum(joined, simulator) else { continue }
            if best.map({ state.epoch > $0.state.epoch }) ?? true { best = (state, joined) }
        }
        return best
    }

    /// The nodes of `among` that `start` is joined to, in truth, through paths that work both ways
    /// (directly or through others of `among`).
    private func component(of start: String, among: Set<String>, _ simulator: Simulator) -> Set<String> {
        func linked(_ a: String, _ b: String) -> Bool {
            config.networks.contains { network in
                simulator.faults.connects(a, nil, to: b, nil, on: network.name, config: config)
                    && simulator.faults.connects(b, nil, to: a, nil, on: network.name, config: config)
            }
        }
        let nodes = config.nodes.map(\.name).filter { among.contains($0) || $0 == start }
        var graph = HearingGraph(config: config)
        for (index, a) in nodes.enumerated() {
            for b in nodes[(index + 1)...] where linked(a, b) { graph.link(a, b) }
        }
        return graph.component(from: start)
    }

    private func hasQuorum(_ live: Set<String>, _ simulator: Simulator) -> Bool {
        switch config.quorum {
        case .none: return true
        case .majority: return config.hasMajority(live)
        case .disk:
            guard !config.hasMajority(live) else { return true }
            guard config.isHalf(live), let disk = config.tiebreaker, let owner = simulator.tiebreakers[disk]?.owner,
                live.contains(owner), let node = config.node(named: owner)
            else { return false }
            // The owner holds only while it still reaches the disk.
            return node.adapters(on: disk).contains { simulator.faults.isUp($0, of: owner) }
        }
    }

    private func isLive(_ node: String, _ simulator: Simulator) -> Bool {
        guard let host = simulator.hosts[node], host.isUp, host.core?.phase == .running else { return false }
        return host.pausedUntil.map { $0 <= simulator.now } ?? true
    }

    private func eligibleMembers(
        for group: ResourceGroup, in state: ClusterState, joined: Set<String>, _ simulator: Simulator,
        networkWorks: (String, String) -> Bool
    ) -> [String] {
        guard state.admin.held[group.name] == nil, state.admin.unmanaged[group.name] == nil,
            group.inactiveTakeover || group.policy != .cascading || state.primaryHasBeenUp.contains(group.name)
        else { return [] }
        return group.nodes.filter { node in
            guard joined.contains(node), let incarnation = state.members[node], state.up.contains(node),
                !state.disconnected.contains(node),
                !(state.failures[group.name]?.contains(node) ?? false),
                let host = simulator.hosts[node], host.isUp, host.pausedUntil.map({ $0 <= simulator.now }) ?? true,
                host.core?.incarnation == incarnation, host.core?.phase == .running,
                !(host.core?.waitsAfterLeaseLoss(at: simulator.now) ?? false)
            else { return false }
            return config.requiredNetworks(of: group).allSatisfy { networkWorks(node, $0) }
        }
    }
}
