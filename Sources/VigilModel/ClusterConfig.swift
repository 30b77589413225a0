/// The whole configuration of one cluster: what `vigil verify` checks, what every node runs from,
/// and what placement is computed from. Plain values only; the YAML format is read by `ConfigLoader`.
///
/// Names are identifiers: a node, network, group, application, volume group or service address is
/// referred to everywhere by its name (filesystems by mount point, exports by path).
public struct ClusterConfig: Sendable, Equatable {
    /// The cluster's name (the seed's cluster name, e.g. `scream`).
    public var name: String
    /// The cluster's numeric id (the seed's cluster ID, e.g. 20). Every packet carries it.
    public var id: Int
    public var networks: [Network]
    /// The nodes in their configured order. The order is the nodes' rank: the lowest-ranked live
    /// node coordinates membership.
    public var nodes: [Node]
    public var serviceAddresses: [ServiceAddress]
    public var applications: [Application]
    public var volumeGroups: [VolumeGroup]
    public var filesystems: [Filesystem]
    public var nfsExports: [NFSExport]
    public var resourceGroups: [ResourceGroup]
    /// Commands run around cluster events, keyed by event.
    public var hooks: [ClusterEventName: EventHooks]
    public var tuning: Tuning
    /// Who may run groups when the cluster splits.
    public var quorum: QuorumPolicy
    /// The disk network whose shared device holds the tiebreaker lease (`quorum: disk`).
    public var tiebreaker: String?

    public init(
        name: String, id: Int, networks: [Network] = [], nodes: [Node] = [],
        serviceAddresses: [ServiceAddress] = [], applications: [Application] = [],
        volumeGroups: [VolumeGroup] = [], filesystems: [Filesystem] = [], nfsExports: [NFSExport] = [],
        resourceGroups: [ResourceGroup] = [], hooks: [ClusterEventName: EventHooks] = [:],
        tuning: Tuning = Tuning(), quorum: QuorumPolicy = .majority, tiebreaker: String? = nil
    ) {
        self.name = name
        self.id = id
        self.networks = networks
        self.nodes = nodes
        self.serviceAddresses = serviceAddresses
        self.applications = applications
        self.volumeGroups = volumeGroups
        self.filesystems = filesystems
        self.nfsExports = nfsExports
        self.resourceGroups = resourceGroups
        self.hooks = hooks
        self.tuning = tuning
        self.quorum = quorum
        self.tiebreaker = tiebreaker
    }
}

extension ClusterConfig {
    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }
    public func network(named name: String) -> Network? { networks.first { $0.name == name } }
    public func group(named name: String) -> ResourceGroup? { resourceGroups.first { $0.name == name } }
    public func serviceAddress(labelled label: String) -> ServiceAddress? {
        serviceAddresses.first { $0.label == label }
    }
    public func application(named name: String) -> Application? { applications.first { $0.name == name } }
    public func volumeGroup(named name: String) -> VolumeGroup? { volumeGroups.first { $0.name == name } }
    public func filesystem(at mountPoint: String) -> Filesystem? {
        filesystems.first { $0.mountPoint == mountPoint }
    }

    /// The rank of a node: its position in the configured node list (lower coordinates).
    public func rank(of node: String) -> Int? { nodes.firstIndex { $0.name == node } }

    /// The networks a resource group needs on a node to run there: those of its service addresses.
    public func requiredNetworks(of group: ResourceGroup) -> Set<String> {
        Set(group.serviceAddresses.compactMap { serviceAddress(labelled: $0)?.network })
    }

    /// The heartbeat settings that apply to a network, from its type.
    public func heartbeat(for network: Network) -> HeartbeatSettings {
        tuning.heartbeat(forNetworkType: network.type)
    }
}
