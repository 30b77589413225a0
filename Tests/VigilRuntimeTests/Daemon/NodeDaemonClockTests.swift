import Foundation
import Testing
import VigilCore
import VigilModel
@testable import VigilRuntime

/// `vigild`'s time is its clock: a daemon run in this process on a clock the test moves forms its
/// view only once the join window has passed on that clock, however long the test takes in real
/// time, and places its group then.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NodeDaemonClockTests {
    @Test(.enabled(if: DaemonProcessTests.vigild != nil, "needs the built vigild for the dead man switch's process"))
    func theDaemonRunsOnTheClockItIsGiven() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let subnet = Int.random(in: 100...250)
        let text = """
            cluster: {name: solo, id: 41}
            # The dead man switch's thread and process run on real time: long enough for the test.
            tuning: {dead_man_switch: 60s}
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
        let options = DaemonOptions(
            configPath: directory.file("solo.yaml"), config: config, node: "only", stateDirectory: directory.file("only"),
            keyPath: directory.file("key"), port: Int.random(in: 20_000...60_000), addressDriver: .loopbackDemo,
            socketPath: directory.file("only.sock"), watchdogExecutable: DaemonProcessTests.vigild)
        let clock = ManualDaemonClock()
        let daemon = try NodeDaemon(options: options, clock: clock)
        let running = Task { try await daemon.run() }
        defer { running.cancel() }

        // The start is an input of the loop: answered once the loop runs, at time zero.
        #expect(try await daemon.start(all: false) == "starting cluster services on only")
        // A starting node listens for twice the heartbeat interval before it proposes a view; the
        // status is an input too, so it answers after every input before it.
        clock.advance(by: .milliseconds(200))
        #expect(try await daemon.status().view == nil, "a view formed before the join window passed on the clock")
        var status = try await daemon.status()
        for _ in 0..<50 where status.view == nil {
            clock.advance(by: .milliseconds(50))
            status = try await daemon.status()
        }
        #expect(status.view == 1)
        #expect(status.state == .up)
        // The group's address is configured by the host worker, which takes real time: the test
        // waits for it (however long the machine takes), moving the clock on at each look.
        let online = await eventually(within: .seconds(60)) {
            clock.advance(by: .milliseconds(50))
            return (try? await daemon.status())?.groups.first { $0.name == "svc" }?.placements.first?.state == .online
        }
        #expect(online, "svc did not come online\n\(directory.read("only/vigil.log"))")
        running.cancel()
        _ = await running.result
    }
}
