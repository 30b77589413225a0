import VigilCore
import VigilModel

extension HostDriver {
    /// The service addresses of `protection` as the dead man switch removes them: on their Linux
    /// devices, with their prefix lengths. Only the real address driver configures addresses; the
    /// loopback demo's stand-in has nothing to remove.
    public func emergencyAddresses(for protection: Protection) -> [EmergencyPlan.Address] {
        guard let driver = addresses as? AddressDriver else { return [] }
        return protection.addresses.sorted().compactMap { protected in
            guard let prefix = driver.prefixLength(of: protected.label) else { return nil }
            return EmergencyPlan.Address(
                device: driver.device(of: protected.adapter), address: protected.address.description, prefix: prefix)
        }
    }
}
