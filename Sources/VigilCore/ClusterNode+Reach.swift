import VigilModel

/// Connectivity as a graph, not a clique: a node reaches its neighbours (the peers it hears on
/// any path) directly, and the others through them. Each heartbeat names the sender's neighbours
/// (`Heartbeat.links`), so every node knows its neighbours' neighbours; the coordinator also knows
/// whom each member hears from its reports. A message for a node that is not a neighbour goes as a
/// `Relay` to the neighbour on a shortest known path, and on from there; a node that knows no path
/// sends it back the way the addressee's last message came (`PathKnowledge`). So a member that some
/// nodes reach only through others (IP networks split while a disk or serial path joins the
/// halves, one-way loss, a partial partition) stays a member, and a node leaves the view only when
/// no path to it is left.
extension ClusterNode {
    /// The nodes this node can exchange messages with now, itself included: every node connected
    /// to it in the graph it knows.
    ///
    /// A node outside the installed view counts only on evidence of its own: heard directly, or its
    /// relayed heartbeats (which a live node reached only through others sends every interval)
    /// within the IP detection time. Others' claims alone lag: a neighbour names a node that just
    /// crashed in its links until its own detection runs out, up to an interval after this node's,
    /// and the coordinator that had just left the crashed node out proposed it back at once and
    /// waited a second for its answer (seen on the test bed: a 1.3 s failover with `preset: fast`).
    func reachable(at now: Moment) -> Set<String> {
        let direct = topology.reachablePeers(at: now)
        // The usual case, and the cheap one: every node is a neighbour.
        if direct.count + 1 == config.nodes.count || !rules.membershipFollowsGraph { return direct.union([me]) }
        let component = knownGraph(direct: direct, at: now).component(from: me)
        guard let installed else { return component }
        let recent = config.largestIPDetectionTime
        return component.filter { node in
            node == me || direct.contains(node) || installed.members[node] != nil
                || topology.lastHeard(node).map { now - $0 <= recent } ?? false
        }
    }

    /// The member state of `node` as this node sees it (the ASE's Host Status,
    /// `LocalTopology.memberState`), where a member of the installed view that this node does not
    /// hear itself but reaches through others is UP: in a large view a node heartbeats only its
    /// ring (`MonitorRing`).
    public func memberState(of node: String, at now: Moment) -> MemberState {
        let seen = topology.memberState(of: node, at: now)
        guard seen == .down, node != me, installed?.members[node] != nil, reachable(at: now).contains(node) else {
            return seen
        }
        return .up
    }

    /// The neighbour to hand a message for `target` to: the first hop of a shortest known path
    /// that passes through none of `avoiding`, else the way back of the latest message relayed
    /// from `target`. `nil` when neither exists.
    func nextHop(to target: String, avoiding: Set<String>, at now: Moment) -> String? {
        guard rules.membershipFollowsGraph else { return nil }
        let sendable = topology.sendablePeers(at: now)
        let hops = firstHops(avoiding: avoiding, sendable: sendable, at: now)
        return hop(to: target, in: hops, sendable: sendable, avoiding: avoiding)
    }

    /// The first hop to `target` in `hops` (`firstHops`), else the way back of the latest message
    /// relayed from it, when that neighbour hears this node and is not to be avoided.
    private func hop(to target: String, in hops: [String: String], sendable: Set<String>, avoiding: Set<String>)
        -> String?
    {
        if let hop = hops[target] { return hop }
        if let back = paths.wayBack(to: target), sendable.contains(back), !avoiding.contains(back) { return back }
        return nil
    }

    /// For every node this node knows a path to, through none of `avoiding`: the neighbour that
    /// hears this node (`sendable`) on a shortest such path. Breadth first, in configured order,
    /// so that every node picks the same hops from the same knowledge; one pass serves every
    /// target (relayed heartbeats go to many at once).
    func firstHops(avoiding: Set<String>, sendable: Set<String>, at now: Moment) -> [String: String] {
        let graph = knownGraph(direct: topology.reachablePeers(at: now), at: now)
        let names = graph.names
        let myRank = graph.rank(of: me)
        var firstHop: [String: String] = [:]
        var hopOf = Array(repeating: -1, count: names.count)
        var blocked = Array(repeating: false, count: names.count)
        for name in avoiding { if let rank = graph.rank(of: name) { blocked[rank] = true } }
        if let myRank { blocked[myRank] = true }
        var frontier: [Int] = []
        for (rank, node) in names.enumerated() where sendable.contains(node) && !blocked[rank] {
            hopOf[rank] = rank
            frontier.append(rank)
        }
        // A node that several nodes of one level reach takes the first hop of the lowest-ranked.
        while !frontier.isEmpty {
            var next: [Int] = []
            for node in frontier {
                for peer in graph.heard(by: node) where hopOf[peer] < 0 && !blocked[peer] {
                    hopOf[peer] = hopOf[node]
                    next.append(peer)
                }
            }
            frontier = next
        }
        for (rank, hop) in hopOf.enumerated() where hop >= 0 { firstHop[names[rank]] = names[hop] }
        return firstHop
    }

    /// What this node knows of who hears whom: the nodes it hears itself, the nodes each neighbour
    /// named in its latest heartbeat, and, while it coordinates, the nodes each member's latest
    /// report says it hears. A claim is followed only from a node already reached (`reachable`
    /// walks from this node): the last report of a member that crashed names peers it no longer
    /// hears, but nothing leads to it any more once its own peers stopped hearing it.
    private func knownGraph(direct: Set<String>, at now: Moment) -> HearingGraph {
        var graph = HearingGraph(config: config)
        graph.add(me, hears: direct)
        for peer in direct {
            if let mask = topology.linkMask(of: peer, at: now) { graph.add(peer, hears: mask) }
        }
        // Reports say what a member heard within each network's own detection time: a serial
        // link's is longer than its use for messages allows (`LocalTopology.reachablePeers`), so
        // serial links count from heartbeats only.
        // Only a report of the member's current incarnation that arrived lately counts: a node
        // that crashed and started again, or that has gone quiet, does not speak for its past.
        for (member, report) in coordination?.reports ?? [:] where member != me {
            guard report.incarnation == knownIncarnation(of: member),
                let arrived = paths.reportArrivals[member], now - arrived <= Self.reportClaimLifetime
            else { continue }
            addClaims(of: member, report.topology, to: &graph)
        }
        // So do the reports in acceptances of this node's proposals, while as recent and until a
        // report of the member replaces them (`PathKnowledge.reportArrived`).
        for (member, sight) in paths.acceptedSights where member != me {
            guard sight.incarnation == knownIncarnation(of: member), now - sight.at <= Self.reportClaimLifetime
            else { continue }
            addClaims(of: member, sight.topology, to: &graph)
        }
        return graph
    }

    private func addClaims(of member: String, _ topology: TopologyReport, to graph: inout HearingGraph) {
        for (network, sight) in topology.networks where carriesReportedMessages(network) {
            graph.add(member, hears: sight.heard.lazy.filter { $0 != member })
        }
    }

    /// How long a member's report speaks for whom it hears: two report intervals (a member reports
    /// at least once an interval, at once when what it hears changes).
    static let reportClaimLifetime = MemberReporter.interval * 2

    private func carriesReportedMessages(_ network: String) -> Bool {
        config.network(named: network).map { $0.isIP || $0.isSharedDisk } ?? false
    }

    /// The incarnation of `node` as far as this node knows: heard directly, else relayed, else
    /// the installed view's; 0 when it knows none (a proposal then takes whichever incarnation
    /// accepts it, see `Membership.PendingProposal`).
    func knownIncarnation(of node: String) -> UInt64 {
        if node == me { return incarnation }
        let direct = topology.incarnation(of: node)
        let relayed = paths.incarnations[node]
        if direct != nil || relayed != nil { return max(direct ?? 0, relayed ?? 0) }
        return installed?.members[node] ?? 0
    }

    /// A message that came through a relay: delivered here if it is for this node, else handed to
    /// the next hop (dropped when there is none, or when it has gone too far).
    mutating func onRelay(_ relay: Relay, from sender: String, at now: Moment) {
        let inner = relay.inner
        let trail = relay.trail
        guard inner.clusterID == config.id, inner.protocolVersion == vigilProtocolVersion,
            config.node(named: inner.from) != nil, config.node(named: inner.to) != nil, inner.from != me,
            trail.first == inner.from, trail.last == sender, trail.count <= Relay.maximumHops,
            Set(trail).count == trail.count, !trail.contains(me), trail.allSatisfy({ config.node(named: $0) != nil })
        else { return }
        switch inner.message {
        case .relay, .services, .servicesDone, .config: return
        default: break
        }
        guard inner.to == me else {
            guard trail.count < Relay.maximumHops, let hop = nextHop(to: inner.to, avoiding: Set(trail), at: now)
            else { return }
            send(envelope(.relay(Relay(inner: inner, trail: trail + [me])), to: hop, on: networkTo(hop, at: now)))
            return
        }
        if let known = topology.incarnation(of: inner.from), known > inner.incarnation { return }
        if let known = paths.incarnations[inner.from], known > inner.incarnation { return }
        paths.learn(trail: trail, incarnation: inner.incarnation)
        if case .heartbeat(let beat) = inner.message {
            topology.heardRelayed(from: inner.from, incarnation: inner.incarnation, heartbeat: beat, at: now)
            if beat.urgent { answerUrgentRelayedBeat(from: inner.from, cameThrough: sender, at: now) }
            return
        }
        handle(inner, at: now)
    }

    /// Heartbeats, every IP heartbeat interval, to the nodes this node reaches only through others
    /// (or that do not hear it directly):
    /// their stamps and echoes keep leases confirmed across a partial partition (a node whose
    /// neighbours alone are no quorum is still confirmed by the others, through them). Why this is
    /// as safe as a direct heartbeat: the node that echoes a relayed stamp records when it got it
    /// (`LocalTopology.heardRelayed`), no earlier than the stamp was made, and a coordinator that
    /// leaves the stamp's sender out waits `takeoverWait` after the latest such moment.
    ///
    /// A node whose confirmation is getting old (`urgency`) asks through the relays too, as it does
    /// directly: its relayed heartbeats ask for an answer at once, and with `askAtOnce` they go
    /// every urgent interval, also to the neighbours whose echoes are late, through the others. A
    /// path cut a moment ago is still believed until its detection time runs out, longer than the
    /// trip interval: a node cut on IP from two of three peers lost its lease in that window,
    /// waiting for echoes that could only come through the others (seen on the test bed).
    mutating func relayedBeats(at now: Moment, urgency: ConfirmationUrgency = .none) -> [Envelope] {
        guard rules.membershipFollowsGraph else { return [] }
        if urgency == .askAtOnce, let next = paths.nextRelayedBeat {
            paths.nextRelayedBeat = min(next, paths.lastRelayedBeat.map { $0 + topology.urgentInterval } ?? now)
        }
        guard paths.nextRelayedBeat.map({ now >= $0 }) ?? true else { return [] }
        // Also to a neighbour heard only one way: it does not hear this node's own heartbeats.
        let sendable = topology.sendablePeers(at: now)
        // In a ring, only to the peers this node watches (`MonitorRing`): its lease needs its
        // coordinator's echoes, not everyone's. At rest it hears them all, and the graph walk
        // (`reachable`) is skipped.
        let ring = monitorRing(at: now)
        let watchedUnheard =
            ring.isAllToAll
            || config.nodes.contains { $0.name != me && ring.watches($0.name) && !sendable.contains($0.name) }
        let indirect =
            watchedUnheard
            ? reachable(at: now).subtracting(sendable).subtracting([me]).filter { ring.watches($0) } : []
        var targets: [String: String] = [:]
        if !indirect.isEmpty {
            let hops = firstHops(avoiding: [], sendable: sendable, at: now)
            for peer in indirect {
                if let hop = hop(to: peer, in: hops, sendable: sendable, avoiding: []) { targets[peer] = hop }
            }
        }
        if urgency == .askAtOnce {
            // Through the neighbours that keep their schedule: a late one may be cut from here too.
            let late = lateNeighbours(sendable: sendable, ring: ring, at: now)
            if !late.isEmpty {
                let around = firstHops(avoiding: [], sendable: sendable.subtracting(late), at: now)
                for peer in late where targets[peer] == nil { targets[peer] = around[peer] }
            }
        }
        guard !targets.isEmpty else {
            paths.nextRelayedBeat = nil
            return []
        }
        let interval = urgency == .askAtOnce ? topology.urgentInterval : config.largestIPHeartbeatInterval
        paths.nextRelayedBeat = now + interval
        paths.lastRelayedBeat = now
        let grantees = grantees(at: now)
        var envelopes: [Envelope] = []
        for peer in config.nodes.map(\.name) {
            guard let hop = targets[peer] else { continue }
            envelopes.append(
                relayedBeat(to: peer, via: hop, urgent: urgency != .none, grants: grantees.contains(peer), at: now))
        }
        return envelopes
    }

    /// The neighbours (that this node's ring watches) that look cut although still believed: none
    /// of their echoes is newer than the confirmation a quorum gives this node now, and none of
    /// their heartbeats came directly within an IP heartbeat interval (a neighbour that answers
    /// is only behind, as every peer is for a moment after a new view). The others' echoes, newer,
    /// show paths that work.
    private func lateNeighbours(sendable: Set<String>, ring: MonitorRing, at now: Moment) -> Set<String> {
        let views = Set(membership.memberViews)
        let until = confirmedUntil(in: views, at: now)
        let interval = config.largestIPHeartbeatInterval
        return sendable.filter { peer in
            guard ring.watches(peer), topology.lastHeardDirectly(peer).map({ now - $0 > interval }) ?? true else {
                return false
            }
            guard let until, let echo = topology.newestEcho(from: peer, in: views) else { return true }
            return echo <= until
        }
    }

    /// A peer asked through others for an echo at once: one heartbeat goes back to it now, through
    /// the neighbour that handed its request over (the way that just worked; this node may still
    /// believe a direct path the peer found cut), at most one per half urgent interval (as direct
    /// answers, `LocalTopology.urgentReplyBeats`).
    private mutating func answerUrgentRelayedBeat(from peer: String, cameThrough neighbour: String, at now: Moment) {
        guard rules.membershipFollowsGraph, paths.mayAnswerUrgently(peer, every: topology.urgentInterval / 2, at: now)
        else { return }
        let cameBack = topology.sendablePeers(at: now).contains(neighbour)
        guard let hop = cameBack ? neighbour : nextHop(to: peer, avoiding: [], at: now) else { return }
        send(relayedBeat(to: peer, via: hop, urgent: false, grants: grantees(at: now).contains(peer), at: now))
    }

    /// A heartbeat to `peer`, handed to the neighbour `hop` to pass on.
    private func relayedBeat(to peer: String, via hop: String, urgent: Bool, grants: Bool, at now: Moment) -> Envelope {
        let beat = Heartbeat(
            view: membership.committedView, installedEpoch: installed?.epoch ?? 0, stamp: now.sinceOrigin,
            echo: topology.stamp(from: peer), urgent: urgent, hearsYou: false, grants: grants)
        let network = networkTo(hop, at: now)
        let inner = envelope(.heartbeat(beat), to: peer, on: network)
        return envelope(.relay(Relay(inner: inner, trail: [me])), to: hop, on: network)
    }

    /// The network to send on to a neighbour.
    func networkTo(_ peer: String, at now: Moment) -> String {
        topology.route(to: peer, at: now) ?? config.networks.first { $0.isIP }?.name ?? ""
    }
}
