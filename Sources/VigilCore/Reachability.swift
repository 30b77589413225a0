/// Walking a graph of who hears whom: shared by membership (`ClusterNode.reachable`), NETPAR
/// (`Coordination`) and the simulator's liveness rule.
public enum Reachability {
    /// Every node `start` reaches by following `edges` out of nodes already reached, `start`
    /// included. An edge is followed only from a node already reached, so what an unreached node
    /// claims leads nowhere.
    public static func component(from start: String, edges: (String) -> [String]) -> Set<String> {
        var seen: Set<String> = [start]
        var queue = [start]
        while let node = queue.popLast() {
            for next in edges(node) where seen.insert(next).inserted { queue.append(next) }
        }
        return seen
    }
}
