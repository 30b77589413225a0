import Foundation
import Testing
import VigilCore

@testable import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

/// sd_notify written by hand: what reaches a socket of the test's own, in which order, and what
/// the environment variables turn on.
@Suite struct ServiceManagerNotifierTests {
    @Test func readyComesOnceWithItsStatusAndAStatusOnlyWhenItChanges() throws {
        let dir = TemporaryDirectory("notifier")
        defer { dir.remove() }
        let manager = try DatagramReceiver(path: dir.file("notify"))
        defer { manager.stop() }
        let notifier = ServiceManagerNotifier(socketPath: manager.path, watchdogTimeout: nil)

        notifier.report(ready: false, status: "joining: waiting for a view")
        notifier.report(ready: false, status: "joining: waiting for a view")
        notifier.report(ready: true, status: "view 3, 1 of 1 nodes up, quorate, 0 groups online here")
        notifier.report(ready: true, status: "view 3, 1 of 1 nodes up, quorate, 0 groups online here")
        notifier.report(ready: true, status: "view 3, 1 of 1 nodes up, quorate, 1 group online here")
        notifier.report(ready: false, status: "multi\nline")
        notifier.stopping(status: "stopping")

        #expect(
            manager.messages() == [
                "STATUS=joining: waiting for a view",
                "READY=1\nSTATUS=view 3, 1 of 1 nodes up, quorate, 0 groups online here",
                "STATUS=view 3, 1 of 1 nodes up, quorate, 1 group online here",
                "STATUS=multi line",
                "STOPPING=1\nSTATUS=stopping",
            ])
        #expect(notifier.failures == 0)
    }

    @Test func anAbstractSocketIsReached() throws {
        let name = "@vigil-test-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let manager = try DatagramReceiver(path: name)
        defer { manager.stop() }
        let notifier = ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": name], pid: getpid())
        notifier.report(ready: true, status: "not started: run vigil start")
        #expect(manager.messages() == ["READY=1\nSTATUS=not started: run vigil start"])
    }

    /// `WATCHDOG=1` at the pets that come a quarter of the timeout or more after the last one sent.
    @Test func watchdogPetsComeAtAQuarterOfTheTimeoutAtMost() throws {
        let dir = TemporaryDirectory("watchdogpets")
        defer { dir.remove() }
        let manager = try DatagramReceiver(path: dir.file("notify"))
        defer { manager.stop() }
        let notifier = ServiceManagerNotifier(
            environment: ["NOTIFY_SOCKET": manager.path, "WATCHDOG_USEC": "2000000"], pid: getpid())
        #expect(notifier.watchdogTimeout == .seconds(2))
        #expect(notifier.watchdogPetInterval == .seconds(1))
        for milliseconds in stride(from: 0, through: 2_000, by: 100) {
            notifier.petWatchdog(at: Moment(.milliseconds(milliseconds)))
        }
        // At 0, 500, 1000, 1500 and 2000 ms.
        #expect(manager.messages() == Array(repeating: "WATCHDOG=1", count: 5))
    }

    @Test func theWatchdogIsOnlyForTheProcessItNamesAndOnlyWithAValidTimeout() {
        let socket = ["NOTIFY_SOCKET": "/nonexistent/notify"]
        let mine = ServiceManagerNotifier(
            environment: socket.merging(["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "42"]) { $1 }, pid: 42)
        #expect(mine.watchdogTimeout == .seconds(10))
        let other = ServiceManagerNotifier(
            environment: socket.merging(["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "43"]) { $1 }, pid: 42)
        #expect(other.watchdogTimeout == nil)
        for bad in ["0", "-5", "ten", "", "99999999999999999999999"] {
            let notifier = ServiceManagerNotifier(environment: socket.merging(["WATCHDOG_USEC": bad]) { $1 }, pid: 1)
            #expect(notifier.watchdogTimeout == nil, "WATCHDOG_USEC=\(bad)")
        }
        let noSocket = ServiceManagerNotifier(environment: ["WATCHDOG_USEC": "10000000"], pid: 1)
        #expect(!noSocket.isEnabled && noSocket.watchdogTimeout == nil)
    }

    /// Without NOTIFY_SOCKET nothing is sent; a socket that is not there only counts failures.
    @Test func noServiceManagerChangesNothing() {
        let none = ServiceManagerNotifier(environment: [:], pid: getpid())
        none.report(ready: true, status: "x")
        none.petWatchdog(at: Moment(.seconds(1)))
        none.stopping(status: "y")
        #expect(none.failures == 0)
        let gone = ServiceManagerNotifier(socketPath: "/nonexistent/vigil/notify", watchdogTimeout: nil)
        gone.report(ready: true, status: "x")
        #expect(gone.failures == 1)
        let tooLong = ServiceManagerNotifier(socketPath: "/" + String(repeating: "a", count: 200), watchdogTimeout: nil)
        tooLong.report(ready: true, status: "x")
        #expect(tooLong.failures == 1)
    }

    /// Which standings are ready, and the status line of each.
    @Test func readinessAndStatusOfEachStanding() {
        func readiness(_ standing: ServiceReadiness.Facts.Standing) -> ServiceReadiness {
            ServiceReadiness(ServiceReadiness.Facts(standing: standing, nodes: 4))
        }
        #expect(
            readiness(.startPending) == ServiceReadiness(ready: false, status: "starting cluster services (--start)"))
        #expect(
            readiness(.notRunning(hasRun: false))
                == ServiceReadiness(ready: true, status: "not started: run vigil start"))
        #expect(readiness(.notRunning(hasRun: true)).status == "cluster services stopped: run vigil start")
        #expect(readiness(.joining) == ServiceReadiness(ready: false, status: "joining: waiting for a view"))
        #expect(readiness(.disconnected).ready)
        let member = readiness(.member(epoch: 12, up: 3, quorate: true, stable: true, onlineGroups: 2))
        #expect(
            member == ServiceReadiness(ready: true, status: "view 12, 3 of 4 nodes up, quorate, 2 groups online here"))
        let out = readiness(.member(epoch: 13, up: 1, quorate: false, stable: false, onlineGroups: 0))
        #expect(
            out
                == ServiceReadiness(
                    ready: true, status: "out of quorum: view 13, 1 of 4 nodes up, event running, 0 groups online here")
        )
        let none = readiness(.member(epoch: 2, up: 4, quorate: nil, stable: true, onlineGroups: 1))
        #expect(none.status == "view 2, 4 of 4 nodes up, no quorum policy, 1 group online here")
    }
}
