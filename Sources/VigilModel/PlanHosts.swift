/// The hosts a test plan runs on: those of the configuration it starts from, and those of every
/// file it syncs. A live reconfiguration can add a node, a network or a service: the test bed must
/// have built its namespace, its wires and its client's view before the sync, although the cluster
/// does not run it yet.
public enum PlanHosts {
    /// `config` with every node, network, service address and application that `files` name and
    /// it lacks, appended in the order the files name them (so a node keeps the position, and the
    /// disk slot, the version that adds it gives it when it is added at the end). The groups are
    /// `config`'s: the cluster's groups are those of the version it runs. A file that cannot be read
    /// adds nothing here; its sync says why when it runs.
    public static func configuration(_ config: ClusterConfig, syncing files: [String]) -> ClusterConfig {
        var world = config
        for file in files {
            guard let loaded = try? ConfigLoader.load(contentsOf: file) else { continue }
            let synced = loaded.config
            world.networks += synced.networks.filter { world.network(named: $0.name) == nil }
            world.nodes += synced.nodes.filter { world.node(named: $0.name) == nil }
            world.serviceAddresses += synced.serviceAddresses.filter { address in
                !world.serviceAddresses.contains { $0.label == address.label }
            }
            world.applications += synced.applications.filter { world.application(named: $0.name) == nil }
        }
        return world
    }
}
