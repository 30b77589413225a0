import Foundation
import NIOCore
import NIOPosix
import Logging
import ServiceLifecycle
import Testing
@testable import VigilRuntime

/// The socket file: root-only, a stale one replaced, a live one or a stranger left alone, and a
/// client that finds no daemon says so.
@Suite("admin socket file", .timeLimit(.minutes(1)))
struct AdminSocketFileTests {
    @Test("the socket is created with mode 0600, and removed when the server stops without an error")
    func modeAndCleanup() async throws {
        let directory = try makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vigild.sock"
        let server = try await AdminServer.bind(path: path, handler: FakeAdminHandler())
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            _ = try await AdminClient(socketPath: path).send(.rgList)  // it serves
            group.cancelAll()
            try await group.waitForAll()  // and ends without an error when cancelled
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("in a service group, a graceful shutdown stops the server and removes the socket")
    func gracefulShutdown() async throws {
        let directory = try makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vigild.sock"
        let server = try await AdminServer.bind(path: path, handler: FakeAdminHandler())
        let services = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            _ = try await AdminClient(socketPath: path).send(.rgList)
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the socket's directory is created, root-only, when missing")
    func directoryCreated() async throws {
        let directory = try makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/run/vigild.sock"
        let server = try await AdminServer.bind(path: path, handler: FakeAdminHandler())
        try await server.listener.channel.close()
        var info = stat()
        #expect(lstat(directory + "/run", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    @Test("a stale socket left by a dead daemon is replaced")
    func staleSocket() async throws {
        let directory = try makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vigild.sock"
        try makeStaleSocket(at: path)
        #expect(FileManager.default.fileExists(atPath: path))
        await #expect(throws: AdminClientError.notListening(path: path)) {
            try await AdminClient(socketPath: path).send(.rgList)
        }
        let server = try await AdminServer.bind(path: path, handler: FakeAdminHandler())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let response = try await AdminClient(socketPath: path).send(.start(all: false))
            #expect(response == .ok(.done(message: "starting cluster services on ghost1")))
            group.cancelAll()
        }
    }

    @Test("a second daemon does not take a live socket")
    func liveSocket() async throws {
        try await withAdminServer(FakeAdminHandler()) { path async throws in
            await #expect {
                _ = try await AdminServer.bind(path: path, handler: FakeAdminHandler())
            } throws: { error in
                "\(error)".contains("another vigild is already listening there")
            }
            // and the first one still answers
            #expect(try await AdminClient(socketPath: path).send(.start(all: false)) == .ok(.done(message: "starting cluster services on ghost1")))
        }
    }

    @Test("a file that is no socket is left alone")
    func notASocket() async throws {
        let directory = try makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vigild.sock"
        try "keep me".write(toFile: path, atomically: false, encoding: .utf8)
        await #expect {
            _ = try await AdminServer.bind(path: path, handler: FakeAdminHandler())
        } throws: { error in
            "\(error)".contains("not a socket")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test("no daemon: the client says vigild is not running")
    func daemonAbsent() async throws {
        let directory = try makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vigild.sock"
        await #expect(throws: AdminClientError.notRunning(path: path)) {
            try await AdminClient(socketPath: path).send(.status(watchIntervalMilliseconds: nil))
        }
        #expect("\(AdminClientError.notRunning(path: path))".hasPrefix("vigild is not running on this node (no socket at \(path))"))
    }
}
