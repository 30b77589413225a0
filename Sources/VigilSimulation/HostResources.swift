import VigilCore
import VigilModel

/// What a simulated host really has configured: the truth the invariant checker looks at, changed
/// only by completed actions (and wiped by a crash, as a reboot would).
public struct HostResources: Sendable, Hashable {
    /// Addresses configured, by label: the adapter each is on.
    public var addresses: [String: String] = [:]
    public var volumeGroups: Set<String> = []
    public var mounts: Set<String> = []
    public var exports: Set<String> = []
    public var applications: Set<String> = []

    public init() {}

    public var isEmpty: Bool {
        addresses.isEmpty && volumeGroups.isEmpty && mounts.isEmpty && exports.isEmpty && applications.isEmpty
    }

    /// Performs one action the way the drivers would: idempotently.
    public mutating func perform(_ action: Action) {
        switch action {
        case .activateVolumeGroup(let name, _): volumeGroups.insert(name)
        case .deactivateVolumeGroup(let name, _): volumeGroups.remove(name)
        case .mountFilesystem(let mountPoint): mounts.insert(mountPoint)
        case .unmountFilesystem(let mountPoint): mounts.remove(mountPoint)
        case .addAddress(let label, _, let adapter): addresses[label] = adapter
        case .removeAddress(let label, _, let adapter): if addresses[label] == adapter { addresses[label] = nil }
        case .exportDirectory(let path): exports.insert(path)
        case .unexportDirectory(let path): exports.remove(path)
        case .startApplication(let name): applications.insert(name)
        case .stopApplication(let name): applications.remove(name)
        }
    }

    /// Whether any resource of `group` is active here (that is what "holding" means for safety).
    public func holdsAnything(of group: ResourceGroup) -> Bool {
        group.serviceAddresses.contains { addresses[$0] != nil }
            || group.volumeGroups.contains(where: volumeGroups.contains)
            || group.filesystems.contains(where: mounts.contains)
            || group.nfsExports.contains(where: exports.contains)
            || group.applications.contains(where: applications.contains)
    }

    /// Whether every resource of `group` is active here.
    public func holdsAll(of group: ResourceGroup) -> Bool {
        group.serviceAddresses.allSatisfy { addresses[$0] != nil }
            && group.volumeGroups.allSatisfy(volumeGroups.contains)
            && group.filesystems.allSatisfy(mounts.contains)
            && group.nfsExports.allSatisfy(exports.contains)
            && group.applications.allSatisfy(applications.contains)
    }
}
