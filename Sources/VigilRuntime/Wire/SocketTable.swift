import NIOCore
import NIOPosix
import Synchronization
import VigilModel

/// The transport's sockets, one per local adapter address, reopened when one has closed.
///
/// NIO closes a datagram channel on a send error it does not count as recoverable, such as
/// ENETUNREACH: the error a heartbeat from a standby adapter gets while the route to a peer's boot
/// subnet is down with the boot adapter (seen on the test bed: tr0 down made tr1 deaf for good, so
/// the node lost the whole network instead of swapping to tr1). The next send on a closed socket
/// binds it again, once: concurrent senders wait for the same reopening.
final class SocketTable: Sendable {
    /// How a socket is opened (the transport's bootstrap, with its inbound handler).
    struct Opener: Sendable {
        var port: Int
        var group: any EventLoopGroup
        var open: @Sendable (AddressBook.Endpoint, Int, any EventLoopGroup) async throws -> any Channel
    }

    private struct Entry {
        var endpoint: AddressBook.Endpoint
        var channel: any Channel
        var reopening: Task<any Channel, any Error>?
    }

    private let opener: Opener
    private let entries = Mutex<[IPv4Address: Entry]>([:])
    /// Sockets reopened after they closed (for the counters and tests).
    let reopened = Atomic<Int>(0)

    init(opener: Opener) {
        self.opener = opener
    }

    var addresses: [IPv4Address] { entries.withLock { $0.keys.sorted() } }

    func boundAddress(of local: IPv4Address) -> SocketAddress? { entries.withLock { $0[local]?.channel.localAddress } }

    /// Binds the socket of `endpoint` (once per address).
    func open(_ endpoint: AddressBook.Endpoint) async throws {
        guard entries.withLock({ $0[endpoint.address] == nil }) else { return }
        let channel = try await opener.open(endpoint, opener.port, opener.group)
        entries.withLock { $0[endpoint.address] = Entry(endpoint: endpoint, channel: channel) }
    }

    /// The socket of `local` if it is open now (`nil`: unknown, or closed and to be reopened by
    /// `channel(for:)`).
    func activeChannel(for local: IPv4Address) -> (any Channel)? {
        entries.withLock { entries in
            guard let entry = entries[local], entry.channel.isActive else { return nil }
            return entry.channel
        }
    }

    /// The open socket of `local`, reopened first if it has closed.
    func channel(for local: IPv4Address) async throws -> any Channel {
        enum Next {
            case ready(any Channel)
            case wait(Task<any Channel, any Error>)
        }
        let next: Next = try entries.withLock { entries in
            guard var entry = entries[local] else { throw TransportError.noSocket(local) }
            if entry.channel.isActive { return .ready(entry.channel) }
            if let task = entry.reopening { return .wait(task) }
            let opener = opener
            let endpoint = entry.endpoint
            let task = Task { try await opener.open(endpoint, opener.port, opener.group) }
            entry.reopening = task
            entries[local] = entry
            return .wait(task)
        }
        switch next {
        case .ready(let channel):
            return channel
        case .wait(let task):
            let result = await task.result
            entries.withLock { entries in
                guard var entry = entries[local], entry.reopening != nil else { return }
                if case .success(let channel) = result {
                    entry.channel = channel
                    reopened.add(1, ordering: .relaxed)
                }
                entry.reopening = nil
                entries[local] = entry
            }
            return try result.get()
        }
    }

    func closeAll() async {
        let channels = entries.withLock { entries in entries.values.map(\.channel) }
        for channel in channels {
            do {
                try await channel.close()
            } catch {
                continue  // closing a UDP socket fails only if it is closed already
            }
        }
    }
}
