import VigilModel

/// The order in which a group's resources are acquired and released (DESIGN.md: storage, then
/// filesystems, then addresses, then applications; release in the reverse order). A group with
/// `filesystemsBeforeAddresses == false` configures its addresses before mounting filesystems.
public enum ResourceOrder {
    /// The actions that acquire `group` on a node whose active adapter per network is `adapters`.
    public static func acquire(
        _ group: ResourceGroup, in config: ClusterConfig, adapters: [String: String]
    ) -> [Action] {
        ordered(group, in: config) { adapters[$0.network] }
    }

    /// The actions that release `group`: the reverse of acquiring it, each undone. `addressAdapters`
    /// says on which adapter each of its addresses is configured now.
    public static func release(
        _ group: ResourceGroup, in config: ClusterConfig, addressAdapters: [String: String]
    ) -> [Action] {
        ordered(group, in: config) { addressAdapters[$0.label] }.reversed().map(\.inverse)
    }

    private static func ordered(
        _ group: ResourceGroup, in config: ClusterConfig, adapter: (ServiceAddress) -> String?
    ) -> [Action] {
        let storage = group.volumeGroups.map { name in
            Action.activateVolumeGroup(name: name, concurrent: config.volumeGroup(named: name)?.concurrent ?? false)
        }
        let filesystems = group.filesystems.map { Action.mountFilesystem(mountPoint: $0) }
        let addresses = group.serviceAddresses.compactMap { label -> Action? in
            guard let service = config.serviceAddress(labelled: label), let on = adapter(service) else { return nil }
            return .addAddress(label: label, address: service.address, adapter: on)
        }
        let exports = group.nfsExports.map { Action.exportDirectory(path: $0) }
        let applications = group.applications.map { Action.startApplication(name: $0) }
        let middle = group.filesystemsBeforeAddresses ? filesystems + addresses : addresses + filesystems
        return storage + middle + exports + applications
    }
}

extension Action {
    /// The action that undoes this one.
    var inverse: Action {
        switch self {
        case .activateVolumeGroup(let name, let concurrent): .deactivateVolumeGroup(name: name, concurrent: concurrent)
        case .deactivateVolumeGroup(let name, let concurrent): .activateVolumeGroup(name: name, concurrent: concurrent)
        case .mountFilesystem(let mountPoint): .unmountFilesystem(mountPoint: mountPoint)
        case .unmountFilesystem(let mountPoint): .mountFilesystem(mountPoint: mountPoint)
        case .addAddress(let label, let address, let adapter):
            .removeAddress(label: label, address: address, adapter: adapter)
        case .removeAddress(let label, let address, let adapter):
            .addAddress(label: label, address: address, adapter: adapter)
        case .exportDirectory(let path): .unexportDirectory(path: path)
        case .unexportDirectory(let path): .exportDirectory(path: path)
        case .startApplication(let name): .stopApplication(name: name)
        case .stopApplication(let name): .startApplication(name: name)
        }
    }
}
