import VigilModel

/// One fault `vigil plan` explores from a state: the actions that inject it, those that undo it,
/// and what it hits, as the single-points-of-failure report names it.
public struct SingleFault: Sendable, Equatable {
    /// What kind of fault it is.
    public enum Kind: Sendable, Equatable {
        /// A node crashes (undone by starting it).
        case nodeCrash
        /// An administrator stops a node's cluster services with takeover (undone by starting it).
        case nodeStopWithTakeover
        /// One adapter of a node fails (undone by its repair). When it is the node's only adapter on
        /// its network, this is also the loss of the network on that node.
        case adapter
        /// Every adapter of a node on one network fails (undone by their repair).
        case networkOnNode
        /// A network is lost on every node (a switch or cable that everything hangs off).
        case networkEverywhere
        /// An administrator moves a group to another node (undone by moving it back).
        case move
    }

    public var kind: Kind
    /// What the fault hits: `node ghost1`, `network ether on ghost1`, `adapter tr1 on ghost3 (token)`,
    /// `network ether on every node`, `group IP4`.
    public var subject: String
    /// The case's name in the plan: `crash ghost1`, `fail en0 on ghost1 (its only adapter on ether)`.
    public var name: String
    public var inject: [PlanAction]
    public var undo: [PlanAction]
    /// Run after the undo case's check: what restores the administrator's state (a move's stickiness
    /// is cleared by `rg online`).
    public var tidy: [PlanAction] = []

    /// Whether one component's failure makes it (a node, an adapter, a node's link to a network):
    /// the faults the single-points-of-failure report looks at. The loss of a whole network takes
    /// offline every group that needs it by definition; a move is an administrator's choice.
    public var isComponentFailure: Bool {
        switch kind {
        case .nodeCrash, .adapter, .networkOnNode: true
        case .nodeStopWithTakeover, .networkEverywhere, .move: false
        }
    }

    /// The node the fault hits, when it hits one.
    public var node: String? {
        switch inject.first {
        case .crash(let nodes)?, .stop(let nodes, _)?: nodes.first
        case .failInterface(let node, _)?: node
        case .failNetwork(_, let node)?: node
        default: nil
        }
    }

    /// The network the fault takes away from its node (or from every node), when it takes one.
    public var lostNetwork: String?
}
