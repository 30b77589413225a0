import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends datagrams to one AF_UNIX SOCK_DGRAM socket by its path: the service manager's notify
/// socket (`NOTIFY_SOCKET`) and journald's native socket. A path starting with `@` names a socket
/// in the abstract namespace (the `@` stands for the leading NUL byte), as systemd writes it.
///
/// A send never blocks the daemon: the socket is non-blocking, and a datagram the receiver has no
/// room for, or a receiver that is not there, is dropped and counted (`failures`). The socket is
/// opened close-on-exec, so that commands the daemon runs do not inherit it.
public enum UnixDatagramSender {
    /// The longest path `sockaddr_un` holds, its NUL included (108 bytes on Linux).
    static let pathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// Why a datagram was not sent.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Opens a non-blocking, close-on-exec datagram socket.
    static func openSocket() throws(Failure) -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        return fd
    }

    /// Sends `bytes` as one datagram from the socket `fd` to the socket at `path`.
    static func send(_ bytes: [UInt8], from fd: Int32, to path: String) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let abstract = path.hasPrefix("@")
        var name = Array(path.utf8)
        if abstract { name[0] = 0 }
        // A filesystem path needs its NUL within the structure; an abstract name has none.
        guard !name.isEmpty, name.count + (abstract ? 0 : 1) <= pathCapacity else {
            throw Failure(description: "socket path \(path) is empty or longer than \(pathCapacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let length = socklen_t(pathOffset + name.count + (abstract ? 0 : 1))
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { buffer in
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        guard sent == bytes.count else {
            let reason = sent < 0 ? String(cString: strerror(errno)) : "only \(sent) of \(bytes.count) bytes sent"
            throw Failure(description: "cannot send to \(path): \(reason)")
        }
    }

    /// Sends one datagram on a socket of its own, closed at once.
    public static func sendOnce(_ bytes: [UInt8], to path: String) throws(Failure) {
        let fd = try openSocket()
        defer { close(fd) }
        try send(bytes, from: fd, to: path)
    }
}
