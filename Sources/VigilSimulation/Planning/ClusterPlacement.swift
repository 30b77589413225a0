import VigilModel

/// Where the resource groups are online: a state of the state-transition diagram (the seed's "state
/// before" and "state after" columns of Table 12). Two placements are equal when every node holds
/// the same groups.
public struct ClusterPlacement: Sendable, Hashable {
    /// The groups each node holds ONLINE, in configured group order; nodes holding none are left out.
    public private(set) var groups: [String: [String]]

    /// `groups` as `Simulator.onlineGroups()` gives it; empty lists are dropped.
    public init(_ groups: [String: [String]]) {
        self.groups = groups.filter { !$0.value.isEmpty }
    }

    /// No group online anywhere (before the first start, after the last stop).
    public static let nothingOnline = ClusterPlacement([:])

    /// The nodes holding `group`, in `nodes` order.
    public func holders(of group: String, among nodes: [String]) -> [String] {
        nodes.filter { groups[$0]?.contains(group) ?? false }
    }

    /// Whether `group` is online on some node.
    public func isOnline(_ group: String) -> Bool { groups.values.contains { $0.contains(group) } }

    /// As the seed writes it, every node of `nodes` in order: `ghost1: CH1, IP4 | ghost2: CH1 | ghost3: ---`.
    public func description(nodes: [String]) -> String {
        nodes.map { node in
            let held = groups[node] ?? []
            return "\(node): \(held.isEmpty ? "---" : held.joined(separator: ", "))"
        }.joined(separator: " | ")
    }
}
