import VigilModel

/// The member's side: acting on the agreed state (logging its events, running its hooks, carrying
/// out its rounds), reporting to the coordinator, and the loop that ties every part together after
/// each input.
extension ClusterNode {
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
            coordination?.receive(report, from: sender)
        case .request(let request):
            if coordination != nil {
                coordination!.submit(request)
            } else {
                let refusal = "\(me) does not coordinate the cluster now; try again"
                let reply = AdminReply(id: request.id, origin: request.origin, request: request.request, refusal: refusal)
                outbox.append(message(to: request.origin, .reply(reply), at: now))
            }
        case .reply(let reply):
            if pendingRequests[reply.id] != nil { answer(reply) }
        case .services, .servicesDone, .config:
            // Taken before the phase guard in `receive`; never reach here.
            break
        }
    }

    /// After every input: form views, coordinate, act on the agreed state, run the next action,
    /// report, send heartbeats, and ask to be woken for the next ones. Returns what was gathered.
    mutating func settle(at now: Moment) -> [Directive] {
        if phase == .running {
            enforceLease(at: now)
            enforceConnectivity(at: now)
            checkLeftOut(at: now)
            proposeIfNeeded(at: now)
            for _ in 0..<8 where phase == .running {
                if !progress(at: now) { break }
            }
        }
        if phase == .running {
            pollTiebreaker(at: now)
            if committedView != lastBeatView {
                lastBeatView = committedView
                topology.beatNow()
            }
            let beats = topology.heartbeats(at: now, incarnation: incarnation, view: committedView, installedEpoch: installed?.epoch ?? 0,
                                            urgent: confirmationIsAging(at: now))
            outbox += beats.due.map(Directive.send)
            outbox.append(.wake(at: min(beats.next, tiebreaker?.nextDue.map { max($0, now + .milliseconds(1)) } ?? beats.next)))
        }
        defer { outbox = [] }
        return outbox
    }

    /// One pass of coordination, acting and reporting. Returns whether anything changed.
    private mutating func progress(at now: Moment) -> Bool {
        var changed = false
        if coordination != nil {
            if coordination!.advance(at: now) {
                adopt(coordination!.state, at: now)
                broadcast(at: now)
                changed = true
            }
            flushCoordination(at: now)
        }
        if let state = installed { changed = act(on: state, at: now) || changed }
        if let batch = executor.nextBatch(adapters: activeAdapters, ownTargets: ownAddressTargets) {
            outbox.append(.perform(batch))
            log(now, .event, "\(batch.purpose.rawValue) \(batch.group ?? "own addresses"): " + batch.actions.map(\.description).joined(separator: "; "))
            changed = true
        }
        if reportIfNeeded(at: now) { changed = true }
        if finishDepartureIfDone(at: now) { changed = true }
        return changed
    }

    /// Makes `state` the installed one, and logs and hooks its new events.
    mutating func adopt(_ state: ClusterState, at now: Moment) {
        if installed == nil {
            // A node joining logs the events from its view on, not the cluster's history.
            lastStartLogged = max(lastStartLogged, state.firstEventOfView - 1)
            lastCompletionLogged = max(lastCompletionLogged, state.firstEventOfView - 1)
        }
        installed = state
        for record in state.events {
            if record.number > lastStartLogged {
                lastStartLogged = record.number
                log(record.started, .cluster, "EVENT START: \(record.event)")
                outbox.append(.runHooks(HookInvocation(event: record.event, phase: .pre)))
                outbox.append(.runHooks(HookInvocation(event: record.event, phase: .notify)))
            }
            if let completed = record.completed, record.number > lastCompletionLogged {
                lastCompletionLogged = record.number
                outbox.append(.runHooks(HookInvocation(event: record.event, phase: .post)))
                outbox.append(.runHooks(HookInvocation(event: record.event, phase: .notify)))
                log(completed, .cluster, "EVENT COMPLETED: \(record.event)")
            }
        }
    }

    /// Takes on this node's part of the agreed state. Returns whether work was queued.
    private mutating func act(on state: ClusterState, at now: Moment) -> Bool {
        if let round = state.round, round.work[me] != nil { executor.adopt(round, epoch: state.epoch, me: me) }
        if !mayAcquire(at: now) { executor.dropAcquisitions() }
        let wanted = ownAddressTargets
        if wanted.contains(where: { executor.holdings.ownAddresses[$0.key] != $0.value }) {
            executor.enqueue(.ownAddresses)
            return true
        }
        return false
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

    /// Sends the newest state to every member (after a change) or to those behind (periodically).
    mutating func broadcast(at now: Moment) {
        guard let state = coordination?.state else { return }
        for member in state.members.keys.sorted() where member != me {
            outbox.append(message(to: member, .state(state), at: now))
            coordination!.lastSent[member] = now
        }
    }

    private mutating func flushCoordination(at now: Moment) {
        guard let coordination = coordination else { return }
        for request in coordination.fencing.requests {
            log(now, .cluster, "fence \(request.node): running its fence command")
            outbox.append(.fence(request))
        }
        self.coordination!.fencing.requests = []
        for note in coordination.notes { log(now, .event, note) }
        for decision in coordination.decisions { log(now, .cluster, decision) }
        self.coordination!.decisions = []
        for reply in coordination.replies {
            if reply.origin == me {
                if pendingRequests[reply.id] != nil { answer(reply) }
            } else {
                outbox.append(message(to: reply.origin, .reply(reply), at: now))
            }
        }
        self.coordination!.notes = []
        self.coordination!.replies = []
        let state = coordination.state
        for member in state.members.keys.sorted() where member != me {
            let behind = coordination.reports[member].map { ($0.installedEpoch, $0.installedSeq) < (state.epoch, state.seq) } ?? true
            let last = coordination.lastSent[member]
            if behind, last.map({ now - $0 >= Self.resendInterval }) ?? true {
                sendOnEveryRoute(to: member, .state(state), at: now)
                self.coordination!.lastSent[member] = now
            }
        }
    }

    /// This node's report as of now.
    func currentReport(at now: Moment) -> MemberReport {
        MemberReport(
            number: reportNumber, incarnation: incarnation,
            installedEpoch: installed?.epoch ?? 0, installedSeq: installed?.seq ?? 0,
            topology: topology.report(at: now), holdings: executor.holdings,
            doneRoundEpoch: executor.finished.epoch, doneRound: executor.finished.number, leaving: leaving,
            hasLease: mayAcquire(at: now), disconnected: topology.isDisconnected(at: now),
            holdsTiebreaker: tiebreaker?.holds(at: now) ?? false)
    }

    /// Sends a report to the coordinator when something changed, or when the last one is old.
    private mutating func reportIfNeeded(at now: Moment) -> Bool {
        guard let state = installed else { return false }
        let report = currentReport(at: now)
        let changed = lastReport?.content != report.content
        guard changed || lastReportSent.map({ now - $0 >= Self.reportInterval }) ?? true else { return false }
        reportNumber += 1
        var numbered = report
        numbered.number = reportNumber
        lastReport = numbered
        lastReportSent = now
        if coordination != nil {
            coordination!.receive(numbered, from: me)
        } else {
            outbox.append(message(to: state.coordinator, .report(numbered), at: now))
        }
        return changed && coordination != nil
    }

    /// A stopping node stops once the cluster agreed its departure (or there is no cluster to
    /// tell, or none it can still reach with a quorum) and it released what it had to.
    private mutating func finishDepartureIfDone(at now: Moment) -> Bool {
        guard let how = leaving else { return false }
        let agreed = installed.map { $0.departed[me] == incarnation } ?? true
        // Without a lease, no view will agree the departure; having released, it may just go.
        let alone = how != .forced && !hasLease(at: now) && executor.holdings.isEmpty
        guard agreed || alone, executor.isIdle, how == .forced || executor.holdings.isEmpty else { return false }
        stopNow(at: now)
        return true
    }

    /// Queues the release of every group and own address held here, before any other work.
    mutating func releaseEverything() {
        executor.dropAcquisitions()
        for group in executor.holdings.heldGroups.reversed() { executor.enqueue(.release(group)) }
        executor.enqueue(.ownAddresses)
    }

    private mutating func stopNow(at now: Moment) {
        phase = .stopped
        installed = nil
        coordination = nil
        proposal = nil
        log(now, .cluster, "cluster services stopped on \(me)")
        outbox.append(.stopped)
    }
}
