/// Who may run groups when the cluster splits: a partition keeps (and may take over) groups only
/// while it has quorum; a node that loses quorum releases what it holds.
public enum QuorumPolicy: String, Sendable, Equatable, CaseIterable {
    /// More than half of the configured nodes' votes (one vote per node).
    case majority
    /// A majority, or exactly half of the votes together with the lease on the tiebreaker disk
    /// (`ClusterConfig.tiebreaker`): the side that holds the lease wins, the other releases. What a
    /// two-node cluster needs.
    case disk
    /// No quorum: every partition carries on (the seed's classic behaviour). A cut network can give
    /// a group two owners; `verify` warns.
    case none
}

extension ClusterConfig {
    /// Whether a set of nodes has quorum by votes alone (no tiebreaker).
    public func hasMajority(_ nodes: Set<String>) -> Bool {
        votes(of: nodes) * 2 > self.nodes.count
    }

    /// The fewest nodes that hold a majority of the votes.
    public var majoritySize: Int { nodes.count / 2 + 1 }

    /// Whether a set of nodes is exactly half of the votes (a tie the disk tiebreaker decides).
    public func isHalf(_ nodes: Set<String>) -> Bool {
        votes(of: nodes) * 2 == self.nodes.count
    }

    /// How many nodes of the cluster are in `nodes` (counted without building a set: quorum is
    /// checked on every message a node receives).
    private func votes(of nodes: Set<String>) -> Int {
        self.nodes.reduce(into: 0) { count, node in if nodes.contains(node.name) { count += 1 } }
    }
}
