import Foundation
import NIOCore
import NIOPosix
import Testing
import VigilCore

@testable import VigilRuntime

/// The control socket end to end: a real `AdminServer` on a Unix socket in a temp directory, a real
/// `AdminClient`, and a fake handler.
@Suite("admin server and client", .timeLimit(.minutes(1)))
struct AdminServerTests {
    @Test("status comes back as the handler built it")
    func status() async throws {
        let handler = FakeAdminHandler()
        let response = try await withAdminServer(handler) { path in
            try await AdminClient(socketPath: path).send(.status(watchIntervalMilliseconds: nil))
        }
        var expected = FakeAdminHandler.sample
        expected.view = 1
        #expect(response == .ok(.status(expected)))
    }

    @Test("commands reach the handler and their answers come back")
    func actions() async throws {
        let handler = FakeAdminHandler()
        let responses = try await withAdminServer(handler) { path in
            let client = AdminClient(socketPath: path)
            return [
                try await client.send(.start(all: true)),
                try await client.send(.stop(mode: .forced, all: false)),
                try await client.send(.rgMove(group: "WEB", node: "beta")),
                try await client.send(.rgList),
            ]
        }
        #expect(responses[0] == .ok(.done(message: "starting cluster services on every node")))
        #expect(responses[1] == .ok(.done(message: "stopping cluster services on ghost1 (forced)")))
        #expect(responses[2] == .ok(.done(message: "rg move WEB beta: done")))
        #expect(responses[3] == .ok(.groups(FakeAdminHandler.sample.groupList)))
        #expect(handler.calls == ["start all=true", "stop forced all=false", "rg move WEB beta"])
    }

    @Test("a refused command says why and reaches nothing")
    func refusal() async throws {
        let handler = FakeAdminHandler()
        let response = try await withAdminServer(handler) { path in
            try await AdminClient(socketPath: path).send(.rgOffline(group: "NOPE", sticky: true))
        }
        #expect(response == .refused(reason: "no resource group NOPE in cluster pair"))
        #expect(handler.calls.isEmpty)
    }

    @Test("a handler failure is an error response")
    func failure() async throws {
        let response = try await withAdminServer(FakeAdminHandler()) { path in
            try await AdminClient(socketPath: path).send(.sync(text: nil, file: nil, expectVersion: nil))
        }
        #expect(response == .error(message: "cannot write the configuration: disk full"))
    }

    @Test("malformed request lines get an error, and the server goes on serving")
    func malformed() async throws {
        let handler = FakeAdminHandler()
        let (junk, wrongVersion, tooLong, after) = try await withAdminServer(handler) { path in
            (
                try await rawExchange(path: path, bytes: "{not json\n"),
                try await rawExchange(path: path, bytes: #"{"version":9,"command":{"sync":{}}}"# + "\n"),
                try await rawExchange(path: path, bytes: String(repeating: "x", count: AdminWire.maxLineLength + 10)),
                try await AdminClient(socketPath: path).send(.start(all: false))
            )
        }
        #expect(junk == [#"{"error":{"message":"malformed request: not a JSON object: {not json"}}"#])
        #expect(wrongVersion.count == 1 && wrongVersion[0].contains("unsupported protocol version 9"))
        #expect(tooLong.count == 1 && tooLong[0].contains("longer than \(AdminWire.maxLineLength) bytes"))
        #expect(after == .ok(.done(message: "starting cluster services on ghost1")))
    }

    @Test("a client that sends nothing is told so and disconnected", .timeLimit(.minutes(1)))
    func silentClient() async throws {
        let lines = try await withAdminServer(FakeAdminHandler(), requestTimeout: .milliseconds(100)) { path in
            try await rawExchange(path: path, bytes: "")
        }
        #expect(lines == [#"{"error":{"message":"no request within 100ms"}}"#])
    }

    @Test("an out-of-range command is answered with its problem")
    func outOfRange() async throws {
        let response = try await withAdminServer(FakeAdminHandler()) { path in
            try await AdminClient(socketPath: path).send(.log(cluster: false, lines: -1, follow: false))
        }
        #expect(response == .error(message: "log line count -1 is out of range (0 to 10000)"))
    }

    @Test("log streams one response per line and ends")
    func log() async throws {
        let lines = try await withAdminServer(FakeAdminHandler()) { path in
            var lines: [String] = []
            try await AdminClient(socketPath: path).stream(.log(cluster: true, lines: 2, follow: false)) { response in
                if case .ok(.log(let batch)) = response { lines += batch }
                return true
            }
            return lines
        }
        #expect(lines == ["cluster: two", "cluster: three"])
    }

    @Test("a following log ends on the daemon's side when the client leaves")
    func followEnds() async throws {
        let handler = FakeAdminHandler()
        let lines = try await withAdminServer(handler) { path in
            var lines: [String] = []
            try await AdminClient(socketPath: path).stream(.log(cluster: false, lines: 3, follow: true)) { response in
                if case .ok(.log(let batch)) = response { lines += batch }
                return lines.count < 3
            }
            for await _ in handler.followEnded {}  // returns only once the server stopped following
            return lines
        }
        #expect(lines == ["one", "two", "three"])
        #expect(handler.state.withLock { $0.followEnded })
    }

    @Test("status with a watch interval streams fresh snapshots")
    func watch() async throws {
        let views = try await withAdminServer(FakeAdminHandler()) { path in
            var views: [UInt64?] = []
            try await AdminClient(socketPath: path).stream(.status(watchIntervalMilliseconds: 100)) { response in
                if case .ok(.status(let snapshot)) = response { views.append(snapshot.view) }
                return views.count < 3
            }
            return views
        }
        #expect(views == [1, 2, 3])
    }
}

/// A daemon whose `start` never finishes: the client gives up at its timeout and says so.
@Suite("admin client timeout", .timeLimit(.minutes(1)))
struct AdminClientTimeoutTests {
    final class Stuck: AdminHandler {
        func status() async throws -> StatusSnapshot { FakeAdminHandler.sample }
        func agreedState() async throws -> AgreedStateAnswer { throw AdminRefusal("stuck") }
        func start(all: Bool) async throws -> String {
            try await Task.sleep(for: .seconds(3600))  // until the server cancels it
            return "never"
        }
        func stop(mode: StopMode, all: Bool) async throws -> String { "" }
        func perform(_ request: AdminRequest) async throws -> String { "" }
        func sync(text: String?, file: String?, expectVersion: UInt64?) async throws -> String {
            ""
        }
        func syncPreview(text: String?, file: String?) async throws -> SyncPreview {
            SyncPreview(
                source: file ?? "cluster.yaml", preview: nil, findings: [], errors: 0, warnings: 0, refusal: nil)
        }
        func configHistory() async throws -> (entries: [ConfigStore.HistoryEntry], running: UInt64) { ([], 0) }
        func snapshotSave(name: String) async throws -> String { "snapshot \(name) saved" }
        func clusterStatus() async throws -> [NodeStatus] { [] }
        func snapshotList() async throws -> [SnapshotEntry] { [] }
        func snapshotText(name: String) async throws -> String { throw AdminRefusal("no snapshot \(name)") }
        func configText(version: UInt64?) async throws -> (version: UInt64, text: String) {
            throw AdminRefusal("version \(version ?? 0) is not kept")
        }
        func log(cluster: Bool, lines: Int, follow: Bool) -> AsyncThrowingStream<String, any Error> {
            AsyncThrowingStream { $0.finish() }
        }
    }

    @Test("no answer within the timeout is an error naming the socket and the timeout", .timeLimit(.minutes(1)))
    func timeout() async throws {
        let (timedOut, after) = try await withAdminServer(Stuck()) { path in
            let error = await #expect(throws: AdminClientError.self) {
                try await AdminClient(socketPath: path, answerTimeout: .milliseconds(200)).send(.start(all: false))
            }
            // the server is not stuck with it: the next request is answered
            return (error, try await AdminClient(socketPath: path).send(.rgList))
        }
        #expect(timedOut.map { "\($0)" }?.hasSuffix("did not answer within 200ms") == true)
        #expect(after == .ok(.groups(FakeAdminHandler.sample.groupList)))
    }
}
