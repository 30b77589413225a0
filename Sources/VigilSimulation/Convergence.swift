import VigilCore
import VigilModel

/// The naive reference for a healed cluster in which every node runs and every network works: one
/// view with every node; each cascading group on its highest-priority node, each rotating group on
/// exactly one of its nodes, each concurrent group on all of its nodes; daemons and hosts agreeing.
/// Deliberately simple, to check `Placement` against.
public enum Convergence {
    /// What is not yet as it should be; empty when the cluster has converged.
    public static func problems(in simulator: Simulator) -> [String] {
        let checker = simulator.invariantChecker
        let config = simulator.activeConfig
        var problems: [String] = []
        let stopped = config.nodes.map(\.name).filter { simulator.hosts[$0]?.core == nil }
        if !stopped.isEmpty { problems.append("not running: \(stopped.joined(separator: ", "))") }
        guard let state = checker.agreedStableState(hosts: simulator.hosts) else {
            return problems + ["no agreed stable state"]
        }
        if state.members.count != config.nodes.count || state.up.count != config.nodes.count {
            problems.append(
                "view \(state.epoch) has \(state.members.keys.sorted().joined(separator: ",")), up "
                    + "\(state.up.sorted().joined(separator: ","))"
            )
        }
        let online = simulator.onlineGroups()
        for group in config.resourceGroups {
            let holders = config.nodes.map(\.name).filter { (online[$0] ?? []).contains(group.name) }
            let truth = config.nodes.map(\.name).filter { simulator.hosts[$0]!.resources.holdsAll(of: group) }
            if holders != truth { problems.append("\(group.name): daemons say \(holders), hosts have \(truth)") }
            switch group.policy {
            case .cascading where holders != [group.nodes[0]]:
                problems.append("\(group.name) should be on \(group.nodes[0]), is on \(holders)")
            case .rotating where holders.count != 1:
                problems.append("\(group.name) should be on one node, is on \(holders)")
            case .concurrent where Set(holders) != Set(group.nodes):
                problems.append("\(group.name) should be on \(group.nodes), is on \(holders)")
            default:
                break
            }
        }
        return problems
    }
}
