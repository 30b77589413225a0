import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import VigilCore
import VigilRuntime

/// The HTTP API (`vigild --http-listen ADDR:PORT --http-token-file FILE`): a second front end over
/// `AdminDispatcher`, for remote tools and the web page. Every route is one `AdminCommand`; the
/// body of every answer is the control socket's response line (`{"ok":{...}}`,
/// `{"refused":{"reason":...}}`, `{"error":{"message":...}}`) with the status 200, 409 (refused:
/// nothing changed), 400 (malformed request) or 500 (the daemon failed). Every request needs
/// `Authorization: Bearer TOKEN` (401 otherwise).
///
/// | route | command |
/// |---|---|
/// | GET /v1/status | status |
/// | GET /v1/groups | rg list |
/// | POST /v1/groups/{group}/move `{"node":N}` | rg move |
/// | POST /v1/groups/{group}/online | rg online |
/// | POST /v1/groups/{group}/offline `{"sticky":B}` | rg offline |
/// | POST /v1/services/start `{"all":B}` | start |
/// | POST /v1/services/stop `{"mode":M,"all":B}` | stop |
/// | POST /v1/sync | sync (body: text, file, expect_version, each optional) |
/// | POST /v1/sync/preview | sync --preview (body: text, file, each optional) |
/// | GET /v1/config/history | config history |
/// | GET /v1/config/{version or live} | config show |
/// | GET /v1/cluster/status | every node's status with its named files (verify --cluster) |
/// | GET /v1/snapshots, POST /v1/snapshots/{name}, GET /v1/snapshots/{name} | snapshot list, save, show |
/// | POST /v1/acknowledge | acknowledge |
/// | GET /v1/log?lines=N&cluster=B | log (without follow) |
public enum HTTPAPI {
    /// The largest request body read (a few small JSON fields).
    static let maximumBody = 64 * 1024
    /// The largest body of a sync or preview: a configuration of the largest size, escaped.
    static let maximumConfigurationBody = 16 << 20

    /// The application serving the API at `host:port` for `handler`. `onRunning` gets the port
    /// really bound (useful with port 0).
    public static func application(
        handler: any AdminHandler, host: String, port: Int, token: String, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: BearerTokenMiddleware(token: token))
        let api = Routes(dispatcher: AdminDispatcher(handler: handler))
        api.register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "vigild"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Reads the token file: its first line, at least 16 characters.
    public static func readToken(fromFile path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let token =
            text.split(separator: "\n", omittingEmptySubsequences: true).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? ""
        guard token.count >= 16 else {
            throw HTTPAPIError("\(path): the token must be at least 16 characters on its first line")
        }
        return token
    }

    /// `ADDR:PORT` (an IPv4 address or a host name, and a port).
    public static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port),
            colon != text.startIndex
        else {
            throw HTTPAPIError("--http-listen: expected ADDR:PORT, e.g. 127.0.0.1:8643, got \(text)")
        }
        return (String(text[..<colon]), port)
    }
}

public struct HTTPAPIError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Refuses every request without `Authorization: Bearer TOKEN`, comparing in constant time.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let expected: [UInt8]

    init(token: String) { expected = Array(SHA256.hash(data: Data(token.utf8))) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let header = request.headers[.authorization] ?? ""
        let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        guard Self.same(Array(SHA256.hash(data: Data(given.utf8))), expected) else {
            var response = Routes.json(.error(message: "a valid bearer token is required"), status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }

    /// Compares two digests without stopping at the first difference.
    static func same(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        precondition(left.count == right.count, "digests of \(left.count) and \(right.count) bytes")
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// The routes, each turned into an `AdminCommand` and answered through the dispatcher.
struct Routes: Sendable {
    let dispatcher: AdminDispatcher

    struct MoveBody: Decodable { var node: String }
    struct SyncBody: Decodable {
        var text: String?
        var file: String?
        var expectVersion: UInt64?

        enum CodingKeys: String, CodingKey {
            case text, file
            case expectVersion = "expect_version"
        }
    }
    struct OfflineBody: Decodable { var sticky: Bool? }
    struct StartBody: Decodable { var all: Bool? }
    struct StopBody: Decodable {
        var mode: StopMode
        var all: Bool?
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/status") { _, _ in await answer(.status(watchIntervalMilliseconds: nil)) }
        router.get("/v1/groups") { _, _ in await answer(.rgList) }
        // The agreed state as the core holds it (what `vigil emulate` starts its copy from).
        router.get("/v1/state") { _, _ in await answer(.agreedState) }
        router.post("/v1/groups/:group/move") { request, context in
            await answer(request, context, MoveBody.self) {
                .rgMove(group: try group(context), node: try required($0).node)
            }
        }
        router.post("/v1/groups/:group/online") { _, context in
            guard let group = context.parameters.get("group") else {
                return Self.json(.error(message: "a resource group name is required"), status: .badRequest)
            }
            return await answer(.rgOnline(group: group))
        }
        router.post("/v1/groups/:group/offline") { request, context in
            await answer(request, context, OfflineBody.self, optional: true) {
                .rgOffline(group: try group(context), sticky: $0?.sticky ?? false)
            }
        }
        router.post("/v1/services/start") { request, context in
            await answer(request, context, StartBody.self, optional: true) { .start(all: $0?.all ?? false) }
        }
        router.post("/v1/services/stop") { request, context in
            await answer(request, context, StopBody.self) {
                let body = try required($0)
                return .stop(mode: body.mode, all: body.all ?? false)
            }
        }
        router.post("/v1/sync") { request, context in
            await answer(request, context, SyncBody.self, optional: true, limit: HTTPAPI.maximumConfigurationBody) {
                .sync(text: $0?.text, file: $0?.file, expectVersion: $0?.expectVersion)
            }
        }
        router.post("/v1/sync/preview") { request, context in
            await answer(request, context, SyncBody.self, optional: true, limit: HTTPAPI.maximumConfigurationBody) {
                .syncPreview(text: $0?.text, file: $0?.file)
            }
        }
        router.get("/v1/config/history") { _, _ in await answer(.configHistory) }
        router.get("/v1/config/:version") { _, context in
            let version = context.parameters.get("version") ?? ""
            guard version == "live" || (UInt64(version) ?? 0) > 0 else {
                return Self.json(.error(message: "a version is a number from 1, or live"), status: .badRequest)
            }
            return await answer(.configText(version: UInt64(version)))
        }
        router.get("/v1/cluster/status") { _, _ in await answer(.clusterStatus) }
        router.get("/v1/snapshots") { _, _ in await answer(.snapshotList) }
        router.post("/v1/snapshots/:name") { _, context in
            await answer(.snapshotSave(name: context.parameters.get("name") ?? ""))
        }
        router.get("/v1/snapshots/:name") { _, context in
            await answer(.snapshotText(name: context.parameters.get("name") ?? ""))
        }
        router.post("/v1/acknowledge") { _, _ in await answer(.acknowledge) }
        router.get("/v1/log") { request, _ in
            let query = request.uri.queryParameters
            let lines = query.get("lines").map { Int($0) } ?? 100
            guard let lines else { return Self.json(.error(message: "lines: expected a number"), status: .badRequest) }
            return await log(cluster: query.get("cluster") == "true", lines: lines)
        }
    }

    func required<Body>(_ body: Body?) throws -> Body {
        guard let body else { throw HTTPAPIError("a JSON body is required") }
        return body
    }

    func group(_ context: BasicRequestContext) throws -> String {
        guard let group = context.parameters.get("group") else {
            throw HTTPAPIError("a resource group name is required")
        }
        return group
    }

    /// Decodes the body as `Body` (absent or empty allowed with `optional`), then answers the command made of it.
    func answer<Body: Decodable>(
        _ request: Request, _ context: BasicRequestContext, _ type: Body.Type, optional: Bool = false,
        limit: Int = HTTPAPI.maximumBody, command: (Body?) throws -> AdminCommand
    ) async -> Response {
        var request = request
        let made: AdminCommand
        do {
            let buffer = try await request.collectBody(upTo: limit)
            // Checked first: JSONDecoder traps on some documents nested deeper than 512 (`JSONInput`).
            if let problem = JSONInput.problem(buffer.readableBytesView) { throw HTTPAPIError(problem) }
            let body: Body? =
                buffer.readableBytes == 0 && optional
                ? nil : try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
            made = try command(body)
        } catch {
            return Self.json(.error(message: "the request body is not valid: \(error)"), status: .badRequest)
        }
        return await answer(made)
    }

    func answer(_ command: AdminCommand) async -> Response {
        if let problem = command.problem { return Self.json(.error(message: problem), status: .badRequest) }
        let response = await dispatcher.answer(command)
        return Self.json(response, status: Self.status(of: response))
    }

    /// The last lines of a log, as one `{"ok":{"log":{"lines":[...]}}}`.
    func log(cluster: Bool, lines: Int) async -> Response {
        let command = AdminCommand.log(cluster: cluster, lines: lines, follow: false)
        if let problem = command.problem { return Self.json(.error(message: problem), status: .badRequest) }
        var collected: [String] = []
        var failure: AdminResponse?
        do {
            try await dispatcher.respond(to: command) { response in
                if case .ok(.log(let some)) = response { collected += some } else { failure = response }
            }
        } catch {
            failure = .error(message: "\(error)")
        }
        if let failure { return Self.json(failure, status: Self.status(of: failure)) }
        return Self.json(.ok(.log(lines: collected)), status: .ok)
    }

    static func status(of response: AdminResponse) -> HTTPResponse.Status {
        switch response {
        case .ok: .ok
        case .refused: .conflict
        case .error: .internalServerError
        }
    }

    static func json(_ response: AdminResponse, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data =
            (try? encoder.encode(response)) ?? Data(#"{"error":{"message":"the answer could not be encoded"}}"#.utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data + Data("\n".utf8))))
    }
}
