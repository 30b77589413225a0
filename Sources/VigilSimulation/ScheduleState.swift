import VigilCore
import VigilModel

/// The faults of one random schedule: injects them, repairs them when due, and keeps every pair of
/// running nodes connected by at least one IP network.
struct ScheduleState {
    let simulator: Simulator
    let config: ClusterConfig
    private(set) var lastChange: Moment = .zero
    private(set) var injected = 0
    private var repairs: [(time: Moment, repair: Repair)] = []

    enum Repair {
        case restart(String)
        case adapter(node: String, adapter: String)
        case heal(network: String)
        case conditions(network: String)
        case cuts([NetworkFaults.Cut])
    }

    init(simulator: Simulator, config: ClusterConfig) {
        self.simulator = simulator
        self.config = config
    }

    private func pick<T>(_ items: [T]) -> T? {
        guard !items.isEmpty else { return nil }
        return items[Int.random(in: 0..<items.count, using: &simulator.random)]
    }

    private func later(_ low: Duration, _ high: Duration) -> Moment {
        simulator.now + simulator.random.duration(low, high)
    }

    var running: [String] { config.nodes.map(\.name).filter { simulator.hosts[$0]?.core != nil } }

    /// Injects one fault of a kind drawn from `kinds` (in a fixed order, for replay).
    mutating func inject(from kinds: Set<FaultKind>) {
        guard let kind = pick(kinds.sorted { $0.rawValue < $1.rawValue }) else { return }
        let before = (simulator.faults, injected)
        switch kind {
        case .crash:
            guard let node = pick(running) else { return }
            simulator.crash(node)
            repairs.append((later(.seconds(2), .seconds(10)), .restart(node)))
        case .pause:
            guard let node = pick(running) else { return }
            // Without quorum nothing protects against a long pause: keep it under half a detection time.
            let longest: Duration = config.quorum == .none ? .milliseconds(300) : .seconds(3)
            let length = simulator.random.duration(.milliseconds(20), longest)
            simulator.pause(node, for: length)
            lastChange = max(lastChange, simulator.now + length)
            injected += 1
            return
        case .interface:
            guard let node = pick(config.nodes), let adapter = pick(node.interfaces.map(\.name)) else { return }
            failAdapters([adapter], of: node.name)
        case .network:
            guard let node = pick(config.nodes), let network = pick(node.networks) else { return }
            failAdapters(node.adapters(on: network), of: node.name)
        case .disk:
            let disks = config.networks.filter(\.isSharedDisk).map(\.name)
            guard let network = pick(disks), let node = pick(config.nodes.filter { $0.networks.contains(network) })
            else { return }
            failAdapters(node.adapters(on: network), of: node.name)
        case .partition:
            guard let network = pick(config.networks) else { return }
            var sides: [String: Int] = [:]
            for node in config.nodes { sides[node.name] = Int.random(in: 0...1, using: &simulator.random) }
            simulator.faults.partitions[network.name] = sides
            guard isAllowed() else {
                simulator.faults.partitions[network.name] = nil
                return
            }
            simulator.trace?(
                "\(simulator.now) partition \(network.name): "
                    + "\(sides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
            )
            repairs.append((later(.seconds(1), .seconds(10)), .heal(network: network.name)))
        case .partial, .oneway:
            let ip = config.networks.filter(\.isIP).map(\.name)
            guard let a = pick(config.nodes.map(\.name)), let b = pick(config.nodes.map(\.name).filter({ $0 != a })),
                !ip.isEmpty
            else { return }
            var cuts = ip.map { NetworkFaults.Cut(from: a, to: b, network: $0) }
            if kind == .partial { cuts += ip.map { NetworkFaults.Cut(from: b, to: a, network: $0) } }
            let fresh = cuts.filter { !simulator.faults.cuts.contains($0) }
            simulator.faults.cuts.formUnion(fresh)
            guard isAllowed(), !fresh.isEmpty else {
                simulator.faults.cuts.subtract(fresh)
                return
            }
            let what =
                kind == .partial
                ? "partial partition: \(a) and \(b) do not hear each other" : "one-way loss: \(a) -> \(b)"
            simulator.trace?("\(simulator.now) \(what) on \(ip.joined(separator: ", "))")
            repairs.append((later(.seconds(1), .seconds(15)), .cuts(fresh)))
        case .sync:
            // One sync, or two on two nodes at once; some with --expect-version (right or stale).
            let nodes = running.filter { simulator.hosts[$0]?.core?.installed != nil }
            guard let first = pick(nodes) else { return }
            var syncing = [first]
            if Int.random(in: 0..<100, using: &simulator.random) < 40, let second = pick(nodes.filter({ $0 != first }))
            {
                syncing.append(second)
            }
            for node in syncing {
                let core = simulator.hosts[node]!.core!
                let newest = core.newestKnownConfigVersion
                let expecting: UInt64? =
                    switch Int.random(in: 0..<10, using: &simulator.random) {
                    case 0..<6: nil
                    case 6..<9: newest
                    default: newest == 0 ? 1 : newest - 1
                    }
                simulator.request(.claimConfigVersion(version: newest + 1, expecting: expecting), on: node)
            }
            injected += 1
            return
        case .loss, .delay, .duplication:
            guard let network = pick(config.networks) else { return }
            var conditions = simulator.faults.conditions(of: network.name)
            switch kind {
            case .loss: conditions.loss = Double.random(in: 0.01...0.2, using: &simulator.random)
            case .delay: conditions.maxDelay = simulator.random.duration(.milliseconds(5), .milliseconds(50))
            default: conditions.duplication = Double.random(in: 0.05...0.3, using: &simulator.random)
            }
            simulator.faults.conditions[network.name] = conditions
            simulator.trace?(
                "\(simulator.now) \(kind.rawValue) on \(network.name): loss \(conditions.loss) dup "
                    + "\(conditions.duplication) delay \(conditions.maxDelay)"
            )
            repairs.append((later(.seconds(2), .seconds(10)), .conditions(network: network.name)))
        }
        if simulator.faults != before.0 || kind == .crash || kind == .pause {
            injected += 1
            lastChange = max(lastChange, simulator.now)
        }
    }

    private mutating func failAdapters(_ adapters: [String], of node: String) {
        let fresh = adapters.filter { simulator.faults.isUp($0, of: node) }
        guard !fresh.isEmpty else { return }
        for adapter in fresh { simulator.faults.failedAdapters.insert("\(node)/\(adapter)") }
        let allowed = isAllowed()
        for adapter in fresh { simulator.faults.failedAdapters.remove("\(node)/\(adapter)") }
        guard allowed else { return }
        for adapter in fresh {
            simulator.setAdapter(adapter, of: node, up: false)
            repairs.append((later(.seconds(1), .seconds(10)), .adapter(node: node, adapter: adapter)))
        }
    }

    /// Whether a fault that may cut nodes apart is allowed: always under a quorum policy (quorum
    /// and leases keep a partition safe); without quorum only if the running nodes stay connected.
    func isAllowed() -> Bool {
        config.quorum != .none || isConnectedEnough()
    }

    /// Every pair of running nodes shares an IP network on which both have a working adapter, are
    /// on the same side and hear each other both ways.
    func isConnectedEnough(among nodes: [String]? = nil) -> Bool {
        let nodes = nodes ?? running
        for (index, a) in nodes.enumerated() {
            for b in nodes[(index + 1)...] {
                let linked = config.networks.contains { network in
                    network.isIP && simulator.faults.connects(a, nil, to: b, nil, on: network.name, config: config)
                        && simulator.faults.connects(b, nil, to: a, nil, on: network.name, config: config)
                }
                if !linked { return false }
            }
        }
        return true
    }

    /// Carries out the repairs that are due.
    mutating func repairDue() {
        let due = repairs.filter { $0.time <= simulator.now }
        repairs.removeAll { $0.time <= simulator.now }
        for (_, repair) in due { perform(repair, force: false) }
    }

    private mutating func perform(_ repair: Repair, force: Bool) {
        switch repair {
        case .restart(let node):
            guard force || config.quorum != .none || isConnectedEnough(among: running + [node]) else {
                repairs.append((simulator.now + .seconds(1), repair))
                return
            }
            simulator.start(node)
        case .adapter(let node, let adapter):
            guard !simulator.faults.isUp(adapter, of: node) else { return }
            simulator.setAdapter(adapter, of: node, up: true)
        case .heal(let network):
            simulator.faults.partitions[network] = nil
        case .conditions(let network):
            simulator.faults.conditions[network] = nil
        case .cuts(let cuts):
            simulator.faults.cuts.subtract(cuts)
        }
        lastChange = max(lastChange, simulator.now)
    }

    /// Ends every fault: adapters repaired, partitions healed, conditions normal, nodes restarted.
    mutating func healEverything() {
        let pending = repairs
        repairs = []
        for (_, repair) in pending where !isRestart(repair) { perform(repair, force: true) }
        for failed in simulator.faults.failedAdapters.sorted() {
            let parts = failed.split(separator: "/", maxSplits: 1).map(String.init)
            simulator.setAdapter(parts[1], of: parts[0], up: true)
        }
        simulator.faults = NetworkFaults()
        for node in config.nodes { simulator.resume(node.name) }
        for (_, repair) in pending where isRestart(repair) { perform(repair, force: true) }
        for node in config.nodes where simulator.hosts[node.name]?.core == nil { simulator.start(node.name) }
        lastChange = max(lastChange, simulator.now)
        simulator.trace?("\(simulator.now) every fault healed")
    }

    private func isRestart(_ repair: Repair) -> Bool {
        if case .restart = repair { return true }
        return false
    }

    /// Whether, in truth, `node` can use `network`: it has a working adapter there and so does
    /// another running node on its side (or it is the only running node attached to an IP network).
    func networkWorks(_ node: String, _ network: String) -> Bool {
        guard let me = config.node(named: node),
            me.adapters(on: network).contains(where: { simulator.faults.isUp($0, of: node) })
        else { return false }
        let others = running.filter { $0 != node && config.node(named: $0)!.networks.contains(network) }
        if others.isEmpty { return config.network(named: network)?.isIP ?? false }
        return others.contains { simulator.faults.connects(node, nil, to: $0, nil, on: network, config: config) }
    }
}
