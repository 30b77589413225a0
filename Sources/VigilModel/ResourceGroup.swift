/// Resources that move together (the seed's resource group, the ASE's service), with the policy that
/// says where they run.
public struct ResourceGroup: Sendable, Equatable {
    public var name: String
    public var policy: Policy
    /// The participating nodes in priority order (the first is the highest priority).
    public var nodes: [String]
    /// Labels of `ClusterConfig.serviceAddresses`.
    public var serviceAddresses: [String]
    /// Names of `ClusterConfig.volumeGroups` (concurrent ones only in concurrent groups).
    public var volumeGroups: [String]
    /// Mount points of `ClusterConfig.filesystems`.
    public var filesystems: [String]
    /// Paths of `ClusterConfig.nfsExports`.
    public var nfsExports: [String]
    /// Names of `ClusterConfig.applications`, started in this order and stopped in reverse.
    public var applications: [String]
    /// The seed's inactive takeover. `false` (the seed's setting): a cascading group comes online only
    /// once its highest-priority node has been up; after that it cascades normally. `true`: the first
    /// participating node to come up acquires it.
    public var inactiveTakeover: Bool
    /// The seed's "Filesystems mounted before IP configured". `true`: storage, filesystems, then
    /// addresses; `false`: storage, addresses, then filesystems. Applications always come last.
    public var filesystemsBeforeAddresses: Bool

    /// Who starts a group, who takes it over, and whether it falls back (seed, Table 9).
    public enum Policy: String, Sendable, Equatable, CaseIterable {
        /// Owned by the highest-priority live node; falls back when a higher-priority node rejoins.
        case cascading
        /// The first eligible node to come up acquires it; on failure it moves to the first live node
        /// in list order; it never falls back by itself.
        case rotating
        /// Online on every live participating node at once.
        case concurrent
    }

    public init(
        name: String, policy: Policy, nodes: [String], serviceAddresses: [String] = [],
        volumeGroups: [String] = [], filesystems: [String] = [], nfsExports: [String] = [],
        applications: [String] = [], inactiveTakeover: Bool = false, filesystemsBeforeAddresses: Bool = true
    ) {
        self.name = name
        self.policy = policy
        self.nodes = nodes
        self.serviceAddresses = serviceAddresses
        self.volumeGroups = volumeGroups
        self.filesystems = filesystems
        self.nfsExports = nfsExports
        self.applications = applications
        self.inactiveTakeover = inactiveTakeover
        self.filesystemsBeforeAddresses = filesystemsBeforeAddresses
    }
}
