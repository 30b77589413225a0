import VigilCore
import VigilModel

/// A random change an administrator might sync to a running cluster, for the fuzzer: a group's
/// node list reordered, shortened or lengthened, its policy switched between cascading and
/// rotating, its inactive takeover toggled, an application added to it (it restarts), a new group,
/// a group removed, or an IP network type's heartbeat interval changed. Nodes and networks stay
/// (the simulated hosts and wires are the first configuration's). The result passes `vigil verify`
/// as a written file would, or the change is not made.
enum RandomReconfiguration {
    /// `config` with one to three random changes, and what they were.
    static func changed(_ config: ClusterConfig, version: UInt64, using random: inout SimRandom) -> (
        ClusterConfig, [String]
    ) {
        var result = config
        var made: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            var candidate = result
            guard let what = change(&candidate, version: version, using: &random), verifies(candidate) else {
                continue
            }
            result = candidate
            made.append(what)
        }
        return (result, made)
    }

    /// Whether `config`, written out and read again, has no error.
    static func verifies(_ config: ClusterConfig) -> Bool {
        let (loaded, findings) = ConfigLoader.load(yaml: ConfigWriter.yaml(config), file: "reconfiguration")
        guard let loaded, !findings.contains(where: { $0.severity == .error }) else { return false }
        return !Verifier.verify(loaded).contains { $0.severity == .error }
    }

    private static func change(_ config: inout ClusterConfig, version: UInt64, using random: inout SimRandom)
        -> String?
    {
        let nodes = config.nodes.map(\.name)
        let groups = config.resourceGroups.indices.filter { config.resourceGroups[$0].policy != .concurrent }
        switch Int.random(in: 0..<9, using: &random) {
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
}
