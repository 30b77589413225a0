import VigilModel

/// One node's whole core: topology, membership, coordination and its own resources, as one pure
/// state machine. Every input is a `mutating func` that takes `now` and returns directives, which
/// the shell (the simulator or `vigild`) performs in order. The node never reads a clock, never
/// sleeps and never draws a random number.
public struct ClusterNode: Sendable {
    public let config: ClusterConfig
    public let me: String
    /// This start's incarnation; the shell gives a larger one on every start.
    public let incarnation: UInt64
    /// The safety rules this node coordinates by.
    public let rules: SafetyRules

    /// Whether cluster services run here.
    public internal(set) var phase: Phase = .stopped
    public internal(set) var topology: LocalTopology
    /// The newest agreed state this node has installed.
    public internal(set) var installed: ClusterState?
    /// The highest view epoch this node has promised to a proposer.
    var promised: UInt64 = 0
    var promisedTo: String?
    /// The latest views this node promised or installed (at most 16): confirmations given in them
    /// count towards its lease.
    var memberViews: [ViewID] = []
    /// What the last full lease computation proved, so that the checks on every message received
    /// need not repeat it (see `LeaseMemo`).
    var leaseMemo: LeaseMemo?
    var highestEpochSeen: UInt64 = 0
    var proposal: PendingProposal?
    /// The tiebreaker lease on the shared disk (`quorum: disk` and attached to its network).
    var tiebreaker: TiebreakerLease?
    /// The coordinator's work, while this node coordinates the installed view.
    var coordination: Coordination?
    var executor: ResourceExecutor
    var leaving: ClusterEvent.Departure?
    var reportNumber: UInt64 = 0
    var lastReport: MemberReport?
    var lastReportSent: Moment?
    var lastStartLogged: UInt64 = 0
    var lastCompletionLogged: UInt64 = 0
    var startedAt: Moment = .zero
    /// The view the last heartbeats announced.
    var lastBeatView: ViewID?
    var nextRequestID: UInt64 = 1
    /// Recovery-command retries used for each group's failing batch.
    var recoveryAttempts: [String: Int] = [:]
    /// Requests made on this node and not answered yet.
    public private(set) var pendingRequests: [UInt64: AdminRequest] = [:]
    /// Answers to requests made on this node, oldest first (the latest 32).
    public private(set) var answers: [AdminReply] = []
    /// Whether cluster services ran here before: a start after a stop is a new incarnation.
    var hasRun = false
    /// `vigil start|stop --all` orders given on this node and not finished yet (at most 8).
    public internal(set) var servicesRounds: [UInt64: ServicesRound] = [:]
    var nextServicesID: UInt64 = 1
    /// The last order taken from each peer and the answer given, so that a resent order is
    /// answered again and never applied twice.
    var servicesTaken: [String: (incarnation: UInt64, id: UInt64, answer: ServicesAnswer)] = [:]

    public enum Phase: String, Sendable, Hashable { case stopped, running }

    /// The proposal this node made and is collecting acceptances for.
    struct PendingProposal: Sendable {
        var epoch: UInt64
        var members: [String: UInt64]
        var accepted: [String: Acceptance]
        var sentAt: Moment
        var lastResent: Moment
        /// The latest moment (this node's clock) any acceptor may have heard each node.
        var lastHeard: [String: Moment] = [:]
    }

    /// How long a proposal waits for every acceptance before it is made again.
    static let proposalTimeout: Duration = .seconds(1)
    /// How often a member reports even when nothing changed, and the coordinator resends its state.
    static let reportInterval: Duration = .seconds(1)
    static let resendInterval: Duration = .milliseconds(300)

    /// A node whose host holds `holdings` (read back by the drivers; empty after a reboot).
    /// `rules`: always `.standard` outside tests that prove the checker can fail.
    public init(config: ClusterConfig, me: String, incarnation: UInt64, holdings: Holdings = Holdings(), rules: SafetyRules = .standard) {
        precondition(config.node(named: me) != nil, "node \(me) is not in cluster \(config.name)")
        self.config = config
        self.me = me
        self.incarnation = incarnation
        self.topology = LocalTopology(config: config, me: me)
        self.executor = ResourceExecutor(config: config, holdings: holdings)
        self.rules = rules
        if config.quorum == .disk, let disk = config.tiebreaker,
           config.node(named: me)!.networks.contains(disk) {
            tiebreaker = TiebreakerLease(me: me, incarnation: incarnation, network: disk, interval: config.largestIPHeartbeatInterval)
        }
    }

    /// What this node holds now.
    public var holdings: Holdings { executor.holdings }
    /// Whether this node coordinates the view it installed.
    public var isCoordinator: Bool { coordination != nil }

    // MARK: Inputs

    /// Starts cluster services (the seed's start_cluster_node).
    public mutating func start(at now: Moment) -> [Directive] {
        guard phase == .stopped else { return [] }
        if hasRun { renew() }
        hasRun = true
        phase = .running
        startedAt = now
        topology.listeningSince = now
        log(now, .cluster, "cluster services starting on \(me) (incarnation \(incarnation))")
        return settle(at: now)
    }

    /// Cluster services start again after a stop in the same process: the node starts afresh as
    /// its next incarnation (peers must not take it for the one that departed), keeping what its
    /// host holds, the carriers the host reported and the administrator's bookkeeping. The shell
    /// learns the new incarnation from `incarnation`.
    mutating func renew() {
        var fresh = ClusterNode(config: config, me: me, incarnation: incarnation + 1, holdings: holdings, rules: rules)
        fresh.nextRequestID = nextRequestID
        fresh.pendingRequests = pendingRequests
        fresh.answers = answers
        fresh.servicesRounds = servicesRounds
        fresh.nextServicesID = nextServicesID
        fresh.servicesTaken = servicesTaken
        for adapter in topology.carrierLost { fresh.topology.setCarrier(false, adapter: adapter) }
        fresh.outbox = outbox
        self = fresh
    }

    /// Stops cluster services: `graceful` releases without takeover, `takeover` lets others take
    /// the groups over, `forced` leaves everything running unmanaged.
    public mutating func stop(_ how: ClusterEvent.Departure, at now: Moment) -> [Directive] {
        guard phase == .running, leaving == nil, how != .failed else { return [] }
        leaving = how
        log(now, .cluster, "stopping cluster services on \(me) (\(how.rawValue))")
        if installed == nil && how != .forced { releaseEverything() }
        return settle(at: now)
    }

    /// A message arrived.
    public mutating func receive(_ envelope: Envelope, at now: Moment) -> [Directive] {
        guard envelope.clusterID == config.id, envelope.to == me,
              envelope.protocolVersion == vigilProtocolVersion, config.node(named: envelope.from) != nil,
              envelope.from != me else { return [] }
        // `vigil start|stop --all` reaches a stopped node too: before the phase guard.
        switch envelope.message {
        case .services(let order): return onServicesOrder(order, from: envelope, at: now)
        case .servicesDone(let answer): return onServicesAnswer(answer, from: envelope.from)
        case .config: return []
        default: break
        }
        guard phase == .running else { return [] }
        // Before anything else, even on the heartbeat fast path below that skips `settle`.
        enforceLease(at: now)
        var heartbeat: Heartbeat? = nil
        if case .heartbeat(let beat) = envelope.message { heartbeat = beat }
        let wasReachable = topology.isReachable(envelope.from, at: now)
            && topology.incarnation(of: envelope.from) == envelope.incarnation
        topology.heard(from: envelope.from, incarnation: envelope.incarnation, network: envelope.network,
                       onAdapter: envelope.toAdapter, heartbeat: heartbeat, at: now)
        guard topology.incarnation(of: envelope.from) == envelope.incarnation else { return drain() }
        // A heartbeat from a peer already heard changes nothing until the next tick looks again,
        // but one that asks for an echo at once gets it.
        if heartbeat != nil && wasReachable {
            outbox += topology.urgentReplyBeats(incarnation: incarnation, view: committedView, installedEpoch: installed?.epoch ?? 0, at: now)
                .map(Directive.send)
            return drain()
        }
        handle(envelope, at: now)
        return settle(at: now)
    }

    /// Time passed: heartbeats, detection, timeouts.
    public mutating func tick(at now: Moment) -> [Directive] {
        guard phase == .running else { return [] }
        return settle(at: now)
    }

    /// The host's dead man switch fired while this daemon was not running: the host released (or
    /// lost) everything. The node forgets what it held and reports it; its view stays, and the
    /// coordinator gives it groups again once its lease is confirmed.
    public mutating func deadManSwitchTripped(at now: Moment) -> [Directive] {
        log(now, .cluster, "dead man switch tripped on \(me): everything was released while the daemon was not running")
        executor.forgetEverything()
        guard phase == .running else { return drain() }
        return settle(at: now)
    }

    /// Returns the gathered directives and empties the outbox.
    mutating func drain() -> [Directive] {
        defer { outbox = [] }
        return outbox
    }

    /// The host reports an adapter's carrier lost or back.
    public mutating func carrier(_ up: Bool, adapter: String, at now: Moment) -> [Directive] {
        topology.setCarrier(up, adapter: adapter)
        guard phase == .running else { return [] }
        log(now, .event, "adapter \(adapter) carrier \(up ? "restored" : "lost")")
        return settle(at: now)
    }

    /// The shell finished an action batch. A failed one is retried after the event's recovery
    /// command, as many times as its hooks say; then its group is in error.
    public mutating func actionsFinished(_ id: UInt64, outcome: ActionOutcome, at now: Moment) -> [Directive] {
        if case .failed(let index, let reason) = outcome {
            log(now, .event, "batch \(id) failed at action \(index): \(reason)")
            if retryAfterRecovery(id, at: now) { return phase == .running ? settle(at: now) : drain() }
        }
        if let group = executor.inFlight.flatMap({ $0.id == id ? $0.group : nil }) { recoveryAttempts[group] = nil }
        executor.finish(id, outcome: outcome)
        guard phase == .running else { return [] }
        return settle(at: now)
    }

    /// Runs the recovery command of the event the failed batch belongs to and queues the batch
    /// again, while its retries last (`hooks.EVENT.recovery`). Returns whether it did.
    private mutating func retryAfterRecovery(_ id: UInt64, at now: Moment) -> Bool {
        guard let batch = executor.inFlight, batch.id == id, let group = batch.group,
              let event = installed?.currentEvent?.event ?? installed?.events.last?.event,
              let recovery = config.hooks[event.name]?.recovery else { return false }
        let attempts = recoveryAttempts[group, default: 0]
        guard attempts < recovery.retries, batch.purpose == .release || mayAcquire(at: now), executor.retry(id) else {
            if attempts > 0 { log(now, .cluster, "\(batch.purpose.rawValue) of \(group) still fails after \(attempts) recovery attempts") }
            recoveryAttempts[group] = nil
            return false
        }
        recoveryAttempts[group] = attempts + 1
        log(now, .cluster, "\(batch.purpose.rawValue) of \(group) failed: running the recovery command of \(event.name.rawValue), then retry \(attempts + 1) of \(recovery.retries)")
        outbox.append(.runHooks(HookInvocation(event: event, phase: .recovery)))
        return true
    }

    /// A resource of a group this node holds failed by itself (the runtime's application monitor,
    /// once its restarts are used up): the group goes into error, and the coordinator moves it to
    /// another eligible node (this node is not eligible for it until an administrator clears it).
    public mutating func resourceFailed(group: String, reason: String, at now: Moment) -> [Directive] {
        guard executor.markFailed(group, reason: reason) else { return [] }
        log(now, .cluster, "\(group) failed on \(me): \(reason)")
        guard phase == .running else { return drain() }
        return settle(at: now)
    }

    /// The shared disk answered a tiebreaker request.
    public mutating func diskCompleted(_ id: UInt64, outcome: DiskOutcome, at now: Moment) -> [Directive] {
        guard phase == .running, tiebreaker != nil else { return [] }
        if let next = tiebreaker!.completed(id, outcome, at: now, wanted: wantsTiebreaker(at: now)) {
            outbox.append(.disk(next))
        }
        return settle(at: now)
    }

    /// A fence command this node ran as coordinator finished.
    public mutating func fenceFinished(_ id: UInt64, succeeded: Bool, detail: String, at now: Moment) -> [Directive] {
        guard phase == .running, coordination != nil else { return [] }
        if let line = coordination!.fencing.finished(id, succeeded: succeeded, detail: detail, at: now) {
            log(now, .cluster, line)
        }
        return settle(at: now)
    }

    /// An administrator's request, made on this node; the answer appears in `answers`.
    public mutating func request(_ request: AdminRequest, at now: Moment) -> [Directive] {
        let id = nextRequestID
        nextRequestID += 1
        guard phase == .running, let state = installed else {
            answer(AdminReply(id: id, origin: me, request: request, refusal: "cluster services are not running on \(me)"))
            return []
        }
        pendingRequests[id] = request
        let envelope = AdminEnvelope(id: id, origin: me, request: request)
        if coordination != nil {
            coordination!.submit(envelope)
        } else {
            outbox.append(message(to: state.coordinator, .request(envelope), at: now))
        }
        return settle(at: now)
    }

    // MARK: Output

    /// Directives gathered while handling an input, returned by `settle`.
    var outbox: [Directive] = []

    mutating func log(_ now: Moment, _ destination: LogRecord.Destination, _ text: String) {
        outbox.append(.log(LogRecord(time: now, node: me, destination: destination, text: text)))
    }

    /// Sends a message on every IP network `peer` was heard on lately (or the usual route): for
    /// messages whose loss would stall the cluster.
    mutating func sendOnEveryRoute(to peer: String, _ body: Message, at now: Moment) {
        let networks = config.networks.filter { $0.isIP && topology.hears(peer, on: $0.name, at: now) }.map(\.name)
        guard !networks.isEmpty else {
            outbox.append(message(to: peer, body, at: now))
            return
        }
        for network in networks {
            outbox.append(.send(Envelope(clusterID: config.id, from: me, incarnation: incarnation, to: peer, network: network, message: body)))
        }
    }

    func message(to peer: String, _ body: Message, at now: Moment) -> Directive {
        let network = topology.route(to: peer, at: now) ?? config.networks.first { $0.isIP }?.name ?? ""
        return .send(Envelope(clusterID: config.id, from: me, incarnation: incarnation, to: peer, network: network, message: body))
    }

    mutating func answer(_ reply: AdminReply) {
        pendingRequests[reply.id] = nil
        answers.append(reply)
        if answers.count > 32 { answers.removeFirst() }
    }
}
