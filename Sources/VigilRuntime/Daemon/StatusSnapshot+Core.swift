import VigilCore
import VigilModel

extension StatusSnapshot {
    /// The cluster as the node running `core` sees it now: its agreed state, its own holdings (the
    /// freshest for itself) and what the coordinator last agreed about the others.
    init(core: ClusterNode, at now: Moment, counters: PacketCounts, configVersion: UInt64) {
        let config = core.config
        let me = core.me
        self.init(config: config, localNode: me, configVersion: configVersion)
        let agreed = core.phase == .running ? core.installed : nil
        state = agreed == nil ? .down : .up
        substate = (agreed?.isStable ?? true) ? .stable : .unstable
        if agreed?.tooLong == true {
            unstableReason =
                "config_too_long: an event ran longer than \(DurationText.format(config.tuning.configTooLong))"
        }
        view = agreed?.epoch
        nodes = config.nodes.map { node in
            Node(
                name: node.name, state: Self.memberState(of: node.name, core: core, agreed: agreed, at: now),
                coordinator: agreed?.coordinator == node.name)
        }
        interfaces = config.nodes.flatMap { node in
            node.interfaces.map { interface in
                let up: Bool
                if node.name == me {
                    up =
                        core.phase == .running
                        && (core.topology.report(at: now).networks[interface.network]?.adapters[interface.name]?.carrier
                            ?? false)
                } else {
                    up = agreed?.topology.nodes[node.name]?.adaptersUp.contains(interface.name) ?? false
                }
                return Interface(
                    node: node.name, name: interface.name, label: interface.label, network: interface.network,
                    address: interface.address?.description ?? interface.device ?? "", state: up ? .up : .down,
                    serviceAddresses: Self.serviceAddresses(on: interface, of: node.name, core: core, agreed: agreed))
            }
        }
        groups = config.resourceGroups.map { group in
            let placements = group.nodes.map { node -> Placement in
                let state =
                    node == me ? core.holdings.state(of: group.name) : agreed?.holdings[node]?[group.name] ?? .offline
                return Placement(node: node, state: GroupState(state))
            }
            var hold: String?
            switch agreed?.admin.held[group.name] {
            case .administrator(let sticky)?: hold = "taken offline by an administrator\(sticky ? " (sticky)" : "")"
            case .stoppedWith(let node)?: hold = "offline until \(node), stopped gracefully, returns"
            case nil:
                hold = agreed?.admin.unmanaged[group.name].map { "running unmanaged on \($0) after a forced stop" }
            }
            let failedOn = agreed?.failures[group.name]?.sorted() ?? []
            let decision = agreed?.placement[group.name]?.decision
            let decidedIn = decision?.event.flatMap { number in
                agreed?.events.first { $0.number == number }?.event.description
            }
            return Group(
                name: group.name, policy: group.policy.rawValue, placements: placements,
                reason: agreed?.placement[group.name]?.reason, hold: hold, sticky: agreed?.admin.sticky[group.name],
                error: core.holdings.groups[group.name]?.failure?.reason
                    ?? (failedOn.isEmpty ? nil : "failed on \(failedOn.joined(separator: ", "))"),
                decision: decision, decidedIn: decidedIn)
        }
        if let current = agreed?.currentEvent {
            event = Event(
                number: current.number, description: current.event.description,
                runningMilliseconds: Int64((now - current.started) / .milliseconds(1)))
        }
        var flat: [String: UInt64] = [
            "packets_received": counters.received, "packets_accepted": counters.accepted,
            "packets_sent": counters.sent, "packets_send_failed": counters.sendFailed,
        ]
        for (reason, count) in counters.dropped { flat["packets_dropped_\(reason.rawValue)"] = count }
        self.counters = flat
    }

    private static func memberState(of node: String, core: ClusterNode, agreed: ClusterState?, at now: Moment)
        -> MemberState
    {
        if node == core.me && core.phase == .stopped { return .stopped }
        if agreed?.disconnected.contains(node) == true { return .disconnected }
        if agreed?.netpar.contains(node) == true { return .netpar }
        let seen = core.memberState(of: node, at: now)
        switch seen {
        case .down where node == core.me: return .joining
        case .up where agreed?.up.contains(node) != true: return .joining
        default: return MemberState(rawValue: seen.rawValue)!
        }
    }

    /// The service addresses on an interface: exactly, for this node; from the agreed holdings and
    /// active adapters for the others.
    private static func serviceAddresses(
        on interface: VigilModel.Interface, of node: String, core: ClusterNode, agreed: ClusterState?
    ) -> [String] {
        let config = core.config
        if node == core.me {
            var labels = core.holdings.groups.values.flatMap {
                $0.addressAdapters.filter { $0.value == interface.name }.map(\.key)
            }
            labels += core.holdings.ownAddresses.filter { $0.value == interface.name }.map(\.key)
            return labels.sorted()
        }
        guard let agreed, agreed.topology.nodes[node]?.active[interface.network] == interface.name else { return [] }
        let online = (agreed.holdings[node] ?? [:]).filter { $0.value == .online }.keys
        return online.flatMap { config.group(named: $0)?.serviceAddresses ?? [] }
            .filter { config.serviceAddress(labelled: $0)?.network == interface.network }
            .sorted()
    }
}
