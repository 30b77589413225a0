import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import VigilModel

/// The daemon's control socket: a Unix domain socket, mode 0600 (root-only), speaking `AdminWire`.
/// Each connection carries one request; its responses come from an `AdminDispatcher` over the
/// daemon's `AdminHandler`, then the connection is closed. A malformed request gets an `.error`
/// response and never disturbs the server. Nothing listens on the network.
///
/// `bind` creates the socket (so that errors show at start-up), `run` serves until cancelled or a
/// graceful shutdown, then removes the socket file.
public final class AdminServer: Service, Sendable {
    public let path: String
    /// The most connections served at once; more are answered with an error and closed.
    public static let maxConnections = 64

    let listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    let dispatcher: AdminDispatcher
    let logger: Logger
    /// How long a client may take to send its request line after connecting.
    let requestTimeout: Duration
    let active = Atomic<Int>(0)

    init(
        path: String, listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
        dispatcher: AdminDispatcher, requestTimeout: Duration, logger: Logger
    ) {
        self.path = path
        self.listener = listener
        self.dispatcher = dispatcher
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    /// Creates the socket at `path` (creating its directory, mode 0700, if missing), after removing
    /// a stale socket file left by a daemon that died. Refuses when another daemon answers there or
    /// when the path is not a socket. A client that sends no request line within `requestTimeout`
    /// is answered with an error and disconnected.
    public static func bind(
        path: String, handler: any AdminHandler, requestTimeout: Duration = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "vigil.admin")
    ) async throws -> AdminServer {
        try await SocketFile.prepare(path: path, group: group)
        let listener = try await ServerBootstrap(group: group)
            .bind(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(maxLength: AdminWire.maxLineLength)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard chmod(path, 0o600) == 0 else {
            let code = errno
            try? await listener.channel.close()
            throw SocketFile.Failure(
                path: path, problem: "cannot make it root-only (chmod 0600): \(String(cString: strerror(code)))")
        }
        return AdminServer(
            path: path, listener: listener, dispatcher: AdminDispatcher(handler: handler),
            requestTimeout: requestTimeout,
            logger: logger)
    }

    /// Serves connections until the task is cancelled or the service group shuts down gracefully;
    /// then closes the socket and removes its file.
    public func run() async throws {
        defer { unlink(path) }
        do {
            try await cancelWhenGracefulShutdown {
                try await self.listener.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            }
        } catch is CancellationError {
            logger.debug("admin socket \(path) closed: shutting down")  // the way it is asked to stop
        }
    }

    /// One connection: a request line, its responses, close. Errors end this connection only.
    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let count = active.add(1, ordering: .relaxed).newValue
        defer { active.subtract(1, ordering: .relaxed) }
        let channel = connection.channel
        do {
            try await connection.executeThenClose { inbound, _ in
                guard count <= Self.maxConnections else {
                    try await Self.write(
                        .error(message: "too many connections (\(Self.maxConnections)); try again"), to: channel)
                    return
                }
                var lines = inbound.makeAsyncIterator()
                let command: AdminCommand
                let timeout = AdminResponse.error(message: "no request within \(DurationText.format(requestTimeout))")
                let timer = channel.eventLoop.scheduleTask(in: .milliseconds(requestTimeout.milliseconds)) {
                    channel.writeAndFlush(AdminWire.line(timeout), promise: nil)
                    channel.close(promise: nil)
                }
                defer { timer.cancel() }
                do {
                    guard let line = try await lines.next() else { return }
                    timer.cancel()
                    command = try AdminWire.request(from: line)
                } catch {
                    try await Self.write(.error(message: "\(error)"), to: channel)
                    return
                }
                await answer(command, on: channel, rest: &lines)
            }
        } catch {
            logger.debug("admin connection ended: \(error)")
        }
    }

    /// Runs the dispatcher while watching the connection: a client that leaves (or sends a line
    /// that is too long) cancels a stream that would otherwise wait forever; once the answer is
    /// complete the connection is closed, which ends the watch.
    func answer(
        _ command: AdminCommand, on channel: any Channel,
        rest: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await self.dispatcher.respond(to: command) { try await Self.write($0, to: channel) }
                } catch {
                    self.logger.debug("admin answer to \(command) ended: \(error)")
                }
                channel.close(promise: nil)
            }
            do {
                while try await rest.next() != nil {}  // later lines are ignored; the end is what counts
            } catch {
                logger.debug("admin connection: \(error)")
            }
            group.cancelAll()
        }
    }

    /// Writes one response and waits until it is on the socket, so that closing after the last one
    /// loses nothing (and a slow reader holds back the stream: one response in flight at a time).
    static func write(_ response: AdminResponse, to channel: any Channel) async throws {
        try await channel.writeAndFlush(AdminWire.line(response)).get()
    }
}
