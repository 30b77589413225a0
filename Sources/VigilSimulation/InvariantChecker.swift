import VigilCore
import VigilModel

/// A broken invariant: what, when, and on which run.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    public var time: Moment
    public var text: String

    public init(time: Moment, text: String) {
        self.time = time
        self.text = text
    }

    public var description: String { "\(time) \(text)" }
}

/// The properties that must hold in every run, checked against the hosts' truth:
/// - never two owners: no resource of a non-concurrent group active on two hosts at once, and no
///   service address on two hosts at once (a paused or cut-off host still counts as holding);
/// - once the cluster is stable, every running node agrees on the state, holds exactly what the
///   agreed placement gives it, and no group stays offline while a node could hold it.
public struct InvariantChecker: Sendable {
    /// The hosts and wires of the run: the first configuration's nodes, networks and service
    /// addresses, and those a plan's synced files add (`PlanHosts`). They stay for the whole run.
    public let config: ClusterConfig
    /// Every configuration version of the run, the first one as version 0 (a `vigil sync` adds one;
    /// a `reconfig` makes the cluster run it).
    public var versions: [UInt64: ClusterConfig]

    /// `config`: the first configuration (version 0); `world`: the hosts when they are more (the
    /// first configuration's when nil).
    public init(config: ClusterConfig, world: ClusterConfig? = nil) {
        self.config = world ?? config
        self.versions = [0: config]
    }

    /// The configuration of the version an agreed state runs.
    public func config(of state: ClusterState) -> ClusterConfig {
        versions[state.activeConfigVersion] ?? versions[0]!
    }

    /// Never two owners, under every version's definition of every group (a group that is
    /// concurrent in some version is left out: it may run on several nodes while that one runs).
    public func checkSafety(hosts: [String: SimHost], at now: Moment, into violations: inout [Violation]) {
        let every = versions.keys.sorted().map { versions[$0]! }
        let concurrent = Set(every.flatMap { $0.resourceGroups.filter { $0.policy == .concurrent }.map(\.name) })
        var checked: Set<String> = []
        for version in every {
            for group in version.resourceGroups where !concurrent.contains(group.name) {
                let owners = config.nodes.map(\.name).filter { hosts[$0]?.resources.holdsAnything(of: group) ?? false }
                if owners.count > 1, checked.insert(group.name).inserted {
                    violations.append(
                        Violation(
                            time: now, text: "two owners: \(group.name) is held by \(owners.joined(separator: " and "))"
                        ))
                }
            }
        }
        for service in config.serviceAddresses {
            let holders = config.nodes.map(\.name).filter { hosts[$0]?.resources.addresses[service.label] != nil }
            if holders.count > 1 {
                violations.append(
                    Violation(
                        time: now,
                        text:
                            "address \(service.label) \(service.address) configured on "
                            + "\(holders.joined(separator: " and "))"
                    ))
            }
        }
    }

    /// The agreed state every running node has installed, when they all have the same stable one.
    public func agreedStableState(hosts: [String: SimHost]) -> ClusterState? {
        let cores = config.nodes.compactMap { hosts[$0.name]?.core }
        guard let first = cores.first?.installed, first.isStable else { return nil }
        for core in cores {
            guard let state = core.installed, state.epoch == first.epoch, state.seq == first.seq else { return nil }
        }
        return first
    }

    /// Checks a stable cluster: agreement, holdings matching placement (but on a node that waits
    /// after a lost lease, `LeaseLossBackoff`), truth matching holdings, and no group offline that
    /// an eligible node could hold. `networksWorking` says, from the
    /// simulator's truth, whether a node can use a network.
    public func checkStable(
        hosts: [String: SimHost], at now: Moment, networksWorking: (String, String) -> Bool,
        into violations: inout [Violation]
    ) {
        guard let state = agreedStableState(hosts: hosts) else {
            violations.append(
                Violation(time: now, text: "running nodes do not agree on one stable state: " + describeStates(hosts)))
            return
        }
        let config = config(of: state)
        let running = Set(config.nodes.map(\.name).filter { hosts[$0]?.core != nil })
        for node in running.sorted() where hosts[node]!.core!.versions.running != state.activeConfigVersion {
            violations.append(
                Violation(
                    time: now,
                    text:
                        "\(node) runs configuration version \(hosts[node]!.core!.versions.running), the cluster "
                        + "\(state.activeConfigVersion)"))
        }
        if Set(state.members.keys) != running {
            violations.append(
                Violation(
                    time: now,
                    text:
                        "view \(state.epoch) has \(state.members.keys.sorted()) but running nodes are "
                        + "\(running.sorted())"
                ))
        }
        for group in config.resourceGroups {
            let placed = state.placement[group.name]?.nodes ?? []
            for node in running {
                let holding = hosts[node]!.core!.holdings.state(of: group.name)
                let truth = hosts[node]!.resources.holdsAll(of: group)
                let wanted = placed.contains(node)
                // A node waiting after a lost lease takes what it was given only once the wait ends.
                let waits = wanted && holding != .online && !truth && hosts[node]!.core!.waitsAfterLeaseLoss(at: now)
                if !waits && (wanted != (holding == .online) || (holding == .online) != truth) {
                    violations.append(
                        Violation(
                            time: now,
                            text:
                                "\(group.name) on \(node): placement says \(wanted ? "online" : "offline"), core "
                                + "says \(holding.rawValue), host \(truth ? "has" : "lacks") it"
                        ))
                }
            }
            if placed.isEmpty, state.admin.held[group.name] == nil, state.admin.unmanaged[group.name] == nil,
                group.inactiveTakeover || group.policy != .cascading || state.primaryHasBeenUp.contains(group.name)
            {
                let eligible = group.nodes.filter { node in
                    running.contains(node) && !(state.failures[group.name]?.contains(node) ?? false)
                        && config.requiredNetworks(of: group).allSatisfy { networksWorking(node, $0) }
                }
                if !eligible.isEmpty {
                    violations.append(
                        Violation(
                            time: now,
                            text:
                                "\(group.name) is offline though \(eligible.joined(separator: ", ")) could hold it "
                                + "(\(state.placement[group.name]?.reason ?? "no placement"))"
                        ))
                }
            }
        }
    }

    private func describeStates(_ hosts: [String: SimHost]) -> String {
        config.nodes.compactMap { node in
            hosts[node.name]?.core.map { core in
                let state = core.installed.map { "\($0.epoch).\($0.seq)\($0.isStable ? "" : " unstable")" } ?? "none"
                return "\(node.name)=\(state)"
            }
        }.joined(separator: " ")
    }
}
