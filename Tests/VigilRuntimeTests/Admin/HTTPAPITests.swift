#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import ServiceLifecycle
import Testing
import VigilCore
import VigilHTTP
@testable import VigilRuntime

/// The HTTP API over a real loopback socket, in front of a fake handler: the token is required
/// (401 without it or with a wrong one), each route maps to its command, bodies are the control
/// socket's JSON, a refusal is a 409 with its reason, a malformed body a 400, a failure a 500.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPAPITests {
    static let token = "0123456789abcdef-test-token"

    /// Runs the API on an ephemeral loopback port for the duration of `body`.
    static func withServer(_ handler: FakeAdminHandler, _ body: (Int) async throws -> Void) async throws {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "http-test")
        logger.logLevel = .critical  // the server's complaint about being cancelled at the end is expected
        let app = HTTPAPI.application(handler: handler, host: "127.0.0.1", port: 0, token: token, logger: logger) { portSink.yield($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            defer { group.cancelAll() }
            try await body(port)
        }
    }

    struct Answer {
        var status: Int
        var body: String
        var response: AdminResponse? { try? JSONDecoder().decode(AdminResponse.self, from: Data(body.utf8)) }
    }

    /// One HTTP/1.1 request over a plain socket, read until the server closes. The blocking socket
    /// calls run on a thread of their own: on the cooperative pool (two threads on a 2-core machine)
    /// they could starve the very server task that must answer them.
    static func request(_ method: String, _ path: String, port: Int, token: String? = Self.token, body: String? = nil) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try blockingRequest(method, path, port: port, token: token, body: body) })
            }.start()
        }
    }

    static func blockingRequest(_ method: String, _ path: String, port: Int, token: String?, body: String?) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket: \(errno)")
        defer { close(fd) }
        var timeout = timeval(tv_sec: 50, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HTTPTestError(text: "connect failed: \(errno)") }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        let payload = Array((body ?? "").utf8)
        text += "Content-Length: \(payload.count)\r\n\r\n"
        let bytes = Array(text.utf8) + payload
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw HTTPTestError(text: "send failed") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let whole = String(decoding: received, as: UTF8.self)
        guard let statusLine = whole.split(separator: "\r\n").first, let code = Int(statusLine.split(separator: " ")[1]),
              let split = whole.range(of: "\r\n\r\n") else { throw HTTPTestError(text: "not an HTTP answer: \(whole)") }
        return Answer(status: code, body: String(whole[split.upperBound...]))
    }

    struct HTTPTestError: Error { var text: String }

    @Test func everyRouteNeedsTheToken() async throws {
        let handler = FakeAdminHandler()
        try await Self.withServer(handler) { port in
            for token in [nil, "wrong-token-of-some-length", Self.token + "x"] {
                let answer = try await Self.request("GET", "/v1/status", port: port, token: token)
                #expect(answer.status == 401, "token \(String(describing: token)): \(answer.status)")
            }
            let stop = try await Self.request("POST", "/v1/services/stop", port: port, token: nil, body: #"{"mode":"forced","all":true}"#)
            #expect(stop.status == 401)
            #expect(handler.calls.isEmpty, "a request without the token reached the handler: \(handler.calls)")
            #expect(try await Self.request("GET", "/v1/status", port: port).status == 200)
        }
    }

    @Test func routesMapToTheControlSocketsCommandsAndAnswers() async throws {
        let handler = FakeAdminHandler()
        try await Self.withServer(handler) { port in
            let status = try await Self.request("GET", "/v1/status", port: port)
            guard case .ok(.status(let snapshot))? = status.response else { Issue.record("status: \(status.body)"); return }
            #expect(snapshot.cluster == "pair")
            let groups = try await Self.request("GET", "/v1/groups", port: port)
            guard case .ok(.groups(let list))? = groups.response else { Issue.record("groups: \(groups.body)"); return }
            #expect(list.groups.map(\.name) == ["WEB"])

            #expect(try await Self.request("POST", "/v1/groups/WEB/move", port: port, body: #"{"node":"beta"}"#).status == 200)
            #expect(try await Self.request("POST", "/v1/groups/WEB/online", port: port).status == 200)
            #expect(try await Self.request("POST", "/v1/groups/WEB/offline", port: port, body: #"{"sticky":true}"#).status == 200)
            #expect(try await Self.request("POST", "/v1/services/start", port: port, body: #"{"all":true}"#).status == 200)
            let stop = try await Self.request("POST", "/v1/services/stop", port: port, body: #"{"mode":"takeover"}"#)
            #expect(stop.response == .ok(.done(message: "stopping cluster services on ghost1 (takeover)")))
            #expect(handler.calls == ["rg move WEB beta", "rg online WEB", "rg offline WEB --sticky", "start all=true", "stop takeover all=false"])

            let log = try await Self.request("GET", "/v1/log?lines=2&cluster=true", port: port)
            #expect(log.response == .ok(.log(lines: ["cluster: two", "cluster: three"])), "\(log.body)")
        }
    }

    @Test func configurationAndSnapshotRoutesMapToTheirCommands() async throws {
        let handler = FakeAdminHandler()
        try await Self.withServer(handler) { port in
            let preview = try await Self.request(
                "POST", "/v1/sync/preview", port: port, body: #"{"text":"cluster: {name: c, id: 1}\n","file":"new.yaml"}"#)
            guard case .ok(.preview(let answer))? = preview.response else { Issue.record("\(preview.body)"); return }
            #expect(answer.source == "new.yaml")
            #expect(try await Self.request("GET", "/v1/config/history", port: port).response == .ok(.history(entries: [], running: 0)))
            #expect(try await Self.request("GET", "/v1/config/7", port: port).status == 409)
            #expect(try await Self.request("GET", "/v1/config/zero", port: port).status == 400)
            #expect(try await Self.request("GET", "/v1/cluster/status", port: port).response == .ok(.statuses(nodes: [])))
            #expect(try await Self.request("GET", "/v1/snapshots", port: port).response == .ok(.snapshots(entries: [])))
            let saved = try await Self.request("POST", "/v1/snapshots/base", port: port)
            #expect(saved.response == .ok(.done(message: "snapshot base saved")))
            #expect(try await Self.request("POST", "/v1/snapshots/..", port: port).status == 400)
            let synced = try await Self.request("POST", "/v1/sync", port: port, body: #"{"text":"x: 1\n","expect_version":3}"#)
            #expect(synced.status == 500 && synced.body.contains("disk full"), "the fake's sync fails: \(synced.body)")
        }
    }

    @Test func refusalsAreConflictsAndBadRequestsAreSaidSo() async throws {
        let handler = FakeAdminHandler()
        try await Self.withServer(handler) { port in
            let refused = try await Self.request("POST", "/v1/groups/NOPE/move", port: port, body: #"{"node":"beta"}"#)
            #expect(refused.status == 409)
            #expect(refused.response == .refused(reason: "no resource group NOPE in cluster pair"))
            #expect(try await Self.request("POST", "/v1/groups/WEB/move", port: port, body: "{not json").status == 400)
            // 513 brackets trap JSONDecoder (see JSONInputTests): refused before it sees them.
            let bomb = String(repeating: "[", count: 513)
            #expect(try await Self.request("POST", "/v1/groups/WEB/move", port: port, body: bomb).status == 400)
            #expect(try await Self.request("POST", "/v1/services/stop", port: port, body: #"{"mode":"sideways"}"#).status == 400)
            #expect(try await Self.request("GET", "/v1/log?lines=999999", port: port).status == 400)
            let failed = try await Self.request("POST", "/v1/sync", port: port)
            #expect(failed.status == 500)
            #expect(failed.body.contains("disk full"))
            #expect(handler.calls.isEmpty, "\(handler.calls)")
        }
    }

    /// A real `vigild` with the API on: the status of its cluster over HTTP, 401 without the token,
    /// and a refusal from the daemon as a 409.
    @Test func vigildServesTheAPIWithItsToken() async throws {
        let binary = try #require(DaemonProcessTests.vigild, "vigild is not built: run swift build first")
        var cluster = DaemonProcessTests.Cluster()
        defer { cluster.cleanUp() }
        let tokenFile = cluster.dir.file("http.token")
        try (Self.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let port = cluster.port + 1
        try cluster.start("n1", binary: binary, extra: ["--http-listen", "127.0.0.1:\(port)", "--http-token-file", tokenFile])
        let answering = await eventually(within: .seconds(30)) { (try? await Self.request("GET", "/v1/status", port: port).status) == 200 }
        try #require(answering, "vigild's HTTP API never answered\n\(cluster.logs())")
        let status = try await Self.request("GET", "/v1/status", port: port)
        guard case .ok(.status(let snapshot))? = status.response else { Issue.record("status: \(status.body)"); return }
        #expect(snapshot.cluster == "trio" && snapshot.localNode == "n1")
        #expect(try await Self.request("GET", "/v1/status", port: port, token: "not-the-token-at-all").status == 401)
        let again = try await Self.request("POST", "/v1/services/start", port: port)
        #expect(again.status == 409 && again.body.contains("already running"), "\(again.status) \(again.body)")
    }
}
