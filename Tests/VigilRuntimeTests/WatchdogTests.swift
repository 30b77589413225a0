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

    @Test func tripsWhenNotPetted() async {
        let trips = TripCounter()
        let watchdog = Watchdog(tripInterval: .milliseconds(200), checkInterval: .milliseconds(20), onTrip: trips.trip)
        #expect(throws: Never.self) { try watchdog.start() }
        #expect(await eventually { watchdog.hasFinished })
        #expect(watchdog.hasTripped)
        #expect(trips.value == 1, "the release runs exactly once")
    }

    @Test func doesNotTripWhilePetted() async throws {
        let trips = TripCounter()
        let watchdog = Watchdog(tripInterval: .seconds(3), checkInterval: .milliseconds(50), onTrip: trips.trip)
        try watchdog.start()
        // Pet for longer than the trip interval, from a thread of its own (the test's cooperative
        // pool may be starved by other tests running in parallel): only missing pets may trip it.
        let petter = Thread {
            let end = Watchdog.monotonicNanoseconds() + 4_000_000_000
            while Watchdog.monotonicNanoseconds() < end {
                watchdog.pet()
                Watchdog.sleep(.milliseconds(20))
            }
            // Stopped by the thread that pets it: the test's own task may be starved past the
            // trip interval before it gets to stop it, and an unpetted watchdog rightly trips.
            watchdog.stop()
        }
        petter.start()
        #expect(await eventually(within: .seconds(60)) { petter.isFinished })
        watchdog.stop()
        #expect(await eventually { watchdog.hasFinished })
        #expect(!watchdog.hasTripped)
        #expect(trips.value == 0)
    }

    @Test func tripsWhileTheCallingThreadIsBlocked() async throws {
        let trips = TripCounter()
        let watchdog = Watchdog(tripInterval: .milliseconds(200), checkInterval: .milliseconds(20), onTrip: trips.trip)
        try watchdog.start()
        // Block this thread (as a stuck event loop would) without ever yielding: the watchdog's own
        // thread still trips.
        let clock = ContinuousClock()
        let start = clock.now
        while trips.value == 0, clock.now - start < .seconds(30) { usleep(1000) }
        #expect(trips.value == 1)
    }

    @Test func emergencyReleaseKillsTheApplicationGroups() async throws {
        let started = await CommandRunner().launch(ShellCommand("sleep 300 & sleep 300 &", timeout: .seconds(120)), outputFile: nil)
        let group = ProcessGroup(try #require(started.processGroup))
        #expect(group.isAlive)
        let release = EmergencyRelease(ipPath: nil)
        release.update(EmergencyPlan(addresses: [.init(device: "eth9", address: "192.0.2.1", prefix: 24)], processGroups: [group.id]))
        let watchdog = Watchdog(tripInterval: .milliseconds(100), checkInterval: .milliseconds(10), onTrip: { release.perform() })
        try watchdog.start()
        #expect(await eventually { watchdog.hasTripped })
        #expect(await group.waitUntilGone(within: .seconds(5)))
        #expect(release.perform().contains("ip not found: 192.0.2.1 left on eth9"))
    }

    @Test func emergencyReleaseRemovesAddressesInANamespace() async throws {
        guard let namespace = TestNamespace.make() else { return }
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
