/// What a node learned from the messages relayed to it: the way back to each origin (the last
/// trail a message from it took), and the newest incarnation each origin relayed with. Used when
/// the node's own knowledge of the graph (its neighbours and their neighbours) finds no path:
/// a member three hops from its coordinator answers along the way the coordinator reached it.
struct RelayRoutes: Sendable {
    /// The trail of the latest message relayed from each origin (the origin first).
    private(set) var trails: [String: [String]] = [:]
    /// The newest incarnation each origin relayed with.
    private(set) var incarnations: [String: UInt64] = [:]

    /// Notes a message relayed from `trail.first` with `incarnation`, handed over by `trail.last`.
    mutating func learn(trail: [String], incarnation: UInt64) {
        guard let origin = trail.first else { return }
        if let known = incarnations[origin], known > incarnation { return }
        incarnations[origin] = incarnation
        trails[origin] = trail
    }

    /// The neighbour the latest message from `origin` came through (the way back to it).
    func wayBack(to origin: String) -> String? { trails[origin]?.last }
}
