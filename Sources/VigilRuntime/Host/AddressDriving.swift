import VigilModel

/// Configures service addresses on the host. `AddressDriver` does it for real with `ip`;
/// `LoopbackAddressDriver` is the unprivileged demo stand-in. Adapters are named as in the
/// configuration (the interface's `name`).
public protocol AddressDriving: Sendable {
    /// Makes `address` present on `adapter` (idempotent), then announces it.
    func add(label: String, address: IPv4Address, adapter: String) async -> Result<Void, DriverFailure>
    /// Makes `address` absent from `adapter` (idempotent).
    func remove(label: String, address: IPv4Address, adapter: String) async -> Result<Void, DriverFailure>
    /// Which of `wanted` (label to address) are configured on the node now, and on which adapter.
    func configured(_ wanted: [String: IPv4Address]) async -> Result<[String: String], DriverFailure>
    /// The same driver for a new configuration version (a live reconfiguration).
    func reconfigured(to config: ClusterConfig) -> any AddressDriving
}

extension AddressDriving {
    /// A driver that reads nothing from the configuration stays as it is.
    public func reconfigured(to config: ClusterConfig) -> any AddressDriving { self }
}

/// Which address driver a daemon uses.
public enum AddressDriverKind: String, Sendable, Hashable, CaseIterable {
    /// Real addresses with `ip` and gratuitous ARP (root).
    case ip
    /// The unprivileged local demo: addresses in 127.0.0.0/8, which already route to `lo`.
    case loopbackDemo = "loopback-demo"
}

extension AddressDriverKind {
    /// Builds the driver of this kind for `node`. `stateDirectory` is where the demo driver keeps the
    /// labels it holds.
    public func makeDriver(
        config: ClusterConfig, node: String, stateDirectory: String,
        runner: any CommandRunning = CommandRunner(), note: @escaping @Sendable (String) -> Void = { _ in }
    ) -> any AddressDriving {
        switch self {
        case .ip: AddressDriver(config: config, node: node, runner: runner, note: note)
        case .loopbackDemo: LoopbackAddressDriver(stateFile: stateDirectory + "/loopback-addresses")
        }
    }
}
