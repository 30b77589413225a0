import VigilCore
import VigilModel

/// The one facade the daemon calls to change the host and to read back what it holds: performs the
/// core's action batches with the address, storage and application drivers, and reconciles the
/// node's real holdings (after a daemon restart, the drivers' view of the host, never an assumption).
public struct HostDriver: Sendable {
    public private(set) var config: ClusterConfig
    public let node: String
    public private(set) var addresses: any AddressDriving
    public private(set) var storage: StorageDriver
    public private(set) var applications: ApplicationDriver
    public let note: @Sendable (String) -> Void

    public init(
        config: ClusterConfig, node: String, addresses: any AddressDriving, storage: StorageDriver,
        applications: ApplicationDriver, note: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        precondition(config.node(named: node) != nil, "node \(node) is not in cluster \(config.name)")
        self.config = config
        self.node = node
        self.addresses = addresses
        self.storage = storage
        self.applications = applications
        self.note = note
    }

    /// Drivers for `node` with the real tools, state kept in `stateDirectory`; `addressKind` picks
    /// `ip` or the loopback demo stand-in. `applications` replaces the default application driver
    /// (process groups, no spawn hook), e.g. with the daemon's containment.
    public static func make(
        config: ClusterConfig, node: String, stateDirectory: String, addressKind: AddressDriverKind,
        runner: any CommandRunning = CommandRunner(), applications: ApplicationDriver? = nil,
        note: @escaping @Sendable (String) -> Void = { _ in }
    ) -> HostDriver {
        HostDriver(
            config: config, node: node,
            addresses: addressKind.makeDriver(
                config: config, node: node, stateDirectory: stateDirectory, runner: runner, note: note),
            storage: StorageDriver(config: config, runner: runner, note: note),
            applications: applications
                ?? ApplicationDriver(
                    config: config, runner: runner, stateDirectory: stateDirectory,
                    environment: ["VIGIL_NODE": node]),
            note: note)
    }

    /// The same drivers running `new` (a live reconfiguration). Definitions `new` drops but the
    /// running configuration has (an application, an address, a filesystem) are kept, so that a
    /// group still held under its old definition can be released.
    public func reconfigured(to new: ClusterConfig) async -> HostDriver {
        var merged = new
        merged.serviceAddresses += config.serviceAddresses.filter { new.serviceAddress(labelled: $0.label) == nil }
        merged.applications += config.applications.filter { new.application(named: $0.name) == nil }
        merged.volumeGroups += config.volumeGroups.filter { new.volumeGroup(named: $0.name) == nil }
        merged.filesystems += config.filesystems.filter { new.filesystem(at: $0.mountPoint) == nil }
        merged.nfsExports += config.nfsExports.filter { old in !new.nfsExports.contains { $0.path == old.path } }
        var copy = self
        copy.config = merged
        copy.addresses = addresses.reconfigured(to: merged)
        copy.storage.config = merged
        await applications.reconfigure(to: merged)
        return copy
    }

    /// Runs the batch's actions in order and stops at the first failure.
    public func perform(_ batch: ActionBatch) async -> ActionOutcome {
        for (index, action) in batch.actions.enumerated() {
            if case .failure(let failure) = await perform(action) {
                note("batch \(batch.id): \(action) failed: \(failure.reason)")
                return .failed(index: index, reason: failure.reason)
            }
        }
        return .succeeded
    }

    /// Performs one action.
    public func perform(_ action: Action) async -> Result<Void, DriverFailure> {
        switch action {
        case .activateVolumeGroup(let name, _): await storage.activate(volumeGroup: name)
        case .deactivateVolumeGroup(let name, _): await storage.deactivate(volumeGroup: name)
        case .mountFilesystem(let mountPoint): await storage.mount(mountPoint)
        case .unmountFilesystem(let mountPoint): await storage.unmount(mountPoint)
        case .addAddress(let label, let address, let adapter):
            await addresses.add(label: label, address: address, adapter: adapter)
        case .removeAddress(let label, let address, let adapter):
            await addresses.remove(label: label, address: address, adapter: adapter)
        case .exportDirectory(let path): await storage.export(path)
        case .unexportDirectory(let path): await storage.unexport(path)
        case .startApplication(let name): await applications.start(name)
        case .stopApplication(let name): await applications.stop(name)
        }
    }
}
