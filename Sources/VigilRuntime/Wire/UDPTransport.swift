import Logging
import NIOCore
import NIOPosix
import VigilCore
import VigilModel

/// The cluster's UDP messaging: one socket bound to each of this node's adapter addresses on the
/// IP networks, sending authenticated packets and delivering the authenticated envelopes addressed
/// to this node, in arrival order, into `inbound`.
///
/// `inbound` holds at most `queueLimit` envelopes; when the reader falls behind, newer packets are
/// dropped and counted as `queueFull`. Close the transport with `close()`; it ends `inbound`.
public final class UDPTransport: Sendable {
    /// The default UDP port of cluster traffic.
    public static let defaultPort = 6543
    /// The default bound on received envelopes waiting to be read.
    public static let defaultQueueLimit = 4096

    public let node: String
    public let counters: PacketCounters
    public let inbound: AsyncStream<ReceivedEnvelope>
    private let codec: PacketCodec
    private let sockets: SocketTable
    private let continuation: AsyncStream<ReceivedEnvelope>.Continuation

    private init(
        node: String, codec: PacketCodec, counters: PacketCounters, sockets: SocketTable,
        inbound: AsyncStream<ReceivedEnvelope>, continuation: AsyncStream<ReceivedEnvelope>.Continuation
    ) {
        self.node = node
        self.codec = codec
        self.counters = counters
        self.sockets = sockets
        self.inbound = inbound
        self.continuation = continuation
    }

    /// The receive and send buffers each socket asks for (see `Channel.enlargingBuffers`).
    static let socketBufferBytes = 4 << 20

    /// Binds one socket per endpoint (this node's adapters, e.g. `AddressBook.endpoints(of:)`) on
    /// `port` (0: a free port per socket, for tests). If any bind fails, the others are closed.
    /// With `deliver`, accepted envelopes are handed to it on the socket's event loop instead of
    /// `inbound` (which then stays empty), all those of one read together: for a reader that runs on
    /// that event loop itself and so keeps up, without a stream and a task in between. With a
    /// `readPause`, each socket is read at most once per pause (see `InboundPacketHandler`).
    public static func bind(
        node: String, endpoints: [AddressBook.Endpoint], port: Int = defaultPort, codec: PacketCodec,
        group: any EventLoopGroup, queueLimit: Int = defaultQueueLimit,
        logger: Logger = Logger(label: "vigil.transport"),
        readPause: Duration? = nil,
        deliver: (@Sendable ([ReceivedEnvelope]) -> Void)? = nil
    ) async throws -> UDPTransport {
        let pause = readPause.map(TimeAmount.init)
        precondition(queueLimit > 0, "queueLimit \(queueLimit)")
        let counters = PacketCounters()
        let memo = MessageDecodeMemo()
        let (stream, continuation) = AsyncStream.makeStream(
            of: ReceivedEnvelope.self, bufferingPolicy: .bufferingOldest(queueLimit))
        let opener = SocketTable.Opener(
            port: port, group: group,
            open: { endpoint, port, group in
                try await DatagramBootstrap(group: group)
                    .channelOption(.socketOption(.so_reuseaddr), value: 1)
                    // NIO reads datagrams into 2 KiB buffers by default: an agreed state is larger.
                    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 1 << 16))
                    // A paused socket is read only when asked, and then to the end of what waits.
                    .channelOption(.autoRead, value: pause == nil)
                    .channelOption(.maxMessagesPerRead, value: UInt(pause == nil ? 4 : 256))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                InboundPacketHandler(
                                    codec: codec, memo: memo, node: node, local: endpoint, counters: counters,
                                    continuation: continuation, deliver: deliver, readPause: pause, logger: logger))
                        }
                    }
                    .bind(to: try SocketAddress(endpoint.address, port: port))
                    .get()
                    .enlargingBuffers()
            })
        let sockets = SocketTable(opener: opener)
        do {
            for endpoint in endpoints { try await sockets.open(endpoint) }
        } catch {
            await sockets.closeAll()
            continuation.finish()
            throw error
        }
        return UDPTransport(
            node: node, codec: codec, counters: counters, sockets: sockets, inbound: stream, continuation: continuation)
    }

    /// Opens the socket of a local adapter added by a reconfiguration (nothing if it is open).
    public func open(_ endpoint: AddressBook.Endpoint) async throws { try await sockets.open(endpoint) }

    /// The local addresses this transport has sockets on.
    public var localAddresses: [IPv4Address] { sockets.addresses }

    /// The socket address a local address's socket is bound to (its port, when bound to port 0).
    public func boundAddress(of local: IPv4Address) -> SocketAddress? { sockets.boundAddress(of: local) }

    /// Sends an envelope from the socket on `local` to `remote`.
    public func send(_ envelope: Envelope, to remote: SocketAddress, from local: IPv4Address) async throws {
        let channel: any Channel
        do {
            channel = try await sockets.channel(for: local)
        } catch {
            counters.countSendFailed()
            throw error
        }
        do {
            let packet = try codec.encode(envelope, allocator: channel.allocator)
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: packet)).get()
            counters.countSent()
        } catch {
            counters.countSendFailed()
            throw error
        }
    }

    /// Sends an envelope that names its adapters (a heartbeat) from its `fromAdapter`'s address to
    /// its `toAdapter`'s address on `port`.
    public func send(_ envelope: Envelope, book: AddressBook, port: Int = defaultPort) async throws {
        guard let fromAdapter = envelope.fromAdapter, let toAdapter = envelope.toAdapter,
            let local = book.address(node: envelope.from, network: envelope.network, adapter: fromAdapter),
            let remote = book.address(node: envelope.to, network: envelope.network, adapter: toAdapter)
        else {
            counters.countSendFailed()
            throw TransportError.unroutable(
                from: envelope.from, to: envelope.to, network: envelope.network,
                fromAdapter: envelope.fromAdapter, toAdapter: envelope.toAdapter)
        }
        try await send(envelope, to: try SocketAddress(remote, port: port), from: local)
    }

    /// One packet for `sendNow`: an envelope, the local address whose socket sends it, and where to.
    public struct Outbound: Sendable {
        public var envelope: Envelope
        public var local: IPv4Address
        public var remote: SocketAddress

        public init(envelope: Envelope, local: IPv4Address, remote: SocketAddress) {
            self.envelope = envelope
            self.local = local
            self.remote = remote
        }
    }

    /// Sends packets without waiting for them: each is encoded and signed here, then all those of
    /// one event loop are written and flushed there in one go (one thread hop per batch rather than
    /// a task per packet; the kernel gets them with `sendmmsg`). `done` is called once per packet,
    /// with the error if it could not be sent. A socket that has closed is reopened first, as in
    /// `send(_:to:from:)`.
    ///
    /// `spawn` starts the send of a packet whose socket must be reopened first, as a task of the
    /// caller's (the daemon's jobs); when it refuses, the packet is counted as not sent.
    public func sendNow(
        _ packets: [Outbound], spawn: (@escaping @Sendable () async -> Void) -> Bool,
        done: @escaping @Sendable (Outbound, (any Error)?) -> Void
    ) {
        var batches: [ObjectIdentifier: (loop: any EventLoop, writes: [(any Channel, Outbound, ByteBuffer)])] = [:]
        var memo = MessageJSONMemo()
        for packet in packets {
            guard let channel = sockets.activeChannel(for: packet.local) else {
                let started = spawn { [self] in
                    do {
                        try await send(packet.envelope, to: packet.remote, from: packet.local)
                        done(packet, nil)
                    } catch {
                        done(packet, error)
                    }
                }
                if !started {
                    counters.countSendFailed()
                    done(packet, TransportError.busy(packet.local))
                }
                continue
            }
            do {
                let buffer = try codec.encode(packet.envelope, allocator: channel.allocator, memo: &memo)
                let loop = channel.eventLoop
                batches[ObjectIdentifier(loop), default: (loop, [])].writes.append((channel, packet, buffer))
            } catch {
                counters.countSendFailed()
                done(packet, error)
            }
        }
        let counters = counters
        for (_, batch) in batches {
            let writes = batch.writes
            batch.loop.execute {
                var flush: [ObjectIdentifier: any Channel] = [:]
                for (channel, packet, buffer) in writes {
                    let promise = channel.eventLoop.makePromise(of: Void.self)
                    promise.futureResult.whenComplete { result in
                        switch result {
                        case .success:
                            counters.countSent()
                            done(packet, nil)
                        case .failure(let error):
                            counters.countSendFailed()
                            done(packet, error)
                        }
                    }
                    channel.write(AddressedEnvelope(remoteAddress: packet.remote, data: buffer), promise: promise)
                    flush[ObjectIdentifier(channel)] = channel
                }
                for channel in flush.values { channel.flush() }
            }
        }
    }

    /// Closes every socket and ends `inbound`.
    public func close() async {
        await sockets.closeAll()
        continuation.finish()
    }
}

/// A send that cannot be attempted.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No socket is bound to this local address.
    case noSocket(IPv4Address)
    /// The envelope's adapters have no addresses in the address book.
    case unroutable(from: String, to: String, network: String, fromAdapter: String?, toAdapter: String?)
    /// The socket of this local address must be reopened, and no task could be started to do it.
    case busy(IPv4Address)

    public var description: String {
        switch self {
        case .noSocket(let address): "no socket is bound to \(address)"
        case .busy(let address): "the socket of \(address) is being reopened and too many sends wait"
        case .unroutable(let from, let to, let network, let fromAdapter, let toAdapter):
            "no addresses for \(from)/\(fromAdapter ?? "?") -> \(to)/\(toAdapter ?? "?") on \(network)"
        }
    }
}

extension Channel {
    /// Gives the socket a receive and a send buffer of `socketBufferBytes`. Receive: a
    /// coordinator of many nodes gets their reports and heartbeats in bursts, and a starved daemon
    /// reads late; the kernel's default (about 200 KiB, a few hundred datagrams) dropped most of
    /// them at 32 nodes. Send: the coordinator of 32 nodes sends its agreed state (14 KB) to every
    /// member at once, 430 KB, more than the default; past it the socket refused more, and the
    /// heartbeats behind the state waited for the kernel to drain it. Root may go past the
    /// system's limits (`SO_RCVBUFFORCE`, `SO_SNDBUFFORCE`); others get what the limits allow.
    fileprivate func enlargingBuffers() async -> any Channel {
        let bytes = UDPTransport.socketBufferBytes
        do {
            try await setOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_RCVBUFFORCE)), value: bytes).get()
        } catch {
            try? await setOption(.socketOption(.so_rcvbuf), value: bytes).get()
        }
        do {
            try await setOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_SNDBUFFORCE)), value: bytes).get()
        } catch {
            try? await setOption(.socketOption(.so_sndbuf), value: bytes).get()
        }
        return self
    }
}
