/// An LVM volume group on shared disks. A concurrent volume group is active on several nodes at once
/// (the seed's `concvg.01`) and may only be used by concurrent resource groups.
public struct VolumeGroup: Sendable, Equatable {
    public var name: String
    public var concurrent: Bool

    public init(name: String, concurrent: Bool = false) {
        self.name = name
        self.concurrent = concurrent
    }
}

/// A filesystem on a shared volume group, checked and mounted by whoever holds its group.
public struct Filesystem: Sendable, Equatable {
    public var mountPoint: String
    /// The block device (`/dev/sharedvg.01/lv.01`).
    public var device: String
    public var volumeGroup: String?
    /// The filesystem type passed to `mount -t` (`ext4`, `xfs`).
    public var type: String
    /// The seed's "Filesystems Consistency Check": run `fsck` before mounting.
    public var fsck: Bool
    public var recovery: RecoveryMethod

    /// The seed's "Filesystems Recovery Method": check and mount one after another, or all at once.
    public enum RecoveryMethod: String, Sendable, Equatable, CaseIterable {
        case sequential, parallel
    }

    public init(
        mountPoint: String, device: String, volumeGroup: String? = nil, type: String = "ext4",
        fsck: Bool = true, recovery: RecoveryMethod = .sequential
    ) {
        self.mountPoint = mountPoint
        self.device = device
        self.volumeGroup = volumeGroup
        self.type = type
        self.fsck = fsck
        self.recovery = recovery
    }
}

/// A directory exported over NFS by whoever holds its group.
public struct NFSExport: Sendable, Equatable {
    public var path: String
    /// The clients allowed (`*`, `192.0.2.0/24`).
    public var clients: String
    /// `exportfs` options (`rw,sync`).
    public var options: String

    public init(path: String, clients: String = "*", options: String = "rw,sync") {
        self.path = path
        self.clients = clients
        self.options = options
    }
}
