import VigilModel

/// Membership: forming agreed views. The lowest-ranked node a node hears is its coordinator
/// candidate; a candidate proposes a view of every node it hears, and installs it once every
/// proposed member has promised. A member promises only to a proposer ranked no lower than its own
/// candidate, and never to an epoch lower than one it promised before.
extension ClusterNode {
    /// How long a starting node listens before it proposes a view: long enough to hear every
    /// running peer's heartbeats twice.
    var joinWindow: Duration {
        let intervals = config.networks.filter(\.isIP).map { config.heartbeat(for: $0).interval }
        return (intervals.max() ?? .milliseconds(200)) * 2
    }

    /// The nodes this node can exchange messages with now, itself included.
    func reachable(at now: Moment) -> Set<String> {
        topology.reachablePeers(at: now).union([me])
    }

    /// The lowest-ranked reachable node.
    func candidate(at now: Moment) -> String {
        let reachable = reachable(at: now)
        return config.nodes.first { reachable.contains($0.name) }!.name
    }

    func rank(_ node: String) -> Int { config.rank(of: node) ?? Int.max }

    /// Proposes a new view when this node is the candidate and the installed view is not the one it sees.
    mutating func proposeIfNeeded(at now: Moment) {
        resendProposal(at: now)
        if let pending = proposal, now - pending.sentAt > Self.proposalTimeout {
            log(now, .event, "proposal \(pending.epoch) timed out waiting for \(Set(pending.members.keys).subtracting(pending.accepted.keys).sorted().joined(separator: ", "))")
            proposal = nil
        }
        guard proposal == nil, leaving == nil || installed != nil, candidate(at: now) == me,
              now - startedAt >= joinWindow || installed != nil else { return }
        let members = Dictionary(uniqueKeysWithValues: reachable(at: now).map { node in
            (node, node == me ? incarnation : topology.incarnation(of: node) ?? 0)
        })
        // A member committed to a higher epoch (a proposal that failed) ignores this view's states:
        // only a new view with a higher epoch brings it back.
        let ahead = members.keys.compactMap { topology.committedEpoch(of: $0) }.max() ?? 0
        highestEpochSeen = max(highestEpochSeen, ahead)
        if let installed, installed.coordinator == me, installed.members == members, promised <= installed.epoch,
           ahead <= installed.epoch { return }
        guard isQuorum(Set(members.keys), at: now) else { return }
        let epoch = max(promised, highestEpochSeen, installed?.epoch ?? 0) + 1
        highestEpochSeen = epoch
        promised = epoch
        promisedTo = me
        joinedView(ViewID(epoch: epoch, coordinator: me))
        let mine = acceptance(of: epoch, at: now)
        proposal = PendingProposal(epoch: epoch, members: members, accepted: [me: mine], sentAt: now, lastResent: now)
        log(now, .event, "proposing view \(epoch) with \(config.nodes.map(\.name).filter { members[$0] != nil }.joined(separator: ", "))")
        for member in members.keys.sorted() where member != me {
            sendOnEveryRoute(to: member, .propose(Proposal(epoch: epoch, coordinator: me, members: members)), at: now)
        }
        installIfAccepted(at: now)
    }

    /// Sends the pending proposal again to the members that have not answered, at most once per
    /// resend interval, so that one lost message does not cost a whole proposal timeout.
    private mutating func resendProposal(at now: Moment) {
        guard var pending = proposal, now - pending.lastResent >= Self.resendInterval else { return }
        pending.lastResent = now
        proposal = pending
        for member in pending.members.keys.sorted() where pending.accepted[member] == nil {
            sendOnEveryRoute(to: member, .propose(Proposal(epoch: pending.epoch, coordinator: me, members: pending.members)), at: now)
        }
    }

    mutating func onPropose(_ proposal: Proposal, from sender: String, at now: Moment) {
        highestEpochSeen = max(highestEpochSeen, proposal.epoch)
        // Proposals travel on every route, so the same one arrives more than once: a copy of the
        // proposal this node already promised is accepted again, not declined (a decline would make
        // the coordinator drop its own view and propose the next one, over and over).
        if proposal.epoch == promised, promisedTo == sender, proposal.members[me] == incarnation {
            outbox.append(message(to: sender, .accept(acceptance(of: proposal.epoch, at: now)), at: now))
            return
        }
        let ownCandidate = candidate(at: now)
        guard proposal.epoch > promised, rank(sender) <= rank(ownCandidate), proposal.members[me] == incarnation else {
            outbox.append(message(to: sender, .decline(Decline(epoch: proposal.epoch, promised: promised, follows: ownCandidate)), at: now))
            return
        }
        promised = proposal.epoch
        promisedTo = sender
        // The proposer takes over coordination; nothing more is acquired under the old view.
        coordination = nil
        executor.dropAcquisitions()
        joinedView(ViewID(epoch: proposal.epoch, coordinator: sender))
        if let pending = self.proposal, pending.epoch < proposal.epoch { self.proposal = nil }
        outbox.append(message(to: sender, .accept(acceptance(of: proposal.epoch, at: now)), at: now))
    }

    /// This node's acceptance of `epoch`: its report, its newest agreed state, and how long ago it
    /// heard each node.
    func acceptance(of epoch: UInt64, at now: Moment) -> Acceptance {
        var ages: [String: Duration] = [:]
        for node in config.nodes where node.name != me {
            if let last = topology.lastHeard(node.name) { ages[node.name] = now - last }
        }
        return Acceptance(epoch: epoch, report: currentReport(at: now), agreed: installed, lastHeardAgo: ages)
    }

    mutating func onAccept(_ acceptance: Acceptance, from sender: String, at now: Moment) {
        guard var pending = proposal, pending.epoch == acceptance.epoch, pending.members[sender] != nil else { return }
        pending.accepted[sender] = acceptance
        // The member heard each node at most `age` before now (it answered before now).
        for (node, age) in acceptance.lastHeardAgo {
            pending.lastHeard[node] = max(pending.lastHeard[node] ?? .zero, now - age)
        }
        proposal = pending
        installIfAccepted(at: now)
    }

    mutating func onDecline(_ decline: Decline, from sender: String, at now: Moment) {
        highestEpochSeen = max(highestEpochSeen, decline.promised)
        guard let pending = proposal, pending.epoch == decline.epoch else { return }
        log(now, .event, "\(sender) declined view \(decline.epoch): it promised \(decline.promised) and follows \(decline.follows)")
        if rank(decline.follows) >= rank(me) { proposal = nil }
    }

    /// Installs the proposed view once every member accepted: the newest agreed state any member
    /// had, with the new view, and the members' reports as the truth to plan from.
    private mutating func installIfAccepted(at now: Moment) {
        guard let pending = proposal, pending.accepted.count == pending.members.count else { return }
        proposal = nil
        let newest = pending.accepted.values.compactMap(\.agreed).max { $1.isNewer(than: $0) }
        var state = newest ?? ClusterState(epoch: pending.epoch, coordinator: me, members: pending.members)
        state.epoch = pending.epoch
        state.coordinator = me
        state.members = pending.members
        state.seq = 0
        state.round = nil
        state.firstEventOfView = state.nextEventNumber
        state.departed = state.departed.filter { pending.members[$0.key] == $0.value }
        let reports = pending.accepted.mapValues(\.report)
        coordination = Coordination(config: config, state: state, reports: reports)
        coordination!.rules = rules
        coordination!.safeAfter = takeoverDeadlines(excluding: pending, at: now)
        coordination!.mayHoldGroups = state.up.filter { pending.members[$0] == nil }
        joinedView(ViewID(epoch: pending.epoch, coordinator: me))
        log(now, .event, "installed view \(pending.epoch) as coordinator: \(config.nodes.map(\.name).filter { pending.members[$0] != nil }.joined(separator: ", "))")
        _ = coordination!.advance(at: now)
        adopt(coordination!.state, at: now)
        broadcast(at: now)
    }

    /// For every node outside the new view, the moment after which it has certainly released what
    /// it held: `takeoverWait` after anyone in the view last heard it (after now if nobody did).
    private func takeoverDeadlines(excluding pending: PendingProposal, at now: Moment) -> [String: Moment] {
        guard config.quorum != .none else { return [:] }
        var deadlines: [String: Moment] = [:]
        for node in config.nodes.map(\.name) where pending.members[node] == nil {
            let mine = topology.lastHeard(node)
            let heard = [mine, pending.lastHeard[node]].compactMap { $0 }.max() ?? now
            deadlines[node] = heard + config.takeoverWait
        }
        return deadlines
    }

    /// Installs an agreed state from the coordinator, if it is newer and this node is in it.
    mutating func onState(_ state: ClusterState, from sender: String, at now: Moment) {
        // The coordinator sends a state again only while my reports say I lack it: the report
        // that had it was lost, so the next one goes now rather than at the next report interval
        // (with only a lossy disk path left, waiting cost seconds: pair, seed 3437).
        if let installed, state.epoch == installed.epoch, state.seq == installed.seq, sender == state.coordinator,
           state.members[me] == incarnation {
            lastReportSent = nil
        }
        guard state.epoch >= promised, state.members[me] == incarnation, state.isNewer(than: installed) else { return }
        promised = state.epoch
        promisedTo = state.coordinator
        joinedView(state.viewID)
        if state.coordinator != me { coordination = nil }
        if proposal.map({ $0.epoch <= state.epoch }) ?? false { proposal = nil }
        adopt(state, at: now)
    }

    /// A node left out of a newer view than it promised was declared down by the others: it must
    /// give up what it holds at once and join again.
    mutating func checkLeftOut(at now: Moment) {
        guard installed != nil else { return }
        let newer = topology.reachablePeers(at: now).compactMap { topology.announcedEpoch(of: $0) }.filter { $0 > promised }
        guard let epoch = newer.max() else { return }
        log(now, .cluster, "\(me) was left out of view \(epoch): releasing everything and joining again")
        installed = nil
        coordination = nil
        promised = epoch
        highestEpochSeen = max(highestEpochSeen, epoch)
        releaseEverything()
    }
}
