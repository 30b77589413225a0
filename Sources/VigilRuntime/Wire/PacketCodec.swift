import Crypto
import NIOCore
import VigilCore

/// Frames an `Envelope` as one authenticated packet, and checks and opens received packets.
///
/// Layout (integers big-endian):
///
///     offset  size  field
///          0     4  magic "VGIL"
///          4     1  format version (`formatVersion`)
///          5     1  payload kind (`PayloadKind`: 1 binary heartbeat, 2 JSON)
///          6     8  cluster id (Int64)
///         14     4  payload length n (UInt32)
///         18     n  payload
///       18+n    32  HMAC-SHA256 of bytes 0..<18+n under the cluster's packet key (`ClusterKey`)
///
/// Decoding checks, in order: size (at most `maximumPacketSize`), magic, version, cluster id, length,
/// tag, payload; it stops at the first failure and throws a `PacketError` naming it. It never traps
/// on any input.
public struct PacketCodec: Sendable {
    public static let magic: [UInt8] = Array("VGIL".utf8)
    /// 2: every payload starts with binary addressing (1 had a JSON envelope for messages).
    public static let formatVersion: UInt8 = 2
    public static let headerSize = 18
    public static let tagSize = 32
    /// The largest packet: the largest UDP payload over IPv4.
    public static let maximumPacketSize = 65_507

    public let clusterID: Int
    let key: ClusterKey

    public init(clusterID: Int, key: ClusterKey) {
        self.clusterID = clusterID
        self.key = key
    }

    /// The packet for an envelope of this cluster.
    public func encode(_ envelope: Envelope, allocator: ByteBufferAllocator = ByteBufferAllocator())
        throws(PacketEncodingError) -> ByteBuffer
    {
        var memo = MessageJSONMemo()
        return try encode(envelope, allocator: allocator, memo: &memo)
    }

    /// The packet for an envelope of this cluster, reusing the message's JSON from `memo` when the
    /// envelope before carried the same message.
    func encode(_ envelope: Envelope, allocator: ByteBufferAllocator, memo: inout MessageJSONMemo)
        throws(PacketEncodingError) -> ByteBuffer
    {
        guard envelope.clusterID == clusterID else {
            throw .wrongCluster(envelope: envelope.clusterID, codec: clusterID)
        }
        var packet = allocator.buffer(capacity: 128)
        packet.writeBytes(Self.magic)
        packet.writeInteger(Self.formatVersion)
        packet.writeInteger(EnvelopeCoding.kind(of: envelope).rawValue)
        packet.writeInteger(Int64(clusterID))
        let lengthIndex = packet.writerIndex
        packet.writeInteger(UInt32(0))
        try EnvelopeCoding.encode(envelope, into: &packet, memo: &memo)
        let payloadLength = packet.readableBytes - Self.headerSize
        let size = packet.readableBytes + Self.tagSize
        guard size <= Self.maximumPacketSize else { throw .tooLarge(bytes: size, limit: Self.maximumPacketSize) }
        packet.setInteger(UInt32(payloadLength), at: lengthIndex)
        let tag = packet.withUnsafeReadableBytes { authenticationTag(for: $0) }
        packet.writeBytes(tag)
        return packet
    }

    /// The HMAC-SHA256 tag of `bytes` under the packet key.
    func authenticationTag(for bytes: UnsafeRawBufferPointer) -> [UInt8] {
        Array(mac(of: bytes))
    }

    /// The HMAC-SHA256 of `bytes`, from the key's precomputed state.
    private func mac(of bytes: UnsafeRawBufferPointer) -> HashedAuthenticationCode<SHA256> {
        var authenticator = key.packetMAC
        authenticator.update(data: bytes)
        return authenticator.finalize()
    }

    /// The packet as bytes (for the disk outbox and for tests).
    public func encodeBytes(_ envelope: Envelope) throws(PacketEncodingError) -> [UInt8] {
        let packet = try encode(envelope)
        return Array(packet.readableBytesView)
    }

    /// A packet of this cluster around any payload bytes, with a valid tag: what a sender holding
    /// the cluster key could send. For the fuzzer and tests, which reach the payload decoders
    /// behind the authentication with it; the daemon sends only encoded envelopes.
    @_spi(Fuzzing) public func seal(payload: [UInt8], kind: UInt8) -> [UInt8] {
        var packet = ByteBuffer()
        packet.reserveCapacity(Self.headerSize + payload.count + Self.tagSize)
        packet.writeBytes(Self.magic)
        packet.writeInteger(Self.formatVersion)
        packet.writeInteger(kind)
        packet.writeInteger(Int64(clusterID))
        packet.writeInteger(UInt32(truncatingIfNeeded: payload.count))
        packet.writeBytes(payload)
        let tag = packet.withUnsafeReadableBytes { authenticationTag(for: $0) }
        packet.writeBytes(tag)
        return Array(packet.readableBytesView)
    }

    /// Checks a received packet and returns its envelope. With a `memo`, a JSON message decoded
    /// before (the same bytes) is not decoded again (`MessageDecodeMemo`); its tag is checked all the same.
    public func decode(_ packet: ByteBuffer, memo: MessageDecodeMemo? = nil) throws(PacketError) -> Envelope {
        let count = packet.readableBytes
        guard count >= Self.headerSize + Self.tagSize else {
            throw PacketError(.tooShort, "\(count) bytes")
        }
        // No datagram is larger; a larger buffer (from the disk, say) is not hashed or parsed.
        guard count <= Self.maximumPacketSize else {
            let largest = Self.maximumPacketSize
            throw PacketError(.lengthMismatch, "\(count) bytes, more than the largest packet (\(largest))")
        }
        let start = packet.readerIndex
        guard packet.getBytes(at: start, length: 4) == Self.magic else { throw PacketError(.badMagic) }
        let version = packet.getInteger(at: start + 4, as: UInt8.self)!
        guard version == Self.formatVersion else { throw PacketError(.unsupportedVersion, "version \(version)") }
        let kind = packet.getInteger(at: start + 5, as: UInt8.self)!
        let cluster = packet.getInteger(at: start + 6, as: Int64.self)!
        guard cluster == Int64(clusterID) else { throw PacketError(.wrongCluster, "cluster \(cluster)") }
        let length = Int(packet.getInteger(at: start + 14, as: UInt32.self)!)
        guard length == count - Self.headerSize - Self.tagSize else {
            throw PacketError(
                .lengthMismatch,
                "header says \(length) payload bytes, datagram has \(count - Self.headerSize - Self.tagSize)")
        }
        let signed = packet.getSlice(at: start, length: Self.headerSize + length)!
        let tag = packet.getBytes(at: start + Self.headerSize + length, length: Self.tagSize)!
        // `==` between a code and bytes compares in constant time.
        let valid = signed.withUnsafeReadableBytes { mac(of: $0) == tag }
        guard valid else { throw PacketError(.badTag) }
        let payload = packet.getSlice(at: start + Self.headerSize, length: length)!
        return try EnvelopeCoding.decode(payload, kind: kind, clusterID: clusterID, memo: memo)
    }

    /// Checks a received packet given as bytes.
    public func decode(bytes: some Sequence<UInt8>) throws(PacketError) -> Envelope {
        try decode(ByteBuffer(bytes: bytes))
    }
}
