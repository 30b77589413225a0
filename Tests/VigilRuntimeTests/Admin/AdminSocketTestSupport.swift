import Foundation
import NIOCore
import NIOPosix
@testable import VigilRuntime

/// A fresh directory for a test's socket (short, to stay under the 108-byte socket path limit).
func makeSocketDirectory() throws -> String {
    let path = "/tmp/vigil-admin-test-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
}

/// Runs `body` with an `AdminServer` serving `handler` on a real socket in a fresh directory; stops
/// the server and removes the directory afterwards.
func withAdminServer<T: Sendable>(
    _ handler: any AdminHandler, requestTimeout: Duration = .seconds(10), _ body: (_ path: String) async throws -> T
) async throws -> T {
    let directory = try makeSocketDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/vigild.sock"
    let server = try await AdminServer.bind(path: path, handler: handler, requestTimeout: requestTimeout)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let result = try await body(path)
        group.cancelAll()
        return result
    }
}

/// Writes raw bytes to the socket and returns every line the server sends until it closes.
func rawExchange(path: String, bytes: String) async throws -> [String] {
    let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(unixDomainSocketPath: path) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 1 << 20)))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await connection.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: bytes))
        var lines: [String] = []
        for try await line in inbound { lines.append(String(buffer: line)) }
        return lines
    }
}

/// Leaves a socket file at `path` that nobody listens on, as a daemon killed with SIGKILL does.
func makeStaleSocket(at path: String) throws {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    precondition(descriptor >= 0, "socket: \(errno)")
    defer { close(descriptor) }
    let result = try SocketAddress(unixDomainSocketPath: path).withSockAddr { address, size in
        bind(descriptor, address, socklen_t(size))
    }
    precondition(result == 0, "bind \(path): \(errno)")
}
