import Foundation
import NIOCore
import NIOPosix
import Synchronization
import VigilModel

/// Talks to the local `vigild` over its control socket: one connection per command, the request
/// line out, the response lines back until the daemon closes the connection.
public struct AdminClient: Sendable {
    /// Where the daemon listens when nothing else is said: `/run/vigil/vigild.sock`.
    public static let standardSocketPath = "/run/vigil/vigild.sock"

    /// `$VIGIL_SOCKET` when set and not empty, else `standardSocketPath`.
    public static var defaultSocketPath: String {
        let fromEnvironment = ProcessInfo.processInfo.environment["VIGIL_SOCKET"] ?? ""
        return fromEnvironment.isEmpty ? standardSocketPath : fromEnvironment
    }

    public var socketPath: String
    /// How long to wait for the daemon's first response; a stream may then run as long as it likes.
    public var answerTimeout: Duration
    let group: any EventLoopGroup

    public init(
        socketPath: String = AdminClient.defaultSocketPath, answerTimeout: Duration = .seconds(60),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.socketPath = socketPath
        self.answerTimeout = answerTimeout
        self.group = group
    }

    /// Sends a command that answers once and returns its response.
    public func send(_ command: AdminCommand) async throws -> AdminResponse {
        var first: AdminResponse?
        try await stream(command) { response in
            first = response
            return false
        }
        guard let first else { throw AdminClientError.noAnswer(path: socketPath) }
        return first
    }

    /// Sends a command and hands each response to `each` until the daemon closes the connection or
    /// `each` returns false. Returns the number of responses read. Throws `.noAnswerInTime` when the
    /// first response does not come within `answerTimeout`.
    @discardableResult
    public func stream(_ command: AdminCommand, each: (AdminResponse) async throws -> Bool) async throws -> Int {
        let connection = try await connect()
        let deadline = AnswerDeadline()
        let channel = connection.channel
        let timer = channel.eventLoop.scheduleTask(in: .milliseconds(answerTimeout.milliseconds)) {
            if deadline.expire() { channel.close(promise: nil) }
        }
        defer { timer.cancel() }
        do {
            return try await connection.executeThenClose { inbound, _ in
                try await channel.writeAndFlush(AdminWire.line(AdminWire.Request(command: command))).get()
                var count = 0
                for try await line in inbound {
                    guard deadline.answer() else { break }
                    count += 1
                    guard try await each(AdminWire.response(from: line)) else { break }
                }
                if deadline.hasExpired {
                    throw AdminClientError.noAnswerInTime(path: socketPath, timeout: DurationText.format(answerTimeout))
                }
                return count
            }
        } catch  where deadline.hasExpired {
            throw AdminClientError.noAnswerInTime(path: socketPath, timeout: DurationText.format(answerTimeout))
        }
    }

    /// Connects, turning the usual failures into sentences that say what to do.
    func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        var info = stat()
        guard lstat(socketPath, &info) == 0 else { throw AdminClientError.notRunning(path: socketPath) }
        do {
            return try await ClientBootstrap(group: group).connect(unixDomainSocketPath: socketPath) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(maxLength: AdminWire.maxLineLength)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch let error as IOError where error.errnoCode == ECONNREFUSED || error.errnoCode == ENOENT {
            throw AdminClientError.notListening(path: socketPath)
        } catch let error as IOError where error.errnoCode == EACCES || error.errnoCode == EPERM {
            throw AdminClientError.permissionDenied(path: socketPath)
        } catch {
            throw AdminClientError.cannotConnect(path: socketPath, reason: "\(error)")
        }
    }
}

/// Why the client could not get an answer from the daemon.
public enum AdminClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No socket file: the daemon is not running (or listens elsewhere).
    case notRunning(path: String)
    /// A socket file nobody accepts on: the daemon died.
    case notListening(path: String)
    /// The socket is root-only.
    case permissionDenied(path: String)
    case cannotConnect(path: String, reason: String)
    /// The daemon closed the connection without a response.
    case noAnswer(path: String)
    /// The daemon did not answer within the client's timeout.
    case noAnswerInTime(path: String, timeout: String)

    public var description: String {
        switch self {
        case .notRunning(let path):
            "vigild is not running on this node (no socket at \(path)); start it, or give --socket PATH or VIGIL_SOCKET"
        case .notListening(let path):
            "vigild is not running on this node (nothing listens on \(path))"
        case .permissionDenied(let path):
            "permission denied on \(path): the control socket is root-only; run vigil as root"
        case .cannotConnect(let path, let reason):
            "cannot connect to vigild at \(path): \(reason)"
        case .noAnswer(let path):
            "vigild at \(path) closed the connection without answering"
        case .noAnswerInTime(let path, let timeout):
            "vigild at \(path) did not answer within \(timeout)"
        }
    }
}

/// Whether the first response beat the client's timer: whichever of `answer` and `expire` comes
/// first wins, once.
final class AnswerDeadline: Sendable {
    private let state = Mutex<(answered: Bool, expired: Bool)>((false, false))

    /// A response arrived: true unless the timer expired first.
    func answer() -> Bool {
        state.withLock { state in
            if !state.expired { state.answered = true }
            return !state.expired
        }
    }

    /// The timer fired: true when no response had arrived (the connection is then to be closed).
    func expire() -> Bool {
        state.withLock { state in
            if !state.answered { state.expired = true }
            return state.expired
        }
    }

    var hasExpired: Bool { state.withLock { $0.expired } }
}
