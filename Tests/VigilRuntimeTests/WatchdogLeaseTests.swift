import Testing
@testable import VigilRuntime

@Suite("Watchdog: the hardware device is petted only while the daemon runs and the node's lease holds")
struct WatchdogLeaseTests {
    /// A watchdog with a fake device of a 5 s timeout, checked every 45 ms on a clock the test moves.
    static func watched() throws -> (Watchdog, FakeWatchdogInterface, ManualWatchdogClock) {
        let driver = FakeWatchdogInterface()
        let device = try WatchdogDevice.open("/dev/watchdog", timeout: .seconds(5), interface: driver)
        let clock = ManualWatchdogClock()
        let watchdog = Watchdog(
            tripInterval: .milliseconds(450), checkInterval: .milliseconds(45), device: device, clock: clock,
            onTrip: {})
        return (watchdog, driver, clock)
    }

    /// Moves the clock on by `checks` check intervals, the daemon petting the switch at each.
    static func run(_ watchdog: Watchdog, _ clock: ManualWatchdogClock, checks: Int) {
        for _ in 0..<checks {
            clock.advance(by: .milliseconds(45))
            watchdog.pet()
        }
    }

    @Test("while no lease bounds the pets (the node holds nothing) the device is petted at every check")
    func pettedWithoutLease() throws {
        let (watchdog, driver, clock) = try Self.watched()
        watchdog.start()
        Self.run(watchdog, clock, checks: 10)
        #expect(driver.keepAlives == 10)
        #expect(watchdog.petsWithheld == 0)
        watchdog.stop()
        #expect(driver.magicClosed, "an orderly stop disarms the device at once (the process may exit next)")
        clock.advance(by: .milliseconds(45))
        #expect(driver.keepAlives == 10 && watchdog.hasFinished)
    }

    @Test("after the lease ran out no pet is made, though the daemon still runs; a new lease resumes them")
    func noPetAfterTheLeaseExpired() throws {
        let (watchdog, driver, clock) = try Self.watched()
        watchdog.start()
        watchdog.leaseHolds { .milliseconds(200) }
        Self.run(watchdog, clock, checks: 4)  // 180 ms: within the lease
        #expect(driver.keepAlives == 4)
        Self.run(watchdog, clock, checks: 20)  // 900 ms more: the lease ended at 200 ms
        #expect(driver.keepAlives == 4, "petted after the lease had ended")
        #expect(watchdog.petsWithheld == 20)
        #expect(!watchdog.hasTripped, "the process runs: the dead man switch does not trip, the hardware resets")
        // The core confirmed the node again (or it released everything: no lease bounds the pets).
        watchdog.leaseHolds { .seconds(1) }
        Self.run(watchdog, clock, checks: 2)
        #expect(driver.keepAlives == 6)
        watchdog.leaseHolds { nil }
        Self.run(watchdog, clock, checks: 30)
        #expect(driver.keepAlives == 36)
        watchdog.stop()
        clock.advance(by: .milliseconds(45))
    }

    @Test("a lease already over when handed (the core says now) stops the pets at once")
    func lapsedLease() throws {
        let (watchdog, driver, clock) = try Self.watched()
        watchdog.start()
        watchdog.leaseHolds { .zero }
        Self.run(watchdog, clock, checks: 3)
        #expect(driver.keepAlives == 0 && watchdog.petsWithheld == 3)
        watchdog.stop()
        clock.advance(by: .milliseconds(45))
    }

    @Test("once the switch trips the device is no longer petted, and is left armed")
    func trippedLeavesTheDeviceArmed() throws {
        let (watchdog, driver, clock) = try Self.watched()
        watchdog.start()
        Self.run(watchdog, clock, checks: 2)
        for _ in 0..<20 { clock.advance(by: .milliseconds(45)) }
        #expect(watchdog.hasTripped)
        #expect(driver.keepAlives <= 12 && !driver.magicClosed)
    }

    @Test("with a device the check interval is at most a quarter of its timeout")
    func checkIntervalFollowsTheDevice() throws {
        let driver = FakeWatchdogInterface()
        let device = try WatchdogDevice.open("/dev/watchdog", timeout: .seconds(2), interface: driver)
        let watchdog = Watchdog(tripInterval: .seconds(30), device: device, onTrip: {})
        #expect(watchdog.checkInterval == .milliseconds(500))
        device.disarm()
    }
}
