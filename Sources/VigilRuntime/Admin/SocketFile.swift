import Foundation
import NIOCore
import NIOPosix

/// The control socket's file: its directory, and what to do with a file already at its path.
enum SocketFile {
    /// The socket's path cannot be used.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var problem: String
        var description: String { "control socket \(path): \(problem)" }
    }

    /// Makes `path` ready for `bind`: creates the directory (mode 0700) when missing; removes a
    /// socket nobody answers on; refuses a live socket (another daemon) or a file that is no socket.
    static func prepare(path: String, group: any EventLoopGroup) async throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw Failure(
                path: path, problem: "a file that is not a socket is in the way; remove it or choose another path")
        }
        if await isLive(path: path, group: group) {
            throw Failure(path: path, problem: "another vigild is already listening there")
        }
        guard unlink(path) == 0 else {
            throw Failure(path: path, problem: "cannot remove the stale socket: \(String(cString: strerror(errno)))")
        }
    }

    /// Whether something accepts connections on the socket at `path`.
    static func isLive(path: String, group: any EventLoopGroup) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
