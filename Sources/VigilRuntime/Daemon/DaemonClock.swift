import NIOCore
import VigilCore

/// The daemon's time: the core's `now` (time since the daemon started) and the timers of its loop
/// (the core's wake, which also brings the dead man switch's pets, and housekeeping). In `vigild`
/// it is the monotonic clock with timers on the loop's event loop (`EventLoopClock`); a test's
/// clock moves only when the test says, so that what the daemon does over time can be checked
/// without waiting for it.
public protocol DaemonClock: Sendable {
    /// Time since the daemon started.
    var now: Moment { get }
    /// Calls `body` once, at `moment` (at once if it has passed).
    func schedule(at moment: Moment, _ body: @escaping @Sendable () -> Void) -> any DaemonTimer
    /// Calls `body` now, then every `interval`.
    func repeating(every interval: Duration, _ body: @escaping @Sendable () -> Void) -> any DaemonTimer
}

/// A timer of a `DaemonClock`.
public protocol DaemonTimer: Sendable {
    /// Stops the timer: its body is not called again.
    func cancel()
}

/// The monotonic clock, with timers on an event loop (the one the daemon's loop runs on, so that a
/// timer's input costs no thread hop).
public struct EventLoopClock: DaemonClock {
    let loop: any EventLoop
    let origin: ContinuousClock.Instant

    public init(loop: any EventLoop) {
        self.loop = loop
        origin = ContinuousClock.now
    }

    public var now: Moment { Moment(origin.duration(to: ContinuousClock.now)) }

    public func schedule(at moment: Moment, _ body: @escaping @Sendable () -> Void) -> any DaemonTimer {
        let delay = max(.zero, moment - now)
        return Scheduled(task: loop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { body() })
    }

    public func repeating(every interval: Duration, _ body: @escaping @Sendable () -> Void) -> any DaemonTimer {
        Repeated(
            task: loop.scheduleRepeatedTask(initialDelay: .zero, delay: .nanoseconds(interval.nanoseconds)) { _ in
                body()
            })
    }

    private struct Scheduled: DaemonTimer {
        let task: NIOCore.Scheduled<Void>
        func cancel() { task.cancel() }
    }

    private struct Repeated: DaemonTimer {
        let task: RepeatedTask
        func cancel() { task.cancel() }
    }
}
