import Synchronization

/// Short jobs the daemon starts without waiting for them — fence commands, tiebreaker disk I/O,
/// packets resent once their socket reopened — run as child tasks of the daemon's task group
/// (`run()`, one of the daemon's services): none outlives the daemon, and each is cancelled when it
/// ends. At most `limit` jobs wait or run at once; past it a job is refused (the caller reports
/// that as the job's failure: a fence that failed, a disk that did not answer) and counted.
final class DaemonJobs: Sendable {
    /// Far more than a cluster needs at once (a fence per node, a tiebreaker request per disk, a
    /// resend per reopened socket), small enough that a stuck device cannot pile up tasks.
    static let limit = 128

    typealias Job = @Sendable () async -> Void

    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let count = Mutex(BoundedCount(limit: DaemonJobs.limit))

    init() { (stream, continuation) = AsyncStream.makeStream(of: Job.self) }

    /// Jobs refused because `limit` were waiting or running.
    var refused: UInt64 { count.withLock { $0.refused } }

    /// Starts `job` as a child task of `run()`; returns false (and runs nothing) when `limit`
    /// jobs wait or run already.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        guard count.withLock({ $0.admit() }) else { return false }
        if case .terminated = continuation.yield({ [self] in
            await job()
            ended()
        }) {
            ended()
            return false
        }
        return true
    }

    private func ended() { count.withLock { $0.leave() } }

    /// Runs every submitted job as a child task until the calling task is cancelled; the jobs
    /// running then are cancelled and waited for.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await job in stream { group.addTask { await job() } }
        }
    }
}
