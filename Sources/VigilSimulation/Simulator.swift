import HeapModule
import VigilCore
import VigilModel

/// A whole cluster in one process: a core per node, a virtual clock, simulated networks with loss,
/// delay, duplication and partitions, hosts that crash, pause and restart, and the truth of what each
/// host holds. Everything random comes from one seed, so a run replays exactly.
/// The invariant checker runs after every step that changes what a host holds.
public final class Simulator {
    /// The first configuration (version 0).
    public let config: ClusterConfig
    /// The hosts and wires: the first configuration's, and those of nodes and networks a plan's
    /// syncs add (`PlanHosts`), whose hosts exist, powered and unstarted, from the beginning.
    public let world: ClusterConfig
    public private(set) var now: Moment = .zero
    public var random: SimRandom
    public var faults = NetworkFaults()
    public private(set) var hosts: [String: SimHost]
    /// Every broken invariant seen so far.
    public private(set) var violations: [Violation] = []
    /// Called with a line for every message, decision and action, when set (`vigil sim replay`).
    public var trace: ((String) -> Void)?
    /// Called with every step a core returns, with its node and the time, before it is carried out
    /// (the golden traces of `TraceTests`).
    public var stepObserver: ((_ node: String, _ time: Moment, _ step: Step) -> Void)?
    /// Called with every envelope a node sends, before the network decides its fate, when set
    /// (`vigil-fuzz` collects real messages of every kind this way).
    public var onSend: ((Envelope) -> Void)?
    /// How long one action takes on a host.
    public var actionTime: (min: Duration, max: Duration) = (.milliseconds(1), .milliseconds(20))
    /// Actions that fail when performed, as `node/action description`.
    public var failingActions: Set<String> = []
    /// The snapshots a plan saved (`vigil snapshot save`): the configuration the cluster ran then.
    public var snapshots: [String: ClusterConfig] = [:]
    /// The safety rules every simulated node runs with (`.standard` but in tests that break one on purpose).
    public var rules = SafetyRules.standard
    /// The agreed state every node started while it is set begins from (`ClusterNode.inheritedState`):
    /// how an emulation starts from the live cluster's state (`Emulation`).
    public var inheritedState: ClusterState?

    /// Pending work, ordered by time then by the order it was scheduled in; the work itself waits
    /// in `pending` so that the heap moves only small keys.
    private var queue = Heap<Scheduled>()
    private var pending: [UInt64: Work] = [:]
    private var nextSequence: UInt64 = 0
    private var checker: InvariantChecker

    /// `world`: the hosts when they are more than the first configuration's (see `world`).
    public init(config: ClusterConfig, seed: UInt64, world: ClusterConfig? = nil) {
        self.config = config
        self.world = world ?? config
        self.random = SimRandom(seed: seed)
        self.hosts = Dictionary(uniqueKeysWithValues: self.world.nodes.map { ($0.name, SimHost(name: $0.name)) })
        self.checker = InvariantChecker(config: config, world: world)
    }

    // MARK: Controls

    /// Starts cluster services on a node (booting it first if it crashed).
    public func start(_ node: String) {
        guard let host = hosts[node], host.core == nil else { return }
        // A node whose stored version does not name it (a sync added it, or removed it and then
        // added it back) while the newest version does: the administrator starts it from the
        // cluster's newest file, and vigild fetches that version (`ConfigStore.chooseAtStart`).
        if configuration(host.storedConfigVersion).node(named: node) == nil,
            let newest = checker.versions.keys.max(), newest > host.storedConfigVersion,
            configuration(newest).node(named: node) != nil
        {
            host.storedConfigVersion = newest
        }
        // As vigild, a node does not start from a configuration that does not name it (a version
        // removed it).
        let runs = configuration(host.storedConfigVersion)
        guard runs.node(named: node) != nil else {
            note("\(node): not started: configuration version \(host.storedConfigVersion) does not name it")
            return
        }
        host.isUp = true
        host.incarnations += 1
        let incarnation = UInt64(host.incarnations)
        // The daemon runs the newest configuration it stores.
        host.core = ClusterNode(
            config: runs, me: node, incarnation: incarnation, holdings: host.readBack(config: runs), rules: rules,
            configVersion: host.storedConfigVersion)
        host.core!.noteStoredConfiguration(version: host.storedConfigVersion, config: runs)
        host.core!.inheritedState = inheritedState
        host.protection = host.core!.protection
        note("\(node): start (incarnation \(incarnation))")
        drive(node) { $0.start(at: self.now) }
    }

    /// Stops cluster services on a node the way `vigil stop` would.
    public func stop(_ node: String, how: ClusterEvent.Departure) {
        note("\(node): stop \(how.rawValue)")
        deliverInput(node) { $0.stop(how, at: self.now) }
    }

    /// Crashes a node: its daemon and everything it held are gone, as after a power failure.
    public func crash(_ node: String) {
        guard let host = hosts[node] else { return }
        note("\(node): crash")
        host.core = nil
        host.isUp = false
        host.resources = HostResources()
        host.inFlight = [:]
        host.pausedUntil = nil
        deferred[node] = nil
        host.wakeGeneration += 1
    }

    /// Pauses a node's daemon (a stopped process, a starved CPU) for a while. The host's dead man
    /// switch, a watchdog the daemon feeds whenever it runs, fires if the daemon has not run for the
    /// trip interval: it releases everything on the host (the real one removes addresses and stops
    /// applications, or halts the node).
    public func pause(_ node: String, for duration: Duration) {
        guard let host = hosts[node], host.core != nil else { return }
        note("\(node): pause for \(DurationText.format(duration))")
        host.pausedUntil = max(host.pausedUntil ?? now, now + duration)
        schedule(.resume(node: node), at: host.pausedUntil!)
        if config.quorum != .none {
            schedule(
                .watchdog(node: node, incarnation: host.incarnations), at: host.lastRan + config.tuning.tripInterval)
        }
    }

    /// Ends a pause now: the work that waited for the daemon runs at once.
    public func resume(_ node: String) {
        guard let host = hosts[node], let until = host.pausedUntil, until > now else { return }
        note("\(node): resumed")
        host.pausedUntil = now
        schedule(.resume(node: node), at: now)
    }

    /// Fails or repairs an adapter; the host reports the carrier change to its daemon.
    public func setAdapter(_ adapter: String, of node: String, up: Bool) {
        note("\(node): adapter \(adapter) \(up ? "repaired" : "failed")")
        if up {
            faults.failedAdapters.remove("\(node)/\(adapter)")
        } else {
            faults.failedAdapters.insert("\(node)/\(adapter)")
        }
        deliverInput(node) { $0.carrier(up, adapter: adapter, at: self.now) }
    }

    /// An administrator's request made on a node; its answer appears in the node's `answers`.
    public func request(_ request: AdminRequest, on node: String) {
        note("\(node): request \(request)")
        deliverInput(node) { $0.request(request, at: self.now).step }
    }

    /// The node's shell stored configuration `version` (a `vigil sync`, or a peer's push), whose
    /// configuration `defineConfiguration` gave (the first configuration when it gave none). The
    /// host keeps it on its disk: the daemon runs it from its next start.
    public func configurationStored(version: UInt64, on node: String) {
        guard let host = hosts[node] else { return }
        note("\(node): stores configuration version \(version)")
        if version > host.storedConfigVersion { host.storedConfigVersion = version }
        let stored = configuration(version)
        deliverInput(node) { $0.configurationStored(version: version, config: stored, at: self.now) }
    }

    /// Makes `config` the configuration of `version` (a sync's), for the nodes that store it.
    public func defineConfiguration(_ config: ClusterConfig, version: UInt64) {
        checker.versions[version] = config
    }

    /// The configuration of `version` (the first one when none was defined for it).
    public func configuration(_ version: UInt64) -> ClusterConfig { checker.versions[version] ?? config }

    /// The invariants of this run, with every configuration version defined so far.
    public var invariantChecker: InvariantChecker { checker }

    /// The version the cluster runs now: the newest any running node's agreed state names.
    public var runningVersion: UInt64 {
        hosts.values.compactMap { $0.core?.installed?.activeConfigVersion }.max() ?? 0
    }

    /// The configuration the cluster runs now (that of `runningVersion`).
    public var activeConfig: ClusterConfig { configuration(runningVersion) }

    /// Runs the simulation until the virtual clock reaches `end`.
    public func run(until end: Moment) {
        while let next = queue.min, next.time <= end {
            _ = queue.popMin()
            now = max(now, next.time)
            process(pending.removeValue(forKey: next.sequence)!)
        }
        now = max(now, end)
    }

    public func run(for duration: Duration) { run(until: now + duration) }

    /// Adds a violation found by a check outside the simulator (convergence after the faults healed).
    public func record(_ violation: Violation) { violations.append(violation) }

    // MARK: Observations

    /// The groups each node holds ONLINE, by its core's account, checked against the host's truth.
    public func onlineGroups() -> [String: [String]] {
        var result: [String: [String]] = [:]
        let groups = activeConfig.resourceGroups.map(\.name)
        for node in world.nodes {
            let holdings = hosts[node.name]?.core?.holdings ?? Holdings()
            result[node.name] = groups.filter { holdings.state(of: $0) == .online }
        }
        return result
    }

    /// The merged cluster log of every node, in time order.
    public var clusterLog: [LogRecord] {
        hosts.values.flatMap(\.clusterLog).sorted { ($0.time, $0.node) < ($1.time, $1.node) }
    }

    // MARK: Engine

    private struct Scheduled: Comparable {
        var time: Moment
        var sequence: UInt64
        static func < (a: Self, b: Self) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
        static func == (a: Self, b: Self) -> Bool { (a.time, a.sequence) == (b.time, b.sequence) }
    }

    private enum Work {
        case deliver(Envelope)
        case wake(node: String, generation: UInt64)
        case finish(node: String, incarnation: UInt64, batch: UInt64, outcome: ActionOutcome)
        case watchdog(node: String, incarnation: UInt64)
        /// A pause ends: the work that waited for the daemon runs, in the order it arrived.
        case resume(node: String)
        case diskDone(node: String, incarnation: UInt64, request: DiskRequest)
        /// The result of a disk request, for the daemon (later if it is paused).
        case diskResult(node: String, incarnation: UInt64, id: UInt64, outcome: DiskOutcome)
        case fenceDone(node: String, incarnation: UInt64, request: FenceRequest)
        /// An input from outside the daemon (an administrator, the host's link state): it waits
        /// like everything else while the daemon is paused.
        case input(node: String, apply: (inout ClusterNode) -> Step)
    }

    /// Hands an input to a node's daemon through the queue, so that a paused daemon gets it late.
    private func deliverInput(_ node: String, _ apply: @escaping (inout ClusterNode) -> Step) {
        schedule(.input(node: node, apply: apply), at: now)
        run(until: now)
    }

    /// Nodes whose fence command fails (their management board unreachable, say).
    public var unfenceable: Set<String> = []
    /// Nodes fenced so far, in order.
    public private(set) var fenced: [String] = []

    /// Runs a fence command: it powers the node off (a crash), or fails for an unfenceable node.
    private func fence(_ request: FenceRequest) -> (Bool, String) {
        guard !unfenceable.contains(request.node) else {
            return (false, "\(request.command): management board unreachable")
        }
        note("\(request.node): fenced (powered off) by \(request.command)")
        fenced.append(request.node)
        crash(request.node)
        return (true, "powered off")
    }

    /// The tiebreaker sector of each shared disk, by disk network.
    public private(set) var tiebreakers: [String: TiebreakerRecord] = [:]

    /// A disk request takes 1 to 5 ms and takes effect when it completes; it fails when the node's
    /// adapter on the disk network failed.
    private func diskRequest(_ request: DiskRequest, from node: String) {
        schedule(
            .diskDone(node: node, incarnation: hosts[node]!.incarnations, request: request),
            at: now + random.duration(.milliseconds(1), .milliseconds(5)))
    }

    private func diskOutcome(_ request: DiskRequest, from node: String) -> DiskOutcome {
        let adapters = world.node(named: node)?.adapters(on: request.network) ?? []
        guard adapters.contains(where: { faults.isUp($0, of: node) }) else { return .failed("no path to the disk") }
        switch request.operation {
        case .read:
            return .read(tiebreakers[request.network])
        case .write(let record):
            tiebreakers[request.network] = record
            note("\(node): tiebreaker on \(request.network) now \(record)")
            return .written
        }
    }

    /// Work that arrived for a paused daemon, by node, in arrival order.
    private var deferred: [String: [Work]] = [:]

    private func schedule(_ work: Work, at time: Moment) {
        nextSequence += 1
        pending[nextSequence] = work
        queue.insert(Scheduled(time: time, sequence: nextSequence))
    }

    private func process(_ work: Work) {
        let node: String
        switch work {
        case .deliver(let envelope): node = envelope.to
        case .wake(let target, _): node = target
        case .finish(let target, _, _, _): node = target
        case .diskDone(let target, let incarnation, let request):
            // The disk does its work when it is due, whether or not the daemon runs.
            guard hosts[target]?.incarnations == incarnation, hosts[target]?.core != nil else { return }
            let outcome = diskOutcome(request, from: target)
            schedule(.diskResult(node: target, incarnation: incarnation, id: request.id, outcome: outcome), at: now)
            return
        case .diskResult(let target, _, _, _): node = target
        case .fenceDone(let target, _, _): node = target
        case .input(let target, _): node = target
        case .watchdog(let target, let incarnation):
            fireWatchdogIfStarved(target, incarnation: incarnation)
            return
        case .resume(let target):
            guard let until = hosts[target]?.pausedUntil, until <= now else { return }
            hosts[target]!.pausedUntil = nil
            for waiting in deferred.removeValue(forKey: target) ?? [] { schedule(waiting, at: now) }
            return
        }
        if let until = hosts[node]?.pausedUntil, until > now {
            deferred[node, default: []].append(work)
            return
        }
        if let host = hosts[node], host.tripped, host.core != nil {
            host.tripped = false
            drive(node) { $0.deadManSwitchTripped(at: self.now) }
        }
        switch work {
        case .deliver(let envelope):
            guard hosts[node]?.core != nil else { return }
            if case .heartbeat = envelope.message {
            } else {
                note("deliver \(envelope.from) -> \(envelope.to) on \(envelope.network): \(summary(envelope.message))")
            }
            drive(node) { $0.receive(envelope, at: self.now) }
        case .wake(_, let generation):
            guard hosts[node]?.wakeGeneration == generation else { return }
            drive(node) { $0.tick(at: self.now) }
        case .finish(_, let incarnation, let id, let outcome):
            guard let host = hosts[node], host.incarnations == incarnation, let batch = host.inFlight[id] else {
                return
            }
            complete(batch, on: node, outcome: outcome)
            drive(node) { $0.actionsFinished(id, outcome: outcome, at: self.now) }
        case .diskResult(_, let incarnation, let id, let outcome):
            guard hosts[node]?.incarnations == incarnation else { return }
            drive(node) { $0.diskCompleted(id, outcome: outcome, at: self.now) }
        case .fenceDone(_, let incarnation, let request):
            guard hosts[node]?.incarnations == incarnation, hosts[node]?.core != nil else { return }
            let (succeeded, detail) = fence(request)
            drive(node) { $0.fenceFinished(request.id, succeeded: succeeded, detail: detail, at: self.now) }
        case .input(_, let apply):
            drive(node, apply)
        case .watchdog, .resume, .diskDone:
            break
        }
    }

    private func fireWatchdogIfStarved(_ node: String, incarnation: UInt64) {
        guard let host = hosts[node], host.incarnations == incarnation, host.core != nil,
            let until = host.pausedUntil, until > now
        else { return }
        let deadline = host.lastRan + config.tuning.tripInterval
        guard now >= deadline else {
            schedule(.watchdog(node: node, incarnation: incarnation), at: deadline)
            return
        }
        guard !host.tripped else { return }
        note(
            "\(node): dead man switch fires (daemon has not run for \(DurationText.format(now - host.lastRan))): "
                + "host releases everything"
        )
        host.tripped = true
        host.resources = HostResources()
        host.inFlight = [:]
    }

    /// Feeds an input to a node's core and carries out the step it returns, in the step's order:
    /// persist, protect, act, send; logs as they come; the wake; the end of cluster services.
    private func drive(_ node: String, _ input: (inout ClusterNode) -> Step) {
        guard hosts[node]?.core != nil else { return }
        let host = hosts[node]!
        host.lastRan = now
        let step = input(&host.core!)
        stepObserver?(node, now, step)
        for record in step.persist {
            if case .incarnation(let incarnation) = record { host.persistedIncarnation = incarnation }
        }
        if let protection = step.protect { host.protection = protection }
        for work in step.work { perform(work, from: node) }
        for envelope in step.messages { send(envelope) }
        for record in step.logs {
            host.log.append(record)
            trace?("\(record.time) \(node) [\(record.destination.rawValue)] \(record.text)")
        }
        if let at = step.wake {
            host.wakeGeneration += 1
            schedule(.wake(node: node, generation: host.wakeGeneration), at: max(at, now))
        }
        if step.stopped {
            host.core = nil
            host.wakeGeneration += 1
        }
    }

    private func perform(_ work: Step.Work, from node: String) {
        switch work {
        case .perform(let batch):
            begin(batch, on: node)
        case .disk(let request):
            diskRequest(request, from: node)
        case .fence(let request):
            schedule(
                .fenceDone(node: node, incarnation: hosts[node]!.incarnations, request: request),
                at: now + random.duration(.milliseconds(100), .milliseconds(300)))
        case .runHooks(let invocation):
            hosts[node]!.hooks.append(invocation)
        case .runConfiguration:
            // The simulated host's drivers need no configuration: the core's version is the truth.
            break
        }
    }

    private func send(_ envelope: Envelope) {
        onSend?(envelope)
        guard
            faults.connects(
                envelope.from, envelope.fromAdapter, to: envelope.to, envelope.toAdapter, on: envelope.network,
                config: world)
        else { return }
        let conditions = faults.conditions(of: envelope.network)
        guard !random.chance(conditions.loss) else { return }
        // A shared disk carries what a node writes to its slot until the reader's next poll.
        let polling: Duration =
            world.network(named: envelope.network)?.isSharedDisk == true ? config.diskPollInterval : .zero
        schedule(.deliver(envelope), at: now + random.duration(conditions.minDelay, conditions.maxDelay + polling))
        if random.chance(conditions.duplication) {
            schedule(.deliver(envelope), at: now + random.duration(conditions.minDelay, conditions.maxDelay + polling))
        }
    }

    /// Starts a batch. For safety's sake an acquisition counts from its start and a release until
    /// its end: resources being acquired are applied at once, resources being released at completion.
    private func begin(_ batch: ActionBatch, on node: String) {
        let host = hosts[node]!
        var total: Duration = .zero
        var outcome = ActionOutcome.succeeded
        for (index, action) in batch.actions.enumerated() {
            total += random.duration(actionTime.min, actionTime.max)
            if failingActions.contains("\(node)/\(action)") {
                outcome = .failed(index: index, reason: "injected failure")
                break
            }
        }
        for action in batch.actions where !host.protection.covers(action) {
            violations.append(
                Violation(time: now, text: "\(node) starts \(action) before its dead man switch covers it"))
        }
        host.inFlight[batch.id] = batch
        let applied = batch.actions.prefix(failedIndex(outcome) ?? batch.actions.count)
        for action in applied where !isRelease(action) { host.resources.perform(action) }
        checker.checkSafety(hosts: hosts, at: now, into: &violations)
        schedule(
            .finish(node: node, incarnation: host.incarnations, batch: batch.id, outcome: outcome), at: now + total)
    }

    private func complete(_ batch: ActionBatch, on node: String, outcome: ActionOutcome) {
        let applied = batch.actions.prefix(failedIndex(outcome) ?? batch.actions.count)
        for action in applied where isRelease(action) { hosts[node]!.resources.perform(action) }
        hosts[node]!.inFlight[batch.id] = nil
    }

    private func failedIndex(_ outcome: ActionOutcome) -> Int? {
        if case .failed(let index, _) = outcome { return index }
        return nil
    }

    private func isRelease(_ action: Action) -> Bool {
        switch action {
        case .deactivateVolumeGroup, .unmountFilesystem, .removeAddress, .unexportDirectory, .stopApplication: true
        default: false
        }
    }

    private func note(_ text: String) { trace?("\(now) \(text)") }

    private func summary(_ message: Message) -> String {
        switch message {
        case .heartbeat: "heartbeat"
        case .propose(let p): "propose view \(p.epoch) members \(p.members.keys.sorted().joined(separator: ","))"
        case .accept(let a): "accept view \(a.epoch)"
        case .decline(let d): "decline view \(d.epoch) (promised \(d.promised), follows \(d.follows))"
        case .state(let s):
            "state \(s.epoch).\(s.seq)\(s.round.map { " round \($0.number) \($0.kind.rawValue)" } ?? "")"
        case .report(let r): "report #\(r.number) holds \(r.holdings.heldGroups.joined(separator: ","))"
        case .request(let r): "request \(r.request)"
        case .reply(let r): "reply \(r.request): \(r.refusal ?? "done")"
        case .services(let o): "services #\(o.id) \(o.command)"
        case .servicesDone(let a): "services #\(a.id) done on \(a.node): \(a.outcome)"
        case .config(let c): "config \(c)"
        case .relay(let r):
            "relay \(r.trail.joined(separator: ">"))>\(r.inner.to): \(summary(r.inner.message))"
        }
    }
}
