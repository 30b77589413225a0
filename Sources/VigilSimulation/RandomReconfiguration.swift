import VigilCore
import VigilModel

/// A random change an administrator might sync to a running cluster, for the fuzzer: a group's
/// node list reordered, shortened or lengthened, its policy switched between cascading and
/// rotating, its inactive takeover toggled, an application added to it (it restarts), a new group,
/// a group removed, an IP network type's heartbeat interval changed, a node removed (with the
/// networks only it and one other joined), or a node of the first configuration added back. The
/// simulated hosts and wires are those of the first configuration (`all`). The result passes
/// `vigil verify` as a written file would and keeps a heartbeat path between the nodes that stay
/// (`HeartbeatContinuity`, as `vigil sync` requires), or the change is not made.
enum RandomReconfiguration {
    /// `config` with one to three random changes, and what they were.
    static func changed(
        _ config: ClusterConfig, all: ClusterConfig, version: UInt64, using random: inout SimRandom
    ) -> (ClusterConfig, [String]) {
        var result = config
        var made: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            var candidate = result
            guard let what = change(&candidate, all: all, version: version, using: &random), verifies(candidate),
                HeartbeatContinuity.refusal(from: result, to: candidate) == nil
            else {
                continue
            }
            result = candidate
            made.append(what)
        }
        return (result, made)
    }

    /// Whether `config`, written out and read again, has no error.
    static func verifies(_ config: ClusterConfig) -> Bool {
        (try? VerifiedText.configuration(ConfigWriter.yaml(config), file: "reconfiguration").get()) != nil
    }

    private static func change(
        _ config: inout ClusterConfig, all: ClusterConfig, version: UInt64, using random: inout SimRandom
    ) -> String? {
        let nodes = config.nodes.map(\.name)
        let groups = config.resourceGroups.indices.filter { config.resourceGroups[$0].policy != .concurrent }
        switch Int.random(in: 0..<11, using: &random) {
        case 9:
            return removeNode(&config, using: &random)
        case 10:
            return addNodeBack(&config, all: all, using: &random)
        case 0:
            guard let index = groups.randomElement(using: &random) else { return nil }
            config.resourceGroups[index].nodes.shuffle(using: &random)
            return nodeList(of: config.resourceGroups[index])
        case 1:
            guard let index = groups.randomElement(using: &random), config.resourceGroups[index].nodes.count > 1 else {
                return nil
            }
            config.resourceGroups[index].nodes.removeLast()
            return nodeList(of: config.resourceGroups[index])
        case 2:
            guard let index = groups.randomElement(using: &random) else { return nil }
            let absent = nodes.filter { !config.resourceGroups[index].nodes.contains($0) }
            guard let node = absent.randomElement(using: &random) else { return nil }
            config.resourceGroups[index].nodes.insert(
                node, at: Int.random(in: 0...config.resourceGroups[index].nodes.count, using: &random))
            return nodeList(of: config.resourceGroups[index])
        case 3:
            guard let index = groups.randomElement(using: &random) else { return nil }
            let group = config.resourceGroups[index]
            config.resourceGroups[index].policy = group.policy == .cascading ? .rotating : .cascading
            return "\(group.name) policy \(config.resourceGroups[index].policy.rawValue)"
        case 4:
            guard let index = groups.randomElement(using: &random) else { return nil }
            config.resourceGroups[index].inactiveTakeover.toggle()
            let group = config.resourceGroups[index]
            return "\(group.name) inactive takeover \(group.inactiveTakeover)"
        case 5:
            guard let index = config.resourceGroups.indices.randomElement(using: &random) else { return nil }
            let name = "app-v\(version)-\(index)"
            config.applications.append(Application(name: name, start: "/bin/true", stop: "/bin/true"))
            config.resourceGroups[index].applications.append(name)
            return "\(config.resourceGroups[index].name) gains application \(name)"
        case 6:
            let name = "rg-v\(version)"
            let application = "app-\(name)"
            let members = nodes.shuffled(using: &random).prefix(Int.random(in: 1...nodes.count, using: &random))
            config.applications.append(Application(name: application, start: "/bin/true", stop: "/bin/true"))
            let policy: ResourceGroup.Policy = Bool.random(using: &random) ? .cascading : .rotating
            config.resourceGroups.append(
                ResourceGroup(name: name, policy: policy, nodes: Array(members), applications: [application]))
            return "+ group \(name) (\(policy.rawValue) on \(members.joined(separator: ",")))"
        case 7:
            guard config.resourceGroups.count > 1, let index = groups.randomElement(using: &random) else {
                return nil
            }
            let name = config.resourceGroups.remove(at: index).name
            return "- group \(name)"
        default:
            guard let network = config.networks.filter(\.isIP).randomElement(using: &random) else { return nil }
            var settings = config.heartbeat(for: network)
            settings.interval = [.milliseconds(100), .milliseconds(150), .milliseconds(200)].randomElement(
                using: &random)!
            config.tuning.heartbeats[network.type] = settings
            return "tuning.heartbeat.\(network.type).interval \(DurationText.format(settings.interval))"
        }
    }

    private static func nodeList(of group: ResourceGroup) -> String {
        "\(group.name) nodes \(group.nodes.joined(separator: ","))"
    }

    /// Removes a node (keeping at least three), from every group's node list (a group left with no
    /// node goes too), and the networks left with fewer than two nodes.
    private static func removeNode(_ config: inout ClusterConfig, using random: inout SimRandom) -> String? {
        guard config.nodes.count > 3, let index = config.nodes.indices.randomElement(using: &random) else {
            return nil
        }
        let name = config.nodes.remove(at: index).name
        for group in config.resourceGroups.indices { config.resourceGroups[group].nodes.removeAll { $0 == name } }
        config.resourceGroups.removeAll { $0.nodes.isEmpty }
        let nodes = config.nodes
        let gone = config.networks.map(\.name).filter { network in
            nodes.filter { $0.networks.contains(network) }.count < 2
        }
        config.networks.removeAll { gone.contains($0.name) }
        for node in config.nodes.indices { config.nodes[node].interfaces.removeAll { gone.contains($0.network) } }
        config.serviceAddresses.removeAll { gone.contains($0.network) }
        let labels = Set(config.serviceAddresses.map(\.label))
        for group in config.resourceGroups.indices {
            config.resourceGroups[group].serviceAddresses.removeAll { !labels.contains($0) }
        }
        return "- node \(name)"
    }

    /// Adds back, at the end of the node list, a node of the first configuration that is not in
    /// this one, with its networks, and puts it last in some groups' node lists.
    private static func addNodeBack(
        _ config: inout ClusterConfig, all: ClusterConfig, using random: inout SimRandom
    ) -> String? {
        let missing = all.nodes.filter { config.node(named: $0.name) == nil }
        guard let node = missing.randomElement(using: &random) else { return nil }
        config.nodes.append(node)
        for network in all.networks where config.network(named: network.name) == nil {
            let attached = config.nodes.filter { $0.networks.contains(network.name) }
            guard attached.count >= 2 else { continue }
            config.networks.append(network)
            config.serviceAddresses += all.serviceAddresses.filter { $0.network == network.name }
        }
        let known = Set(config.networks.map(\.name))
        for index in config.nodes.indices { config.nodes[index].interfaces.removeAll { !known.contains($0.network) } }
        for index in config.resourceGroups.indices where Bool.random(using: &random) {
            config.resourceGroups[index].nodes.append(node.name)
        }
        return "+ node \(node.name)"
    }
}
