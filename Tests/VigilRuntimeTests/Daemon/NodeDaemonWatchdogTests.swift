import Foundation
import Testing
import VigilCore
import VigilModel

@testable import VigilRuntime

/// `vigild --watchdog-device` in this process, with a fake driver: the device is opened with the
/// configured timeout, logged, petted while the node holds its group under a valid lease, and
/// disarmed when the daemon stops.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NodeDaemonWatchdogTests {
    @Test(.enabled(if: DaemonProcessTests.vigild != nil, "needs the built vigild for the dead man switch's process"))
    func theDaemonArmsPetsAndDisarmsItsDevice() async throws {
        let solo = SoloCluster()
        let directory = solo.directory
        defer { directory.remove() }
        var options = try solo.options(
            id: 42, tuning: "{dead_man_switch: 60s, hardware_watchdog: 2s}", watchdogDevice: "/dev/fake-watchdog")
        let driver = FakeWatchdogInterface { $0.info.identity = WatchdogInfo.softdogIdentity }
        options.watchdogInterface = driver
        let clock = ManualDaemonClock()
        let daemon = try NodeDaemon(options: options, clock: clock)
        let running = Task { try await daemon.run() }

        #expect(try await daemon.start(all: false) == "starting cluster services on only")
        let online = await eventually(within: .seconds(60)) {
            clock.advance(by: .milliseconds(50))
            return (try? await daemon.status())?.groups.first { $0.name == "svc" }?.placements.first?.state == .online
        }
        let log = directory.read("only/vigil.log")
        #expect(online, "svc did not come online\n\(log)")
        #expect(driver.timeoutSet == 2)
        #expect(log.contains("hardware watchdog /dev/fake-watchdog (Software Watchdog) armed: timeout 2s"), "\(log)")
        #expect(log.contains("WARNING: /dev/fake-watchdog is the kernel's software watchdog (softdog)"))
        // The thread pets every half second (a quarter of the 2 s timeout), on real time.
        let petted = await eventually(within: .seconds(10)) { driver.keepAlives >= 2 }
        #expect(petted, "the device was not petted while the node held its group under its lease")
        running.cancel()
        _ = await running.result
        #expect(driver.magicClosed, "the daemon's end did not disarm the device")
    }
}
