/// What a node learned about reaching others from the messages it got: the way back to each origin
/// of a relayed message (the last trail one took), the newest incarnation each origin relayed with,
/// and when each member's latest report arrived. Used when
/// the node's own knowledge of the graph (its neighbours and their neighbours) finds no path:
/// a member three hops from its coordinator answers along the way the coordinator reached it.
struct PathKnowledge: Sendable {
    /// The trail of the latest message relayed from each origin (the origin first).
    private(set) var trails: [String: [String]] = [:]
    /// The newest incarnation each origin relayed with.
    private(set) var incarnations: [String: UInt64] = [:]
    /// When a report from each member last arrived here (directly or relayed): the coordinator
    /// follows what a report says a member hears only while it is recent.
    private(set) var reportArrivals: [String: Moment] = [:]

    /// When heartbeats through others are next due (`ClusterNode.relayedBeats`), while any node is
    /// reached only through others.
    var nextRelayedBeat: Moment?

    mutating func reportArrived(from member: String, at now: Moment) { reportArrivals[member] = now }

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
