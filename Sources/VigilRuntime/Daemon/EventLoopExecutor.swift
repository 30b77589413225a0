import NIOCore

/// Runs Swift tasks on a NIO event loop: the daemon's loop, packet delivery and timers then share
/// one thread with the sockets, so that a packet read from a socket reaches the core without
/// waking another thread, and the daemon at rest costs one thread's wake-ups instead of several.
///
/// Used as a task executor preference (`withTaskExecutorPreference`, `addTask(executorPreference:)`)
/// for the daemon's own tasks only: work that may block (host drivers, hooks, commands) keeps to
/// the global executor or threads of its own.
final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: an event loop is thread-safe; `any EventLoop` is Sendable, the class holds nothing else.
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
