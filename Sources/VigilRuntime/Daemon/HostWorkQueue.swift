import Synchronization
import VigilCore
import VigilModel

/// Host work waiting for the daemon's host worker, in order: action batches, which are never
/// dropped (the core has at most one in flight), and hook runs, of which at most `hookLimit` wait
/// at once; past it a hook run is dropped, counted and reported (the cluster goes on; a hook that
/// hangs holds up the others only until its timeout).
final class HostWorkQueue: Sendable {
    enum Work: Sendable {
        case batch(ActionBatch)
        case hooks(HookInvocation)
        /// The drivers and hooks run configuration `version` from here on (`RunningConfiguration`).
        case configuration(version: UInt64, ClusterConfig)
    }

    /// Enough for every event of a long burst of failures, each with its pre, post and notify hooks.
    static let hookLimit = 256

    let work: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation
    private let hooksWaiting = Mutex(BoundedCount(limit: HostWorkQueue.hookLimit))

    init() { (work, continuation) = AsyncStream.makeStream(of: Work.self) }

    /// Hook runs dropped because `hookLimit` were waiting.
    var droppedHooks: UInt64 { hooksWaiting.withLock { $0.refused } }

    func add(_ batch: ActionBatch) { continuation.yield(.batch(batch)) }

    /// Queues the swap of the drivers and hooks to a new configuration version.
    func add(version: UInt64, _ config: ClusterConfig) { continuation.yield(.configuration(version: version, config)) }

    /// Queues a hook run; returns false when it was dropped.
    func add(_ hooks: HookInvocation) -> Bool {
        let queued = hooksWaiting.withLock { $0.admit() }
        if queued { continuation.yield(.hooks(hooks)) }
        return queued
    }

    /// The worker took `item` off the queue.
    func took(_ item: Work) {
        if case .hooks = item { hooksWaiting.withLock { $0.leave() } }
    }

    /// Ends the queue: the worker stops after what waits.
    func finish() { continuation.finish() }
}
