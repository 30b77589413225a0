import VigilModel

/// One thing a node does to its host to acquire or release a resource. The runtime's drivers perform
/// actions (idempotently, checking the real state before and after); the simulator pretends to.
public enum Action: Sendable, Hashable, CustomStringConvertible {
    case activateVolumeGroup(name: String, concurrent: Bool)
    case deactivateVolumeGroup(name: String, concurrent: Bool)
    /// `fsck` (when configured) then `mount`.
    case mountFilesystem(mountPoint: String)
    /// `umount`, with a forced fallback that stops the filesystem's users.
    case unmountFilesystem(mountPoint: String)
    /// Configure an address on an adapter, then announce it with gratuitous ARP.
    case addAddress(label: String, address: IPv4Address, adapter: String)
    case removeAddress(label: String, address: IPv4Address, adapter: String)
    case exportDirectory(path: String)
    case unexportDirectory(path: String)
    case startApplication(name: String)
    case stopApplication(name: String)

    public var description: String {
        switch self {
        case .activateVolumeGroup(let name, let concurrent): "varyon \(name)\(concurrent ? " (concurrent)" : "")"
        case .deactivateVolumeGroup(let name, _): "varyoff \(name)"
        case .mountFilesystem(let mountPoint): "mount \(mountPoint)"
        case .unmountFilesystem(let mountPoint): "umount \(mountPoint)"
        case .addAddress(let label, let address, let adapter): "add \(label) \(address) on \(adapter)"
        case .removeAddress(let label, let address, let adapter): "remove \(label) \(address) from \(adapter)"
        case .exportDirectory(let path): "export \(path)"
        case .unexportDirectory(let path): "unexport \(path)"
        case .startApplication(let name): "start \(name)"
        case .stopApplication(let name): "stop \(name)"
        }
    }
}

/// A sequence of actions to be performed one after another, in order, by the runtime; the result
/// comes back as `ClusterNode.actionsFinished(_:outcome:now:)` with the same id.
public struct ActionBatch: Sendable, Hashable {
    public var id: UInt64
    /// The group the actions are for; `nil` for the node's own service addresses.
    public var group: String?
    public var purpose: Purpose
    public var actions: [Action]

    public enum Purpose: String, Sendable, Hashable { case acquire, release, relocate }

    public init(id: UInt64, group: String?, purpose: Purpose, actions: [Action]) {
        self.id = id
        self.group = group
        self.purpose = purpose
        self.actions = actions
    }
}

/// How an action batch ended.
public enum ActionOutcome: Sendable, Hashable {
    case succeeded
    /// The action at `index` failed; the ones after it were not run.
    case failed(index: Int, reason: String)
}
