import Foundation
import Synchronization
import Testing
import VigilModel
@testable import VigilRuntime

@Suite struct ApplicationDriverTests {
    /// An application whose server is a `sleep` in the background; the monitor checks that process
    /// runs (not a zombie); start and stop count their runs.
    static func application(_ directory: TemporaryDirectory, stop: String? = nil, monitor: String? = nil, startTimeout: Duration = .seconds(30)) -> Application {
        let pid = directory.file("pid")
        return Application(
            name: "app",
            start: "echo run >> \(directory.file("starts")); sleep 300 > /dev/null 2>&1 & echo $! > \(pid)",
            stop: stop ?? "echo run >> \(directory.file("stops")); kill $(cat \(pid))",
            monitor: monitor ?? Self.alive(pid),
            startTimeout: startTimeout, stopTimeout: .seconds(10), monitorTimeout: .seconds(10))
    }

    /// A monitor: the process whose pid is in `pidFile` runs (and is not a zombie).
    static func alive(_ pidFile: String) -> String {
        "p=$(cat \(pidFile) 2>/dev/null) && [ -n \"$p\" ] && s=$(cat /proc/$p/stat 2>/dev/null) && [ \"$(echo \"$s\" | cut -d' ' -f3)\" != Z ]"
    }

    static func driver(_ application: Application, _ directory: TemporaryDirectory) -> ApplicationDriver {
        ApplicationDriver(config: ClusterConfig(name: "test", id: 1, applications: [application]),
                          stateDirectory: directory.path, killGrace: .milliseconds(500), pollInterval: .milliseconds(50))
    }

    static func serverPID(_ directory: TemporaryDirectory) -> Int32? {
        Int32(directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func startAndStopAreIdempotent() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let application = Self.application(directory)
        let driver = Self.driver(application, directory)

        #expect(await driver.start("app") == .success(()))
        #expect(await driver.check(application) == .healthy)
        #expect(await driver.processGroups["app"] != nil)
        #expect(await driver.start("app") == .success(()))
        #expect(directory.read("starts") == "run\n", "a healthy application is not started again")

        let pid = try #require(Self.serverPID(directory))
        #expect(await driver.stop("app") == .success(()))
        #expect(await eventually { isDead(pid) })
        #expect(await driver.check(application) != .healthy)
        #expect(await driver.processGroups["app"] == nil)
        #expect(await driver.stop("app") == .success(()))
        #expect(directory.read("stops") == "run\n", "a stopped application is not stopped again")
    }

    @Test func unmonitoredApplicationIsTrackedByItsProcessGroup() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var application = Self.application(directory, stop: "true")
        application.monitor = nil
        let driver = Self.driver(application, directory)
        #expect(await driver.start("app") == .success(()))
        #expect(await driver.isRunning("app"))
        #expect(await driver.start("app") == .success(()))
        #expect(directory.read("starts") == "run\n", "a running group is not started again")
        let pid = try #require(Self.serverPID(directory))
        #expect(await driver.stop("app") == .success(()))
        #expect(await eventually { isDead(pid) }, "leftovers of the recorded group are killed after the stop")
        #expect(await !driver.isRunning("app"))
    }

    @Test func processGroupsSurviveADriverRestart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let application = Self.application(directory, stop: "true")
        #expect(await Self.driver(application, directory).start("app") == .success(()))
        let pid = try #require(Self.serverPID(directory))
        // A new driver (a restarted daemon) reads the recorded group back and can still escalate.
        let restarted = Self.driver(application, directory)
        #expect(await restarted.processGroups["app"] != nil)
        #expect(await restarted.stop("app") == .success(()))
        #expect(await eventually { isDead(pid) })
    }

    @Test func stopEscalatesToTheRecordedProcessGroup() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A stop command that does nothing: the driver must kill the group recorded at start.
        let application = Self.application(directory, stop: "echo not stopping")
        let driver = Self.driver(application, directory)
        #expect(await driver.start("app") == .success(()))
        let pid = try #require(Self.serverPID(directory))
        #expect(await driver.stop("app") == .success(()))
        #expect(await eventually { isDead(pid) })
        #expect(await driver.check(application) != .healthy)
    }

    @Test func stopFailsWhenTheApplicationSurvives() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let application = Self.application(directory, stop: "true")
        // Started behind the driver's back: no process group recorded, and the stop does nothing.
        let started = await CommandRunner().launch(ShellCommand(application.start, timeout: .seconds(30)), outputFile: nil)
        #expect(started.succeeded)
        let pid = try #require(Self.serverPID(directory))
        defer { kill(pid, SIGKILL) }
        let result = await Self.driver(application, directory).stop("app")
        guard case .failure(let failure) = result else { Issue.record("stop claimed success"); return }
        #expect(failure.reason.contains("still healthy"))
        #expect(!isDead(pid))
    }

    @Test func failingStartCommandIsReported() async {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var application = Self.application(directory)
        application.start = "echo cannot start >&2; exit 4"
        let result = await Self.driver(application, directory).start("app")
        guard case .failure(let failure) = result else { Issue.record("start claimed success"); return }
        #expect(failure.reason.contains("exit 4"))
        #expect(failure.reason.contains("cannot start"))
    }

    @Test func startWaitsForTheMonitorUntilItsTimeout() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // The start timeout covers the start command too, which waits for its admission (a hop of
        // the cooperative pool): 2 s, not 600 ms, so that a full parallel run on two cores cannot
        // time the command itself out before the monitor is ever asked.
        let application = Self.application(directory, monitor: "false", startTimeout: .seconds(2))
        let driver = Self.driver(application, directory)
        let result = await driver.start("app")
        guard case .failure(let failure) = result else { Issue.record("start claimed success"); return }
        #expect(failure.reason.contains("monitor did not pass"))
        let pid = try #require(Self.serverPID(directory))
        #expect(await driver.processGroups["app"] != nil, "the group is recorded so that the stop can kill it")
        _ = await driver.stop("app")
        #expect(await eventually { isDead(pid) })
    }

    /// The spawn hook (the daemon's plan) hears of the group before the start command runs its
    /// line; a hook that fails refuses the start, and nothing of it runs.
    @Test func theSpawnHookComesFirstAndCanRefuse() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let application = Self.application(directory, stop: "true")
        let heard = Mutex<[String]>([])
        let driver = ApplicationDriver(
            config: ClusterConfig(name: "test", id: 1, applications: [application]), stateDirectory: directory.path,
            killGrace: .milliseconds(500), pollInterval: .milliseconds(50),
            onSpawn: { name, group throws(DriverFailure) in
                let ran = FileManager.default.fileExists(atPath: directory.file("starts"))
                heard.withLock { $0.append("\(name) \(group) ran:\(ran)") }
            })
        #expect(await driver.start("app") == .success(()))
        let group = try #require(await driver.processGroups["app"])
        #expect(heard.withLock { $0 } == ["app \(group) ran:false"])
        #expect(await driver.stop("app") == .success(()))

        let refusing = ApplicationDriver(
            config: ClusterConfig(name: "test", id: 1, applications: [application]), stateDirectory: directory.path,
            onSpawn: { _, _ throws(DriverFailure) in throw DriverFailure("cannot write the emergency plan") })
        try? FileManager.default.removeItem(atPath: directory.file("starts"))
        let refused = await refusing.start("app")
        #expect(refused == .failure(DriverFailure("start app refused before it ran: cannot write the emergency plan")))
        #expect(!FileManager.default.fileExists(atPath: directory.file("starts")), "nothing of the start command ran")
        #expect(await refusing.processGroups["app"] == nil)
    }

    static func contained(
        _ application: Application, _ directory: TemporaryDirectory
    ) throws -> (ApplicationDriver, CgroupDirectory) {
        let containment = ApplicationContainment.choose(.automatic, stateDirectory: directory.path)
        let root = try #require(containment.root, "\(containment)")
        let driver = ApplicationDriver(config: ClusterConfig(name: "test", id: 1, applications: [application]),
                                       stateDirectory: directory.path, killGrace: .milliseconds(500),
                                       pollInterval: .milliseconds(50), containment: containment)
        return (driver, root)
    }

    /// In a cgroup, an unmonitored application runs while its cgroup is populated, even when its
    /// process left the start command's process group; the stop kills what its stop command left
    /// behind and removes the cgroup.
    @Test(.enabled(if: canWriteCgroups)) func aContainedApplicationIsTrackedAndStoppedByItsCgroup() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var application = Self.application(directory, stop: "true")
        application.monitor = nil
        application.start = "setsid sh -c 'sleep 300 & echo $! > \(directory.file("pid"))' & sleep 0.2"
        let (driver, root) = try Self.contained(application, directory)
        defer { removeCgroupTree(root) }
        #expect(await driver.start("app") == .success(()))
        let cgroup = try #require(driver.containment.cgroup(of: "app"))
        #expect(await eventually { Self.serverPID(directory) != nil })
        let pid = try #require(Self.serverPID(directory))
        defer { kill(pid, SIGKILL) }
        let group = try #require(await driver.processGroups["app"])
        #expect(ProcessGroup.stat(of: pid)?.group != group, "the server left the start command's process group")
        #expect(!ProcessGroup(group).isAlive)
        #expect(await driver.isRunning("app"), "its cgroup is populated")
        #expect(await driver.start("app") == .success(()))
        #expect(cgroup.processes == [pid], "a running application is not started again")

        #expect(await driver.stop("app") == .success(()))
        #expect(isDead(pid), "the stop killed what the stop command left")
        #expect(!cgroup.exists, "a stopped application's cgroup is removed")
        #expect(await !driver.isRunning("app"))
        #expect(await driver.stop("app") == .success(()))
    }

    /// A stop that comes while a start is under way waits for it, and stops what it started: it
    /// cannot see nothing yet, forget the group the start is recording, and leave the application
    /// running unrecorded (seen: an application restarted by the monitor during a release).
    @Test func aStopDuringAStartWaitsForItAndStopsWhatItStarted() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var application = Self.application(directory, stop: "true")
        application.start = "echo run >> \(directory.file("starts")); sleep 0.5; " + application.start
        let driver = Self.driver(application, directory)
        let starting = Task { await driver.start("app") }
        // A generous wait: on two cores, the other process tests of this run share the cooperative
        // pool (scripts/test runs the CPU-bound simulator tests in a run of their own).
        #expect(await eventually(within: .seconds(60)) { !directory.read("starts").isEmpty })
        #expect(await driver.stop("app") == .success(()))
        #expect(await starting.value == .success(()))
        let pid = try #require(Self.serverPID(directory))
        #expect(await eventually { isDead(pid) }, "the stop came after the start and stopped its server")
        #expect(await driver.processGroups["app"] == nil)
    }

    /// The monitor's restart: stop and start as one operation, the start only while still wanted.
    @Test func aRestartStartsOnlyWhileStillWanted() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let application = Self.application(directory, stop: "true")
        let driver = Self.driver(application, directory)
        #expect(await driver.start("app") == .success(()))
        let first = try #require(Self.serverPID(directory))
        let restarted = try #require(await driver.restart("app", while: { true }))
        #expect(restarted == .success(()))
        let second = try #require(Self.serverPID(directory))
        #expect(second != first && isDead(first) && !isDead(second))
        let unwanted = await driver.restart("app", while: { false })
        #expect(unwanted == nil, "released meanwhile: not started again")
        #expect(await eventually { isDead(second) })
        #expect(await driver.check(application) != .healthy)
        #expect(directory.read("starts") == "run\nrun\n")
    }

    @Test func unknownApplicationIsAFailure() async {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let driver = Self.driver(Self.application(directory), directory)
        guard case .failure = await driver.start("nope") else { Issue.record("unknown application started"); return }
    }
}

/// Comparison of driver results (Void is not Equatable, so Result does not conform).
extension Result<Void, DriverFailure> {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.success, .success): true
        case (.failure(let a), .failure(let b)): a == b
        default: false
        }
    }
}
