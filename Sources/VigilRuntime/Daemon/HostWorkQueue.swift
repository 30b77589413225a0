import Synchronization
import VigilCore

/// Host work waiting for the daemon's host worker, in order: action batches, which are never
/// dropped (the core has at most one in flight), and hook runs, of which at most `hookLimit` wait
/// at once; past it a hook run is dropped, counted and reported (the cluster goes on; a hook that
/// hangs holds up the others only until its timeout).
final class HostWorkQueue: Sendable {
    enum Work: Sendable {
        case batch(ActionBatch)
        case hooks(HookInvocation)
    }

    /// Enough for every event of a long burst of failures, each with its pre, post and notify hooks.
    static let hookLimit = 256

    let work: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation
    private let counts = Mutex((hooksWaiting: 0, droppedHooks: UInt64(0)))

    init() { (work, continuation) = AsyncStream.makeStream(of: Work.self) }

    /// Hook runs dropped because `hookLimit` were waiting.
    var droppedHooks: UInt64 { counts.withLock { $0.droppedHooks } }

    func add(_ batch: ActionBatch) { continuation.yield(.batch(batch)) }

    /// Queues a hook run; returns false when it was dropped.
    func add(_ hooks: HookInvocation) -> Bool {
        let queued = counts.withLock { counts in
            guard counts.hooksWaiting < Self.hookLimit else {
                counts.droppedHooks &+= 1
                return false
            }
            counts.hooksWaiting += 1
            return true
        }
        if queued { continuation.yield(.hooks(hooks)) }
        return queued
    }

    /// The worker took `item` off the queue.
    func took(_ item: Work) {
        if case .hooks = item { counts.withLock { $0.hooksWaiting -= 1 } }
    }

    /// Ends the queue: the worker stops after what waits.
    func finish() { continuation.finish() }
}
