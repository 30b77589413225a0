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
        let solo = SoloCluster()
        let directory = solo.directory
        defer { directory.remove() }
        let options = try solo.options(id: 41, tuning: "{dead_man_switch: 60s}")
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
