import VigilModel

/// One case of an exploration, as it really ran in the simulator: the placement it started from,
/// what it did, the placement the real core produced, and what the cluster log said.
public struct Transition: Sendable, Equatable {
    /// Why the case is in the plan.
    public enum Role: Sendable, Equatable {
        /// Cluster services start on every node: the steady state.
        case startCluster
        /// A fault is injected.
        case fault
        /// The fault is undone (a node started again, an adapter repaired, a group moved back).
        case undo
        /// The explorer brings the cluster back to the state it explores from (a rotating group
        /// that did not fall back is moved, a node halted by its own protection is started).
        case restore
        /// Cluster services stop on every node, gracefully.
        case stopCluster
    }

    public var role: Role
    /// The case's name in the plan.
    public var name: String
    public var actions: [PlanAction]
    /// Actions run after the check (a moved group's stickiness cleared).
    public var after: [PlanAction]
    public var before: ClusterPlacement
    public var result: ClusterPlacement
    /// Where the service addresses of groups are afterwards (label -> `node/adapter`): every one in
    /// the first case, those that moved in the others.
    public var addresses: [String: String]
    /// The events the case started, in order, as the cluster log says: `EVENT START: node_down ghost1`.
    public var events: [String]
    /// Groups online before and offline afterwards, with the reason the agreed placement gives.
    public var lostGroups: [String: String]
    /// The fault injected or undone, for `.fault` and `.undo` cases.
    public var fault: SingleFault?
    /// What went wrong while the case ran (an action refused, an invariant broken): empty when nothing.
    public var problems: [String]

    /// The seed's "Command, Reason; Initiator": `crash ghost1; a failure`, `rg move IP4 ghost1; the administrator`.
    public var action: String {
        let command = actions.map(\.description).joined(separator: "; ")
        switch role {
        case .fault where fault?.kind == .move || fault?.kind == .nodeStopWithTakeover:
            return "\(command); the administrator"
        case .fault: return "\(command); a failure"
        case .undo where fault?.kind == .nodeCrash || fault?.kind == .nodeStopWithTakeover || fault?.kind == .move:
            return "\(command); the administrator"
        case .undo: return "\(command); a repair"
        case .startCluster, .restore, .stopCluster: return "\(command); the administrator"
        }
    }

    /// The edge label of the diagram: the event without its initiator.
    public var event: String { actions.map(\.description).joined(separator: "; ") }
}
