/// Why a received packet was not delivered. Every reason is counted in `PacketCounters`.
public enum PacketDropReason: String, Sendable, Hashable, CaseIterable, Codable, CodingKeyRepresentable {
    /// Shorter than a header and a tag.
    case tooShort
    /// Does not start with Vigil's magic: not a Vigil packet at all.
    case badMagic
    /// A packet format version this build does not read.
    case unsupportedVersion
    /// Another cluster's packet (its cluster id differs from ours).
    case wrongCluster
    /// The length in the header does not match the datagram's size, or the datagram is larger than
    /// any packet (`PacketCodec.maximumPacketSize`).
    case lengthMismatch
    /// The authentication tag does not match: a sender without the cluster key, or a corrupt packet.
    case badTag
    /// Authenticated, but the payload does not parse as an envelope.
    case malformedPayload
    /// Authenticated and well-formed, but addressed to another node.
    case misaddressed
    /// A heartbeat no newer than one already received on the same path (same sender incarnation
    /// and adapter pair): a replay, or a duplicate. A captured heartbeat replayed after its sender
    /// died must not make the sender look alive.
    case replayed
    /// The receive queue was full (the daemon's loop is behind): the packet was discarded.
    case queueFull
}

/// A packet that could not be decoded: the reason it is dropped for, and a detail for the log.
public struct PacketError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: PacketDropReason
    public var detail: String

    public init(_ reason: PacketDropReason, _ detail: String = "") {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? reason.rawValue : "\(reason.rawValue): \(detail)" }
}

/// An envelope that cannot be put on the wire. Nothing was sent.
public enum PacketEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The packet would exceed the largest UDP datagram (`PacketCodec.maximumPacketSize`).
    case tooLarge(bytes: Int, limit: Int)
    /// The envelope's cluster id is not the codec's.
    case wrongCluster(envelope: Int, codec: Int)
    /// A field cannot be encoded (a name longer than `WireLimits.maximumNameBytes`, an encoder failure).
    case unencodable(String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "packet of \(bytes) bytes exceeds the limit of \(limit)"
        case .wrongCluster(let envelope, let codec):
            "envelope for cluster \(envelope) given to the codec of cluster \(codec)"
        case .unencodable(let why): "cannot encode: \(why)"
        }
    }
}
