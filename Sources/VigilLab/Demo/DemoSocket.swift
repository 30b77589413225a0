import Foundation
import VigilModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 address and TCP port, written `127.77.2.187:7002`.
struct DemoEndpoint: Sendable, Hashable, CustomStringConvertible {
    var address: IPv4Address
    var port: UInt16

    init(address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses `ADDRESS:PORT`; nil when either part is malformed or the port is 0.
    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
            let port = UInt16(parts[1]), port > 0
        else { return nil }
        self.init(address: address, port: port)
    }

    var description: String { "\(address):\(port)" }

    var socketAddress: sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr.s_addr = address.value.bigEndian
        return socketAddress
    }
}

/// What went wrong with a demo socket, with the call that failed and `strerror`.
struct DemoSocketError: Error, CustomStringConvertible, Sendable, Hashable {
    var description: String

    init(_ what: String, errno code: Int32 = errno) {
        description = "\(what): \(String(cString: strerror(code)))"
    }

    init(message: String) { description = message }
}

/// Thin wrappers over the POSIX socket calls the demo service and its probe need. Blocking calls are
/// bounded by `poll` timeouts; every descriptor is closed by its owner.
enum DemoSocket {
    /// A TCP socket bound to `endpoint` and listening (SO_REUSEADDR, so that a service can come back on
    /// its address at once after a takeover and fallback).
    static func listen(on endpoint: DemoEndpoint, backlog: Int32 = 64) throws(DemoSocketError) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw DemoSocketError("socket") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = endpoint.socketAddress
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw DemoSocketError("bind \(endpoint)", errno: code)
        }
        guard Glibc.listen(descriptor, backlog) == 0 else {
            let code = errno
            close(descriptor)
            throw DemoSocketError("listen \(endpoint)", errno: code)
        }
        return descriptor
    }

    /// Waits up to `milliseconds` for `events` on `descriptor`; true when they came.
    static func wait(_ descriptor: Int32, for events: Int16, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let result = poll(&entry, 1, milliseconds)
        return result > 0 && entry.revents & (events | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }

    /// Writes all of `bytes`, giving up on an error (the client may have gone).
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Connects to `endpoint`, reads one line and returns it without its newline. The whole exchange
    /// (connect and read) is bounded by `timeout`.
    static func askLine(_ endpoint: DemoEndpoint, timeout: Duration) throws(DemoSocketError) -> String {
        let deadline = ContinuousClock.now + timeout
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw DemoSocketError("socket") }
        defer { close(descriptor) }
        try connect(descriptor, to: endpoint, deadline: deadline)
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while line.count < 4096 {
            guard wait(descriptor, for: Int16(POLLIN), milliseconds: remaining(until: deadline)) else {
                throw DemoSocketError(message: "no answer from \(endpoint) within \(timeout)")
            }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw DemoSocketError("read from \(endpoint)")
            }
            if count == 0 { break }
            line += buffer[0..<count]
            if line.contains(UInt8(ascii: "\n")) { break }
        }
        guard let end = line.firstIndex(of: UInt8(ascii: "\n")) else {
            throw DemoSocketError(message: "\(endpoint) closed without a whole line")
        }
        return String(decoding: line[..<end], as: UTF8.self)
    }

    private static func connect(_ descriptor: Int32, to endpoint: DemoEndpoint, deadline: ContinuousClock.Instant)
        throws(DemoSocketError)
    {
        var address = endpoint.socketAddress
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return }
        guard errno == EINPROGRESS else { throw DemoSocketError("connect \(endpoint)") }
        guard wait(descriptor, for: Int16(POLLOUT), milliseconds: remaining(until: deadline)) else {
            throw DemoSocketError(message: "connect \(endpoint): timed out")
        }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length)
        guard code == 0 else { throw DemoSocketError("connect \(endpoint)", errno: code) }
    }

    /// Milliseconds left until `deadline`, at least 0.
    static func remaining(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = ContinuousClock.now.duration(to: deadline)
        let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}
