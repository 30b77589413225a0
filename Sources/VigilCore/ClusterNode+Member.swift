import VigilModel

/// The member's side: acting on the agreed state (logging its events, running its hooks, carrying
/// out its rounds), reporting to the coordinator, and the loop that ties every part together after
/// each input.
extension ClusterNode {
    /// How many passes of coordination, acting and reporting one input may take. A pass that
    /// changes something makes at most one of these true for the next: the coordinator's state moved
    /// (it installs and acts on it), work was queued (a batch starts), a batch started (the report
    /// changes), a report reached the coordinator's own desk (its state may move). With one batch in
    /// flight at a time, that chain ends within a few passes; running out of passes means a part
    /// keeps saying it changed without changing anything, which is a defect.
    static let settlePassLimit = 8

    mutating func handle(_ envelope: Envelope, at now: Moment) {
        let sender = envelope.from
        switch envelope.message {
        case .heartbeat:
            break
        case .propose(let proposal):
            onPropose(proposal, from: sender, at: now)
        case .accept(let acceptance):
            onAccept(acceptance, from: sender, at: now)
        case .decline(let decline):
            onDecline(decline, from: sender, at: now)
        case .state(let state):
            onState(state, from: sender, at: now)
        case .report(let report):
            if coordination != nil { paths.reportArrived(from: sender, incarnation: report.incarnation, at: now) }
            coordination?.receive(report, from: sender)
        case .request(let request):
            if coordination != nil {
                submitToCoordination(request, at: now)
            } else {
                let refusal = "\(me) does not coordinate the cluster now; try again"
                let reply = AdminReply(
                    id: request.id, origin: request.origin, request: request.request, refusal: refusal)
                send(message(to: request.origin, .reply(reply), at: now))
            }
        case .reply(let reply):
            if desk.isPending(reply.id) { desk.record(reply) }
        case .relay(let relay):
            onRelay(relay, from: sender, at: now)
        case .services, .servicesDone, .config:
            // Taken before the phase guard in `receive`; never reach here.
            break
        }
    }

    /// After every input: form views, coordinate, act on the agreed state, run the next action,
    /// report, send heartbeats, and ask to be woken for the next ones. Returns the step.
    mutating func settle(at now: Moment) -> Step {
        if phase == .running {
            noteLateWakeUp(at: now)
            enforceLease(at: now)
            leaveIfRemovedUnheard(at: now)
            runNewestOutOfView(at: now)
            enforceConnectivity(at: now)
            checkLeftOut(at: now)
            proposeIfNeeded(at: now)
            var passes = 0
            while phase == .running, progress(at: now) {
                passes += 1
                precondition(
                    passes < Self.settlePassLimit,
                    "\(me): settle still changing after \(passes) passes "
                        + "(installed \(installed.map { "\($0.epoch).\($0.seq)" } ?? "none"), holdings \(holdings), "
                        + "in flight \(executor.inFlight.map { "\($0.id)" } ?? "none"))")
            }
        }
        if phase == .running {
            pollTiebreaker(at: now)
            if membership.announcesNewView() { topology.beatNow() }
            let urgency = confirmationUrgency(at: now)
            let beats = topology.heartbeats(
                at: now, incarnation: incarnation, view: membership.committedView,
                installedEpoch: installed?.epoch ?? 0, urgency: urgency,
                ring: monitorRing(at: now), grantsTo: grantees(at: now))
            output.messages += beats.due
            output.messages += relayedBeats(at: now, urgency: urgency)
            let tiebreakerDue = tiebreaker?.nextDue.map { max($0, now + .milliseconds(1)) }
            let relayedDue = paths.nextRelayedBeat ?? beats.next
            let expiry = topology.nextPathExpiry(after: now) ?? beats.next
            let leaseCheck = leaseCheck(after: now) ?? beats.next
            let backoffEnd = leaseBackoff.end(after: now) ?? beats.next
            output.wake = min(beats.next, tiebreakerDue ?? beats.next, relayedDue, expiry, leaseCheck, backoffEnd)
            wakeAsked = output.wake
        }
        return drain()
    }

    /// The first input at or after the wake-up the last step asked for tells how late the daemon
    /// ran: much later, it was starved or paused, and the node suspects itself first.
    private mutating func noteLateWakeUp(at now: Moment) {
        guard let expected = wakeAsked, now >= expected else { return }
        wakeAsked = nil
        guard let late = topology.woke(expected: expected, at: now) else { return }
        log(
            now, .event,
            "\(me) ran \(DurationText.format(late)) late: it suspects itself first and waits "
                + "\(topology.selfSuspicion * 25)% longer before declaring a path lost")
    }

    /// One pass of coordination, acting and reporting. Returns whether anything changed.
    private mutating func progress(at now: Moment) -> Bool {
        var changed = false
        if coordination != nil {
            let outcome = coordination!.advance(at: now)
            if outcome.stateChanged {
                adopt(coordination!.state, at: now)
                broadcast(at: now)
                changed = true
            }
            carryOut(outcome, at: now)
            resendStateToMembersBehind(at: now)
        }
        if let state = installed { changed = act(on: state, at: now) || changed }
        if let batch = executor.nextBatch(adapters: activeAdapters, ownTargets: ownAddressTargets) {
            output.work.append(.perform(batch))
            log(
                now, .event,
                "\(batch.purpose.rawValue) \(batch.group ?? "own addresses"): "
                    + batch.actions.map(\.description).joined(separator: "; "),
                about: LogRecord.Subject(group: batch.group, node: me))
            changed = true
        }
        if reportIfNeeded(at: now) { changed = true }
        if finishDepartureIfDone(at: now) { changed = true }
        return changed
    }

    /// Makes `state` the installed one, and logs and hooks its new events. The configuration
    /// version it names runs before anything of it is acted on: a `reconfig`'s swap is logged
    /// between its EVENT START and EVENT COMPLETED.
    mutating func adopt(_ state: ClusterState, at now: Moment) {
        let joining = installed == nil
        for entry in journal.news(in: state, joining: joining) {
            switch entry {
            case .started(let record):
                log(record.started, .cluster, "EVENT START: \(record.event)", about: record.event.subject(starts: true))
                output.work.append(.runHooks(HookInvocation(event: record.event, phase: .pre)))
                output.work.append(.runHooks(HookInvocation(event: record.event, phase: .notify)))
            case .completed(let record, let at):
                if case .reconfig = record.event { followActiveConfiguration(of: state, at: now) }
                output.work.append(.runHooks(HookInvocation(event: record.event, phase: .post)))
                output.work.append(.runHooks(HookInvocation(event: record.event, phase: .notify)))
                log(at, .cluster, "EVENT COMPLETED: \(record.event)", about: record.event.subject(starts: false))
            }
        }
        followActiveConfiguration(of: state, at: now)
        membership.install(state)
        installedRings = (
            state.viewID, state.seq,
            MonitorRing(me: me, view: state, observers: config.tuning.observers, config: config)
        )
    }

    /// Takes on this node's part of the agreed state. Returns whether work was queued.
    private mutating func act(on state: ClusterState, at now: Moment) -> Bool {
        if let round = state.round, round.work[me] != nil { executor.adopt(round, epoch: state.epoch, me: me) }
        if !mayAcquire(at: now) { executor.dropAcquisitions() }
        let wanted = ownAddressTargets
        guard wanted.contains(where: { executor.holdings.ownAddresses[$0.key] != $0.value }) else { return false }
        return executor.enqueue(.ownAddresses)
    }

    /// The active adapter of each network of this node, as agreed.
    var activeAdapters: [String: String] { installed?.topology.nodes[me]?.active ?? [:] }

    /// Where each of this node's own service addresses should be: on the active adapter of its
    /// network while the node is up and not leaving, nowhere otherwise.
    var ownAddressTargets: [String: String?] {
        let node = config.node(named: me)!
        let up = (installed?.up.contains(me) ?? false) && leaving == nil
        var targets: [String: String?] = [:]
        for interface in node.interfaces where interface.role == .service {
            targets[interface.label] = up ? activeAdapters[interface.network] : nil
        }
        return targets
    }

    // MARK: Coordinating

    /// Hands an administrator's request to this node's coordination; a refusal comes back at once.
    mutating func submitToCoordination(_ request: AdminEnvelope, at now: Moment) {
        if let refusal = coordination!.submit(request) { deliver(refusal, at: now) }
    }

    /// Carries out what the coordination asked after it moved: fences, log lines, answers.
    mutating func carryOut(_ outcome: Coordination.Outcome, at now: Moment) {
        for request in outcome.fences {
            log(now, .cluster, "fence \(request.node): running its fence command")
            output.work.append(.fence(request))
        }
        for note in outcome.notes { log(now, .event, note) }
        for decision in outcome.decisions {
            log(now, .cluster, decision.text, about: LogRecord.Subject(group: decision.group))
        }
        for reply in outcome.replies { deliver(reply, at: now) }
    }

    /// Gives an answer to the node that asked: this desk, or another node's.
    private mutating func deliver(_ reply: AdminReply, at now: Moment) {
        if reply.origin == me {
            if desk.isPending(reply.id) { desk.record(reply) }
        } else {
            send(message(to: reply.origin, .reply(reply), at: now))
        }
    }

    /// Sends the newest state to every member (after a change).
    mutating func broadcast(at now: Moment) {
        guard let state = coordination?.state else { return }
        for member in state.members.keys.sorted() where member != me {
            send(message(to: member, .state(state), at: now))
            coordination!.sent(to: member, at: now)
        }
    }

    /// Sends the state again, on every route, to the members whose reports show they lack it.
    private mutating func resendStateToMembersBehind(at now: Moment) {
        let state = coordination!.state
        for member in coordination!.membersBehind(at: now, every: Membership.resendInterval) {
            sendOnEveryRoute(to: member, .state(state), at: now)
            coordination!.sent(to: member, at: now)
        }
    }

    // MARK: Reporting

    /// This node's report as of now.
    func currentReport(at now: Moment) -> MemberReport {
        MemberReport(
            number: reporter.number, incarnation: incarnation,
            installedEpoch: installed?.epoch ?? 0, installedSeq: installed?.seq ?? 0,
            topology: topology.report(at: now), holdings: executor.holdings,
            doneRoundEpoch: executor.finished.epoch, doneRound: executor.finished.number, leaving: leaving,
            hasLease: mayAcquire(at: now), disconnected: topology.isDisconnected(at: now),
            holdsTiebreaker: tiebreaker?.holds(at: now) ?? false, configVersion: storedConfigVersion,
            runningConfigVersion: versions.running)
    }

    /// Sends a report to the coordinator when something changed, or when the last one is old.
    /// Returns whether the coordinator here got a changed one.
    private mutating func reportIfNeeded(at now: Moment) -> Bool {
        guard let state = installed, let (report, changed) = reporter.due(currentReport(at: now), at: now) else {
            return false
        }
        if coordination != nil {
            coordination!.receive(report, from: me)
        } else {
            send(message(to: state.coordinator, .report(report), at: now))
        }
        return changed && coordination != nil
    }

    // MARK: Leaving

    /// A stopping node stops once the cluster agreed its departure (or there is no cluster to
    /// tell, or none it can still reach with a quorum) and it released what it had to.
    private mutating func finishDepartureIfDone(at now: Moment) -> Bool {
        guard let how = leaving else { return false }
        let agreed = installed.map { $0.departed[me] == incarnation } ?? true
        // Without a lease, no view will agree the departure; having released, it may just go.
        let alone = how != .forced && !hasLease(at: now) && executor.holdings.isEmpty
        guard agreed || alone, executor.isIdle, how == .forced || executor.holdings.isEmpty else { return false }
        phase = .stopped
        membership.stop()
        coordination = nil
        log(now, .cluster, "cluster services stopped on \(me)")
        output.stopped = true
        return true
    }

    /// Queues the release of every group and own address held here, before any other work.
    mutating func releaseEverything() {
        executor.dropAcquisitions()
        for group in executor.holdings.heldGroups.reversed() { executor.enqueue(.release(group)) }
        executor.enqueue(.ownAddresses)
    }
}
