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
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let subnet = Int.random(in: 100...250)
        let text = """
            cluster: {name: solo, id: 42}
            # The dead man switch's thread and process run on real time: long enough for the test.
            tuning: {dead_man_switch: 60s, hardware_watchdog: 2s}
            networks:
              - {name: lan, type: ether, attribute: public, netmask: 255.255.255.0}
            nodes:
              - name: only
                interfaces:
                  - {name: lo, label: only_lan, role: boot, address: 127.\(subnet).0.1, network: lan}
            service_addresses:
              - {label: svc_addr, address: 127.\(subnet).0.100, network: lan}
            resource_groups:
              - {name: svc, policy: cascading, nodes: [only], service_addresses: [svc_addr]}
            """
        try text.write(toFile: directory.file("solo.yaml"), atomically: true, encoding: .utf8)
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: directory.file("key")))
        let config = try ConfigLoader.load(contentsOf: directory.file("solo.yaml")).config
        var options = DaemonOptions(
            configPath: directory.file("solo.yaml"), config: config, node: "only", stateDirectory: directory.file("only"),
            keyPath: directory.file("key"), port: Int.random(in: 20_000...60_000), addressDriver: .loopbackDemo,
            socketPath: directory.file("only.sock"), watchdogDevice: "/dev/fake-watchdog",
            watchdogExecutable: DaemonProcessTests.vigild)
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
