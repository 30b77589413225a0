import DequeModule
import Synchronization
import VigilCore

/// The loop's inputs, in the order they arrived, bounded where a flood can come from: packets.
///
/// - A heartbeat that arrives while an older one of the same stream (`HeartbeatStream`: the same
///   sender, network and adapters, or the same relay of the same origin) still waits replaces it:
///   the older one is dropped and counted (`coalescedHeartbeats`), and the newer one takes its place
///   at the end of the queue. The newer beat says everything the older one did (a newer stamp, the
///   echo of a newer stamp, the sender's view and links as they are now), so nothing is lost; a loop
///   that falls behind does less work, not the same work later. Without it, 32 daemons forming a
///   cluster on two cores queued seconds of stale heartbeats each, answered proposals after they
///   had timed out, and never formed a view (`vigil bench --only cost --sizes 32`).
/// - Packets (`received`, `receivedAll`) wait at most `packetLimit` at once; past it, a new one is
///   dropped and counted (`droppedPackets`). Losing a packet is what a network does, and the
///   protocol lives with it; an overloaded daemon sheds heartbeats instead of falling ever further
///   behind.
/// - A `tick` or `housekeeping` already waiting is not queued twice: the one waiting does the same.
/// - Everything else (results of actions, fences and disk requests, carrier changes, administrators'
///   commands) is never dropped. Their sources bound them (one action batch in flight, a fence per
///   node, the control socket's connection limit); past `hardLimit` the daemon has a defect, and
///   stops with the state that broke it rather than lose one.
final class DaemonInbox: Sendable {
    /// Packets that may wait at once: several seconds of every heartbeat of a 32-node cluster.
    static let packetLimit = 4096
    /// Inputs of any kind that may wait at once before the daemon stops on a defect.
    static let hardLimit = 100_000

    /// An input waiting, with the stream it belongs to if it is a heartbeat, and its place in
    /// that stream.
    private struct Waiting {
        var input: DaemonInput
        var stream: HeartbeatStream?
        var serial: UInt64
    }

    private struct State {
        var queue: Deque<Waiting> = []
        /// The serial of the newest waiting heartbeat of each stream; an older one of the stream
        /// still in `queue` is dead (dropped when it comes up).
        var newestOfStream: [HeartbeatStream: UInt64] = [:]
        var nextSerial: UInt64 = 0
        /// Entries of `queue` that are dead.
        var dead = 0
        var coalesced: UInt64 = 0
        var packets = BoundedCount(limit: DaemonInbox.packetLimit)
        var tickWaiting = false
        var housekeepingWaiting = false
        var waiter: CheckedContinuation<DaemonInput?, Never>?
        var finished = false

        /// The first live input, taken off the queue if `wanted` accepts it (dead heartbeats at
        /// the head are dropped on the way); `nil` when the queue is empty or `wanted` refuses.
        mutating func takeFirst(where wanted: (DaemonInput) -> Bool) -> DaemonInput? {
            while let waiting = queue.first {
                if let stream = waiting.stream, newestOfStream[stream] != waiting.serial {
                    queue.removeFirst()
                    dead -= 1
                    continue
                }
                guard wanted(waiting.input) else { return nil }
                queue.removeFirst()
                if let stream = waiting.stream { newestOfStream[stream] = nil }
                DaemonInbox.taken(waiting.input, from: &self)
                return waiting.input
            }
            return nil
        }
    }

    private let state = Mutex(State())

    /// Packets dropped because `packetLimit` were waiting.
    var droppedPackets: UInt64 { state.withLock { $0.packets.refused } }

    /// Heartbeats dropped because a newer one of the same stream arrived while they waited.
    var coalescedHeartbeats: UInt64 { state.withLock { $0.coalesced } }

    /// Queues an input (or drops it, see the type's rules) and wakes the loop if it waits.
    func push(_ input: DaemonInput) { push([input]) }

    /// Queues inputs in order, each as `push(_:)` would, under one lock: the packets of one read
    /// of a socket.
    func push(_ inputs: [DaemonInput]) {
        let handed: (waiter: CheckedContinuation<DaemonInput?, Never>, input: DaemonInput)? = state.withLock { state in
            var handed: (waiter: CheckedContinuation<DaemonInput?, Never>, input: DaemonInput)? = nil
            for input in inputs {
                guard !state.finished else { break }
                let stream = HeartbeatStream(of: input)
                switch input {
                case .received, .receivedAll:
                    if let stream, state.newestOfStream[stream] != nil {
                        // The older heartbeat of the stream is dead and counts as a waiting packet no more.
                        state.dead += 1
                        state.coalesced += 1
                        state.packets.leave()
                    }
                    guard state.packets.admit() else { continue }
                case .tick:
                    guard !state.tickWaiting else { continue }
                    state.tickWaiting = true
                case .housekeeping:
                    guard !state.housekeepingWaiting else { continue }
                    state.housekeepingWaiting = true
                default:
                    break
                }
                precondition(
                    state.queue.count - state.dead < Self.hardLimit,
                    "the daemon's inbox holds \(state.queue.count - state.dead) inputs: "
                        + "\(state.packets.current) packets, the rest results and commands that are never dropped")
                if handed == nil, let waiter = state.waiter {
                    state.waiter = nil
                    Self.taken(input, from: &state)
                    handed = (waiter, input)
                    continue
                }
                let serial = state.nextSerial
                state.nextSerial += 1
                if let stream { state.newestOfStream[stream] = serial }
                state.queue.append(Waiting(input: input, stream: stream, serial: serial))
            }
            return handed
        }
        if let handed { handed.waiter.resume(returning: handed.input) }
    }

    /// Ends the inbox: the loop gets what waits, then `nil`.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.queue.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
    }

    /// The next input, waiting for one; `nil` once the inbox is finished and empty, or when the
    /// calling task is cancelled.
    func next() async -> DaemonInput? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: DaemonInput?? = state.withLock { state in
                    if let input = state.takeFirst(where: { _ in true }) { return .some(input) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The packets for the core waiting at the head of the queue, taken off it, at most `limit`:
    /// what arrived while the loop handled the input before, for the core to take in at once
    /// (`ClusterNode.receiveAll`). Stops at the first other input, or a configuration message (the
    /// loop's own), so that nothing is reordered.
    func takeWaitingPackets(limit: Int) -> [Envelope] {
        state.withLock { state in
            var packets: [Envelope] = []
            while packets.count < limit,
                case .received(let envelope) = state.takeFirst(where: { input in
                    if case .received(let envelope) = input { !envelope.isConfigMessage } else { false }
                })
            {
                packets.append(envelope)
            }
            return packets
        }
    }

    private static func taken(_ input: DaemonInput, from state: inout State) {
        switch input {
        case .received, .receivedAll: state.packets.leave()
        case .tick: state.tickWaiting = false
        case .housekeeping: state.housekeepingWaiting = false
        default: break
        }
    }
}

/// The heartbeats a newer one supersedes while they wait: those of one sender to this node on one
/// network between the same two adapters, or relayed by one neighbour from one origin to one
/// addressee. Everything else is no heartbeat stream (`nil`) and is never coalesced.
struct HeartbeatStream: Hashable, Sendable {
    var from: String
    var network: String
    var fromAdapter: String?
    var toAdapter: String?
    /// For a relayed heartbeat: its origin and its addressee.
    var origin: String?
    var addressee: String?

    init?(of input: DaemonInput) {
        guard case .received(let envelope) = input else { return nil }
        from = envelope.from
        network = envelope.network
        fromAdapter = envelope.fromAdapter
        toAdapter = envelope.toAdapter
        switch envelope.message {
        case .heartbeat:
            origin = nil
            addressee = nil
        case .relay(let relay):
            guard relay.heartbeat != nil else { return nil }
            origin = relay.inner.from
            addressee = relay.inner.to
        default:
            return nil
        }
    }
}
