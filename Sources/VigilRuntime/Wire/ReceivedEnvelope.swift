import NIOCore
import VigilCore

/// An authenticated envelope addressed to this node, with where it arrived: the local adapter
/// (which tells the core which of its adapters hears) and the sender's socket address.
public struct ReceivedEnvelope: Sendable {
    public var envelope: Envelope
    public var local: AddressBook.Endpoint
    public var remote: SocketAddress

    public init(envelope: Envelope, local: AddressBook.Endpoint, remote: SocketAddress) {
        self.envelope = envelope
        self.local = local
        self.remote = remote
    }
}
