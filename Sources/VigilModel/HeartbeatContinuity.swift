/// Whether a configuration change keeps, between every two nodes that stay, a heartbeat path
/// exactly as it was: one network, unchanged, on which both nodes keep the same interfaces.
///
/// Nodes that run different versions for a while (one restarted with the new version, or a
/// reconfiguration under way) hear each other only on such a path; a change that renumbers or
/// replaces every path between two nodes at once would split them, and each would see the other
/// die. Such a change is made in two syncs: the new path added first, the old one removed after.
public enum HeartbeatContinuity {
    /// The pairs of nodes present in both configurations that no unchanged path joins, each pair
    /// in configured order.
    public static func pairsWithoutUnchangedPath(from old: ClusterConfig, to new: ClusterConfig) -> [(String, String)] {
        let staying = old.nodes.map(\.name).filter { new.node(named: $0) != nil }
        let unchanged = old.networks.filter { network in new.network(named: network.name) == network }
        // Per node: the networks on which it keeps the same interfaces (and, on a shared disk, the
        // same slot: a node's slot is its rank in the node list).
        var kept: [String: Set<String>] = [:]
        for name in staying {
            guard let before = old.node(named: name), let after = new.node(named: name) else { continue }
            let sameRank = old.rank(of: name) == new.rank(of: name)
            kept[name] = Set(
                unchanged.filter { network in
                    let was = before.interfaces.filter { $0.network == network.name }
                    return !was.isEmpty && was == after.interfaces.filter { $0.network == network.name }
                        && (sameRank || !network.isSharedDisk)
                }.map(\.name))
        }
        var pairs: [(String, String)] = []
        for (index, first) in staying.enumerated() {
            for second in staying[(index + 1)...]
            where kept[first, default: []].isDisjoint(with: kept[second, default: []]) {
                pairs.append((first, second))
            }
        }
        return pairs
    }

    /// Why the change cannot be made in one sync, or `nil` when every two nodes keep a path.
    public static func refusal(from old: ClusterConfig, to new: ClusterConfig) -> String? {
        let pairs = pairsWithoutUnchangedPath(from: old, to: new)
        guard !pairs.isEmpty else { return nil }
        let named = pairs.prefix(3).map { "\($0.0) and \($0.1)" }.joined(separator: ", ")
        let more = pairs.count > 3 ? " and \(pairs.count - 3) more pairs" : ""
        return "no heartbeat path between \(named)\(more) stays as it is: nodes running the two versions would not "
            + "hear each other; add the new path in one sync and remove the old one in the next"
    }
}
