import Foundation
import Testing
@testable import VigilLab

/// How the demo finds and signals the processes it is responsible for.
@Suite("vigil demo: processes")
struct DemoProcessesTests {
    @Test("a child's descendants are found by pid and start time; a killed one is no longer alive",
          .timeLimit(.minutes(1)))
    func descendants() throws {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "sleep 30 & wait"]
        try shell.run()
        defer {
            if shell.isRunning { kill(shell.processIdentifier, SIGKILL) }
            shell.waitUntilExit()
        }
        var found: [DemoProcesses.Identity] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while found.isEmpty, ContinuousClock.now < deadline {
            found = DemoProcesses.descendants(of: shell.processIdentifier)
            Thread.sleep(forTimeInterval: 0.01)
        }
        let sleeper = try #require(found.first, "sleep never showed up as the shell's child")
        #expect(found.count == 1)
        #expect(sleeper.isAlive)
        #expect(DemoCluster.commandName(sleeper.pid) == "sleep")
        // Same pid, another start time: another process, never to be signalled.
        #expect(!DemoProcesses.Identity(pid: sleeper.pid).map { var other = $0; other.startTime += 1; return other.isAlive }!)
        // The shell is killed too: run from the test process (whose signal mask it inherits) its
        // `wait` need not return when its child dies.
        kill(sleeper.pid, SIGKILL)
        kill(shell.processIdentifier, SIGKILL)
        #expect(DemoProcesses.waitGone(sleeper.pid, timeout: .seconds(2)))
        #expect(!sleeper.isAlive)
        #expect(DemoProcesses.waitGone(shell.processIdentifier, timeout: .seconds(2)))
    }

    @Test("no process, no identity; our own process is alive")
    func identity() {
        #expect(DemoProcesses.Identity(pid: 0) == nil)
        #expect(DemoProcesses.Identity(pid: getpid())?.isAlive == true)
        #expect(DemoProcesses.isAlive(getpid()))
    }
}
