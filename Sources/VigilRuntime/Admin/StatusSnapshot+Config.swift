import VigilModel

extension StatusSnapshot {
    /// The status of a cluster whose services do not run on this node: the cluster DOWN, this node
    /// STOPPED and the others DOWN, every interface DOWN, every group OFFLINE on each node of its
    /// list, and the timing the configuration gives. The daemon starts from it and fills in what
    /// its core knows.
    public init(config: ClusterConfig, localNode: String, configVersion: UInt64) {
        self.init(
            cluster: config.name, clusterID: config.id, state: .down, substate: .stable, localNode: localNode,
            configVersion: configVersion, timing: Timing(DetectionTimes(config)))
        nodes = config.nodes.map { Node(name: $0.name, state: $0.name == localNode ? .stopped : .down) }
        interfaces = config.nodes.flatMap { node in
            node.interfaces.map {
                Interface(
                    node: node.name, name: $0.name, label: $0.label, network: $0.network,
                    address: $0.address?.description ?? $0.device ?? "", state: .down)
            }
        }
        groups = config.resourceGroups.map { group in
            Group(
                name: group.name, policy: group.policy.rawValue,
                placements: group.nodes.map { Placement(node: $0, state: .offline) })
        }
    }
}
