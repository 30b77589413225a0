import VigilModel

/// What each agreed event changes in the cluster state, and which administrator requests are refused.
extension Coordination {
    mutating func apply(_ event: ClusterEvent, at now: Moment) {
        let observed = observedTopology(at: now)
        defer { invalidateObserved() }
        switch event {
        case .nodeUp(let node):
            state.up.insert(node)
            state.upIncarnations[node] = state.members[node]
            state.topology.nodes[node] = observed.nodes[node] ?? NodeTopology()
            state.failures = state.failures.mapValues { $0.subtracting([node]) }
            state.admin.unmanaged = state.admin.unmanaged.filter { $0.value != node }
            state.admin.held = state.admin.held.filter { $0.value != .stoppedWith(node: node) }
            clearLooseHolds()
            for group in config.resourceGroups where group.nodes.first == node {
                state.primaryHasBeenUp.insert(group.name)
            }
        case .nodeDown(let node, let how):
            departing(node, how: how)
            state.up.remove(node)
            state.upIncarnations[node] = nil
            state.topology.nodes[node] = nil
            state.failures = state.failures.mapValues { $0.subtracting([node]) }
            clearLooseHolds()
        case .networkDown(let network, let node), .networkUp(let network, let node):
            for member in node.map({ [$0] }) ?? Array(state.up) where state.up.contains(member) {
                state.topology.nodes[member] = TopologyChange.take(
                    network, of: member, from: observed, into: state.topology, config: config)
            }
        case .swapAdapter(let node, let network, _, _):
            state.topology.nodes[node] = TopologyChange.take(
                network, of: node, from: observed, into: state.topology, config: config)
        case .failStandby(let node, let adapter), .joinStandby(let node, let adapter):
            guard let network = config.node(named: node)?.interfaces.first(where: { $0.name == adapter })?.network
            else { break }
            state.topology.nodes[node] = TopologyChange.take(
                network, of: node, from: observed, into: state.topology, config: config)
        case .rgMove(let request):
            applyRequest(request)
        case .reconfig(let version):
            state.pendingConfigVersion = version
        }
    }

    private mutating func departing(_ node: String, how: ClusterEvent.Departure) {
        switch how {
        case .failed, .takeover:
            break
        case .graceful:
            for group in config.resourceGroups where group.policy != .concurrent {
                if state.placement[group.name]?.nodes.contains(node) ?? false {
                    state.admin.held[group.name] = .stoppedWith(node: node)
                }
            }
        case .forced:
            for group in reports[node]?.holdings.heldGroups ?? [] {
                if config.group(named: group)?.policy != .concurrent { state.admin.unmanaged[group] = node }
            }
        }
    }

    /// The newest configuration version the cluster has: the agreed one, or a member's stored one.
    var newestConfigVersion: UInt64 {
        reports.values.reduce(state.configVersion) { max($0, $1.configVersion) }
    }

    /// Why a sync may not take `version`, or `nil` when it may.
    func refusal(ofConfigVersion version: UInt64, expecting: UInt64?) -> String? {
        guard rules.configVersionsFollowTheNewest else { return nil }
        let newest = newestConfigVersion
        if let expecting, expecting != newest {
            return "the cluster's configuration is version \(newest), not \(expecting) as expected (--expect-version)"
        }
        guard version == newest + 1 else {
            return "version \(version) is not the next one: the cluster's newest configuration is version \(newest) "
                + "(another sync came first)"
        }
        // A cluster whose members run different versions: the one that lags catches up first.
        for member in rankOrder(Set(state.members.keys)) {
            guard let running = reports[member]?.runningConfigVersion, running != state.activeConfigVersion else {
                continue
            }
            return "\(member) runs configuration version \(running), the cluster \(state.activeConfigVersion): a sync "
                + "waits until every member runs the cluster's version"
        }
        return nil
    }

    /// Non-sticky `rg offline` holds last until the next membership change.
    private mutating func clearLooseHolds() {
        state.admin.held = state.admin.held.filter { $0.value != .administrator(sticky: false) }
    }

    private mutating func applyRequest(_ request: AdminRequest) {
        switch request {
        case .move(let group, let node):
            state.admin.sticky[group] = node
            state.admin.held[group] = nil
            state.failures[group]?.remove(node)
        case .online(let group):
            state.admin.sticky[group] = nil
            state.admin.held[group] = nil
            state.failures[group] = nil
        case .offline(let group, let sticky):
            state.admin.sticky[group] = nil
            state.admin.held[group] = .administrator(sticky: sticky)
        case .acknowledge, .claimConfigVersion:
            break
        }
    }

    /// Why a request cannot be carried out now, or `nil` if it can. A refused request changes nothing.
    func refusal(of request: AdminRequest) -> String? {
        if case .claimConfigVersion(let version, let expecting) = request {
            return refusal(ofConfigVersion: version, expecting: expecting)
        }
        guard let name = request.group else {
            return state.tooLong ? nil : "the cluster is not UNSTABLE: there is nothing to acknowledge"
        }
        guard let group = config.group(named: name) else {
            return
                "no resource group named \(name); groups: \(config.resourceGroups.map(\.name).joined(separator: ", "))"
        }
        if state.tooLong { return "the cluster is UNSTABLE (an event ran too long); resolve it first" }
        if let holder = state.admin.unmanaged[group.name] {
            return
                "\(group.name) is running unmanaged on \(holder) after a forced stop; start cluster services there "
                + "first"
        }
        guard case .move(_, let node) = request else { return nil }
        if group.policy == .concurrent {
            return "\(group.name) is concurrent: it runs on every eligible node and cannot be moved"
        }
        guard group.nodes.contains(node) else {
            return "\(node) does not participate in \(group.name) (nodes: \(group.nodes.joined(separator: ", ")))"
        }
        guard state.up.contains(node) else { return "\(node) is not up in the cluster" }
        var probe = state
        probe.failures[group.name]?.remove(node)
        guard Placement.isEligible(node, for: group, config: config, state: probe) else {
            let missing = config.requiredNetworks(of: group).sorted().filter { !state.topology.isUp($0, on: node) }
            return "\(node) cannot hold \(group.name): network \(missing.joined(separator: ", ")) is down there"
        }
        return nil
    }
}
