import VigilModel

/// One node's whole core: topology, membership, coordination and its own resources, as one pure
/// state machine. Every input is a `mutating func` that takes `now` and returns a `Step`, which the
/// shell (the simulator or `vigild`) carries out in the order `Step` states. The node never reads a
/// clock, never sleeps and never draws a random number.
///
/// Its parts own their state: `topology` (heartbeats and failure detection), `membership` (views
/// and promises), `coordination` (the coordinator's work, while this node coordinates),
/// `executor` (this node's resources), `reporter` and `journal` (what the coordinator and the logs
/// were told), `desk` (the administrator's requests and orders). The node ties them together after
/// each input (`settle`, in ClusterNode+Member.swift).
public struct ClusterNode: Sendable {
    /// The configuration this node runs: the version the agreed state names, once it has it.
    public var config: ClusterConfig { versions.config }
    /// The configuration versions this node runs and stores (see `ConfigVersions`).
    public internal(set) var versions: ConfigVersions
    public let me: String
    /// This start's incarnation; the shell gives a larger one on every start of the daemon, and the
    /// core takes the next one itself when cluster services start again (`Persistence.incarnation`).
    public let incarnation: UInt64
    /// The safety rules this node coordinates by.
    public let rules: SafetyRules

    /// Whether cluster services run here.
    public internal(set) var phase: Phase = .stopped
    public internal(set) var topology: LocalTopology
    var membership: Membership
    /// What the last full lease computation proved, so that the checks on every message received
    /// need not repeat it (see `LeaseMemo`).
    var leaseMemo: LeaseMemo?
    /// This node's rings in the installed state (`MonitorRing`), computed once per state adopted.
    var installedRings: (view: ViewID, seq: UInt64, rings: MonitorRing)?
    /// The tiebreaker lease on the shared disk (`quorum: disk` and attached to its network).
    var tiebreaker: TiebreakerLease?
    /// The coordinator's work, while this node coordinates the installed view.
    var coordination: Coordination?
    var executor: ResourceExecutor
    /// Recovery-command retries used for each group's failing batch.
    var retries = RecoveryRetries()
    var reporter = MemberReporter()
    var journal = EventJournal()
    var desk = AdminDesk()
    /// What this node learned about reaching others: ways back, incarnations, report arrivals
    /// (see ClusterNode+Reach.swift).
    var paths = PathKnowledge()
    /// Set while cluster services stop, to how they stop.
    var leaving: ClusterEvent.Departure?
    /// Since when this node's newest stored version removes it while no member confirms it
    /// (`leaveIfRemovedUnheard`).
    var removalNoticed: Moment?
    /// The newest configuration version this node stores (`vigil sync`), as the shell said
    /// (`configurationStored`): reported to the coordinator, which grants the next version.
    public var storedConfigVersion: UInt64 { versions.newest }
    /// The newest configuration version this node knows of: stored here, or the cluster's newest as
    /// the agreed state records it. A sync from here proposes the one after it.
    public var newestKnownConfigVersion: UInt64 { max(storedConfigVersion, installed?.configVersion ?? 0) }
    var startedAt: Moment = .zero
    /// Whether cluster services ran here before: a start after a stop is a new incarnation.
    var hasRun = false
    /// How long after a lost lease this node takes no group (`LeaseLossBackoff`).
    var leaseBackoff = LeaseLossBackoff()
    /// An agreed state this node starts from as if it had installed it before it started: the
    /// first view it coordinates carries it on, as a new view carries on the newest state any
    /// member had. Only `vigil emulate` sets it, to start the simulator from the live cluster's
    /// state; `nil` in every daemon.
    public var inheritedState: ClusterState?
    /// The wake-up the last step asked for: a tick much later shows the daemon was starved.
    var wakeAsked: Moment?
    /// What the current input asks of the shell so far (see `drain`).
    var output = Step()
    /// The protection the shell was last given, and what it was computed from.
    private var protected: (protection: Protection, holdings: Holdings, batch: UInt64?)?

    public enum Phase: String, Sendable, Hashable { case stopped, running }

    /// A node whose host holds `holdings` (read back by the drivers; empty after a reboot). The shell
    /// must have made its dead man switch cover `protection` (what `holdings` need) before the first
    /// input; later steps say what changes. `rules`: always `.standard` outside tests that prove the
    /// checker can fail.
    public init(
        config: ClusterConfig, me: String, incarnation: UInt64, holdings: Holdings = Holdings(),
        rules: SafetyRules = .standard, configVersion: UInt64 = 0
    ) {
        precondition(config.node(named: me) != nil, "node \(me) is not in cluster \(config.name)")
        self.versions = ConfigVersions(running: configVersion, config: config)
        self.me = me
        self.incarnation = incarnation
        self.topology = LocalTopology(config: config, me: me, configVersion: configVersion)
        self.membership = Membership(me: me)
        self.executor = ResourceExecutor(config: config, holdings: holdings)
        self.rules = rules
        // The shell starts with a dead man switch that covers what the host holds at start.
        self.protected = (executor.protection, holdings, nil)
        tiebreaker = Self.tiebreakerLease(config: config, me: me, incarnation: incarnation)
    }

    /// The tiebreaker lease this node takes part in under `config`, if any.
    static func tiebreakerLease(config: ClusterConfig, me: String, incarnation: UInt64) -> TiebreakerLease? {
        guard config.quorum == .disk, let disk = config.tiebreaker,
            config.node(named: me)?.networks.contains(disk) == true
        else { return nil }
        return TiebreakerLease(
            me: me, incarnation: incarnation, network: disk, interval: config.largestIPHeartbeatInterval)
    }

    /// The next incarnation of `previous`, after its cluster services stopped: it starts afresh
    /// (peers must not take it for the one that departed), keeping what its host holds, the carriers
    /// the host reported, the administrator's desk and what it has not handed to the shell yet.
    private init(restarting previous: ClusterNode) {
        self.init(
            config: previous.config, me: previous.me, incarnation: previous.incarnation + 1,
            holdings: previous.holdings, rules: previous.rules, configVersion: previous.versions.running)
        versions = previous.versions
        for adapter in previous.topology.carrierLost { topology.setCarrier(false, adapter: adapter) }
        desk = previous.desk
        output = previous.output
        protected = previous.protected
        hasRun = true
    }

    /// What this node holds now.
    public var holdings: Holdings { executor.holdings }
    /// What the dead man switch must be able to release now (`Step.protect` carries its changes).
    public var protection: Protection { executor.protection }
    /// Whether this node coordinates the view it installed.
    public var isCoordinator: Bool { coordination != nil }
    /// The newest agreed state this node has installed.
    public var installed: ClusterState? { membership.installed }
    /// Requests made on this node and not answered yet.
    public var pendingRequests: [UInt64: AdminRequest] { desk.pendingRequests }
    /// Answers to requests made on this node, oldest first (the latest `AdminDesk.answerLimit`).
    public var answers: [AdminReply] { desk.answers }
    /// `vigil start|stop --all` orders given on this node and not finished yet.
    public var servicesRounds: [UInt64: ServicesRound] { desk.servicesRounds }

    // MARK: Inputs

    /// Starts cluster services (the seed's start_cluster_node). A start after a stop is the node's
    /// next incarnation, which the step asks the shell to persist first.
    public mutating func start(at now: Moment) -> Step {
        guard phase == .stopped else { return drain() }
        if hasRun {
            self = ClusterNode(restarting: self)
            output.persist.append(.incarnation(incarnation))
        }
        hasRun = true
        phase = .running
        startedAt = now
        topology.listeningSince = now
        log(now, .cluster, "cluster services starting on \(me) (incarnation \(incarnation))")
        return settle(at: now)
    }

    /// Stops cluster services: `graceful` releases without takeover, `takeover` lets others take
    /// the groups over, `forced` leaves everything running unmanaged.
    public mutating func stop(_ how: ClusterEvent.Departure, at now: Moment) -> Step {
        guard phase == .running, leaving == nil, how != .failed else { return drain() }
        leaving = how
        log(now, .cluster, "stopping cluster services on \(me) (\(how.rawValue))")
        if installed == nil && how != .forced { releaseEverything() }
        return settle(at: now)
    }

    /// A message arrived.
    public mutating func receive(_ envelope: Envelope, at now: Moment) -> Step {
        switch handleReceived(envelope, at: now) {
        case .answered(let step): step
        case .settle: settle(at: now)
        case .drain: drain()
        }
    }

    /// Messages that arrived together (the packets waiting in the daemon's inbox at once): each is
    /// handled as `receive` handles it, and the node settles once, after the last, instead of after
    /// each: as if they had arrived a moment apart with nothing due in between. A daemon that falls
    /// behind then does a step's work once per batch, not once per packet (a 32-node coordinator
    /// spent 40 to 120 ms on one read's packets, settling after each).
    public mutating func receiveAll(_ envelopes: [Envelope], at now: Moment) -> Step {
        var step = Step()
        var owed = false
        for envelope in envelopes {
            switch handleReceived(envelope, at: now) {
            case .answered(let answered): step.append(answered)
            case .settle: owed = true
            case .drain: break
            }
        }
        step.append(owed ? settle(at: now) : drain())
        return step
    }

    /// What a received message leaves to do: nothing more than handing over the output (`drain`),
    /// settling the node (`settle`), or nothing at all (`answered`: its step is complete).
    private enum AfterReceiving {
        case answered(Step)
        case settle
        case drain
    }

    /// Handles a message up to the settle it may need (`receive`, `receiveAll`).
    private mutating func handleReceived(_ envelope: Envelope, at now: Moment) -> AfterReceiving {
        guard envelope.clusterID == config.id, envelope.to == me,
            envelope.protocolVersion == vigilProtocolVersion, config.node(named: envelope.from) != nil,
            envelope.from != me
        else { return .drain }
        // `vigil start|stop --all` reaches a stopped node too: before the phase guard.
        switch envelope.message {
        case .services(let order): return .answered(onServicesOrder(order, from: envelope, at: now))
        case .servicesDone(let answer):
            desk.recordServicesAnswer(answer, from: envelope.from)
            return .drain
        case .config: return .drain
        default: break
        }
        guard phase == .running else { return .drain }
        // Before anything else, even on the heartbeat fast path below that skips `settle`.
        enforceLease(at: now)
        var heartbeat: Heartbeat? = nil
        if case .heartbeat(let beat) = envelope.message { heartbeat = beat }
        let wasReachable =
            topology.isReachable(envelope.from, at: now)
            && topology.incarnation(of: envelope.from) == envelope.incarnation
        topology.heard(
            from: envelope.from, incarnation: envelope.incarnation, network: envelope.network,
            onAdapter: envelope.toAdapter, heartbeat: heartbeat, at: now)
        guard topology.incarnation(of: envelope.from) == envelope.incarnation else { return .drain }
        // A heartbeat from a peer already heard changes nothing until the next tick looks again,
        // but one that asks for an echo at once gets it.
        if heartbeat != nil && wasReachable {
            output.messages += topology.urgentReplyBeats(
                incarnation: incarnation, view: membership.committedView, installedEpoch: installed?.epoch ?? 0,
                grantsTo: grantees(at: now), at: now)
            return .drain
        }
        // Nor does a member's periodic report that repeats its last one: every member sends one
        // a second, and settling after each cost a coordinator of 32 nodes most of its CPU.
        // (The member's claim to reach this node stays as it was: its last report renewed it.)
        var repeatsItsReport = false
        if case .report(let report) = envelope.message, wasReachable,
            coordination?.repeats(report, from: envelope.from) == true,
            let arrived = paths.reportArrivals[envelope.from], now - arrived <= Self.reportClaimLifetime
        {
            repeatsItsReport = true
        }
        handle(envelope, at: now)
        return repeatsItsReport ? .drain : .settle
    }

    /// Time passed: heartbeats, detection, timeouts.
    public mutating func tick(at now: Moment) -> Step {
        finish(at: now)
    }

    /// The host's dead man switch fired while this daemon was not running: the host released (or
    /// lost) everything. The node forgets what it held and reports it; its view stays, and the
    /// coordinator gives it groups again once its lease is confirmed.
    public mutating func deadManSwitchTripped(at now: Moment) -> Step {
        log(now, .cluster, "dead man switch tripped on \(me): everything was released while the daemon was not running")
        executor.forgetEverything()
        backOffAfterLeaseLoss(at: now)
        return finish(at: now)
    }

    /// The host reports an adapter's carrier lost or back.
    public mutating func carrier(_ up: Bool, adapter: String, at now: Moment) -> Step {
        topology.setCarrier(up, adapter: adapter)
        guard phase == .running else { return drain() }
        log(now, .event, "adapter \(adapter) carrier \(up ? "restored" : "lost")")
        return settle(at: now)
    }

    /// The shell finished an action batch. A failed one is retried after the event's recovery
    /// command, as many times as its hooks say; then its group is in error.
    public mutating func actionsFinished(_ id: UInt64, outcome: ActionOutcome, at now: Moment) -> Step {
        if case .failed(let index, let reason) = outcome {
            log(now, .event, "batch \(id) failed at action \(index): \(reason)")
            if retryAfterRecovery(id, at: now) { return finish(at: now) }
        }
        if let group = executor.inFlight.flatMap({ $0.id == id ? $0.group : nil }) { retries.reset(group) }
        executor.finish(id, outcome: outcome)
        return finish(at: now)
    }

    /// Runs the recovery command of the event the failed batch belongs to and queues the batch
    /// again, while its retries last (`hooks.EVENT.recovery`). Returns whether it did.
    private mutating func retryAfterRecovery(_ id: UInt64, at now: Moment) -> Bool {
        guard let batch = executor.inFlight, batch.id == id, let group = batch.group,
            let event = installed?.currentEvent?.event ?? installed?.events.last?.event,
            let recovery = config.hooks[event.name]?.recovery
        else { return false }
        let attempts = retries.used(by: group)
        guard attempts < recovery.retries, batch.purpose == .release || mayAcquire(at: now), executor.retry(id) else {
            if attempts > 0 {
                log(
                    now, .cluster,
                    "\(batch.purpose.rawValue) of \(group) still fails after \(attempts) recovery attempts")
            }
            retries.reset(group)
            return false
        }
        retries.count(group)
        log(
            now, .cluster,
            "\(batch.purpose.rawValue) of \(group) failed: running the recovery command of "
                + "\(event.name.rawValue), then retry \(attempts + 1) of \(recovery.retries)")
        output.work.append(.runHooks(HookInvocation(event: event, phase: .recovery)))
        return true
    }

    /// A resource of a group this node holds failed by itself (the runtime's application monitor,
    /// once its restarts are used up): the group goes into error, and the coordinator moves it to
    /// another eligible node (this node is not eligible for it until an administrator clears it).
    public mutating func resourceFailed(group: String, reason: String, at now: Moment) -> Step {
        guard executor.markFailed(group, reason: reason) else { return drain() }
        log(now, .cluster, "\(group) failed on \(me): \(reason)", about: LogRecord.Subject(group: group, node: me))
        return finish(at: now)
    }

    /// The shared disk answered a tiebreaker request.
    public mutating func diskCompleted(_ id: UInt64, outcome: DiskOutcome, at now: Moment) -> Step {
        guard phase == .running, tiebreaker != nil else { return drain() }
        if let next = tiebreaker!.completed(id, outcome, at: now, wanted: wantsTiebreaker(at: now)) {
            output.work.append(.disk(next))
        }
        return settle(at: now)
    }

    /// A fence command this node ran as coordinator finished.
    public mutating func fenceFinished(_ id: UInt64, succeeded: Bool, detail: String, at now: Moment) -> Step {
        guard phase == .running, coordination != nil else { return drain() }
        if let line = coordination!.fencing.finished(id, succeeded: succeeded, detail: detail, at: now) {
            log(now, .cluster, line)
        }
        return settle(at: now)
    }

    /// The shell stored configuration `version` (a sync of its own, or one a peer pushed): the node
    /// keeps it until the cluster runs it (`reconfig`), or runs it at once when the agreed state
    /// already names it.
    public mutating func configurationStored(version: UInt64, config stored: ClusterConfig, at now: Moment) -> Step {
        noteStoredConfiguration(version: version, config: stored)
        if phase == .running, let state = installed { followActiveConfiguration(of: state, at: now) }
        return finish(at: now)
    }

    /// The newest configuration version the shell stores and its configuration, told before
    /// cluster services start.
    public mutating func noteStoredConfiguration(version: UInt64, config stored: ClusterConfig) {
        versions.stage(version, stored)
        coordination?.versions = versions
    }

    /// An administrator's request, made on this node. Returns its id: its answer appears in
    /// `answers` under that id (at once when it is refused here).
    public mutating func request(_ request: AdminRequest, at now: Moment) -> (id: UInt64, step: Step) {
        let id = desk.open(request)
        guard phase == .running, let state = installed else {
            desk.record(
                AdminReply(id: id, origin: me, request: request, refusal: "cluster services are not running on \(me)"))
            return (id, drain())
        }
        let envelope = AdminEnvelope(id: id, origin: me, request: request)
        if coordination != nil {
            submitToCoordination(envelope, at: now)
        } else {
            send(message(to: state.coordinator, .request(envelope), at: now))
        }
        return (id, settle(at: now))
    }

    // MARK: Output

    /// Ends an input: settles the node while cluster services run, else hands over what it gathered.
    mutating func finish(at now: Moment) -> Step {
        phase == .running ? settle(at: now) : drain()
    }

    /// Returns what the input asked of the shell, with the protection when it changed, and starts
    /// the next step empty.
    mutating func drain() -> Step {
        let batch = executor.inFlight?.id
        // With the rule off (tests that prove the simulator notices), a step that starts a batch
        // leaves the protection to the next step.
        let protectNow = rules.protectBeforeActing || output.batches.isEmpty
        if protectNow, protected == nil || protected!.holdings != executor.holdings || protected!.batch != batch {
            let protection = executor.protection
            if protected?.protection != protection { output.protect = protection }
            protected = (protection, executor.holdings, batch)
        }
        defer { output = Step() }
        return output
    }

    mutating func log(
        _ now: Moment, _ destination: LogRecord.Destination, _ text: String, about subject: LogRecord.Subject? = nil
    ) {
        output.logs.append(LogRecord(time: now, node: me, destination: destination, text: text, subject: subject))
    }

    mutating func send(_ envelope: Envelope) { output.messages.append(envelope) }

    /// Sends a message on every IP network `peer` was heard on lately (or the usual route): for
    /// messages whose loss would stall the cluster.
    mutating func sendOnEveryRoute(to peer: String, _ body: Message, at now: Moment) {
        let networks = topology.ipRoutes(to: peer, at: now)
        guard !networks.isEmpty else { return send(message(to: peer, body, at: now)) }
        for network in networks { send(envelope(body, to: peer, on: network)) }
    }

    /// A message to `peer` on its usual route (the shell's own traffic too, such as `ConfigSync`'s):
    /// directly to a neighbour, else relayed through the neighbour on a path to it.
    public func message(to peer: String, _ body: Message, at now: Moment) -> Envelope {
        if peer != me, !topology.sendablePeers(at: now).contains(peer),
            let hop = nextHop(to: peer, avoiding: [], at: now)
        {
            let inner = envelope(body, to: peer, on: networkTo(hop, at: now))
            return envelope(.relay(Relay(inner: inner, trail: [me])), to: hop, on: networkTo(hop, at: now))
        }
        return envelope(body, to: peer, on: networkTo(peer, at: now))
    }

    /// `body` straight to `peer`, never relayed: configuration synchronisation (`ConfigSync`), which
    /// relays do not carry (its chunks are large, and a relay's hops would each have to hold them).
    /// A member of a ring does not heartbeat most peers, but its packets still reach them.
    public func directMessage(to peer: String, _ body: Message, at now: Moment) -> Envelope {
        envelope(body, to: peer, on: networkTo(peer, at: now))
    }

    /// The peers to announce this node's configuration version to (`ConfigSync.tick`): those it
    /// heartbeats on its IP networks (`MonitorRing`), so that the announcements, like the
    /// heartbeats, do not grow with the cluster; `nil` for every peer. A lagging node is still
    /// found: it announces to its ring and the coordinator, and the coordinator to everyone.
    public func configAnnouncementTargets(at now: Moment) -> [String]? {
        let ring = monitorRing(at: now)
        guard !ring.isAllToAll else { return nil }
        return config.nodes.map(\.name).filter { $0 != me && ring.watches($0) }
    }

    func envelope(_ body: Message, to peer: String, on network: String) -> Envelope {
        Envelope(clusterID: config.id, from: me, incarnation: incarnation, to: peer, network: network, message: body)
    }
}

/// How many times each group's failing batch has been retried after its event's recovery command.
struct RecoveryRetries: Sendable {
    private var attempts: [String: Int] = [:]

    func used(by group: String) -> Int { attempts[group, default: 0] }
    mutating func count(_ group: String) { attempts[group, default: 0] += 1 }
    mutating func reset(_ group: String) { attempts[group] = nil }
}
