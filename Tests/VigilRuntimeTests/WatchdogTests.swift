import Foundation
import Synchronization
import VigilModel
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
        watchdog.start()
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
        watchdog.start()
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
        watchdog.start()
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
        watchdog.start()
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
        watchdog.start()
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

/// The dead man switch against applications in cgroups: one that daemonizes (double fork and
/// `setsid`, out of its process group) is killed with its cgroup, and the application cgroups
/// are removed so that a start command spawned but not yet moved in never runs.
extension WatchdogTests { @Suite struct Cgroups {
    /// A start command that leaves a daemon behind: a double fork and `setsid`, its pid in `pid`.
    static func daemonizing(_ directory: TemporaryDirectory) -> Application {
        Application(
            name: "daemon", start: "(setsid sh -c 'sleep 300 & echo $! > \(directory.file("pid"))' &) ; sleep 0.2",
            stop: "true", startTimeout: .seconds(30), stopTimeout: .seconds(10), monitorTimeout: .seconds(10))
    }

    @Test(.enabled(if: canWriteCgroups)) func aDaemonizedApplicationDiesWithItsCgroup() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let containment = ApplicationContainment.choose(.automatic, stateDirectory: directory.path)
        let root = try #require(containment.root)
        defer { removeCgroupTree(root) }
        let driver = ApplicationDriver(
            config: ClusterConfig(name: "t", id: 1, applications: [Self.daemonizing(directory)]),
            stateDirectory: directory.path, containment: containment)
        #expect(await driver.start("daemon") == .success(()))
        #expect(await eventually { !directory.read("pid").isEmpty })
        let pid = try #require(Int32(directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(pid, SIGKILL) }
        let group = try #require(await driver.processGroups["daemon"])
        #expect(ProcessGroup.stat(of: pid)?.group != group, "the daemon left the start command's process group")

        // Its process group alone (the fallback's plan) misses it.
        let release = EmergencyRelease(ipPath: nil)
        release.update(EmergencyPlan(processGroups: [group]))
        release.perform()
        try await Task.sleep(for: .milliseconds(200))
        #expect(!isDead(pid), "a daemonized process escapes its process group")

        // The plan with the cgroup root kills it, and removes the application's cgroup.
        release.update(EmergencyPlan(processGroups: [group], cgroups: [root.path]))
        let report = release.perform()
        #expect(await eventually { isDead(pid) }, "\(report)")
        #expect(report.contains("kill \(root): cgroup.kill written"), "\(report)")
        #expect(report.contains("application cgroups below \(root) removed"), "\(report)")
        #expect(!containment.cgroup(of: "daemon")!.exists && root.exists)
        #expect(await !driver.isRunning("daemon"))
    }

    @Test func thePlanFileCarriesTheCgroupRoot() {
        let address = EmergencyPlan.Address(device: "eth0", address: "192.0.2.1", prefix: 24)
        let plan = EmergencyPlan(addresses: [address], processGroups: [42],
                                 cgroups: ["/sys/fs/cgroup/vigil/+var+lib+vigil", "/mnt/cg two/vigil/x"])
        let text = WatchdogProcess.encode(plan)
        #expect(text.contains("cgroup /sys/fs/cgroup/vigil/+var+lib+vigil\n"))
        #expect(WatchdogProcess.decode(text) == plan)
    }

    @Test func thePlanKeeperWritesTheGroupsOfTheMomentAndReportsFailure() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let groups = ProcessGroupRecord(stateDirectory: directory.path)
        let release = EmergencyRelease(ipPath: nil)
        let link = WatchdogProcess.Link(directory: directory.path)
        let root = "/sys/fs/cgroup/vigil/x"
        let keeper = EmergencyPlanKeeper(release: release, link: link, groups: groups, cgroups: [root])
        try keeper.update { _ in }
        #expect(WatchdogProcess.decode(directory.read("watchdog.plan")) == EmergencyPlan(cgroups: [root]),
                "the first plan names the cgroup root")
        // A start spawned after the plan was computed: the refresh adds its group...
        groups.record("app", 4242)
        try keeper.refresh()
        #expect(release.current.processGroups == [4242])
        // ...and a change computed from an older reading of the groups cannot drop it.
        try keeper.update { $0.processGroups = [] }
        let written = WatchdogProcess.decode(directory.read("watchdog.plan"))
        #expect(written == EmergencyPlan(processGroups: [4242], cgroups: [root]))
        groups.forget("app")

        // A plan file that cannot be written is an error, never silence.
        try FileManager.default.removeItem(atPath: directory.file("watchdog.plan"))
        try FileManager.default.createDirectory(atPath: directory.file("watchdog.plan"),
                                                withIntermediateDirectories: false)
        #expect(throws: DriverFailure.self) { try keeper.update { _ in } }
    }
} }
