import Foundation
import Testing
import VigilCore

@testable import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

/// A real `vigild` under a stand-in service manager: a notify socket and a journal socket of the
/// test's own. It says READY=1 only once it knows where it stands (here: not started, or a member
/// of a view), keeps STATUS= current, pets the watchdog, says STOPPING=1 on SIGTERM, sends its
/// events to the journal with their fields, and its commands do not see the protocol's variables.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ServiceManagerProcessTests {
    /// A one-node cluster on 127.X.0.1 whose group's application writes its environment.
    struct Node {
        let dir = TemporaryDirectory("sdnotify")
        let subnet = Int.random(in: 100...250)
        let port = Int.random(in: 20_000...60_000)
        let manager: DatagramReceiver
        let journald: DatagramReceiver
        var pid: Int32 = 0

        init() throws {
            manager = try DatagramReceiver(path: dir.file("notify"))
            journald = try DatagramReceiver(path: dir.file("journal"))
            let pidFile = "\(dir.path)/svc.pid"
            let config = """
                cluster: {name: solo, id: 32}
                tuning: {dead_man_switch: 1500ms}
                networks:
                  - {name: lan, type: ether, attribute: public, netmask: 255.255.255.0}
                nodes:
                  - name: n1
                    interfaces:
                      - {name: lo, label: n1_lan, role: boot, address: 127.\(subnet).0.1, network: lan}
                service_addresses:
                  - {label: svc_addr, address: 127.\(subnet).0.100, network: lan}
                applications:
                  - {name: svc, start: "env > \(dir.path)/svc.env; sleep 600 & echo $! > \(pidFile)",
                     stop: "kill $(cat \(pidFile))", start_timeout: 5s, stop_timeout: 5s}
                resource_groups:
                  - {name: svc, policy: cascading, nodes: [n1], service_addresses: [svc_addr], applications: [svc]}
                """
            try config.write(toFile: dir.file("solo.yaml"), atomically: true, encoding: .utf8)
            try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: dir.file("key")))
        }

        var socket: String { dir.file("n1.sock") }

        mutating func start(binary: String, startServices: Bool) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments =
                [
                    "--config", dir.file("solo.yaml"), "--node", "n1", "--state-dir", dir.file("n1"),
                    "--key", dir.file("key"), "--port", "\(port)", "--address-driver", "loopback-demo",
                    "--socket", socket, "--journal-socket", journald.path, "--containment", "process-group",
                ]
                + (startServices ? ["--start"] : [])
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = manager.path
            environment["WATCHDOG_USEC"] = "2000000"
            process.environment = environment
            FileManager.default.createFile(atPath: dir.file("n1.out"), contents: nil)
            let out = FileHandle(forWritingAtPath: dir.file("n1.out"))
            process.standardOutput = out
            process.standardError = out
            try process.run()
            pid = process.processIdentifier
        }

        func status() async -> StatusSnapshot? {
            let client = AdminClient(socketPath: socket, answerTimeout: .seconds(5))
            guard case .ok(.status(let snapshot))? = try? await client.send(.status(watchIntervalMilliseconds: nil))
            else { return nil }
            return snapshot
        }

        /// The notify messages so far, each as its lines.
        func notices() -> [[String]] { manager.messages().map { $0.split(separator: "\n").map(String.init) } }

        func statuses() -> [String] {
            notices().flatMap { $0 }.filter { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst(7)) }
        }

        func journal() -> [[String: String]] {
            journald.datagrams().compactMap(JournalSinkTests.decode).map {
                Dictionary($0, uniquingKeysWith: { first, _ in first })
            }
        }

        func report() -> String {
            "notices: \(notices())\n--- vigil.log\n" + dir.read("n1/vigil.log") + "\n--- n1.out\n" + dir.read("n1.out")
        }

        func cleanUp() {
            manager.stop()
            journald.stop()
            if pid > 0, !isDead(pid) { kill(pid, SIGKILL) }
            if let text = try? String(contentsOfFile: dir.file("svc.pid"), encoding: .utf8),
                let application = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(application, SIGKILL)
            }
            if pid > 0 {
                var status: Int32 = 0
                waitpid(pid, &status, 0)
            }
            for _ in 0..<50 where FileManager.default.fileExists(atPath: dir.path) {
                dir.remove()
                usleep(100_000)
            }
        }
    }

    /// Without --start: READY=1 comes with a status saying services are not started; `vigil start`
    /// brings a view and the group, the status follows; the watchdog is petted; the application
    /// does not see NOTIFY_SOCKET; SIGTERM says STOPPING=1.
    @Test func notStartedIsReadyThenTheStatusFollowsTheViewAndStopSaysStopping() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var node = try Node()
        defer { node.cleanUp() }
        try node.start(binary: binary, startServices: false)

        let ready = await eventually(within: .seconds(30)) { node.notices().contains { $0.contains("READY=1") } }
        try #require(ready, "no READY=1\n\(node.report())")
        // The first notice but the watchdog's pets (the loop pets before its first input).
        let first = node.notices().first { $0 != ["WATCHDOG=1"] }
        #expect(first == ["READY=1", "STATUS=not started: run vigil start"], "\(node.report())")
        #expect(await node.status()?.state == .down)

        let started = try await AdminClient(socketPath: node.socket).send(.start(all: false))
        guard case .ok = started else {
            Issue.record("vigil start refused: \(started)")
            return
        }
        let online = await eventually(within: .seconds(30)) {
            node.statuses().last?.hasSuffix("quorate, 1 group online here") == true
        }
        #expect(online, "the status did not follow the view\n\(node.report())")
        let view = try #require(await node.status()?.view)
        #expect(node.statuses().contains("view \(view), 1 of 1 nodes up, quorate, 1 group online here"))
        #expect(node.notices().filter { $0.contains("READY=1") }.count == 1)
        // Each status is sent when it changes, never twice in a row.
        let statuses = node.statuses()
        #expect(zip(statuses, statuses.dropFirst()).allSatisfy { $0 != $1 }, "\(statuses)")

        let environment = node.dir.read("svc.env")
        #expect(environment.contains("VIGIL_NODE=n1"), "\(environment)")
        for variable in ServiceManagerNotifier.environmentVariables {
            #expect(!environment.contains("\(variable)="), "the application sees \(variable)")
        }

        let petted = await eventually(within: .seconds(30)) {
            node.notices().filter { $0 == ["WATCHDOG=1"] }.count >= 3
        }
        #expect(petted, "the watchdog was not petted\n\(node.report())")

        // The journal has the events with their fields.
        let journaled = await eventually(within: .seconds(10)) {
            node.journal().contains { $0["VIGIL_EVENT"] == "node_up" && $0["VIGIL_NODE"] == "n1" }
                && node.journal().contains { $0["VIGIL_GROUP"] == "svc" && $0["VIGIL_NODE"] == "n1" }
        }
        #expect(journaled, "journal: \(node.journal())")
        #expect(node.journal().allSatisfy { $0["SYSLOG_IDENTIFIER"] == "vigild" && $0["MESSAGE"] != nil })

        kill(node.pid, SIGTERM)
        let stopping = await eventually(within: .seconds(30)) { node.notices().contains { $0.contains("STOPPING=1") } }
        #expect(stopping, "no STOPPING=1 after SIGTERM\n\(node.report())")
        let pid = node.pid
        #expect(await eventually(within: .seconds(30)) { isDead(pid) }, "vigild did not end\n\(node.report())")
        let readyIndex = node.notices().firstIndex { $0.contains("READY=1") }
        let stoppingIndex = node.notices().firstIndex { $0.contains("STOPPING=1") }
        #expect(readyIndex != nil && stoppingIndex != nil && readyIndex! < stoppingIndex!)
    }

    /// With --start: no READY=1 before the node is a member of an installed view; READY=1 comes
    /// with the view's status.
    @Test func withStartReadyComesOnlyWithAView() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var node = try Node()
        defer { node.cleanUp() }
        try node.start(binary: binary, startServices: true)

        let ready = await eventually(within: .seconds(30)) { node.notices().contains { $0.contains("READY=1") } }
        try #require(ready, "no READY=1\n\(node.report())")
        let notices = node.notices()
        let readyIndex = try #require(notices.firstIndex { $0.contains("READY=1") })
        let readyStatus = try #require(notices[readyIndex].first { $0.hasPrefix("STATUS=") })
        #expect(readyStatus.hasPrefix("STATUS=view "), "\(notices)")
        // Before it: only statuses of a node that has not joined yet (and watchdog pets).
        for notice in notices[..<readyIndex] {
            #expect(
                notice == ["WATCHDOG=1"] || notice == ["STATUS=starting cluster services (--start)"]
                    || notice == ["STATUS=joining: waiting for a view"],
                "\(notices)")
        }
        let view = await node.status()?.view
        #expect(view != nil)
    }
}
