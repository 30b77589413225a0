import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import VigilCore
import VigilModel

/// `vigild`: one node's daemon. It owns the node's core (`ClusterNode`) in one serial loop fed by
/// one stream of inputs (packets, timers, driver results, administrator commands), and carries out
/// the core's steps: UDP and disk heartbeats and messages, the host drivers, hooks, logs,
/// fencing and the tiebreaker. It makes no protocol decision of its own.
public final class NodeDaemon: Service, Sendable {
    public let options: DaemonOptions
    let me: String
    let incarnation: UInt64
    let logger: Logger
    let logs: NodeLogs
    let codec: PacketCodec
    /// The configuration version this daemon runs, and what it runs from it.
    let running: Mutex<RunningConfiguration>
    /// The configuration this daemon runs (the cluster's active version).
    var config: ClusterConfig { running.withLock { $0.config } }
    var host: HostDriver { running.withLock { $0.host } }
    var hooks: HookRunner { running.withLock { $0.hooks } }
    var book: AddressBook { running.withLock { $0.book } }
    /// The book's adapters as socket addresses on the cluster port, resolved once per version.
    var routes: Routes { running.withLock { $0.routes } }
    /// The configuration version this daemon runs and its text.
    var runningVersion: (version: UInt64, text: String?) { running.withLock { ($0.version, $0.text) } }
    let group: MultiThreadedEventLoopGroup
    /// The daemon's time and its loop's timers (`EventLoopClock` but in tests).
    let clock: any DaemonClock
    /// The loop's inputs (bounded: see `DaemonInbox`).
    let inbox = DaemonInbox()
    /// Fences, tiebreaker I/O and resends, as children of the daemon's task group.
    let jobs = DaemonJobs()
    let emergency: EmergencyRelease
    let watchdogTripped = WatchdogFlag()
    let published = Mutex(PublishedState())
    /// The heartbeat paths whose sends fail, with the error: each is logged once when it starts
    /// failing and once when it works again (a heartbeat that cannot be sent is otherwise silent).
    let failingPaths = Mutex<[String: String]>([:])
    let watchdogProcess: WatchdogProcess.Link
    /// Both halves' plan, with the applications' process groups as recorded at each write.
    let plans: EmergencyPlanKeeper

    /// `clock`: the daemon's time and timers; by default the monotonic clock with timers on the
    /// event loop of the daemon's loop.
    public init(options: DaemonOptions, logger: Logger = Logger(label: "vigild"), clock: (any DaemonClock)? = nil)
        throws
    {
        self.options = options
        me = options.node
        self.logger = logger
        try FileManager.default.createDirectory(atPath: options.stateDirectory, withIntermediateDirectories: true)
        incarnation = try Incarnation.next(stateDirectory: options.stateDirectory)
        logs = try NodeLogs(
            node: options.node, stateDirectory: options.stateDirectory,
            journal: options.journalSocket.map { JournalSink(socketPath: $0) })
        let logs = logs
        emergency = EmergencyRelease(haltCommand: options.haltCommand)
        watchdogProcess = WatchdogProcess.Link(directory: options.stateDirectory)
        let containment = ApplicationContainment.choose(options.containment, stateDirectory: options.stateDirectory)
        let groups = ProcessGroupRecord(stateDirectory: options.stateDirectory)
        let plans = EmergencyPlanKeeper(
            release: emergency, link: watchdogProcess, groups: groups,
            cgroups: containment.root.map { [$0.path] } ?? [])
        self.plans = plans
        // Every start command waits until the plan with its process group is written (`refresh`).
        let applications = ApplicationDriver(
            config: options.config, stateDirectory: options.stateDirectory, environment: ["VIGIL_NODE": options.node],
            containment: containment, groups: groups, onSpawn: { _, _ throws(DriverFailure) in try plans.refresh() })
        let host = HostDriver.make(
            config: options.config, node: options.node, stateDirectory: options.stateDirectory,
            addressKind: options.addressDriver, applications: applications, note: { logs.event($0) })
        codec = PacketCodec(
            clusterID: options.config.id,
            key: try ClusterKey.load(fromFile: options.keyPath, clusterID: options.config.id))
        let book = AddressBook(config: options.config)
        running = Mutex(
            RunningConfiguration(
                version: options.configVersion, config: options.config, text: options.configText, book: book,
                routes: Routes(book: book, port: options.port), host: host,
                hooks: HookRunner(hooks: options.config.hooks, node: options.node, logs: logs)))
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.clock = clock ?? EventLoopClock(loop: group.next())
    }

    /// Changes the dead man switch's plan and hands it to both halves (the watchdog thread and the
    /// watchdog process) before it returns. Changes are applied one at a time, in order, and every
    /// plan names the applications' cgroup root and the process groups recorded at that moment
    /// (`EmergencyPlanKeeper`). Throws when the watchdog process's plan cannot be written: the
    /// thread has the new plan, the process still the one before.
    func updateEmergencyPlan(_ change: (inout EmergencyPlan) -> Void) throws {
        try plans.update(change)
    }

    /// Makes the dead man switch cover the core's protection (`Step.protect`): its service
    /// addresses replace the ones the plan had.
    func protect(_ protection: Protection) throws {
        let addresses = host.emergencyAddresses(for: protection)
        try updateEmergencyPlan { $0.addresses = addresses }
    }

    /// The core's clock: time since the daemon started, from a monotonic clock.
    var now: Moment { clock.now }

    /// How long each UDP socket rests between reads, in a cluster of `nodes`: a node of a large
    /// cluster hears a heartbeat every few milliseconds, and waking for each cost more than handling
    /// it (`vigil bench`, cost at rest); a message then waits at most this long for its turn. In a
    /// small cluster heartbeats come seldom and the pause shrinks with it (0.3 ms per peer, at most
    /// 10 ms), so that the few hops of a takeover or a move are not slowed for nothing.
    static func readPause(nodes: Int) -> Duration {
        .microseconds(min(10_000, 320 * max(0, nodes - 1)))
    }

    /// Keeps the version this daemon runs in the history when it is not there yet (a version
    /// stored before the history existed).
    private func keepRunningVersion() {
        let store = ConfigStore(stateDirectory: options.stateDirectory)
        guard options.configVersion > 0, let text = options.configText, store.text(of: options.configVersion) == nil
        else { return }
        do { try store.keep(version: options.configVersion, text: text) } catch {
            logs.event(
                "cannot keep configuration version \(options.configVersion) in \(store.historyDirectory): \(error)")
        }
    }

    /// Runs until cluster services stop after a shutdown request (SIGTERM), or the task is cancelled.
    public func run() async throws {
        logs.event(
            "vigild starting: node \(me) of cluster \(config.name), incarnation \(incarnation), configuration "
                + "\(options.configPath) version \(options.configVersion)"
        )
        if let note = options.configNote { logs.event(note) }
        keepRunningVersion()
        logs.event(host.applications.containment.description)
        // The plan names the applications' cgroup root before the watchdog process reads it and
        // before anything can start; a daemon that cannot write it does not start.
        do { try updateEmergencyPlan { _ in } } catch {
            throw DaemonStartError("cannot write the dead man switch's plan in \(options.stateDirectory): \(error)")
        }
        let transport = try await UDPTransport.bind(
            node: me, endpoints: book.endpoints(of: me), port: options.port, codec: codec, group: group,
            logger: logger, readPause: Self.readPause(nodes: config.nodes.count),
            deliver: { [inbox] batch in
                // The adapter the packet really arrived on is the socket's, not what the sender wrote.
                // One input per packet, so that a newer heartbeat replaces a waiting one of its
                // stream (`DaemonInbox`); the read's packets are queued under one lock.
                inbox.push(
                    batch.map { received in
                        var envelope = received.envelope
                        if envelope.toAdapter != nil { envelope.toAdapter = received.local.adapter }
                        return .received(envelope)
                    })
            })
        let disks = try DiskPaths(daemon: self)
        let admin = try await AdminServer.bind(path: options.socketPath, handler: self, group: group, logger: logger)
        // What the node really holds, read back from the host rather than assumed.
        let holdings = await host.readHoldings()
        if !holdings.isEmpty {
            logs.event(
                "found on the host at start: \(holdings.heldGroups.joined(separator: ", ")) "
                    + "\(holdings.ownAddresses.keys.sorted().joined(separator: ", "))"
            )
        }
        // The dead man switch is armed once the host was read (which changes nothing on it, and
        // took longer than the trip interval when 32 daemons started at once on two cores: every
        // one of them tripped before its loop ran, and backed off from taking groups).
        let device = try openWatchdogDevice()
        let watchdog = Watchdog(tripInterval: config.tuning.tripInterval, device: device) {
            [emergency, watchdogTripped, logs] in
            let done = emergency.perform()
            watchdogTripped.set()
            logs.event(
                "dead man switch tripped: the daemon was not scheduled for "
                    + "\(DurationText.format(self.config.tuning.tripInterval)); "
                    + done.joined(separator: "; "))
        }
        watchdog.start()
        defer { watchdog.stop() }
        try watchdogProcess.start(
            trip: config.tuning.tripInterval, haltCommand: options.haltCommand, executable: options.watchdogExecutable)
        defer {
            do { try watchdogProcess.stop() } catch {
                logs.event("ERROR: cannot clear the dead man switch's plan: \(error)")
            }
            if let root = host.applications.containment.root, let failure = root.remove() {
                logs.event("\(root) left: \(failure)")
            }
        }

        let core = ClusterNode(
            config: config, me: me, incarnation: incarnation, holdings: holdings, configVersion: options.configVersion)
        do {
            try protect(core.protection)
        } catch {
            throw DaemonStartError("cannot write the dead man switch's plan in \(options.stateDirectory): \(error)")
        }
        let leaseHolds: @Sendable (() -> Duration?) -> Void = { remaining in watchdog.leaseHolds(for: remaining) }
        var loop = DaemonLoop(
            daemon: self, core: core, transport: transport, disks: disks, petPeriod: petPeriod,
            pet: { self.pet(watchdog) }, leaseHolds: device == nil ? nil : leaseHolds)

        disks.start(polling: config.diskPollInterval)
        defer { disks.close() }
        // The loop, the packets it receives and its timers run on the sockets' event loop thread.
        let eventLoop = group.next()
        let executor = EventLoopExecutor(loop: eventLoop)
        let timers = startTimers()
        pet(watchdog)
        do {
            try await runTasks(loop: &loop, executor: executor, transport: transport, admin: admin)
        } catch {
            for timer in timers { timer.cancel() }
            throw error
        }
        for timer in timers { timer.cancel() }
        await transport.close()
        logs.event("vigild stopped")
        try? await group.shutdownGracefully()
    }

    /// The daemon's tasks until the loop ends: the loop and packet delivery on the event loop, the
    /// control socket, the carrier watch and the application monitor on the global executor.
    private func runTasks(
        loop: inout DaemonLoop, executor: EventLoopExecutor, transport: UDPTransport, admin: AdminServer
    ) async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask { try await admin.run() }
                tasks.addTask { await self.jobs.run() }
                tasks.addTask { await self.watchCarrier() }
                tasks.addTask {
                    var monitor = ApplicationMonitor(daemon: self)
                    await monitor.run()
                }
                if self.options.startServices {
                    tasks.addTask {
                        do { _ = try await self.start(all: false) } catch {
                            self.logs.event("--start: cluster services not started: \(error)")
                        }
                    }
                }
                await withTaskExecutorPreference(executor) {
                    await loop.run(inputs: self.inbox)
                }
                tasks.cancelAll()
            }
        } onGracefulShutdown: {
            self.inbox.push(.shutdown)
        }
    }

    /// Queues an input for the loop.
    func send(_ item: DaemonInput) { inbox.push(item) }

    /// Tells the core when an IP adapter's carrier is lost or comes back. The adapters are read
    /// when the kernel announces a link change (`LinkEvents`), and every 2 s in case a notice was
    /// missed; without netlink, every 100 ms. The watch has a thread of its own, which blocks in
    /// the kernel between changes, and ends when this task is cancelled.
    private func watchCarrier() async {
        // On loopback (the local demo) every "adapter" is lo: there is no carrier to watch.
        guard options.addressDriver != .loopbackDemo, let node = config.node(named: me) else { return }
        let adapters = node.interfaces.filter { config.network(named: $0.network)?.isIP ?? false }.map(\.name).sorted()
        let events = LinkEvents()
        let stopped = StopFlag()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    let watch = CarrierWatch()
                    var known: [String: Bool] = [:]
                    while !stopped.isRaised {
                        for adapter in adapters {
                            let up = watch.hasCarrier(adapter)
                            if known[adapter] != up {
                                if known[adapter] != nil || !up { send(.carrier(adapter: adapter, up: up)) }
                                known[adapter] = up
                            }
                        }
                        if let events {
                            if events.wait(timeout: .seconds(2)) == .interrupted { break }
                        } else {
                            Watchdog.sleep(.milliseconds(100))
                        }
                    }
                    finished.resume()
                }
                thread.name = "vigil-carrier"
                thread.start()
            }
        } onCancel: {
            stopped.raise()
            events?.interrupt()
        }
    }

    /// The loop's periodic input, as a timer of its clock (on its event loop: no task or thread of
    /// its own): twice a second its bookkeeping (configuration versions, `--all` and `sync`). The
    /// dead man switch's pets come from the loop itself (`PetSchedule`): they stop when the loop
    /// stops being scheduled.
    private func startTimers() -> [any DaemonTimer] {
        [clock.repeating(every: .milliseconds(500)) { self.send(.housekeeping) }]
    }

    /// Opens the hardware watchdog (`--watchdog-device`) with the timeout of `tuning.hardware_watchdog`,
    /// and logs what the operator should know about it (a softdog, a timeout rounded down).
    private func openWatchdogDevice() throws -> WatchdogDevice? {
        guard let path = options.watchdogDevice else { return nil }
        guard let timeout = config.tuning.hardwareWatchdog else {
            throw DaemonStartError(
                "--watchdog-device \(path) needs tuning.hardware_watchdog in the configuration (e.g. 5s)")
        }
        let device: WatchdogDevice
        do {
            device = try WatchdogDevice.open(
                path, timeout: timeout, interface: options.watchdogInterface, holders: { WatchdogHolders.find(path) })
        } catch {
            throw DaemonStartError("\(error)")
        }
        for warning in device.warnings { logs.event("WARNING: \(warning)") }
        logs.event(
            "hardware watchdog \(path) (\(device.info.identity)) armed: timeout "
                + "\(DurationText.format(device.timeout)), petted while this node's lease holds")
        return device
    }

    /// How long the loop goes without petting at most (`PetSchedule`): a sixth of the trip
    /// interval, or a quarter of the service manager's watchdog timeout when that is shorter
    /// (`ServiceManagerNotifier.petWatchdog`).
    var petPeriod: Duration {
        let trip = config.tuning.tripInterval / 6
        guard let timeout = options.serviceManager.watchdogTimeout else { return trip }
        return min(trip, max(timeout / 4, .milliseconds(1)))
    }

    /// Pets both halves of the dead man switch and the service manager's watchdog, and tells the
    /// loop when either half tripped.
    private func pet(_ watchdog: Watchdog) {
        watchdog.pet()
        watchdogProcess.pet()
        options.serviceManager.petWatchdog(at: now)
        let trippedHere = watchdogTripped.take()
        if watchdogProcess.takeTripped() || trippedHere { send(.deadManSwitchTripped) }
    }
}

/// Set by the watchdog's thread when it tripped; read once by the daemon.
final class WatchdogFlag: Sendable {
    private let tripped = Mutex(false)
    func set() { tripped.withLock { $0 = true } }
    func take() -> Bool {
        tripped.withLock { value in
            defer { value = false }
            return value
        }
    }
}

/// Tells a thread of the daemon to end: raised once, looked at each time the thread wakes.
final class StopFlag: Sendable {
    private let raised = Mutex(false)
    func raise() { raised.withLock { $0 = true } }
    var isRaised: Bool { raised.withLock { $0 } }
}

/// The daemon cannot start: what is wrong and where.
struct DaemonStartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
