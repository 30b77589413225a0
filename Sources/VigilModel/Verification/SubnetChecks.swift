/// Addresses must fit their network's netmask.
extension Verifier {
    /// On each IP network, boot and service interface addresses and the network's service addresses
    /// share one subnet under its netmask: the subnet of the first boot address on it. Standby
    /// addresses share a subnet of their own, which must differ from the boot subnet: as in HACMP, a
    /// standby on the boot subnet would be routed like the boot adapter, so neither could be told
    /// from the other when one fails.
    static func checkSubnets(_ context: VerifyContext) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for network in context.config.networks {
            guard let netmask = network.netmask, netmask.isNetmask, netmask.prefixLength > 0 else { continue }
            let holders = context.addresses.filter { $0.network == network.name }
            let primary = holders.filter { $0.role != .standby }
            let standbys = holders.filter { $0.role == .standby }
            let reference = primary.first { $0.role == .boot } ?? primary.first
            if let reference {
                found += primarySubnet(primary, reference: reference, network: network, netmask: netmask, context)
            }
            found += standbySubnet(standbys, boot: reference, network: network, netmask: netmask, context)
        }
        return found
    }

    static func primarySubnet(
        _ holders: [AddressHolder], reference: AddressHolder, network: Network, netmask: IPv4Address,
        _ context: VerifyContext
    ) -> [Diagnostic] {
        let subnet = reference.address.masked(by: netmask)
        return holders.compactMap { holder in
            guard holder.address.masked(by: netmask) != subnet else { return nil }
            return context.error(
                "\(holder.path).address",
                """
                address \(holder.address) of \(holder.described) is not in subnet \(subnet)/\(netmask.prefixLength) \
                of network \(network.name) (the subnet of \(reference.described), \(reference.address), under \
                netmask \(netmask)); boot and service addresses on one network share one subnet: change the \
                address or the network's netmask
                """)
        }
    }

    static func standbySubnet(
        _ standbys: [AddressHolder], boot: AddressHolder?, network: Network, netmask: IPv4Address,
        _ context: VerifyContext
    ) -> [Diagnostic] {
        let bootSubnet = boot?.address.masked(by: netmask)
        let reference = standbys.first { $0.address.masked(by: netmask) != bootSubnet }
        return standbys.compactMap { standby in
            let subnet = standby.address.masked(by: netmask)
            if subnet == bootSubnet, let boot {
                return context.error(
                    "\(standby.path).address",
                    """
                    standby address \(standby.address) of \(standby.described) is in the boot subnet \
                    \(subnet)/\(netmask.prefixLength) of network \(network.name) (that of \(boot.described)); \
                    a standby adapter must be on a different subnet from the boot and service addresses: \
                    move it to the standby subnet
                    """)
            }
            guard let reference, subnet != reference.address.masked(by: netmask) else { return nil }
            return context.error(
                "\(standby.path).address",
                """
                standby address \(standby.address) of \(standby.described) is not in the standby subnet \
                \(reference.address.masked(by: netmask))/\(netmask.prefixLength) of network \(network.name) \
                (that of \(reference.described)); the standby adapters of one network share one subnet: \
                change the address
                """)
        }
    }
}
