import Foundation
import VigilCore
import VigilRuntime

/// A `DaemonClock` that moves only when the test says (`advance(by:)`): the daemon's timers (the
/// core's wakes, housekeeping, the dead man switch's pets) fire in time order as the test moves it,
/// on the test's thread, each at its own moment.
final class ManualDaemonClock: DaemonClock, @unchecked Sendable {
    private struct Entry {
        var at: Moment
        var every: Duration?
        var body: @Sendable () -> Void
    }

    private let lock = NSLock()
    private var current = Moment.zero
    private var timers: [Int: Entry] = [:]
    private var nextID = 0

    private struct Timer: DaemonTimer {
        let clock: ManualDaemonClock
        let id: Int
        func cancel() { clock.lock.withLock { _ = clock.timers.removeValue(forKey: id) } }
    }

    var now: Moment { lock.withLock { current } }

    func schedule(at moment: Moment, _ body: @escaping @Sendable () -> Void) -> any DaemonTimer {
        add(Entry(at: moment, every: nil, body: body))
    }

    func repeating(every interval: Duration, _ body: @escaping @Sendable () -> Void) -> any DaemonTimer {
        add(Entry(at: now, every: interval, body: body))
    }

    private func add(_ entry: Entry) -> any DaemonTimer {
        lock.withLock {
            nextID += 1
            timers[nextID] = entry
            return Timer(clock: self, id: nextID)
        }
    }

    /// Moves the clock on by `duration`, firing every timer due on the way, earliest first.
    func advance(by duration: Duration) {
        let end = now + duration
        while true {
            let due: (@Sendable () -> Void)? = lock.withLock {
                guard let (id, entry) = timers.filter({ $0.value.at <= end }).min(by: { ($0.value.at, $0.key) < ($1.value.at, $1.key) })
                else { return nil }
                current = max(current, entry.at)
                if let every = entry.every { timers[id]!.at = entry.at + every } else { timers[id] = nil }
                return entry.body
            }
            guard let due else { break }
            due()
        }
        lock.withLock { current = end }
    }
}
