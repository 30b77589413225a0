/// An address that moves with its resource group (the seed's service IP label with IP address
/// takeover). Whoever holds the group configures it on an active adapter of `network` and announces
/// it with gratuitous ARP.
public struct ServiceAddress: Sendable, Equatable {
    public var label: String
    public var address: IPv4Address
    public var network: String

    public init(label: String, address: IPv4Address, network: String) {
        self.label = label
        self.address = address
        self.network = network
    }
}
