import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The runtime half of the dead man switch: an OS thread (not a Swift task, so that it runs while the
/// daemon's event loops or cooperative pool are stuck) with its own deadline. The daemon's main loop
/// calls `pet()`; if no pet comes for longer than `tripInterval`, the thread calls `onTrip` once
/// (normally `EmergencyRelease.perform`) and stops watching.
///
/// Optionally it also pets a Linux watchdog device (`WatchdogDevice`, `/dev/watchdog`), but only
/// while both hold:
/// - the daemon pets this switch (it has not tripped): if this whole process stops, or the loop
///   stops being scheduled, the device is no longer petted;
/// - the node's lease holds (`leaseHolds(for:)`): the daemon's loop hands over, after every step
///   of the core, how long the lease still holds (`ClusterNode.hardwareWatchdogLease`), and a pet
///   after that moment is not made, so a node that lost quorum and still holds groups (its release
///   stuck, or hung) is reset by the hardware at most the device's timeout after its lease ended,
///   even though the process is alive. A node that holds nothing needs no lease to be petted.
/// The hardware then resets the node after its own timeout. `stop()` disarms the device with the
/// magic close `V`.
///
/// A thread shares its process's fate: a daemon stopped with SIGSTOP stops this thread too. Only the
/// watchdog device, or the watchdog process (`WatchdogProcess`), covers that case.
public final class Watchdog: Sendable {
    public let tripInterval: Duration
    /// The time the thread reads and sleeps on: the monotonic clock, or a test's.
    public let clock: any WatchdogClock
    /// How often the thread pets the device, when there is one, and how soon it first looks at the
    /// deadline; between pets it sleeps until the deadline could be due (`untilDeadline`).
    public let checkInterval: Duration
    /// The watchdog device petted, when there is one.
    public let device: WatchdogDevice?
    private let onTrip: @Sendable () -> Void
    private let lastPet = Atomic<UInt64>(0)
    /// The moment (on `clock`) after which the device is not petted because the node's lease has
    /// ended; `UInt64.max` while no lease bounds the pets (`leaseHolds(for:)`).
    private let leaseEnd = Atomic<UInt64>(UInt64.max)
    /// Pets the device was not given because the lease had ended, and pets the driver refused.
    private let withheldPets = Atomic<Int>(0)
    private let refusedPets = Atomic<Int>(0)
    private let state = Mutex(State())

    private struct State: Sendable {
        var started = false
        var stopping = false
        var tripped = false
        var finished = false
    }

    /// - Parameters:
    ///   - tripInterval: how long the daemon may go without petting.
    ///   - checkInterval: how often a watchdog device is petted; at most a quarter of `tripInterval`,
    ///     and with a device at most a quarter of its timeout.
    ///   - device: an opened watchdog device to pet (`WatchdogDevice.open`); `nil` (the default)
    ///     for none.
    ///   - clock: the time to read and sleep on (`MonotonicClock` but in tests).
    ///   - onTrip: the emergency release; it runs on the watchdog's thread and must not wait for
    ///     anything the daemon's tasks hold.
    public init(
        tripInterval: Duration, checkInterval: Duration? = nil, device: WatchdogDevice? = nil,
        clock: any WatchdogClock = MonotonicClock(), onTrip: @escaping @Sendable () -> Void
    ) {
        self.clock = clock
        precondition(tripInterval > .zero, "trip interval must be positive, got \(tripInterval)")
        var check = checkInterval ?? tripInterval / 10
        if let device { check = min(check, device.timeout / 4) }
        precondition(
            check > .zero && check <= tripInterval / 4, "check interval \(check) must be in (0, trip interval / 4]")
        self.tripInterval = tripInterval
        self.checkInterval = check
        self.device = device
        self.onTrip = onTrip
    }

    /// Starts the thread; the deadline starts now.
    public func start() {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        precondition(!alreadyStarted, "a watchdog is started once")
        pet()
        clock.threadStarted()
        let thread = Thread { [self] in
            watch()
            clock.threadEnded()
        }
        thread.name = "vigil-watchdog"
        thread.start()
    }

    /// The daemon is alive: pushes the deadline to `tripInterval` from now.
    public func pet() { lastPet.store(clock.now(), ordering: .releasing) }

    /// The node's lease holds for `remaining` from now (`nil`: no lease bounds the pets, the node
    /// holds nothing or keeps no lease); the device is not petted after that. The clock is read
    /// before `remaining` is worked out by the caller, so the moment stored is never later than
    /// the lease's end.
    public func leaseHolds(for remaining: () -> Duration?) {
        let before = clock.now()
        guard let remaining = remaining() else {
            leaseEnd.store(UInt64.max, ordering: .releasing)
            return
        }
        leaseEnd.store(before + UInt64(max(.zero, remaining).nanoseconds), ordering: .releasing)
    }

    /// How many times the device was due a pet that was withheld because the lease had ended.
    public var petsWithheld: Int { withheldPets.load(ordering: .relaxed) }

    /// How many pets the device's driver refused.
    public var petsRefused: Int { refusedPets.load(ordering: .relaxed) }

    /// Ends the watch without tripping (orderly shutdown); the thread ends at its next check. The
    /// device is disarmed at once: the process may exit before that check, and a device closed
    /// without the magic close stays armed and resets the node.
    public func stop() {
        state.withLock { $0.stopping = true }
        device?.disarm()
    }

    /// Whether the watchdog tripped and ran its release.
    public var hasTripped: Bool { state.withLock { $0.tripped } }

    /// Whether the thread has ended (after a trip or a stop).
    public var hasFinished: Bool { state.withLock { $0.finished } }

    private func watch() {
        let trip = UInt64(tripInterval.nanoseconds)
        var wait = checkInterval
        while true {
            clock.sleep(wait)
            if state.withLock({ $0.stopping }) {
                device?.disarm()
                break
            }
            // The pet before the clock: a pet stored between the two readings would lie in the
            // future and the wrapping difference trip the switch while the daemon runs.
            let pet = lastPet.load(ordering: .acquiring)
            let now = clock.now()
            let silent = now > pet ? now - pet : 0
            if silent > trip {
                state.withLock { $0.tripped = true }
                onTrip()
                // The device stays open and unpetted: the hardware resets the node if so armed.
                break
            }
            if let device { petDevice(device, at: now) }
            // Nothing can trip before the last pet is a trip interval old: the thread sleeps until
            // then (a few wakes per second at rest rather than one per check), except that a
            // device is petted every check.
            wait = device != nil ? checkInterval : Self.untilDeadline(silent: silent, trip: trip)
        }
        state.withLock { $0.finished = true }
    }

    /// Pets the device if the node's lease still holds at `now`; withholds the pet otherwise.
    private func petDevice(_ device: WatchdogDevice, at now: UInt64) {
        guard now <= leaseEnd.load(ordering: .acquiring) else {
            withheldPets.add(1, ordering: .relaxed)
            return
        }
        if device.keepAlive() != nil { refusedPets.add(1, ordering: .relaxed) }
    }

    /// How long a watcher that last saw a pet `silent` nanoseconds ago may sleep before the switch
    /// could be due: until the pet is `trip` old, and a little past it (a wake just short of the
    /// deadline would only sleep again).
    static func untilDeadline(silent: UInt64, trip: UInt64) -> Duration {
        .nanoseconds(Int64(trip - min(silent, trip)) + 100_000)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func sleep(_ duration: Duration) {
        let nanoseconds = duration.nanoseconds
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

/// The time a thread of the dead man switch reads and sleeps on. The daemon's is the monotonic
/// clock (`MonotonicClock`); a test's moves only when the test says, so that the watchdog's
/// behaviour can be checked without waiting for real time to pass.
public protocol WatchdogClock: Sendable {
    /// Nanoseconds on a monotonic scale.
    func now() -> UInt64
    /// Blocks the calling thread until the clock has advanced by `duration`.
    func sleep(_ duration: Duration)
    /// A thread that reads this clock starts (a test's clock waits for it to sleep or end).
    func threadStarted()
    /// A thread that read this clock ends.
    func threadEnded()
}

extension WatchdogClock {
    public func threadStarted() {}
    public func threadEnded() {}
}

/// The system's monotonic clock (`CLOCK_MONOTONIC`), which a thread sleeps on with `nanosleep`:
/// one clock for every namespace and process of the machine, so that times taken in different
/// processes (the benchmark's faults and a client's answers) compare directly.
public struct MonotonicClock: WatchdogClock {
    public init() {}
    public func now() -> UInt64 { Watchdog.monotonicNanoseconds() }
    public func sleep(_ duration: Duration) { Watchdog.sleep(duration) }

    /// Nanoseconds now.
    public static func nanoseconds() -> UInt64 { Watchdog.monotonicNanoseconds() }
}

extension Duration {
    /// Whole nanoseconds (durations here are far below the 292 years an Int64 holds).
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
