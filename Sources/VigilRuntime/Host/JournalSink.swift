import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends entries to systemd's journal through its native socket, when journald is there: the
/// daemon's log lines with structured fields (`NodeLogs`), so that `journalctl -u vigild
/// VIGIL_GROUP=web` finds a group's whole story. Where the socket does not exist, nothing is sent.
///
/// A send never blocks (`UnixDatagramSender`): an entry journald has no room for is dropped and
/// counted in `dropped`. The log files stay the record; the journal is another view of them.
public final class JournalSink: Sendable {
    /// journald's native socket.
    public static let defaultSocketPath = "/run/systemd/journal/socket"

    public let socketPath: String
    private let state = Mutex(State())

    private struct State {
        /// The socket, opened at the first entry.
        var fd: Int32?
        var dropped: UInt64 = 0
    }

    public init(socketPath: String = JournalSink.defaultSocketPath) {
        self.socketPath = socketPath
    }

    deinit {
        state.withLock { state in
            if let fd = state.fd { close(fd) }
        }
    }

    /// How many entries were not sent (the socket missing, journald busy).
    public var dropped: UInt64 { state.withLock { $0.dropped } }

    /// Sends `entry`; does nothing where the socket does not exist.
    public func send(_ entry: JournalEntry) {
        let bytes = entry.encoded
        state.withLock { state in
            guard access(socketPath, F_OK) == 0 else {
                state.dropped += 1
                return
            }
            do throws(UnixDatagramSender.Failure) {
                if state.fd == nil { state.fd = try UnixDatagramSender.openSocket() }
                try UnixDatagramSender.send(bytes, from: state.fd!, to: socketPath)
            } catch {
                state.dropped += 1
            }
        }
    }
}
