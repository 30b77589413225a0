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
    /// When heartbeats through others last went.
    var lastRelayedBeat: Moment?
    /// When each peer that reaches this node only through others last got an answer at once.
    private var lastUrgentAnswers: [String: Moment] = [:]

    /// Whether `peer`, which asked through the relays for an echo at once, gets its answer now: not
    /// when it got one within `every` (the answer it got carries a fresh echo already). Notes it.
    mutating func mayAnswerUrgently(_ peer: String, every: Duration, at now: Moment) -> Bool {
        if let last = lastUrgentAnswers[peer], now - last < every { return false }
        lastUrgentAnswers[peer] = now
        return true
    }

    /// Notes a report of `member`'s `incarnation`. It replaces what the member's acceptance of an
    /// earlier proposal said it hears: kept beside the newer reports, an acceptance named a node
    /// that crashed a moment after it for two report intervals, and a coordinator that had just
    /// started again saw the crash 1.6 s late, not 0.6 s (`StaleClaimTests`).
    mutating func reportArrived(from member: String, incarnation: UInt64, at now: Moment) {
        reportArrivals[member] = now
        if acceptedSights[member]?.incarnation == incarnation { acceptedSights[member] = nil }
    }

    /// What each member that accepted a proposal of this node's said it hears, with its
    /// incarnation and when the acceptance arrived: a proposer that coordinates no view (or an
    /// older one, whose reports are stale) learns whom the members reach from these.
    private(set) var acceptedSights: [String: (incarnation: UInt64, topology: TopologyReport, at: Moment)] = [:]

    mutating func accepted(_ report: MemberReport, from member: String, at now: Moment) {
        acceptedSights[member] = (report.incarnation, report.topology, now)
    }

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
