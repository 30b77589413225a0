import Foundation
import Testing
@testable import VigilCore
import VigilModel
@testable import VigilRuntime

@Suite struct HookAndLogTests {
    static let timestamp = #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"#

    @Test func clusterLogHasOneLinePerEventStartAndCompletion() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let logs = try NodeLogs(node: "ghost1", stateDirectory: directory.file("state"))
        logs.write(LogRecord(time: Moment(.seconds(3)), node: "ghost1", destination: .cluster, text: "EVENT START: node_up ghost4"))
        logs.write(LogRecord(time: Moment(.seconds(4)), node: "ghost1", destination: .event, text: "acquire SH2: start app"))
        logs.write(LogRecord(time: Moment(.seconds(5)), node: "ghost1", destination: .cluster, text: "EVENT COMPLETED: node_up ghost4"))

        let cluster = try String(contentsOfFile: directory.file("state/cluster.log"), encoding: .utf8)
        let lines = cluster.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].wholeMatch(of: try Regex("\(Self.timestamp) ghost1 EVENT START: node_up ghost4")) != nil, "\(lines[0])")
        #expect(lines[1].wholeMatch(of: try Regex("\(Self.timestamp) ghost1 EVENT COMPLETED: node_up ghost4")) != nil, "\(lines[1])")

        let event = try String(contentsOfFile: directory.file("state/vigil.log"), encoding: .utf8)
        let eventLines = event.split(separator: "\n").map(String.init)
        #expect(eventLines.count == 3, "the event log has every record")
        #expect(eventLines[1].wholeMatch(of: try Regex("\(Self.timestamp) ghost1 \\[4.000s\\] acquire SH2: start app")) != nil, "\(eventLines[1])")
    }

    @Test func logsAreAppendedAcrossReopening() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try NodeLogs(node: "n", stateDirectory: directory.path).event("first")
        try NodeLogs(node: "n", stateDirectory: directory.path).event("second\nwith a second line")
        let lines = directory.read("vigil.log").split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasSuffix(" n first"))
        #expect(lines[1].hasSuffix(" n second"))
        #expect(lines[2] == "    with a second line")
    }

    @Test func hooksRunInOrderWithTheEventInTheirEnvironment() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let trace = directory.file("trace")
        let hooks: [ClusterEventName: EventHooks] = [.nodeUp: EventHooks(
            pre: [
                "echo \"pre1 $VIGIL_EVENT|$VIGIL_EVENT_ARGS|$VIGIL_NODE|$VIGIL_PHASE\" >> \(trace)",
                "echo pre2 >> \(trace); echo output of pre2; exit 2",
                "echo pre3 >> \(trace)",
            ],
            post: ["echo post >> \(trace)"],
            notify: ["echo \"notify $VIGIL_PHASE\" >> \(trace)"],
            recovery: RecoveryHook(command: "echo \"recover $VIGIL_EVENT_ARGS\" >> \(trace)", retries: 2),
            timeout: .seconds(30))]
        let logs = try NodeLogs(node: "ghost1", stateDirectory: directory.path)
        let runner = HookRunner(hooks: hooks, node: "ghost1", logs: logs)
        let event = ClusterEvent.nodeUp(node: "ghost4")

        let pre = await runner.run(HookInvocation(event: event, phase: .pre))
        #expect(pre.map(\.result.status) == [.exited(0), .exited(2), .exited(0)], "a failing hook does not stop the next")
        #expect(await runner.run(event: event, phase: .notify).count == 1)
        #expect(await runner.run(event: event, phase: .recovery).count == 1)
        #expect(await runner.run(event: event, phase: .post).count == 1)
        #expect(await runner.run(event: .nodeDown(node: "ghost4", how: .failed), phase: .pre).isEmpty, "no hooks for node_down")

        #expect(directory.read("trace") == """
            pre1 node_up|ghost4|ghost1|pre
            pre2
            pre3
            notify notify
            recover ghost4
            post

            """)
        let log = directory.read("vigil.log")
        #expect(log.contains("output of pre2"))
        #expect(log.contains("pre hook for node_up ghost4: echo pre2"))
        #expect(log.contains("exit 2"))
    }

    @Test func hookTimeoutIsLoggedAndKilled() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let hooks: [ClusterEventName: EventHooks] = [.nodeDown: EventHooks(
            pre: ["sleep 300 & echo $! > \(directory.file("pid")); wait"], timeout: .milliseconds(400))]
        let logs = try NodeLogs(node: "ghost1", stateDirectory: directory.path)
        let outcomes = await HookRunner(hooks: hooks, node: "ghost1", logs: logs)
            .run(event: .nodeDown(node: "ghost2", how: .failed), phase: .pre)
        #expect(outcomes.count == 1)
        #expect(outcomes.first?.result.timedOut == true)
        #expect(directory.read("vigil.log").contains("timed out"))
        let pid = try #require(Int32(directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { isDead(pid) })
    }
}
