import DequeModule
import Synchronization

/// The loop's inputs, in the order they arrived, bounded where a flood can come from: packets.
///
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

    private struct State {
        var queue: Deque<DaemonInput> = []
        var packets = BoundedCount(limit: DaemonInbox.packetLimit)
        var tickWaiting = false
        var housekeepingWaiting = false
        var waiter: CheckedContinuation<DaemonInput?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Packets dropped because `packetLimit` were waiting.
    var droppedPackets: UInt64 { state.withLock { $0.packets.refused } }

    /// Queues an input (or drops it, see the type's rules) and wakes the loop if it waits.
    func push(_ input: DaemonInput) {
        let waiter: CheckedContinuation<DaemonInput?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            switch input {
            case .received, .receivedAll:
                guard state.packets.admit() else { return nil }
            case .tick:
                guard !state.tickWaiting else { return nil }
                state.tickWaiting = true
            case .housekeeping:
                guard !state.housekeepingWaiting else { return nil }
                state.housekeepingWaiting = true
            default:
                break
            }
            precondition(
                state.queue.count < Self.hardLimit,
                "the daemon's inbox holds \(state.queue.count) inputs: "
                    + "\(state.packets.current) packets, the rest results and commands that are never dropped")
            if let waiter = state.waiter {
                state.waiter = nil
                Self.taken(input, from: &state)
                return waiter
            }
            state.queue.append(input)
            return nil
        }
        waiter?.resume(returning: input)
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
                    if let input = state.queue.popFirst() {
                        Self.taken(input, from: &state)
                        return .some(input)
                    }
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

    private static func taken(_ input: DaemonInput, from state: inout State) {
        switch input {
        case .received, .receivedAll: state.packets.leave()
        case .tick: state.tickWaiting = false
        case .housekeeping: state.housekeepingWaiting = false
        default: break
        }
    }
}
