import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A test's own AF_UNIX datagram socket, bound at a path (or `@name` in the abstract namespace),
/// that collects what is sent to it: the service manager's or journald's end. A thread of its
/// own reads the socket all the time (a datagram socket's queue is short: 10 by default), until
/// `stop()`.
final class DatagramReceiver: Sendable {
    let path: String
    private let fd: Int32
    private let received = Mutex<[[UInt8]]>([])
    private let stopped = Atomic<Bool>(false)

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(path.utf8)
        let abstract = path.hasPrefix("@")
        if abstract { name[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var buffer: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, 50) > 0 { drain() }
            }
        }
        thread.start()
    }

    deinit { close(fd) }

    /// Ends the reading thread (within 50 ms).
    func stop() { stopped.store(true, ordering: .relaxed) }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count >= 0 else { break }
            let datagram = Array(buffer.prefix(count))
            received.withLock { $0.append(datagram) }
        }
    }

    /// Every datagram received so far.
    func datagrams() -> [[UInt8]] {
        drain()
        return received.withLock { $0 }
    }

    /// The datagrams as text.
    func messages() -> [String] { datagrams().map { String(decoding: $0, as: UTF8.self) } }
}
