import Logging
import NIOCore
import VigilCore

/// The handler at the end of each socket's pipeline: checks every datagram with the packet codec,
/// counts it, and delivers what passes into the transport's bounded stream, or, with `deliver`, in
/// one batch per read.
///
/// With a `readPause` a socket that is read again within the pause rests for the pause before its
/// next read (its channel does not read on its own: `ChannelOptions.autoRead` is off): datagrams
/// that arrive meanwhile wait in the socket's buffer and are read together, so that a node hearing
/// many peers wakes about once per pause rather than once per heartbeat. A socket whose datagrams
/// come further apart than the pause is read as each arrives: resting it then would only add a
/// wake-up (the timer's) to each read.
final class InboundPacketHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let codec: PacketCodec
    /// Shared by the transport's sockets: the copies of a message that arrive on each adapter are
    /// decoded once.
    private let memo: MessageDecodeMemo?
    private let node: String
    private let local: AddressBook.Endpoint
    private let counters: PacketCounters
    private let continuation: AsyncStream<ReceivedEnvelope>.Continuation
    /// When set, accepted envelopes go here, a read's worth at a time, rather than into `continuation`.
    private let deliver: (@Sendable ([ReceivedEnvelope]) -> Void)?
    /// How long the socket rests after each read (nil: it is read whenever a datagram arrives).
    private let readPause: TimeAmount?
    /// When the socket was last read (with a `readPause`).
    private var lastRead: NIODeadline?
    /// What this read accepted, for `deliver`.
    private var batch: [ReceivedEnvelope] = []
    private let logger: Logger
    /// Touched only on this channel's event loop.
    private var replays = HeartbeatReplayFilter()

    init(
        codec: PacketCodec, memo: MessageDecodeMemo? = nil, node: String, local: AddressBook.Endpoint,
        counters: PacketCounters, continuation: AsyncStream<ReceivedEnvelope>.Continuation,
        deliver: (@Sendable ([ReceivedEnvelope]) -> Void)? = nil,
        readPause: TimeAmount? = nil, logger: Logger
    ) {
        self.codec = codec
        self.memo = memo
        self.node = node
        self.local = local
        self.counters = counters
        self.continuation = continuation
        self.deliver = deliver
        self.readPause = readPause
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        if readPause != nil { context.read() }
        context.fireChannelActive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let deliver, !batch.isEmpty {
            deliver(batch)
            batch = []
        }
        if let readPause {
            let now = NIODeadline.now()
            if let lastRead, now - lastRead < readPause {
                context.eventLoop.assumeIsolated().scheduleTask(in: readPause) { context.read() }
            } else {
                context.read()
            }
            lastRead = now
        }
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = unwrapInboundIn(data)
        counters.countReceived()
        let envelope: Envelope
        do {
            envelope = try codec.decode(datagram.data, memo: memo)
        } catch {
            drop(error, from: datagram.remoteAddress)
            return
        }
        guard envelope.to == node else {
            drop(PacketError(.misaddressed, "for \(envelope.to)"), from: datagram.remoteAddress)
            return
        }
        guard replays.admit(envelope) else {
            drop(PacketError(.replayed, "heartbeat from \(envelope.from)"), from: datagram.remoteAddress)
            return
        }
        // Counted before it is delivered, so that whoever reads the envelope sees it counted.
        counters.countAccepted()
        if deliver != nil {
            batch.append(ReceivedEnvelope(envelope: envelope, local: local, remote: datagram.remoteAddress))
            return
        }
        switch continuation.yield(ReceivedEnvelope(envelope: envelope, local: local, remote: datagram.remoteAddress)) {
        case .enqueued: break
        case .dropped:
            counters.countQueueFull()
            logger.debug("dropped a packet on \(local) from \(datagram.remoteAddress): the receive queue is full")
        case .terminated: break
        @unknown default: break
        }
    }

    /// ICMP errors (port unreachable after a send to a node that is down) arrive here: they say
    /// nothing the heartbeats don't, and must not close the socket.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("socket error on \(local)", metadata: ["error": "\(error)"])
    }

    private func drop(_ error: PacketError, from remote: SocketAddress) {
        counters.countDropped(error.reason)
        logger.debug("dropped a packet on \(local) from \(remote)", metadata: ["reason": "\(error)"])
    }
}
