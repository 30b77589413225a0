import Foundation
import NIOPosix
import Synchronization
import VigilCore
import VigilModel

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
    private let paths: [String: Path]
    private let pool: NIOThreadPool

    /// One disk network.
    final class Path: Sendable {
        let network: String
        let disk: DiskHeartbeat
        let writer: Mutex<DiskHeartbeatWriter>
        let reader: Mutex<DiskHeartbeatReader>
        /// The fields of the latest heartbeats, rewritten with every message posted.
        let latest: Mutex<(beats: [Envelope], holdings: [String])> = Mutex(([], []))

        init(network: String, disk: DiskHeartbeat, writer: DiskHeartbeatWriter, reader: DiskHeartbeatReader) {
            self.network = network
            self.disk = disk
            self.writer = Mutex(writer)
            self.reader = Mutex(reader)
        }
    }

    init(daemon: NodeDaemon) throws {
        self.daemon = daemon
        let config = daemon.config
        pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        var paths: [String: Path] = [:]
        guard let node = config.node(named: daemon.me), let slot = config.nodes.firstIndex(where: { $0.name == daemon.me }) else {
            self.paths = [:]
            return
        }
        for name in node.networks {
            guard let network = config.network(named: name), case .disk(let device) = network.kind else { continue }
            let layout = DiskLayout(nodeSlots: config.nodes.count, slotSize: Self.slotSize)
            let file = try DiskDevice(path: device, layout: layout, create: !device.hasPrefix("/dev/"))
            let disk = DiskHeartbeat(device: file, clusterID: config.id, slot: slot, threadPool: pool)
            var writer = DiskHeartbeatWriter(clusterID: config.id, node: daemon.me, incarnation: daemon.incarnation, codec: daemon.codec)
            writer.maximumMessageBytes = Self.maximumMessageBytes
            paths[name] = Path(
                network: name, disk: disk, writer: writer,
                reader: DiskHeartbeatReader(config: config, me: daemon.me, network: name, codec: daemon.codec))
        }
        self.paths = paths
    }

    /// Writes this node's slot with the heartbeats the core sent on `network`.
    func beat(network: String, _ beats: [Envelope], holdings: [String]) {
        guard let path = paths[network] else { return }
        if let incarnation = beats.first?.incarnation {
            path.writer.withLock { if incarnation > $0.incarnation { $0.incarnation = incarnation } }
        }
        path.latest.withLock { $0 = (beats, holdings) }
        write(path)
    }

    /// Queues a message in the slot's outbox and writes the slot at once.
    func post(_ envelope: Envelope) {
        guard let path = paths[envelope.network] else { return }
        do {
            try path.writer.withLock { try $0.post(envelope) }
        } catch {
            daemon.logs.event("cannot send \(envelope.to) a message over the disk \(envelope.network): \(error)")
            return
        }
        write(path)
    }

    private func write(_ path: Path) {
        let latest = path.latest.withLock { $0 }
        guard let record = path.writer.withLock({ $0.record(heartbeats: latest.beats, holdings: latest.holdings, slotSize: Self.slotSize) }) else { return }
        let daemon = daemon
        Task {
            let result = await Self.withTimeout(Self.ioTimeout) { () async -> String in
                do { try await path.disk.writeOwnSlot(record); return "" } catch { return "\(error)" }
            }
            let failure = result ?? "no answer within \(DurationText.format(Self.ioTimeout))"
            if !failure.isEmpty { daemon.logs.event("writing the disk heartbeat on \(path.network) failed: \(failure)") }
        }
    }

    /// Carries out a tiebreaker request and reports to the core.
    func tiebreaker(_ request: DiskRequest) {
        let daemon = daemon
        guard let path = paths[request.network] else {
            daemon.send(.diskCompleted(request.id, .failed("\(daemon.me) is not attached to disk \(request.network)")))
            return
        }
        Task {
            let outcome = await Self.withTimeout(Self.ioTimeout) { await path.disk.perform(request.operation) }
            daemon.send(.diskCompleted(request.id, outcome ?? .failed("the disk did not answer within \(DurationText.format(Self.ioTimeout))")))
        }
    }

    /// Reads every slot of every disk network, `interval` apart, and hands the core what changed.
    func poll(every interval: Duration) async {
        guard !paths.isEmpty else { return }
        while !Task.isCancelled {
            for path in paths.values {
                let slots = await Self.withTimeout(Self.ioTimeout) { () async -> [Int: Result<DiskSlotRecord, DiskRecordError>]? in
                    try? await path.disk.readAll()
                }
                guard let slots = slots ?? nil else { continue }
                let inbox = path.reader.withLock { $0.absorb(slots) }
                for envelope in inbox.envelopes { daemon.send(.received(envelope)) }
            }
            try? await Task.sleep(for: interval)
        }
    }

    func close() {
        try? pool.syncShutdownGracefully()
    }

    /// The result of `operation`, or `nil` when it takes longer than `timeout`. The operation is
    /// not waited for after that (a hung device keeps its thread, not the caller).
    static func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
        let answer = OneAnswer<T?>()
        return await withCheckedContinuation { continuation in
            answer.wait(continuation)
            Task { answer.give(await operation()) }
            Task {
                try? await Task.sleep(for: timeout)
                answer.give(nil)
            }
        }
    }
}

/// A continuation resumed by whichever answer comes first; later ones are ignored.
final class OneAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var given: [T] = []
    }
    private let state = Mutex(State())

    func wait(_ continuation: CheckedContinuation<T, Never>) {
        let early: T? = state.withLock { state in
            if let first = state.given.first { return first }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ value: T) {
        let waiting: CheckedContinuation<T, Never>? = state.withLock { state in
            guard state.given.isEmpty else { return nil }
            state.given = [value]
            defer { state.continuation = nil }
            return state.continuation
        }
        waiting?.resume(returning: value)
    }
}
