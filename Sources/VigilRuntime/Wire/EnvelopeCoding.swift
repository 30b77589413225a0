import Foundation
import NIOCore
import VigilCore

/// How an envelope is laid out inside a packet: heartbeats (the hot path: every adapter to every
/// peer adapter, several times a second) in a hand-written binary form of about 60 bytes that
/// costs no JSON encoder; every other message as JSON of the core's `Codable` types, which follows
/// the core as it grows and is rare enough that its size and cost do not matter.
public enum PayloadKind: UInt8, Sendable, CaseIterable {
    case binaryHeartbeat = 1
    case json = 2
}

/// Turns envelopes into payloads and back. Decoding never traps; it throws a `ByteReadError` or a
/// decoding error that the packet codec reports as `malformedPayload`.
enum EnvelopeCoding {
    static func kind(of envelope: Envelope) -> PayloadKind {
        if case .heartbeat = envelope.message { .binaryHeartbeat } else { .json }
    }

    static func encode(_ envelope: Envelope, into buffer: inout ByteBuffer) throws(PacketEncodingError) {
        switch envelope.message {
        case .heartbeat(let beat):
            buffer.writeInteger(envelope.protocolVersion)
            try buffer.writeName(envelope.from)
            buffer.writeInteger(envelope.incarnation)
            try buffer.writeName(envelope.to)
            try buffer.writeName(envelope.network)
            try buffer.writeOptionalName(envelope.fromAdapter)
            try buffer.writeOptionalName(envelope.toAdapter)
            buffer.writeInteger(beat.view.epoch)
            try buffer.writeName(beat.view.coordinator)
            buffer.writeInteger(beat.installedEpoch)
            buffer.writeDuration(beat.stamp)
            buffer.writeOptionalDuration(beat.echo)
            buffer.writeInteger(UInt8(beat.disconnected ? 1 : 0) | UInt8(beat.urgent ? 2 : 0))
            guard beat.ipPeers.count <= Int(UInt8.max) else { throw .unencodable("\(beat.ipPeers.count) IP peers") }
            buffer.writeInteger(UInt8(beat.ipPeers.count))
            for peer in beat.ipPeers { try buffer.writeName(peer) }
        default:
            do {
                buffer.writeBytes(try JSONEncoder().encode(envelope))
            } catch {
                throw .unencodable("\(error)")
            }
        }
    }

    /// Decodes a whole payload (every byte must be used) of `kind` for cluster `clusterID`.
    static func decode(_ payload: ByteBuffer, kind: UInt8, clusterID: Int) throws(PacketError) -> Envelope {
        switch PayloadKind(rawValue: kind) {
        case .binaryHeartbeat:
            do {
                return try decodeHeartbeat(payload, clusterID: clusterID)
            } catch {
                throw PacketError(.malformedPayload, "heartbeat: \(error)")
            }
        case .json:
            let envelope: Envelope
            do {
                envelope = try JSONDecoder().decode(Envelope.self, from: Data(payload.readableBytesView))
            } catch {
                throw PacketError(.malformedPayload, "json: \(error)")
            }
            guard envelope.clusterID == clusterID else {
                throw PacketError(.malformedPayload, "envelope of cluster \(envelope.clusterID) in a packet of cluster \(clusterID)")
            }
            if case .heartbeat = envelope.message {
                throw PacketError(.malformedPayload, "a heartbeat in a json payload")
            }
            return envelope
        case nil:
            throw PacketError(.malformedPayload, "unknown payload kind \(kind)")
        }
    }

    private static func decodeHeartbeat(_ payload: ByteBuffer, clusterID: Int) throws(ByteReadError) -> Envelope {
        var buffer = payload
        let version = try buffer.readChecked(UInt16.self, "protocol version")
        let from = try buffer.readName("from")
        let incarnation = try buffer.readChecked(UInt64.self, "incarnation")
        let to = try buffer.readName("to")
        let network = try buffer.readName("network")
        let fromAdapter = try buffer.readOptionalName("from adapter")
        let toAdapter = try buffer.readOptionalName("to adapter")
        let epoch = try buffer.readChecked(UInt64.self, "view epoch")
        let coordinator = try buffer.readName("view coordinator")
        let installedEpoch = try buffer.readChecked(UInt64.self, "installed epoch")
        let stamp = try buffer.readDuration("stamp")
        let echo = try buffer.readOptionalDuration("echo")
        let flags = try buffer.readChecked(UInt8.self, "flags")
        guard flags <= 3 else { throw ByteReadError("heartbeat flags \(flags)") }
        var ipPeers: [String] = []
        for _ in 0..<Int(try buffer.readChecked(UInt8.self, "IP peer count")) { ipPeers.append(try buffer.readName("IP peer")) }
        guard buffer.readableBytes == 0 else { throw ByteReadError("\(buffer.readableBytes) bytes after the heartbeat") }
        let beat = Heartbeat(
            view: ViewID(epoch: epoch, coordinator: coordinator), installedEpoch: installedEpoch, stamp: stamp, echo: echo,
            ipPeers: ipPeers, disconnected: flags & 1 != 0, urgent: flags & 2 != 0)
        var envelope = Envelope(
            clusterID: clusterID, from: from, incarnation: incarnation, to: to, network: network,
            fromAdapter: fromAdapter, toAdapter: toAdapter, message: .heartbeat(beat))
        envelope.protocolVersion = version
        return envelope
    }
}
