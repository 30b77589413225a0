import Foundation
import VigilRuntime

/// A `WatchdogClock` that moves only when the test says (`advance(by:)`), for watchdog tests that
/// need no real time to pass. It keeps count of the threads that read it: `advance` returns once
/// every thread it woke has gone back to sleep or ended, so that what the test checks next is what
/// those threads did at the new time.
final class ManualWatchdogClock: WatchdogClock, @unchecked Sendable {
    private let condition = NSCondition()
    private var current: UInt64 = 1_000_000_000
    /// Threads running between two sleeps (or before their first).
    private var busy = 0
    /// The deadline of each sleeping thread, by a token of its sleep.
    private var sleepers: [Int: UInt64] = [:]
    private var nextToken = 0

    func now() -> UInt64 { condition.withLock { current } }

    func sleep(_ duration: Duration) {
        condition.withLock {
            let token = nextToken
            nextToken += 1
            sleepers[token] = current + UInt64(duration.nanoseconds)
            busy -= 1
            condition.broadcast()
            while sleepers[token] != nil { condition.wait() }
        }
    }

    func threadStarted() { condition.withLock { busy += 1 } }

    func threadEnded() {
        condition.withLock {
            busy -= 1
            condition.broadcast()
        }
    }

    /// Waits until every thread reading the clock sleeps or has ended.
    func settle() {
        condition.withLock { while busy > 0 { condition.wait() } }
    }

    /// Moves the clock on, wakes the threads whose sleep is over, and waits until they sleep again
    /// or end.
    func advance(by duration: Duration) {
        condition.withLock {
            while busy > 0 { condition.wait() }
            current += UInt64(duration.nanoseconds)
            for (token, deadline) in sleepers where deadline <= current {
                sleepers[token] = nil
                busy += 1
            }
            condition.broadcast()
            while busy > 0 { condition.wait() }
        }
    }
}
