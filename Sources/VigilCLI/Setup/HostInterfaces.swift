import Foundation
import VigilModel

#if canImport(Glibc)
import Glibc
#endif

/// This host's IPv4 addresses with their prefixes, read with `getifaddrs(3)`: what `vigil init`
/// matches the nodes' addresses against to find the cluster's subnets. Interfaces that are down
/// are left out (their subnets may not be where the host really is).
enum HostInterfaces {
    static func current() -> [StarterConfiguration.HostInterface] {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0, let first else { return [] }
        defer { freeifaddrs(first) }
        var found: [StarterConfiguration.HostInterface] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let item = entry.pointee
            guard let address = item.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                let mask = item.ifa_netmask, item.ifa_flags & UInt32(IFF_UP) != 0
            else { continue }
            let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
            }
            let netmask = mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                IPv4Address(UInt32(bigEndian: $0.pointee.sin_addr.s_addr))
            }
            found.append(
                .init(
                    name: String(cString: item.ifa_name), address: IPv4Address(value),
                    prefixLength: netmask.prefixLength))
        }
        return found
    }
}
