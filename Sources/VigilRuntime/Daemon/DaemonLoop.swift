import Foundation
import NIOCore
import VigilCore
import VigilModel

/// The daemon's one serial loop: the only owner of the core. It applies each input in turn and
/// carries out the step that comes back in the step's order (`Step`): persist, protect, act, send.
/// Host work (action batches and hooks) runs in order on one worker of its own, so that a slow
/// driver never stalls heartbeats.
struct DaemonLoop {
    let daemon: NodeDaemon
    var core: ClusterNode
    let transport: UDPTransport
    let disks: DiskPaths
    /// The timer of the core's next `wake`, on the event loop, and the moment it is set for (`nil`
    /// once it fired: the tick it sends is the next input to come).
    private var wakeTimer: (any DaemonTimer)?
    private var wakeAt: Moment?
    /// The moment the core last asked to be woken at (`Step.wake`), until it passed.
    private var coreWake: Moment?
    /// The dead man switch's pets: at the inputs the loop handles, and by its own wake when none
    /// came for a while (`PetSchedule`).
    private var pets: PetSchedule
    private let pet: @Sendable () -> Void
    /// Hands the hardware watchdog how long this node's lease still holds (`Watchdog.leaseHolds`),
    /// after every step; `nil` without a watchdog device.
    private let leaseHolds: (@Sendable (() -> Duration?) -> Void)?
    private var waiting: [UInt64: (continuation: CheckedContinuation<String, any Error>, deadline: Moment)] = [:]
    private var stopWaiters: [CheckedContinuation<String, any Error>] = []
    private var shuttingDown = false
    /// `--start` was given and not applied yet; cluster services ran since the daemon started
    /// (both for `ServiceReadiness`).
    private var startPending: Bool
    private var servicesHaveRun = false
    /// What the service manager was last told about (`reportReadiness`).
    private var reportedFacts: ServiceReadiness.Facts?
    let hostWork = HostWorkQueue()
    private var warnedSerial: Set<String> = []
    /// The protection the core last asked for, and whether the dead man switch's plan has it: while
    /// it does not, no action batch starts (each is reported failed instead).
    private var protection = Protection()
    private var protectionFailure: String?
    /// The configuration synchronisation (`vigil sync`) and the file it keeps.
    var configSync: ConfigSync
    let configStore: ConfigStore
    /// `--all` orders waiting for every node's answer, by order id.
    var servicesWaiting: [UInt64: ServicesWait] = [:]
    /// A `vigil snapshot save` gathering every node's status.
    var gathering: StatusGathering?
    /// A `vigil sync` waiting for the coordinator to grant its version.
    var syncClaim: SyncClaim?
    /// A `vigil sync` waiting for every node to store its version.
    var syncWaiting: SyncWait?

    /// How long a request forwarded to the coordinator may wait for its answer.
    static let requestTimeout: Duration = .seconds(30)
    /// How long a fence command may run before it is killed and counted as failed.
    static let fenceTimeout: Duration = .seconds(60)

    init(
        daemon: NodeDaemon, core: ClusterNode, transport: UDPTransport, disks: DiskPaths, petPeriod: Duration,
        pet: @escaping @Sendable () -> Void, leaseHolds: (@Sendable (() -> Duration?) -> Void)? = nil
    ) {
        self.daemon = daemon
        startPending = daemon.options.startServices
        pets = PetSchedule(period: petPeriod)
        self.pet = pet
        self.leaseHolds = leaseHolds
        self.core = core
        self.transport = transport
        self.disks = disks
        configStore = ConfigStore(stateDirectory: daemon.options.stateDirectory)
        // A stored version that removed this node, while it runs a --config file that names it
        // (`ConfigStore.chooseAtStart`), is set aside: the cluster's newest version is fetched.
        let stored = configStore.storedVersionRemoves(daemon.me) ? nil : configStore.read()
        configSync = ConfigSync(
            me: daemon.me, peers: daemon.config.nodes.map(\.name), version: stored?.version ?? 0,
            text: stored.map { Self.bundleText(of: $0.text, daemon: daemon) })
        if let stored = storedConfiguration(configSync.version) {
            self.core.noteStoredConfiguration(version: configSync.version, config: stored)
        }
    }

    /// The configuration of a version this node stores (the running one, or one synced since),
    /// read from the configuration store's history (which keeps every stored version);
    /// `nil` when it is not kept or no longer verifies.
    func storedConfiguration(_ version: UInt64) -> ClusterConfig? {
        if version == core.versions.running { return core.config }
        guard let text = configStore.text(of: version) else { return nil }
        return try? ConfigStore.verify(text, file: "configuration version \(version)", clusterID: daemon.config.id)
            .get()
    }

    /// Applies inputs until cluster services stopped after a shutdown request, or the inputs end.
    /// The host worker is a child task: it ends with the loop.
    mutating func run(inputs: DaemonInbox) async {
        await withDiscardingTaskGroup { tasks in
            // On the global executor, as `EventLoopExecutor` requires of work that may block: a
            // child task inherits the loop's executor preference, so the drivers' synchronous parts
            // (spawning a command waits until the child has exec'd, a mount, the plan's file) ran
            // on the loop's own thread, between heartbeats.
            tasks.addTask(executorPreference: globalConcurrentExecutor) { [hostWork, daemon] in
                await Self.performHostWork(hostWork, daemon: daemon)
            }
            petIfDue(at: daemon.now)
            while let item = await inputs.next() {
                let now = daemon.now
                if case .received(let envelope) = item, !envelope.isConfigMessage {
                    // With the packets that wait behind it: the core settles once for them all.
                    let waiting = inputs.takeWaitingPackets(limit: Self.packetBatchLimit)
                    perform(core.receiveAll([envelope] + waiting, at: now), at: now)
                } else {
                    perform(apply(item, at: now), at: now)
                }
                if configSync.version > core.storedConfigVersion, let stored = storedConfiguration(configSync.version) {
                    perform(core.configurationStored(version: configSync.version, config: stored, at: now), at: now)
                }
                answerRequests(at: now)
                answerServices(at: now)
                answerSyncClaim(at: now)
                answerGathering(at: now)
                answerSync(at: now)
                daemon.publish(core: core, at: now)
                reportReadiness(at: now)
                petIfDue(at: now)
                if core.phase == .stopped && shuttingDown {
                    for waiter in stopWaiters { waiter.resume(returning: "cluster services stopped on \(daemon.me)") }
                    stopWaiters = []
                    break
                }
            }
            wakeTimer?.cancel()
            hostWork.finish()
            tasks.cancelAll()
        }
    }

    /// The most packets the core takes in at once (`ClusterNode.receiveAll`).
    static let packetBatchLimit = 64

    /// The host worker: action batches and hooks, one at a time, in the order the loop queued them.
    /// A batch's result goes back to the loop as an input; before it, the plan is written again with
    /// the process groups the driver records now (a stopped application's group leaves the plan;
    /// a started one's was written the moment it was spawned, before it could run).
    private static func performHostWork(_ queue: HostWorkQueue, daemon: NodeDaemon) async {
        for await item in queue.work {
            queue.took(item)
            switch item {
            case .batch(let batch):
                let outcome = await daemon.host.perform(batch)
                do {
                    try daemon.updateEmergencyPlan { _ in }
                } catch {
                    daemon.logs.event(
                        "ERROR: cannot write the dead man switch's plan after batch \(batch.id): \(error)")
                }
                daemon.send(.actionsFinished(batch.id, outcome))
            case .hooks(let invocation):
                _ = await daemon.hooks.run(invocation)
            case .configuration(let version, let config):
                let host = await daemon.host.reconfigured(to: config)
                let hooks = HookRunner(hooks: config.hooks, node: daemon.me, logs: daemon.logs)
                daemon.running.withLock {
                    $0.host = host
                    $0.hooks = hooks
                }
                daemon.logs.event("the host's drivers and hooks run configuration version \(version)")
            }
        }
    }

    private mutating func apply(_ item: DaemonInput, at now: Moment) -> Step {
        switch item {
        case .received(let envelope):
            if case .config(let message) = envelope.message {
                receiveConfig(message, in: envelope, at: now)
                return Step()
            }
            return core.receive(envelope, at: now)
        case .receivedAll(let envelopes):
            var step = Step()
            for envelope in envelopes { step.append(apply(.received(envelope), at: now)) }
            return step
        case .servicesAll(let command, let continuation): return orderServices(command, continuation, at: now)
        case .sync(let bundle, let source, let expectVersion, let continuation):
            return startSync(bundle: bundle, source: source, expectVersion: expectVersion, continuation, at: now)
        case .preview(let input, let continuation):
            continuation.resume(returning: preview(input))
            return Step()
        case .housekeeping:
            carryOut(configSync.tick(at: now, announcingTo: core.configAnnouncementTargets(at: now)), at: now)
            return Step()
        case .tick:
            wakeAt = nil
            if let coreWake, coreWake <= now { self.coreWake = nil }
            return core.tick(at: now)
        case .actionsFinished(let id, let outcome): return core.actionsFinished(id, outcome: outcome, at: now)
        case .diskCompleted(let id, let outcome): return core.diskCompleted(id, outcome: outcome, at: now)
        case .fenceFinished(let id, let succeeded, let detail):
            return core.fenceFinished(id, succeeded: succeeded, detail: detail, at: now)
        case .carrier(let adapter, let up): return core.carrier(up, adapter: adapter, at: now)
        case .resourceFailed(let group, let reason): return core.resourceFailed(group: group, reason: reason, at: now)
        case .deadManSwitchTripped: return core.deadManSwitchTripped(at: now)
        case .start(let continuation):
            startPending = false
            guard core.phase == .stopped else {
                continuation.resume(throwing: AdminRefusal("cluster services are already running on \(daemon.me)"))
                return Step()
            }
            continuation.resume(returning: "starting cluster services on \(daemon.me)")
            return core.start(at: now)
        case .stop(let how, let continuation):
            guard core.phase == .running else {
                continuation.resume(throwing: AdminRefusal("cluster services are not running on \(daemon.me)"))
                return Step()
            }
            continuation.resume(returning: "stopping cluster services on \(daemon.me) (\(how.rawValue))")
            return core.stop(how, at: now)
        case .request(let request, let continuation):
            let (id, step) = core.request(request, at: now)
            waiting[id] = (continuation, now + Self.requestTimeout)
            return step
        case .status(let continuation):
            continuation.resume(returning: statusSnapshot(at: now))
            return Step()
        case .agreedState(let continuation):
            let running = daemon.runningVersion
            continuation.resume(
                returning: AgreedStateAnswer(
                    node: core.me, running: core.phase == .running, configVersion: running.version,
                    configText: running.text, state: core.installed))
            return Step()
        case .gatherStatus(let continuation):
            startGathering(continuation, at: now)
            return Step()
        case .shutdown:
            shuttingDown = true
            daemon.options.serviceManager.stopping(status: "stopping: releasing resource groups, then ending")
            guard core.phase == .running else {
                var stopped = Step()
                stopped.stopped = true
                return stopped
            }
            daemon.logs.event("shutdown requested: stopping cluster services gracefully")
            return core.stop(.graceful, at: now)
        case .stopAfterFailure:
            return core.stop(.graceful, at: now)
        }
    }

    /// The text a stored configuration is pushed as: with the files it names, as this node has
    /// them now (what it received with it, or what an administrator put there since); the bare
    /// configuration when one of them cannot be read here.
    static func bundleText(of configuration: String, daemon: NodeDaemon) -> String {
        guard let loaded = ConfigLoader.load(yaml: configuration, file: "stored").0,
            let bundle = try? ConfigBundle.gather(
                configuration: configuration, config: loaded.config, directory: daemon.options.filesDirectory)
        else { return configuration }
        return bundle.text
    }

    /// This node's status, as `vigil status` shows it.
    func statusSnapshot(at now: Moment) -> StatusSnapshot {
        var snapshot = StatusSnapshot(
            core: core, at: now, counters: transport.counters.snapshot, configVersion: core.versions.running)
        snapshot.counters["inputs_dropped"] = daemon.inbox.droppedPackets
        snapshot.counters["heartbeats_coalesced"] = daemon.inbox.coalescedHeartbeats
        snapshot.counters["hooks_dropped"] = hostWork.droppedHooks
        snapshot.counters["jobs_refused"] = daemon.jobs.refused
        if configSync.version > core.versions.running { snapshot.storedConfigVersion = configSync.version }
        return snapshot
    }

    /// Answers the administrators' requests the coordinator answered, and those that waited too long.
    private mutating func answerRequests(at now: Moment) {
        for reply in core.answers where waiting[reply.id] != nil {
            let continuation = waiting.removeValue(forKey: reply.id)!.continuation
            if let refusal = reply.refusal {
                continuation.resume(throwing: AdminRefusal(refusal))
            } else {
                continuation.resume(returning: "\(reply.request): done")
            }
        }
        for (id, entry) in waiting where entry.deadline <= now {
            waiting[id] = nil
            entry.continuation.resume(
                throwing: AdminRefusal(
                    "no answer from the coordinator within \(DurationText.format(Self.requestTimeout)); the request "
                        + "may still be carried out"
                ))
        }
    }

    /// Carries out a step in its order: persist, protect, act, send (`Step`); its logs, its wake,
    /// and the end of cluster services last.
    mutating func perform(_ step: Step, at now: Moment) {
        for record in step.persist { persist(record, at: now) }
        protect(step.protect)
        // With the protection and before acting: the hardware watchdog's pets rest on the lease
        // of the core as this step left it (it may have started to acquire, or lost its lease).
        if let leaseHolds {
            leaseHolds {
                let fresh = daemon.now
                return core.hardwareWatchdogLease(at: fresh).map { $0 - fresh }
            }
        }
        for work in step.work { act(work) }
        send(step.messages)
        for record in step.logs { daemon.logs.write(record) }
        if let moment = step.wake {
            coreWake = moment
            armWake()
        }
        if step.stopped { daemon.logs.event("cluster services stopped") }
    }

    /// Step 1: makes a record durable. The incarnation is the only one: if it cannot be written, a
    /// later start of the daemon could take a number peers have seen, so cluster services stop.
    private mutating func persist(_ record: Persistence, at now: Moment) {
        switch record {
        case .incarnation(let incarnation):
            do {
                try Incarnation.record(incarnation, stateDirectory: daemon.options.stateDirectory)
                daemon.logs.event("cluster services start again as incarnation \(incarnation)")
            } catch {
                daemon.logs.event(
                    "ERROR: cannot record incarnation \(incarnation) in \(daemon.options.stateDirectory): "
                        + "\(error); stopping cluster services (a later start could repeat it)")
                daemon.send(.stopAfterFailure)
            }
        }
    }

    /// Step 2: makes the dead man switch cover the core's protection. Until a plan with it has
    /// been written, no action batch starts (`act`).
    private mutating func protect(_ next: Protection?) {
        if let next {
            protection = next
        } else if protectionFailure == nil {
            return
        }
        do {
            try daemon.protect(protection)
            if protectionFailure != nil { daemon.logs.event("the dead man switch's plan is written again") }
            protectionFailure = nil
        } catch {
            if protectionFailure == nil {
                daemon.logs.event(
                    "ERROR: cannot write the dead man switch's plan: \(error); no action starts until it can")
            }
            protectionFailure = "\(error)"
        }
    }

    /// Step 3: starts one item of work. Batches and hooks go to the host worker in order; fences
    /// and disk requests run beside them.
    private mutating func act(_ work: Step.Work) {
        switch work {
        case .perform(let batch):
            if let failure = protectionFailure {
                let reason = "not started: the dead man switch's plan cannot be written (\(failure))"
                daemon.send(.actionsFinished(batch.id, .failed(index: 0, reason: reason)))
            } else {
                hostWork.add(batch)
            }
        case .runHooks(let invocation):
            if !hostWork.add(invocation) {
                daemon.logs.event(
                    "ERROR: the \(invocation.phase.rawValue) hooks of \(invocation.event) were not run: "
                        + "\(HostWorkQueue.hookLimit) hook runs are waiting")
            }
        case .fence(let request):
            fence(request)
        case .disk(let request):
            disks.tiebreaker(request)
        case .runConfiguration(let version):
            runConfiguration(version)
        }
    }

    /// Step 4: sends the step's messages: UDP packets in one batch, disk heartbeats as one record
    /// per disk network, other disk messages through the slot's outbox.
    mutating func send(_ messages: [Envelope]) {
        var diskBeats: [String: [Envelope]] = [:]
        var packets: [UDPTransport.Outbound] = []
        for envelope in messages {
            guard let network = daemon.config.network(named: envelope.network) else { continue }
            if network.isIP {
                route(envelope, into: &packets)
            } else if network.isSharedDisk {
                if case .heartbeat = envelope.message {
                    diskBeats[network.name, default: []].append(envelope)
                } else {
                    disks.post(envelope)
                }
            } else if warnedSerial.insert(network.name).inserted {
                daemon.logs.event(
                    "network \(network.name) is a serial link: vigild does not drive serial lines; "
                        + "it is not watched (use a disk heartbeat)")
            }
        }
        if !packets.isEmpty { send(packets) }
        let held = core.holdings.heldGroups
        for (network, beats) in diskBeats { disks.beat(network: network, beats, holdings: held) }
    }

    /// Tells the service manager whether the daemon settled and how it is (`ServiceReadiness`);
    /// the notifier sends only what changed.
    private mutating func reportReadiness(at now: Moment) {
        guard daemon.options.serviceManager.isEnabled, !shuttingDown else { return }
        if core.phase == .running { servicesHaveRun = true }
        let facts = ServiceReadiness.Facts(core: core, at: now, startPending: startPending, hasRun: servicesHaveRun)
        guard facts != reportedFacts else { return }
        reportedFacts = facts
        let readiness = ServiceReadiness(facts)
        daemon.options.serviceManager.report(ready: readiness.ready, status: readiness.status)
    }

    /// Pets the dead man switch when it is due (`PetSchedule`), and keeps the wake for the next pet.
    private mutating func petIfDue(at now: Moment) {
        if pets.takeDue(at: now) { pet() }
        armWake()
    }

    /// Sets the timer of the loop's next tick: the core's next wake, or the next pet when it comes
    /// first. The core asks again after every step, mostly for the moment already set.
    private mutating func armWake() {
        guard let moment = [coreWake, pets.deadline].compactMap({ $0 }).min(), moment != wakeAt else { return }
        wakeTimer?.cancel()
        wakeAt = moment
        wakeTimer = daemon.clock.schedule(at: moment) { [daemon] in daemon.send(.tick) }
    }

    /// The UDP packets of an envelope: a heartbeat between the adapters it names; any other
    /// message to every address the peer has on the network, each from this node's address in the
    /// same subnet (else its first).
    private func route(_ envelope: Envelope, into packets: inout [UDPTransport.Outbound]) {
        let routes = daemon.routes
        if let fromAdapter = envelope.fromAdapter {
            guard let local = routes.route(node: envelope.from, network: envelope.network, adapter: fromAdapter),
                let toAdapter = envelope.toAdapter,
                let remote = routes.route(node: envelope.to, network: envelope.network, adapter: toAdapter)
            else {
                transport.counters.countSendFailed()
                let error = TransportError.unroutable(
                    from: envelope.from, to: envelope.to, network: envelope.network,
                    fromAdapter: envelope.fromAdapter, toAdapter: envelope.toAdapter)
                noteHeartbeat(envelope, failure: "\(error)")
                return
            }
            packets.append(UDPTransport.Outbound(envelope: envelope, local: local.address, remote: remote.socket))
            return
        }
        let locals = routes.routes(of: envelope.from, on: envelope.network)
        guard let first = locals.first else { return }
        let netmask = daemon.config.network(named: envelope.network)?.netmask
        for remote in routes.routes(of: envelope.to, on: envelope.network) {
            // From my adapter in the peer's subnet: a packet for another subnet would leave through
            // whatever route there is, and fail (ENETUNREACH) while that is down.
            let local =
                netmask.flatMap { mask in
                    locals.first { $0.address.masked(by: mask) == remote.address.masked(by: mask) }
                } ?? first
            packets.append(UDPTransport.Outbound(envelope: envelope, local: local.address, remote: remote.socket))
        }
    }

    /// Sends a step's packets in one batch. A heartbeat path that starts or stops failing is logged
    /// once each way; any other message that cannot be sent, every time.
    private func send(_ packets: [UDPTransport.Outbound]) {
        let daemon = daemon
        transport.sendNow(packets, spawn: daemon.jobs.submit) { packet, error in
            let envelope = packet.envelope
            guard envelope.fromAdapter != nil else {
                if let error { daemon.logs.event("sending to \(envelope.to) on \(envelope.network) failed: \(error)") }
                return
            }
            DaemonLoop.noteHeartbeat(envelope, failure: error.map { "\($0)" }, daemon: daemon)
        }
    }

    private func noteHeartbeat(_ envelope: Envelope, failure: String?) {
        Self.noteHeartbeat(envelope, failure: failure, daemon: daemon)
    }

    /// Records whether a heartbeat's path works (`failure == nil`) or fails, and logs the changes.
    private static func noteHeartbeat(_ envelope: Envelope, failure: String?, daemon: NodeDaemon) {
        // The common case, every path working, costs one look at an empty table.
        if failure == nil, daemon.failingPaths.withLock({ $0.isEmpty }) { return }
        let path = "\(envelope.network) \(envelope.fromAdapter ?? "?") -> \(envelope.to)/\(envelope.toAdapter ?? "?")"
        if let text = failure {
            if daemon.failingPaths.withLock({ paths in
                defer { paths[path] = text }
                return paths[path] != text
            }) {
                daemon.logs.event("heartbeats on \(path) cannot be sent: \(text)")
            }
        } else if daemon.failingPaths.withLock({ $0.removeValue(forKey: path) }) != nil {
            daemon.logs.event("heartbeats on \(path) are sent again")
        }
    }

    /// Runs a node's fence command (a job of the daemon's) and tells the core how it went.
    private func fence(_ request: FenceRequest) {
        let daemon = daemon
        let started = daemon.jobs.submit {
            let result = await CommandRunner().run(
                ShellCommand(
                    request.command, environment: ["VIGIL_FENCE_NODE": request.node], timeout: Self.fenceTimeout))
            daemon.send(.fenceFinished(request.id, succeeded: result.succeeded, detail: result.summary))
        }
        if !started {
            let detail = "not run: \(DaemonJobs.limit) jobs of the daemon are waiting or running"
            daemon.send(.fenceFinished(request.id, succeeded: false, detail: detail))
        }
    }
}
