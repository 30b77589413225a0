import Foundation
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
        let application = Self.application(directory, monitor: "false", startTimeout: .milliseconds(600))
        let driver = Self.driver(application, directory)
        let result = await driver.start("app")
        guard case .failure(let failure) = result else { Issue.record("start claimed success"); return }
        #expect(failure.reason.contains("monitor did not pass"))
        let pid = try #require(Self.serverPID(directory))
        #expect(await driver.processGroups["app"] != nil, "the group is recorded so that the stop can kill it")
        _ = await driver.stop("app")
        #expect(await eventually { isDead(pid) })
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
