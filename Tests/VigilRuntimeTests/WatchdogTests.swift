import Foundation
import Synchronization
import Testing
@testable import VigilRuntime

@Suite struct WatchdogTests {
    final class TripCounter: Sendable {
        let count = Atomic<Int>(0)
        func trip() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    /// Between checks a watcher sleeps until the last pet is a trip interval old, just past it,
    /// and only a moment once it is late.
    @Test func sleepsUntilTheDeadline() {
        let trip: UInt64 = 450_000_000
        #expect(Watchdog.untilDeadline(silent: 0, trip: trip) == .microseconds(450_100))
        #expect(Watchdog.untilDeadline(silent: 400_000_000, trip: trip) == .microseconds(50_100))
        #expect(Watchdog.untilDeadline(silent: 900_000_000, trip: trip) == .microseconds(100))
    }

    /// On a clock the test moves: a watchdog not petted trips once its trip interval has passed,
    /// not before, and runs the release exactly once.
    @Test func tripsWhenNotPettedAndNotBefore() throws {
        let trips = TripCounter()
        let clock = ManualWatchdogClock()
        let watchdog = Watchdog(tripInterval: .milliseconds(200), checkInterval: .milliseconds(20), clock: clock, onTrip: trips.trip)
        try watchdog.start()
        clock.advance(by: .milliseconds(199))
        #expect(!watchdog.hasTripped, "tripped 1 ms early")
        clock.advance(by: .milliseconds(2))
        #expect(watchdog.hasTripped)
        #expect(watchdog.hasFinished)
        #expect(trips.value == 1, "the release runs exactly once")
    }

    /// Pets keep it quiet however long it runs; once they stop, it trips a trip interval later.
    @Test func doesNotTripWhilePetted() throws {
        let trips = TripCounter()
        let clock = ManualWatchdogClock()
        let watchdog = Watchdog(tripInterval: .milliseconds(450), checkInterval: .milliseconds(45), clock: clock, onTrip: trips.trip)
        try watchdog.start()
        for _ in 0..<100 {
            clock.advance(by: .milliseconds(75))
            watchdog.pet()
        }
        #expect(!watchdog.hasTripped, "tripped while petted every 75 ms")
        clock.advance(by: .milliseconds(449))
        #expect(!watchdog.hasTripped)
        clock.advance(by: .milliseconds(2))
        #expect(watchdog.hasTripped)
        #expect(trips.value == 1)
    }

    /// `stop()` ends the watch without a trip, however long after the last pet the thread next looks.
    @Test func stopEndsTheWatchWithoutATrip() throws {
        let trips = TripCounter()
        let clock = ManualWatchdogClock()
        let watchdog = Watchdog(tripInterval: .milliseconds(200), checkInterval: .milliseconds(20), clock: clock, onTrip: trips.trip)
        try watchdog.start()
        clock.settle()
        watchdog.stop()
        clock.advance(by: .seconds(10))
        #expect(watchdog.hasFinished)
        #expect(!watchdog.hasTripped)
        #expect(trips.value == 0)
    }

    /// The watch is a thread of its own: it trips while the thread that should pet it is blocked
    /// (as a stuck event loop would be) — here, the test's own thread, waiting on the clock.
    @Test func tripsWhileTheCallingThreadIsBlocked() throws {
        let trips = TripCounter()
        let clock = ManualWatchdogClock()
        let watchdog = Watchdog(tripInterval: .milliseconds(200), checkInterval: .milliseconds(20), clock: clock, onTrip: trips.trip)
        try watchdog.start()
        clock.advance(by: .milliseconds(250))
        #expect(trips.value == 1)
    }

    @Test func emergencyReleaseKillsTheApplicationGroups() async throws {
        let started = await CommandRunner().launch(ShellCommand("sleep 300 & sleep 300 &", timeout: .seconds(120)), outputFile: nil)
        let group = ProcessGroup(try #require(started.processGroup))
        #expect(group.isAlive)
        let release = EmergencyRelease(ipPath: nil)
        release.update(EmergencyPlan(addresses: [.init(device: "eth9", address: "192.0.2.1", prefix: 24)], processGroups: [group.id]))
        let clock = ManualWatchdogClock()
        let watchdog = Watchdog(tripInterval: .milliseconds(100), checkInterval: .milliseconds(10), clock: clock, onTrip: { release.perform() })
        try watchdog.start()
        clock.advance(by: .milliseconds(150))
        #expect(watchdog.hasTripped)
        #expect(await group.waitUntilGone(within: .seconds(5)))
        #expect(release.perform().contains("ip not found: 192.0.2.1 left on eth9"))
    }

    @Test(.enabled(if: TestNamespace.available, "needs root and network namespaces"))
    func emergencyReleaseRemovesAddressesInANamespace() async throws {
        let namespace = try TestNamespace.make()
        defer { namespace.remove() }
        #expect(namespace.exec("ip addr add 192.0.2.10/24 dev dummy0") == 0)
        let ip = try #require(CommandLookup().path(of: "ip"))
        let release = EmergencyRelease(ipPath: ip, commandPrefix: [ip, "netns", "exec", namespace.name])
        release.update(EmergencyPlan(addresses: [.init(device: "dummy0", address: "192.0.2.10", prefix: 24)]))
        #expect(release.perform() == ["remove 192.0.2.10 from dummy0: exit 0"])
        #expect(!namespace.output("ip -4 -o addr show dev dummy0").contains("192.0.2.10"))
    }

    @Test func spawnReportsExitAndTimeout() {
        #expect(EmergencyRelease.spawnAndWait(["/bin/sh", "-c", "exit 7"], timeout: .seconds(10)) == "exit 7")
        #expect(EmergencyRelease.spawnAndWait(["/bin/sleep", "30"], timeout: .milliseconds(200)) == "killed after timeout")
        #expect(EmergencyRelease.spawnAndWait(["/nonexistent/tool"], timeout: .seconds(1)).hasPrefix("spawn failed"))
    }
}
