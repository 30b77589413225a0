import VigilModel

/// Membership: forming agreed views. The lowest-ranked node a node hears is its coordinator
/// candidate; a candidate proposes a view of every node it hears, and installs it once every
/// proposed member has promised. A member promises only to a proposer ranked no lower than its own
/// candidate, and never to an epoch lower than one it promised before. The state and its rules are
/// `Membership`'s; this is where what the node hears reaches it and what it decides goes out.
extension ClusterNode {
    /// How long a starting node listens before it proposes a view: long enough to hear every
    /// running peer's heartbeats twice.
    var joinWindow: Duration {
        let intervals = config.networks.filter(\.isIP).map { config.heartbeat(for: $0).interval }
        return (intervals.max() ?? .milliseconds(200)) * 2
    }

    /// The lowest-ranked reachable node. When that is the first configured node and this node
    /// hears it (or is it), no graph walk is needed: at rest in a large view every member beats
    /// the coordinator, and this runs at every step.
    func candidate(at now: Moment) -> String {
        let first = config.nodes[0].name
        if first == me || topology.isNeighbour(first, at: now) { return first }
        let reachable = reachable(at: now)
        return config.nodes.first { reachable.contains($0.name) }!.name
    }

    func rank(_ node: String) -> Int { config.rank(of: node) ?? Int.max }

    /// Proposes a new view when this node is the candidate and the installed view is not the one it sees.
    mutating func proposeIfNeeded(at now: Moment) {
        resendProposal(at: now)
        if let pending = membership.proposal, now - pending.sentAt > Membership.proposalTimeout {
            log(
                now, .event,
                "proposal \(pending.epoch) timed out waiting for \(pending.unanswered.joined(separator: ", "))")
            membership.proposal = nil
        }
        guard membership.proposal == nil, leaving == nil || installed != nil, candidate(at: now) == me,
            now - startedAt >= joinWindow || installed != nil
        else { return }
        let reached = reachable(at: now)
        // A member committed to a higher epoch (a proposal that failed) ignores this view's states:
        // only a new view with a higher epoch brings it back.
        let ahead = reached.compactMap { topology.committedEpoch(of: $0) }.max() ?? 0
        membership.saw(epoch: ahead)
        // The coordinator's usual case, at every step: its view is the one it sees (checked
        // without building the members' dictionary).
        if let installed, installed.coordinator == me, installed.members.count == reached.count,
            reached.allSatisfy({ installed.members[$0] == knownIncarnation(of: $0) }),
            membership.promised <= installed.epoch, ahead <= installed.epoch
        {
            return
        }
        let members = Dictionary(uniqueKeysWithValues: reached.map { ($0, knownIncarnation(of: $0)) })
        guard isQuorum(Set(members.keys), at: now) else { return }
        let epoch = membership.nextEpoch
        membership.promise(epoch, to: me, size: members.count)
        let mine = acceptance(of: epoch, at: now)
        membership.proposal = Membership.PendingProposal(
            epoch: epoch, members: members, accepted: [me: mine], sentAt: now, lastResent: now)
        let names = config.nodes.map(\.name).filter { members[$0] != nil }
        log(now, .event, "proposing view \(epoch) with \(names.joined(separator: ", "))")
        for member in members.keys.sorted() where member != me {
            sendOnEveryRoute(to: member, .propose(Proposal(epoch: epoch, coordinator: me, members: members)), at: now)
        }
        installIfAccepted(at: now)
    }

    /// Sends the pending proposal again to the members that have not answered, at most once per
    /// resend interval, so that one lost message does not cost a whole proposal timeout.
    private mutating func resendProposal(at now: Moment) {
        guard let pending = membership.proposal, now - pending.lastResent >= Membership.resendInterval else { return }
        membership.proposal!.lastResent = now
        for member in pending.unanswered {
            let proposal = Proposal(epoch: pending.epoch, coordinator: me, members: pending.members)
            sendOnEveryRoute(to: member, .propose(proposal), at: now)
        }
    }

    mutating func onPropose(_ proposal: Proposal, from sender: String, at now: Moment) {
        membership.saw(epoch: proposal.epoch)
        // A copy of the proposal this node already promised is accepted again, not declined (a
        // decline would make the coordinator drop its own view and propose the next one, over and over).
        if membership.repeats(proposal, from: sender, incarnation: incarnation) {
            send(message(to: sender, .accept(acceptance(of: proposal.epoch, at: now)), at: now))
            return
        }
        let ownCandidate = candidate(at: now)
        guard proposal.epoch > membership.promised, rank(sender) <= rank(ownCandidate),
            Membership.names(proposal, me, incarnation: incarnation)
        else {
            let decline = Decline(epoch: proposal.epoch, promised: membership.promised, follows: ownCandidate)
            send(message(to: sender, .decline(decline), at: now))
            return
        }
        membership.promise(proposal.epoch, to: sender, size: proposal.members.count)
        // The proposer takes over coordination; nothing more is acquired under the old view.
        coordination = nil
        executor.dropAcquisitions()
        if let pending = membership.proposal, pending.epoch < proposal.epoch { membership.proposal = nil }
        send(message(to: sender, .accept(acceptance(of: proposal.epoch, at: now)), at: now))
    }

    /// This node's acceptance of `epoch`: its report, its newest agreed state, and how long ago it
    /// heard each node.
    func acceptance(of epoch: UInt64, at now: Moment) -> Acceptance {
        var ages: [String: Duration] = [:]
        for node in config.nodes where node.name != me {
            if let last = topology.lastHeard(node.name) { ages[node.name] = now - last }
        }
        return Acceptance(
            epoch: epoch, report: currentReport(at: now), agreed: installed, lastHeardAgo: ages,
            coordinators: membership.granters(under: config.tuning).sorted())
    }

    mutating func onAccept(_ acceptance: Acceptance, from sender: String, at now: Moment) {
        guard var pending = membership.proposal, pending.epoch == acceptance.epoch,
            pending.members[sender] != nil
        else { return }
        pending.accepted[sender] = acceptance
        // Its report speaks for whom it hears now, not the report an older coordination of this
        // node kept: counting that one as just arrived (its arrival renewed by every acceptance)
        // kept a crashed node reachable, and proposed, for as long as proposals failed.
        paths.accepted(acceptance.report, from: sender, at: now)
        // A member proposed without knowing its incarnation (reached only through others) is in
        // the view with the incarnation that accepted.
        if pending.members[sender] == 0 { pending.members[sender] = acceptance.report.incarnation }
        // The member heard each node at most `age` before now (it answered before now).
        for (node, age) in acceptance.lastHeardAgo {
            pending.lastHeard[node] = max(pending.lastHeard[node] ?? .zero, now - age)
        }
        pending.granters.formUnion(acceptance.coordinators ?? [])
        membership.proposal = pending
        installIfAccepted(at: now)
    }

    mutating func onDecline(_ decline: Decline, from sender: String, at now: Moment) {
        membership.saw(epoch: decline.promised)
        guard let pending = membership.proposal, pending.epoch == decline.epoch else { return }
        log(
            now, .event,
            "\(sender) declined view \(decline.epoch): it promised \(decline.promised) and follows \(decline.follows)")
        if rank(decline.follows) >= rank(me) { membership.proposal = nil }
    }

    /// Installs the proposed view once every member accepted: the newest agreed state any member
    /// had, with the new view, and the members' reports as the truth to plan from.
    private mutating func installIfAccepted(at now: Moment) {
        guard let pending = membership.proposal, pending.isAccepted else { return }
        membership.proposal = nil
        // This node's own acceptance was recorded when it proposed; the state it installed since (it
        // may have gone on coordinating the old view, even made a new configuration version active)
        // is agreed as well, and newer.
        let newest = (pending.accepted.values.compactMap(\.agreed) + [installed ?? inheritedState].compactMap { $0 })
            .max { $1.isNewer(than: $0) }
        inheritedState = nil
        var state = newest ?? ClusterState(epoch: pending.epoch, coordinator: me, members: pending.members)
        if newest == nil { state.activeConfigVersion = versions.running }
        state.epoch = pending.epoch
        state.coordinator = me
        state.members = pending.members
        state.seq = 0
        state.round = nil
        state.firstEventOfView = state.nextEventNumber
        state.departed = state.departed.filter { pending.members[$0.key] == $0.value }
        followActiveConfiguration(of: state, at: now)
        coordination = Coordination(
            versions: versions, state: state, reports: pending.accepted.mapValues(\.report), rules: rules,
            safeAfter: takeoverDeadlines(excluding: pending, at: now),
            mayHoldGroups: state.up.filter { pending.members[$0] == nil })
        let names = config.nodes.map(\.name).filter { pending.members[$0] != nil }
        log(now, .event, "installed view \(pending.epoch) as coordinator: \(names.joined(separator: ", "))")
        let outcome = coordination!.advance(at: now)
        adopt(coordination!.state, at: now)
        broadcast(at: now)
        carryOut(outcome, at: now)
    }

    /// For every node outside the new view, the moment after which it has certainly released what
    /// it held: `takeoverWait` after anyone in the view last heard it (after now if nobody did).
    /// A node outside the view may have been confirmed by the grants of another node outside it
    /// that coordinated a large view (`ClusterNode.grantees`), whose own lease ran out by `trip`
    /// after anyone in the view last heard it: then also `takeoverWait + trip` after that.
    private func takeoverDeadlines(excluding pending: Membership.PendingProposal, at now: Moment) -> [String: Moment] {
        guard config.quorum != .none else { return [:] }
        let outside = config.nodes.map(\.name).filter { pending.members[$0] == nil }
        func lastHeard(_ node: String) -> Moment? {
            [topology.lastHeard(node), pending.lastHeard[node]].compactMap { $0 }.max()
        }
        var granters = pending.granters.union(membership.granters(under: config.tuning))
        if !rules.takeoverWaitsForGranters { granters = [] }
        var deadlines: [String: Moment] = [:]
        for node in outside {
            var deadline = (lastHeard(node) ?? now) + config.takeoverWait
            for granter in outside where granter != node && granters.contains(granter) {
                if let heard = lastHeard(granter) {
                    deadline = max(deadline, heard + config.tuning.tripInterval + config.takeoverWait)
                }
            }
            deadlines[node] = deadline
        }
        return deadlines
    }

    /// Installs an agreed state from the coordinator, if it is newer and this node is in it.
    mutating func onState(_ state: ClusterState, from sender: String, at now: Moment) {
        // The coordinator sends a state again only while my reports say I lack it: the report
        // that had it was lost, so the next one goes now rather than at the next report interval
        // (with only a lossy disk path left, waiting cost seconds: pair, seed 3437).
        if let installed, state.epoch == installed.epoch, state.seq == installed.seq, sender == state.coordinator,
            state.members[me] == incarnation
        {
            reporter.reportSoon()
        }
        guard membership.accepts(state, incarnation: incarnation) else { return }
        membership.promise(state.epoch, to: state.coordinator, size: state.members.count)
        if state.coordinator != me { coordination = nil }
        if membership.proposal.map({ $0.epoch <= state.epoch }) ?? false { membership.proposal = nil }
        adopt(state, at: now)
    }

    /// A node left out of a newer view than it promised was declared down by the others: it must
    /// give up what it holds at once and join again.
    mutating func checkLeftOut(at now: Moment) {
        guard installed != nil else { return }
        let newer = topology.reachablePeers(at: now).compactMap { topology.announcedEpoch(of: $0) }
            .filter { $0 > membership.promised }
        guard let epoch = newer.max() else { return }
        log(now, .cluster, "\(me) was left out of view \(epoch): releasing everything and joining again")
        membership.leftOut(of: epoch)
        coordination = nil
        releaseEverything()
    }
}
