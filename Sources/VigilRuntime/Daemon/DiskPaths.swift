import Foundation
import NIOPosix
import Synchronization
import VigilCore
import VigilModel

#if canImport(Glibc)
import Glibc
#endif

/// The node's disk heartbeat networks: for each, its slot on the shared file or block device
/// (heartbeats, holdings and an outbox of messages), the reads of every other slot, and the
/// tiebreaker sector. Disk I/O runs on a thread pool of its own, each call with a timeout, so that
/// a hung device never stalls the daemon's loop.
final class DiskPaths: Sendable {
    /// The largest slot: an agreed state must fit in a message of the outbox.
    static let slotSize = 64 * 1024
    static let maximumMessageBytes = 48 * 1024
    static let ioTimeout: Duration = .seconds(2)

    private let daemon: NodeDaemon
    /// The paths by disk network; a live reconfiguration adds and removes some.
    private let paths: Mutex<[String: Path]>
    /// The disk networks with a heartbeat path here.
    var networks: Set<String> { paths.withLock { Set($0.keys) } }
    private let pool: NIOThreadPool
    /// How often the I/O threads read the disk, once started (a path added later starts so too).
    private let polling = Mutex<Duration?>(nil)

    /// One disk network.
    final class Path: Sendable {
        let network: String
        /// The shared device with this node's slot, laid out for the configuration it runs (a live
        /// reconfiguration that adds or removes a node replaces it: `DiskPaths.reconfigure`).
        let current: Mutex<DiskHeartbeat>
        var disk: DiskHeartbeat { current.withLock { $0 } }
        let writer: Mutex<DiskHeartbeatWriter>
        let reader: Mutex<DiskHeartbeatReader>
        /// The fields of the latest heartbeats, rewritten with every message posted.
        let latest: Mutex<(beats: [Envelope], holdings: [String])> = Mutex(([], []))
        /// What the path's I/O thread is to do next, and since when it is busy.
        let work = Mutex(Work())
        /// Wakes the I/O thread when a record is to be written.
        let wakeup: WakeupPipe

        struct Work {
            /// The newest record to write; an older one not written yet is replaced.
            var record: DiskSlotRecord?
            /// Monotonic nanoseconds at which the current read or write began (nil: idle).
            var busySince: UInt64?
            /// Whether the stall of the current operation was reported.
            var stallReported = false
            var stopped = false
        }

        init(network: String, disk: DiskHeartbeat, writer: DiskHeartbeatWriter, reader: DiskHeartbeatReader) throws {
            self.network = network
            self.current = Mutex(disk)
            self.writer = Mutex(writer)
            self.reader = Mutex(reader)
            wakeup = try WakeupPipe()
        }
    }

    init(daemon: NodeDaemon) throws {
        self.daemon = daemon
        let config = daemon.config
        pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        var paths: [String: Path] = [:]
        for (name, device) in Self.disks(of: daemon.me, in: config) {
            paths[name] = try Self.path(name, device: device, config: config, daemon: daemon, pool: pool)
        }
        self.paths = Mutex(paths)
    }

    /// The disk networks `node` is on in `config`, with their devices.
    private static func disks(of node: String, in config: ClusterConfig) -> [(network: String, device: String)] {
        (config.node(named: node)?.networks ?? []).compactMap { name in
            guard case .disk(let device) = config.network(named: name)?.kind else { return nil }
            return (name, device)
        }
    }

    /// This node's path on disk network `name` under `config`: the device laid out for its node
    /// count, its own slot, a writer and a reader by its node order.
    private static func path(
        _ name: String, device: String, config: ClusterConfig, daemon: NodeDaemon, pool: NIOThreadPool
    ) throws -> Path {
        let slot = config.nodes.firstIndex { $0.name == daemon.me } ?? 0
        let file = try DiskDevice(path: device, layout: layout(for: config), create: !device.hasPrefix("/dev/"))
        let disk = DiskHeartbeat(device: file, clusterID: config.id, slot: slot, threadPool: pool)
        var writer = DiskHeartbeatWriter(
            clusterID: config.id, node: daemon.me, incarnation: daemon.incarnation, codec: daemon.codec)
        writer.maximumMessageBytes = maximumMessageBytes
        return try Path(
            network: name, disk: disk, writer: writer,
            reader: DiskHeartbeatReader(config: config, me: daemon.me, network: name, codec: daemon.codec))
    }

    /// Follows configuration `config`, which the daemon runs from now on. On each disk network that
    /// stays, the device is laid out for its node count (a node added has a slot to read) and the
    /// slots are read by its node order (HeartbeatContinuity keeps every staying node's slot); a
    /// device that cannot be opened so keeps the old layout, and says so. A disk network added here
    /// gets its path and I/O thread at once; one this node left stops.
    func reconfigure(to config: ClusterConfig) {
        guard let slot = config.nodes.firstIndex(where: { $0.name == daemon.me }) else { return }
        let layout = Self.layout(for: config)
        let wanted = Self.disks(of: daemon.me, in: config)
        let current = paths.withLock { $0 }
        for (name, device) in wanted {
            guard let path = current[name] else {
                do {
                    let path = try Self.path(name, device: device, config: config, daemon: daemon, pool: pool)
                    paths.withLock { $0[name] = path }
                    if let interval = polling.withLock({ $0 }) { start(path, every: interval) }
                    daemon.logs.event("disk heartbeat on \(name) (\(device)) starts: the configuration adds it here")
                } catch {
                    daemon.logs.event(
                        "ERROR: cannot open disk \(name) (\(device)), added by the configuration: \(error)")
                }
                continue
            }
            let old = path.disk
            if old.device.layout != layout || old.slot != slot {
                do {
                    let file = try DiskDevice(path: device, layout: layout, create: !device.hasPrefix("/dev/"))
                    let disk = DiskHeartbeat(device: file, clusterID: config.id, slot: slot, threadPool: pool)
                    path.current.withLock { $0 = disk }
                } catch {
                    daemon.logs.event(
                        "ERROR: disk \(name) cannot be laid out for \(layout.nodeSlots) nodes (\(error)): it keeps "
                            + "\(old.device.layout.nodeSlots) until the next start of vigild")
                    continue
                }
            }
            path.reader.withLock { $0.reconfigure(to: config) }
        }
        for (name, path) in current where !wanted.contains(where: { $0.network == name }) {
            paths.withLock { $0[name] = nil }
            stop(path)
            daemon.logs.event("disk heartbeat on \(name) stops: the configuration takes it from this node")
        }
    }

    /// The layout vigild gives the disk networks of `config`.
    static func layout(for config: ClusterConfig) -> DiskLayout { DiskLayout.daemon(nodeSlots: config.nodes.count) }

    /// Writes this node's slot with the heartbeats the core sent on `network`.
    func beat(network: String, _ beats: [Envelope], holdings: [String]) {
        guard let path = paths.withLock({ $0[network] }) else { return }
        if let incarnation = beats.first?.incarnation {
            path.writer.withLock { if incarnation > $0.incarnation { $0.incarnation = incarnation } }
        }
        path.latest.withLock { $0 = (beats, holdings) }
        write(path)
    }

    /// Queues a message in the slot's outbox and writes the slot at once.
    func post(_ envelope: Envelope) {
        guard let path = paths.withLock({ $0[envelope.network] }) else { return }
        do {
            try path.writer.withLock { try $0.post(envelope) }
        } catch {
            daemon.logs.event("cannot send \(envelope.to) a message over the disk \(envelope.network): \(error)")
            return
        }
        write(path)
    }

    /// Hands the path's I/O thread the next record to write. Records the thread has not written
    /// yet are replaced (only the newest counts); a device that stops answering is reported once
    /// per stall, after `ioTimeout`.
    private func write(_ path: Path) {
        let latest = path.latest.withLock { $0 }
        guard
            let record = path.writer.withLock({
                $0.record(heartbeats: latest.beats, holdings: latest.holdings, slotSize: Self.slotSize)
            })
        else { return }
        let stalled = path.work.withLock { work -> Bool in
            work.record = record
            guard let since = work.busySince, !work.stallReported,
                Watchdog.monotonicNanoseconds() &- since > UInt64(Self.ioTimeout.nanoseconds)
            else { return false }
            work.stallReported = true
            return true
        }
        if stalled {
            daemon.logs.event(
                "the disk heartbeat on \(path.network) has not answered for \(DurationText.format(Self.ioTimeout)): "
                    + "its records are not written or read"
            )
        }
        path.wakeup.signal()
    }

    /// Carries out a tiebreaker request, as jobs of the daemon's, and reports to the core: the disk's
    /// answer or, after `ioTimeout`, a failure (a hung device keeps its pool thread and its job, not
    /// the loop).
    func tiebreaker(_ request: DiskRequest) {
        let daemon = daemon
        guard let path = paths.withLock({ $0[request.network] }) else {
            daemon.send(.diskCompleted(request.id, .failed("\(daemon.me) is not attached to disk \(request.network)")))
            return
        }
        let answer = OneAnswer<DiskOutcome>()
        let timeout = Self.ioTimeout
        let deadline = daemon.group.next().scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            answer.give(.failed("the disk did not answer within \(DurationText.format(timeout))"))
        }
        let started = daemon.jobs.submit { answer.give(await path.disk.perform(request.operation)) }
        if !started { answer.give(.failed("not run: \(DaemonJobs.limit) jobs of the daemon are waiting or running")) }
        answer.whenGiven { outcome in
            deadline.cancel()
            daemon.send(.diskCompleted(request.id, outcome))
        }
    }

    /// Starts one I/O thread per disk network: it writes this node's slot whenever `beat` or
    /// `post` gives it a record, and reads the other slots every `interval`, handing the core
    /// what changed. Blocking calls on a thread of its own cost no task, timer or pool hop, and a
    /// hung device stalls only that thread (its peers then go unheard on the disk, as they should).
    func start(polling interval: Duration) {
        polling.withLock { $0 = interval }
        for path in paths.withLock({ Array($0.values) }) { start(path, every: interval) }
    }

    private func start(_ path: Path, every interval: Duration) {
        let daemon = daemon
        let thread = Thread { Self.runIO(path, every: interval, daemon: daemon) }
        thread.name = "vigil-disk-\(path.network)"
        thread.start()
    }

    /// Ends a path's I/O thread (after the operation it is in, if any).
    private func stop(_ path: Path) {
        path.work.withLock { $0.stopped = true }
        path.wakeup.signal()
    }

    private static func runIO(_ path: Path, every interval: Duration, daemon: NodeDaemon) {
        let period = UInt64(interval.nanoseconds)
        var nextPoll = Watchdog.monotonicNanoseconds()
        var seen: [Int: [UInt8]] = [:]
        var failing: String?
        while true {
            let now = Watchdog.monotonicNanoseconds()
            let (record, stopped) = path.work.withLock { work -> (DiskSlotRecord?, Bool) in
                defer { work.record = nil }
                return (work.record, work.stopped)
            }
            if stopped { return }
            if let record {
                path.work.withLock {
                    $0.busySince = now
                    $0.stallReported = false
                }
                let failure: String?
                do {
                    try path.disk.writeOwnSlotNow(record)
                    failure = nil
                } catch { failure = "\(error)" }
                path.work.withLock { $0.busySince = nil }
                if failure != failing {
                    if let failure {
                        daemon.logs.event("writing the disk heartbeat on \(path.network) failed: \(failure)")
                    } else {
                        daemon.logs.event("the disk heartbeat on \(path.network) is written again")
                    }
                    failing = failure
                }
            }
            if now >= nextPoll {
                path.work.withLock {
                    $0.busySince = now
                    $0.stallReported = false
                }
                let disk = path.disk
                let slots = try? disk.readChanged(seen: &seen)
                path.work.withLock { $0.busySince = nil }
                if let slots, !slots.isEmpty {
                    let inbox = path.reader.withLock { $0.absorb(slots) }
                    if !inbox.envelopes.isEmpty { daemon.send(.receivedAll(inbox.envelopes)) }
                }
                nextPoll = max(nextPoll + period, Watchdog.monotonicNanoseconds())
            }
            let left = nextPoll &- Watchdog.monotonicNanoseconds()
            if nextPoll > Watchdog.monotonicNanoseconds() {
                path.wakeup.wait(milliseconds: Int((left + 999_999) / 1_000_000))
            }
        }
    }

    func close() {
        for path in paths.withLock({ Array($0.values) }) { stop(path) }
        try? pool.syncShutdownGracefully()
    }
}

/// The first of several answers (the work's result, its deadline's failure), handed once to
/// whoever waits for it; later ones are ignored.
final class OneAnswer<T: Sendable>: Sendable {
    private struct State {
        var first: T?
        var waiter: (@Sendable (T) -> Void)?
    }
    private let state = Mutex(State())

    /// Calls `body` with the first answer, at once if it was given already.
    func whenGiven(_ body: @escaping @Sendable (T) -> Void) {
        let early: T? = state.withLock { state in
            if let first = state.first { return first }
            state.waiter = body
            return nil
        }
        if let early { body(early) }
    }

    func give(_ value: T) {
        let waiter: (@Sendable (T) -> Void)? = state.withLock { state in
            guard state.first == nil else { return nil }
            state.first = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?(value)
    }
}

/// A pipe that one thread waits on with a timeout and others write a byte to, to wake it early.
/// `poll(2)`'s timeout runs on the monotonic clock.
final class WakeupPipe: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw DiskIOError(path: "pipe", operation: "pipe", errno: errno) }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the waiting thread (a full pipe already will).
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Waits until signalled or `milliseconds` passed, and empties the pipe.
    func wait(milliseconds: Int) {
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, Int32(clamping: milliseconds))
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
    }
}

extension DiskLayout {
    /// The layout vigild gives a disk network of `nodeSlots` nodes: slots of `DiskPaths.slotSize`
    /// bytes. Public for the test bed's disk relay, which copies slots as the daemons lay them out.
    public static func daemon(nodeSlots: Int) -> DiskLayout {
        DiskLayout(nodeSlots: nodeSlots, slotSize: DiskPaths.slotSize)
    }
}
