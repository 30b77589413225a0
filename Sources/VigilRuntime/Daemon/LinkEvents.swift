#if canImport(Glibc)
import Glibc
#endif

/// The kernel's notices of link changes (rtnetlink's link group: an adapter set down or up, its
/// carrier lost or back), so that the carrier watch reads the adapters when something changed
/// rather than polling them: it hears a lost carrier at once and costs nothing at rest.
///
/// The socket belongs to the network namespace of the thread that opens it. The notices are only a
/// wake-up: what changed is read from the adapters themselves (`CarrierWatch`). `interrupt()` ends
/// a `wait` at once, from any thread.
final class LinkEvents: @unchecked Sendable {
    private let socket: Int32
    /// The read and write ends of a pipe that `interrupt()` writes to.
    private let wake: (read: Int32, write: Int32)

    /// rtnetlink (`NETLINK_ROUTE`) and its link multicast group (`RTMGRP_LINK`), from
    /// <linux/netlink.h> and <linux/rtnetlink.h>, which Glibc's module does not export.
    private static let netlinkRoute: Int32 = 0
    private static let linkGroup: UInt32 = 1

    /// `sockaddr_nl`: family, padding, port id (0: the kernel assigns one), multicast groups.
    private struct NetlinkAddress {
        var family = UInt16(AF_NETLINK)
        var pad: UInt16 = 0
        var portID: UInt32 = 0
        var groups: UInt32
    }

    /// Subscribes to link changes in the calling thread's network namespace; `nil` when the kernel
    /// refuses (no netlink here), in which case the caller polls.
    init?() {
        let descriptor = Glibc.socket(
            AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.netlinkRoute)
        guard descriptor >= 0 else { return nil }
        var address = NetlinkAddress(groups: Self.linkGroup)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<NetlinkAddress>.size))
            }
        }
        var ends: [Int32] = [-1, -1]
        guard bound == 0, pipe(&ends) == 0 else {
            close(descriptor)
            return nil
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        socket = descriptor
        wake = (ends[0], ends[1])
    }

    deinit {
        close(socket)
        close(wake.read)
        close(wake.write)
    }

    /// What ended a wait.
    enum Outcome: Equatable {
        /// The kernel announced a link change (every notice waiting was read).
        case changed
        /// Nothing within the timeout.
        case quiet
        /// `interrupt()` was called.
        case interrupted
    }

    /// Blocks the calling thread until a link changes, `timeout` passes, or `interrupt()`.
    func wait(timeout: Duration) -> Outcome {
        var descriptors = [
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
        ]
        let milliseconds = Int32(clamping: timeout.nanoseconds / 1_000_000)
        let ready = poll(&descriptors, 2, milliseconds)
        if ready < 0 {
            // A signal, or a failure poll should never have: the caller reads the adapters anyway,
            // as after a quiet wait (after a pause, so that a lasting failure is not a busy loop).
            if errno != EINTR { Watchdog.sleep(.milliseconds(100)) }
            return .quiet
        }
        if descriptors[1].revents != 0 { return .interrupted }
        guard descriptors[0].revents != 0 else { return .quiet }
        // Read every notice waiting (an overrun, ENOBUFS, also means "something changed").
        var buffer = [UInt8](repeating: 0, count: 8192)
        while recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 || errno == ENOBUFS {}
        return .changed
    }

    /// Ends the current or next `wait` with `.interrupted`.
    func interrupt() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }
}
