import Foundation
import NIOCore
import VigilCore
import VigilModel

/// The daemon's one serial loop: the only owner of the core. It applies each input in turn and
/// carries out the directives that come back, in order. Host work (action batches and hooks) runs
/// in order on one worker of its own, so that a slow driver never stalls heartbeats.
struct DaemonLoop {
    let daemon: NodeDaemon
    var core: ClusterNode
    let transport: UDPTransport
    let disks: DiskPaths
    /// The timer of the core's next `wake`, on the event loop, and the moment it is set for (`nil`
    /// once it fired: the tick it sends is the next input to come).
    private var wakeTimer: Scheduled<Void>?
    private var wakeAt: Moment?
    private var waiting: [UInt64: (continuation: CheckedContinuation<String, any Error>, deadline: Moment)] = [:]
    private var stopWaiters: [CheckedContinuation<String, any Error>] = []
    private var shuttingDown = false
    private let hostWork: AsyncStream<HostWork>.Continuation
    private let hostStream: AsyncStream<HostWork>
    private var warnedSerial: Set<String> = []
    /// The configuration synchronisation (`vigil sync`) and the file it keeps.
    var configSync: ConfigSync
    let configStore: ConfigStore
    /// `--all` orders waiting for every node's answer, by order id.
    var servicesWaiting: [UInt64: ServicesWait] = [:]
    /// A `vigil sync` waiting for every node to store its version.
    var syncWaiting: SyncWait?

    /// How long a request forwarded to the coordinator may wait for its answer.
    static let requestTimeout: Duration = .seconds(30)

    enum HostWork: Sendable {
        case batch(ActionBatch)
        case hooks(HookInvocation)
    }

    init(daemon: NodeDaemon, core: ClusterNode, transport: UDPTransport, disks: DiskPaths) {
        self.daemon = daemon
        self.core = core
        self.transport = transport
        self.disks = disks
        configStore = ConfigStore(stateDirectory: daemon.options.stateDirectory)
        let stored = configStore.read()
        configSync = ConfigSync(me: daemon.me, peers: daemon.config.nodes.map(\.name), version: stored?.version ?? 0, text: stored?.text)
        (hostStream, hostWork) = AsyncStream.makeStream(of: HostWork.self)
    }

    mutating func run(inputs: AsyncStream<DaemonInput>) async {
        let worker = Task { [hostStream, daemon] in
            for await work in hostStream {
                switch work {
                case .batch(let batch):
                    let outcome = await daemon.host.perform(batch)
                    // The watchdog's emergency plan must cover what was just acquired before anyone
                    // is told; after a release it only lists too much for a moment, and the core
                    // hears at once (a takeover elsewhere waits for this release).
                    let acquired = batch.actions.contains { action in
                        switch action {
                        case .addAddress, .startApplication: true
                        default: false
                        }
                    }
                    if !acquired { daemon.send(.actionsFinished(batch.id, outcome)) }
                    daemon.updateEmergencyPlan(await daemon.host.emergencyPlan(for: await daemon.host.readHoldings()))
                    if acquired { daemon.send(.actionsFinished(batch.id, outcome)) }
                case .hooks(let invocation):
                    _ = await daemon.hooks.run(invocation)
                }
            }
        }
        defer {
            worker.cancel()
            wakeTimer?.cancel()
        }
        for await item in inputs {
            let now = daemon.now
            let incarnation = core.incarnation
            perform(apply(item, at: now), at: now)
            if core.incarnation != incarnation {
                Incarnation.record(core.incarnation, stateDirectory: daemon.options.stateDirectory)
                daemon.logs.event("cluster services start again as incarnation \(core.incarnation)")
            }
            answerRequests(at: now)
            answerServices(at: now)
            answerSync(at: now)
            daemon.publish(core: core, at: now)
            if core.phase == .stopped && shuttingDown {
                for waiter in stopWaiters { waiter.resume(returning: "cluster services stopped on \(daemon.me)") }
                stopWaiters = []
                return
            }
        }
    }

    private mutating func apply(_ item: DaemonInput, at now: Moment) -> [Directive] {
        switch item {
        case .received(let envelope):
            if case .config(let message) = envelope.message {
                receiveConfig(message, in: envelope, at: now)
                return []
            }
            return core.receive(envelope, at: now)
        case .receivedAll(let envelopes):
            var directives: [Directive] = []
            for envelope in envelopes { directives += apply(.received(envelope), at: now) }
            return directives
        case .servicesAll(let command, let continuation): return orderServices(command, continuation, at: now)
        case .sync(let text, let continuation):
            startSync(text: text, continuation, at: now)
            return []
        case .housekeeping:
            carryOut(configSync.tick(at: now), at: now)
            return []
        case .tick:
            wakeAt = nil
            return core.tick(at: now)
        case .actionsFinished(let id, let outcome): return core.actionsFinished(id, outcome: outcome, at: now)
        case .diskCompleted(let id, let outcome): return core.diskCompleted(id, outcome: outcome, at: now)
        case .fenceFinished(let id, let succeeded, let detail): return core.fenceFinished(id, succeeded: succeeded, detail: detail, at: now)
        case .carrier(let adapter, let up): return core.carrier(up, adapter: adapter, at: now)
        case .resourceFailed(let group, let reason): return core.resourceFailed(group: group, reason: reason, at: now)
        case .deadManSwitchTripped: return core.deadManSwitchTripped(at: now)
        case .start(let continuation):
            guard core.phase == .stopped else {
                continuation.resume(throwing: AdminRefusal("cluster services are already running on \(daemon.me)"))
                return []
            }
            continuation.resume(returning: "starting cluster services on \(daemon.me)")
            return core.start(at: now)
        case .stop(let how, let continuation):
            guard core.phase == .running else {
                continuation.resume(throwing: AdminRefusal("cluster services are not running on \(daemon.me)"))
                return []
            }
            continuation.resume(returning: "stopping cluster services on \(daemon.me) (\(how.rawValue))")
            return core.stop(how, at: now)
        case .request(let request, let continuation):
            let pending = Set(core.pendingRequests.keys)
            let answered = Set(core.answers.map(\.id))
            let directives = core.request(request, at: now)
            if let id = Set(core.pendingRequests.keys).subtracting(pending).first
                ?? core.answers.map(\.id).first(where: { !answered.contains($0) }) {
                waiting[id] = (continuation, now + Self.requestTimeout)
            } else {
                continuation.resume(throwing: AdminRefusal("the request was not accepted"))
            }
            return directives
        case .status(let continuation):
            var snapshot = StatusSnapshot(core: core, at: now, counters: transport.counters.snapshot, configVersion: daemon.options.configVersion)
            if configSync.version > daemon.options.configVersion { snapshot.storedConfigVersion = configSync.version }
            continuation.resume(returning: snapshot)
            return []
        case .shutdown:
            shuttingDown = true
            guard core.phase == .running else {
                return [.stopped]
            }
            daemon.logs.event("shutdown requested: stopping cluster services gracefully")
            return core.stop(.graceful, at: now)
        }
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
            entry.continuation.resume(throwing: AdminRefusal("no answer from the coordinator within \(DurationText.format(Self.requestTimeout)); the request may still be carried out"))
        }
    }

    mutating func perform(_ directives: [Directive], at now: Moment) {
        var diskBeats: [String: [Envelope]] = [:]
        var packets: [UDPTransport.Outbound] = []
        for directive in directives {
            switch directive {
            case .send(let envelope):
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
                    daemon.logs.event("network \(network.name) is a serial link: vigild does not drive serial lines; it is not watched (use a disk heartbeat)")
                }
            case .perform(let batch):
                hostWork.yield(.batch(batch))
            case .wake(let moment):
                // The core asks again after every step, mostly for the moment already set.
                guard moment != wakeAt else { continue }
                wakeTimer?.cancel()
                wakeAt = moment
                let delay = daemon.clock.now.duration(to: daemon.origin + moment.sinceOrigin)
                wakeTimer = daemon.group.next().scheduleTask(in: .nanoseconds(max(0, delay.nanoseconds))) { [daemon] in
                    daemon.send(.tick)
                }
            case .disk(let request):
                disks.tiebreaker(request)
            case .fence(let request):
                fence(request)
            case .runHooks(let invocation):
                hostWork.yield(.hooks(invocation))
            case .log(let record):
                daemon.logs.write(record)
            case .stopped:
                daemon.logs.event("cluster services stopped")
            }
        }
        if !packets.isEmpty { send(packets) }
        let held = core.holdings.heldGroups
        for (network, beats) in diskBeats { disks.beat(network: network, beats, holdings: held) }
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
                noteHeartbeat(envelope, failure: "\(TransportError.unroutable(from: envelope.from, to: envelope.to, network: envelope.network, fromAdapter: envelope.fromAdapter, toAdapter: envelope.toAdapter))")
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
            let local = netmask.flatMap { mask in locals.first { $0.address.masked(by: mask) == remote.address.masked(by: mask) } } ?? first
            packets.append(UDPTransport.Outbound(envelope: envelope, local: local.address, remote: remote.socket))
        }
    }

    /// Sends a step's packets in one batch. A heartbeat path that starts or stops failing is logged
    /// once each way; any other message that cannot be sent, every time.
    private func send(_ packets: [UDPTransport.Outbound]) {
        let daemon = daemon
        transport.sendNow(packets) { packet, error in
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
            if daemon.failingPaths.withLock({ paths in defer { paths[path] = text }; return paths[path] != text }) {
                daemon.logs.event("heartbeats on \(path) cannot be sent: \(text)")
            }
        } else if daemon.failingPaths.withLock({ $0.removeValue(forKey: path) }) != nil {
            daemon.logs.event("heartbeats on \(path) are sent again")
        }
    }

    /// Runs a node's fence command and tells the core how it went.
    private func fence(_ request: FenceRequest) {
        let daemon = daemon
        Task {
            let result = await CommandRunner().run(ShellCommand(
                request.command, environment: ["VIGIL_FENCE_NODE": request.node], timeout: .seconds(60)))
            daemon.send(.fenceFinished(request.id, succeeded: result.succeeded, detail: result.summary))
        }
    }
}
