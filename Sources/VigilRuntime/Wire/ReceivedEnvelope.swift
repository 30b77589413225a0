import NIOCore
import VigilCore

/// An authenticated envelope addressed to this node, with where it arrived: the local adapter
/// (which tells the core which of its adapters hears) and the sender's socket address.
///
/// `local` is where the packet really arrived; the envelope's `toAdapter` is what its sender
/// meant. Tell the core about `local.adapter`. Sockets are bound by address, not by device: on a
/// host whose adapters share a subnet, the kernel may deliver an address's packets through another
/// adapter, so adapter failure is only told apart when each adapter has its own subnet (as the
/// seeds require of standby adapters).
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
