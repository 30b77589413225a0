import Foundation
import NIOCore
import VigilCore

/// How an envelope is laid out inside a packet: heartbeats (the hot path: every adapter to every
/// peer adapter, several times a second) in a hand-written binary form of about 60 bytes that
/// costs no JSON encoder, and so are heartbeats relayed through other nodes (every interval to
/// each node reached only through others: while a large cluster forms, or across a partial
/// partition, as many as the direct ones); every other message as the same binary addressing
/// followed by JSON of the core's `Codable` message, which follows the core as it grows. A
/// message sent to many peers (the agreed state, to every member on every route) is encoded once
/// (`MessageJSONMemo`).
public enum PayloadKind: UInt8, Sendable, CaseIterable {
    case binaryHeartbeat = 1
    case json = 2
    /// A relay whose inner message is a heartbeat: the relay's addressing, the trail (a count
    /// byte and names), then the inner envelope as a binary heartbeat payload.
    case binaryRelayedHeartbeat = 3
}

/// Turns envelopes into payloads and back. Decoding never traps; it throws a `ByteReadError` or a
/// decoding error that the packet codec reports as `malformedPayload`.
enum EnvelopeCoding {
    static func kind(of envelope: Envelope) -> PayloadKind {
        switch envelope.message {
        case .heartbeat: return .binaryHeartbeat
        case .relay(let relay):
            // The binary form gives the inner envelope the packet's cluster id.
            guard relay.heartbeat != nil, relay.inner.clusterID == envelope.clusterID else {
                return .json
            }
            return .binaryRelayedHeartbeat
        default: return .json
        }
    }

    static func encode(_ envelope: Envelope, into buffer: inout ByteBuffer) throws(PacketEncodingError) {
        var memo = MessageJSONMemo()
        try encode(envelope, into: &buffer, memo: &memo)
    }

    /// Encodes `envelope`, taking a message's JSON from `memo` when it holds the same message, and
    /// leaving this one's there.
    static func encode(_ envelope: Envelope, into buffer: inout ByteBuffer, memo: inout MessageJSONMemo)
        throws(PacketEncodingError)
    {
        try writeAddressing(envelope, into: &buffer)
        switch envelope.message {
        case .heartbeat(let beat):
            try writeHeartbeat(beat, into: &buffer)
        case .relay(let relay) where kind(of: envelope) == .binaryRelayedHeartbeat:
            guard relay.trail.count <= Int(UInt8.max) else { throw .unencodable("a trail of \(relay.trail.count)") }
            buffer.writeInteger(UInt8(relay.trail.count))
            for node in relay.trail { try buffer.writeName(node) }
            try writeAddressing(relay.inner, into: &buffer)
            if let beat = relay.heartbeat { try writeHeartbeat(beat, into: &buffer) }
        default:
            if let json = memo.json(for: envelope.message) {
                buffer.writeBytes(json)
                return
            }
            do {
                let json = try JSONEncoder().encode(envelope.message)
                memo.remember(envelope.message, json: json)
                buffer.writeBytes(json)
            } catch {
                throw .unencodable("\(error)")
            }
        }
    }

    /// A heartbeat's fields after its addressing: view, stamps, flags, IP peers, links.
    private static func writeHeartbeat(_ beat: Heartbeat, into buffer: inout ByteBuffer) throws(PacketEncodingError) {
        buffer.writeInteger(beat.view.epoch)
        try buffer.writeName(beat.view.coordinator)
        buffer.writeInteger(beat.installedEpoch)
        buffer.writeDuration(beat.stamp)
        buffer.writeOptionalDuration(beat.echo)
        let hasLinks = !beat.links.isEmpty
        buffer.writeInteger(
            UInt8(beat.disconnected ? 1 : 0) | UInt8(beat.urgent ? 2 : 0) | UInt8(hasLinks ? 4 : 0)
                | UInt8(beat.hearsYou ? 0 : 8) | UInt8(beat.grants ? 16 : 0))
        guard beat.ipPeers.count <= Int(UInt8.max) else { throw .unencodable("\(beat.ipPeers.count) IP peers") }
        buffer.writeInteger(UInt8(beat.ipPeers.count))
        for peer in beat.ipPeers { try buffer.writeName(peer) }
        if hasLinks {
            try buffer.writeNodeMask(beat.links)
            buffer.writeInteger(beat.linksVersion ?? 0)
        }
    }

    /// Who sends to whom, on what: the start of every payload.
    private static func writeAddressing(_ envelope: Envelope, into buffer: inout ByteBuffer) throws(PacketEncodingError)
    {
        buffer.writeInteger(envelope.protocolVersion)
        try buffer.writeName(envelope.from)
        buffer.writeInteger(envelope.incarnation)
        try buffer.writeName(envelope.to)
        try buffer.writeName(envelope.network)
        try buffer.writeOptionalName(envelope.fromAdapter)
        try buffer.writeOptionalName(envelope.toAdapter)
    }

    /// The envelope of the addressing at the start of `buffer` (read past it) and `message`.
    private static func readAddressing(
        _ buffer: inout ByteBuffer, clusterID: Int, message: (inout ByteBuffer) throws -> Message
    ) throws -> Envelope {
        let version = try buffer.readChecked(UInt16.self, "protocol version")
        let from = try buffer.readName("from")
        let incarnation = try buffer.readCounter("incarnation")
        let to = try buffer.readName("to")
        let network = try buffer.readName("network")
        let fromAdapter = try buffer.readOptionalName("from adapter")
        let toAdapter = try buffer.readOptionalName("to adapter")
        var envelope = Envelope(
            clusterID: clusterID, from: from, incarnation: incarnation, to: to, network: network,
            fromAdapter: fromAdapter, toAdapter: toAdapter, message: try message(&buffer))
        envelope.protocolVersion = version
        return envelope
    }

    /// Decodes a whole payload (every byte must be used) of `kind` for cluster `clusterID`; a JSON
    /// message already in `memo` (the same bytes, decoded and checked before) is taken from it.
    static func decode(_ payload: ByteBuffer, kind: UInt8, clusterID: Int, memo: MessageDecodeMemo? = nil)
        throws(PacketError) -> Envelope
    {
        switch PayloadKind(rawValue: kind) {
        case .binaryHeartbeat:
            do {
                return try decodeHeartbeat(payload, clusterID: clusterID)
            } catch {
                throw PacketError(.malformedPayload, "heartbeat: \(error)")
            }
        case .json:
            var buffer = payload
            let envelope: Envelope
            var json: ByteBuffer?
            do {
                envelope = try readAddressing(&buffer, clusterID: clusterID) { rest in
                    if let known = memo?.message(for: rest) { return known }
                    if let problem = JSONInput.problem(rest.readableBytesView) { throw ByteReadError(problem) }
                    json = rest
                    return try JSONDecoder().decode(Message.self, from: Data(rest.readableBytesView))
                }
            } catch {
                throw PacketError(.malformedPayload, "json: \(error)")
            }
            // Taken from the memo: it passed the checks below when it was decoded.
            guard let json else { return envelope }
            if case .heartbeat = envelope.message {
                throw PacketError(.malformedPayload, "a heartbeat in a json payload")
            }
            guard WireLimits.valuesAreBounded(envelope.message) else {
                let bound = WireLimits.longestDuration
                throw PacketError(
                    .malformedPayload,
                    "json: a duration beyond \(bound) either side of zero, "
                        + "or a counter above \(WireLimits.largestCounter)")
            }
            memo?.remember(envelope.message, json: json)
            return envelope
        case .binaryRelayedHeartbeat:
            do {
                return try decodeRelayedHeartbeat(payload, clusterID: clusterID)
            } catch {
                throw PacketError(.malformedPayload, "relayed heartbeat: \(error)")
            }
        case nil:
            throw PacketError(.malformedPayload, "unknown payload kind \(kind)")
        }
    }

    private static func decodeHeartbeat(_ payload: ByteBuffer, clusterID: Int) throws -> Envelope {
        var buffer = payload
        let envelope = try readAddressing(&buffer, clusterID: clusterID, message: readHeartbeat)
        guard buffer.readableBytes == 0 else {
            throw ByteReadError("\(buffer.readableBytes) bytes after the heartbeat")
        }
        return envelope
    }

    private static func decodeRelayedHeartbeat(_ payload: ByteBuffer, clusterID: Int) throws -> Envelope {
        var buffer = payload
        let envelope = try readAddressing(&buffer, clusterID: clusterID) { buffer in
            var trail: [String] = []
            for _ in 0..<Int(try buffer.readChecked(UInt8.self, "trail length")) {
                trail.append(try buffer.readName("trail node"))
            }
            let inner = try readAddressing(&buffer, clusterID: clusterID, message: readHeartbeat)
            return .relay(Relay(inner: inner, trail: trail))
        }
        guard buffer.readableBytes == 0 else {
            throw ByteReadError("\(buffer.readableBytes) bytes after the relayed heartbeat")
        }
        return envelope
    }

    /// A heartbeat's fields after its addressing (`writeHeartbeat`).
    private static func readHeartbeat(_ buffer: inout ByteBuffer) throws -> Message {
        let epoch = try buffer.readCounter("view epoch")
        let coordinator = try buffer.readName("view coordinator")
        let installedEpoch = try buffer.readCounter("installed epoch")
        let stamp = try buffer.readDuration("stamp")
        let echo = try buffer.readOptionalDuration("echo")
        let flags = try buffer.readChecked(UInt8.self, "flags")
        guard flags <= 31 else { throw ByteReadError("heartbeat flags \(flags)") }
        var ipPeers: [String] = []
        for _ in 0..<Int(try buffer.readChecked(UInt8.self, "IP peer count")) {
            ipPeers.append(try buffer.readName("IP peer"))
        }
        let links = flags & 4 != 0 ? try buffer.readNodeMask() : NodeMask()
        let linksVersion = flags & 4 != 0 ? try buffer.readCounter("links version") : nil
        return .heartbeat(
            Heartbeat(
                view: ViewID(epoch: epoch, coordinator: coordinator), installedEpoch: installedEpoch, stamp: stamp,
                echo: echo,
                ipPeers: ipPeers, disconnected: flags & 1 != 0, urgent: flags & 2 != 0, links: links,
                hearsYou: flags & 8 == 0, grants: flags & 16 != 0, linksVersion: linksVersion))
    }
}

/// The JSON of the last message encoded, for the next envelope that carries the same message to
/// another peer or route: one batch of sends encodes each message once.
struct MessageJSONMemo {
    private var message: Message?
    private var json = Data()

    /// The remembered JSON, if `message` is the one remembered.
    func json(for message: Message) -> Data? {
        self.message == message ? json : nil
    }

    mutating func remember(_ message: Message, json: Data) {
        self.message = message
        self.json = json
    }
}
