import VigilCore
import VigilModel

/// Explores a configuration's state-transition diagram in the simulator, with the real core
/// deciding: starts every node (the steady state), then from that state injects every single fault
/// of the `FaultCatalogue` and undoes it, one after the other. Where undoing a fault leaves the
/// cluster healthy (every node up, every adapter working) but the groups elsewhere — a rotating
/// group does not fall back —, that placement is a state of its own, and every fault is explored
/// from it too (up to `stateLimit` states). Between faults the explorer brings the cluster back to
/// the state it explores from, with cases of their own (`rg move`, a start).
///
/// The walk is one sequence of cases, each run exactly as `PlanRunner` runs a case (its actions,
/// `settle` of virtual time, the check, its `after` actions and another `settle`), on a simulator
/// made as `PlanRunner` makes it with the same seed: so the plan written from the transitions,
/// re-run from scratch by `vigil sim run`, sees the same cluster at every step.
public final class TransitionExplorer {
    public let config: ClusterConfig
    /// Virtual time each case lets the cluster work before its check.
    public let settle: Duration
    /// The most states faults are explored from. Each costs about a case per fault and two per
    /// undo; eight covers a rotating group over eight nodes, and keeps scream's plan to seconds.
    public let stateLimit: Int
    public let scope: Scope
    /// Which faults of the catalogue are explored (all unless told).
    private let selected: @Sendable (SingleFault) -> Bool
    private let simulator: Simulator
    private let nodes: [String]
    private var transitions: [Transition] = []
    private var progress: (Transition) -> Void = { _ in }
    /// States whose exploration stopped short, and why.
    private var abandoned: [String] = []

    /// Which faults are explored from which states.
    public enum Scope: Sendable, Equatable {
        /// Every fault of the catalogue and every move, from every healthy state reached (`vigil plan --out`).
        case everyFaultFromEveryState
        /// Component failures (`SingleFault.isComponentFailure`) from the steady state only
        /// (`vigil plan --single-failures`).
        case componentFailuresFromSteadyState
    }

    public init(
        config: ClusterConfig, settle: Duration = .seconds(10), seed: UInt64 = 1, stateLimit: Int = 8,
        scope: Scope = .everyFaultFromEveryState,
        only selected: @escaping @Sendable (SingleFault) -> Bool = { _ in true }
    ) {
        self.selected = selected
        precondition(stateLimit >= 1, "the explorer needs at least the steady state, not \(stateLimit)")
        self.config = config
        self.settle = settle
        self.scope = scope
        self.stateLimit = scope == .everyFaultFromEveryState ? stateLimit : 1
        self.nodes = config.nodes.map(\.name)
        self.simulator =
            PlanRunner(config: config, plan: TestPlan(name: "explore", settle: settle, cases: []), seed: seed)
            .simulator
    }

    /// Runs the whole walk and returns its cases in order. `progress` is told each case as it ends.
    /// Once per explorer: its simulator has run the walk.
    public func explore(progress: @escaping (Transition) -> Void = { _ in }) -> Exploration {
        precondition(transitions.isEmpty, "an explorer explores once; it has run \(transitions.count) cases")
        self.progress = progress
        let steady = run(.startCluster, "start cluster services on every node", [.start(nodes)])
        var states = [steady.result]
        var next = 0
        while next < states.count && next < stateLimit {
            let state = states[next]
            next += 1
            let faults =
                scope == .everyFaultFromEveryState
                ? FaultCatalogue.faults(of: config) + FaultCatalogue.moves(of: config, from: state)
                : FaultCatalogue.faults(of: config).filter(\.isComponentFailure)
            for fault in faults where selected(fault) {
                guard restore(to: state) else {
                    abandoned.append(
                        "could not bring the cluster back to \(state.description(nodes: nodes)) (it is "
                            + "\(placement().description(nodes: nodes))): faults from there from \(fault.name) on "
                            + "not explored")
                    break
                }
                run(.fault, fault.name, fault.inject, fault: fault)
                run(.undo, "undo \(fault.name)", fault.undo, after: fault.tidy, fault: fault)
                startStoppedNodes()
                let reached = placement()
                if !states.contains(reached) { states.append(reached) }
            }
        }
        _ = restore(to: steady.result)
        run(.stopCluster, "stop cluster services on every node", [.stop(nodes, mode: "graceful")])
        return Exploration(
            config: config, settle: settle, transitions: transitions, steady: steady.result,
            unexplored: states.count - min(states.count, stateLimit), abandoned: abandoned)
    }

    // MARK: Cases

    /// Runs one case as `PlanRunner` does and records it.
    @discardableResult
    private func run(
        _ role: Transition.Role, _ name: String, _ actions: [PlanAction], after: [PlanAction] = [],
        fault: SingleFault? = nil
    ) -> Transition {
        let before = placement()
        let addressesBefore = role == .startCluster ? [:] : serviceAddresses()
        let logStart = simulator.clusterLog.count
        let hostLogStart = nodes.map { simulator.hosts[$0]?.log.count ?? 0 }
        let violationsBefore = simulator.violations.count
        var problems = actions.compactMap { PlanActions.apply($0, to: simulator) }
        simulator.run(for: settle)
        let result = placement()
        let addresses = serviceAddresses().filter { addressesBefore[$0.key] != $0.value }
        var events: [String] = []
        for line in simulator.clusterLog.dropFirst(logStart).map(\.text)
        where line.hasPrefix("EVENT START:") && !events.contains(line) {
            events.append(line)
        }
        let lost = lostGroups(before: before, after: result, quorumLost: nodesThatLostQuorum(since: hostLogStart))
        problems += simulator.violations.dropFirst(violationsBefore).map { "invariant broken: \($0)" }
        problems += after.compactMap { PlanActions.apply($0, to: simulator) }
        if !after.isEmpty { simulator.run(for: settle) }
        let transition = Transition(
            role: role, name: name, actions: actions, after: after, before: before, result: result,
            addresses: addresses, events: events, lostGroups: lost, fault: fault, problems: problems)
        transitions.append(transition)
        progress(transition)
        return transition
    }

    /// Starts the nodes whose cluster services are not running (a node that halted itself, or one a
    /// fault left stopped), in one case.
    private func startStoppedNodes() {
        let stopped = nodes.filter { simulator.hosts[$0]?.core == nil }
        guard !stopped.isEmpty else { return }
        run(.restore, "start \(stopped.joined(separator: ", ")) again", [.start(stopped)])
    }

    /// Brings the cluster back to `target`: stopped nodes started, groups moved where `target` has
    /// them (and their stickiness cleared). Whether it got there.
    private func restore(to target: ClusterPlacement) -> Bool {
        startStoppedNodes()
        for group in config.resourceGroups where placement() != target {
            let wanted = target.holders(of: group.name, among: nodes)
            guard !wanted.isEmpty, wanted != placement().holders(of: group.name, among: nodes) else { continue }
            if group.policy == .concurrent || wanted.count > 1 {
                run(.restore, "bring \(group.name) online again", [.online(group: group.name)])
            } else {
                run(
                    .restore, "move \(group.name) back to \(wanted[0])", [.move(group: group.name, node: wanted[0])],
                    after: [.online(group: group.name)])
            }
        }
        return placement() == target
    }

    // MARK: Observations

    private func placement() -> ClusterPlacement { ClusterPlacement(simulator.onlineGroups()) }

    /// Where each group's service address is: label -> `node/adapter`.
    private func serviceAddresses() -> [String: String] {
        let labels = Set(config.resourceGroups.flatMap(\.serviceAddresses))
        var result: [String: String] = [:]
        for node in nodes {
            for (label, adapter) in simulator.hosts[node]?.resources.addresses ?? [:] where labels.contains(label) {
                result[label] = "\(node)/\(adapter)"
            }
        }
        return result
    }

    /// Groups online in `before` and nowhere in `after`, with the reason: the nodes that lost quorum
    /// in the case, else the placement a running node agreed.
    private func lostGroups(before: ClusterPlacement, after: ClusterPlacement, quorumLost: [String])
        -> [String: String]
    {
        let agreed = nodes.compactMap { simulator.hosts[$0]?.core?.installed }.max { $0.epoch < $1.epoch }
        var lost: [String: String] = [:]
        for group in config.resourceGroups.map(\.name) where before.isOnline(group) && !after.isOnline(group) {
            if !quorumLost.isEmpty {
                let majority =
                    config.quorum == .majority
                    ? "; a majority of \(nodes.count) nodes is \(nodes.count / 2 + 1)" : ""
                let policy = "policy \(config.quorum.rawValue)\(majority)"
                lost[group] = "no quorum: \(quorumLost.joined(separator: ", ")) lost it (\(policy))"
            } else {
                lost[group] = agreed?.placement[group]?.reason ?? "no running node is in a view"
            }
        }
        return lost
    }

    /// The nodes whose log says, since `start` (each node's log length then), that they lost quorum.
    private func nodesThatLostQuorum(since start: [Int]) -> [String] {
        zip(nodes, start).compactMap { node, from in
            let lines = (simulator.hosts[node]?.log ?? []).dropFirst(from)
            return lines.contains { $0.text.hasPrefix("\(node) lost quorum") } ? node : nil
        }
    }
}

/// What an exploration found: its cases in order, and the steady state.
public struct Exploration: Sendable {
    public var config: ClusterConfig
    public var settle: Duration
    public var transitions: [Transition]
    /// The placement after every node started.
    public var steady: ClusterPlacement
    /// Healthy states reached but not explored, past the explorer's limit.
    public var unexplored: Int
    /// Explorations that stopped short: the cluster could not be brought back to the state.
    public var abandoned: [String]

    /// The problems of every case, as `case N (name): problem`.
    public var problems: [String] {
        transitions.enumerated().flatMap { index, transition in
            transition.problems.map { "case \(index + 1) (\(transition.name)): \($0)" }
        }
    }
}
