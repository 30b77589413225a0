import VigilModel

/// The resource groups of a keepalived cluster: one per sync group, one per instance in none.
extension KeepalivedBuilder {
    /// A group to build: its name, its instances, and the file and line that define it.
    struct PlannedGroup {
        var name: String
        var instances: [String]
        var file: String
        var line: Int
    }

    func plannedGroups() -> [PlannedGroup] {
        var planned: [PlannedGroup] = []
        var grouped = Set<String>()
        for machine in machines {
            for sync in machine.syncGroups where !planned.contains(where: { $0.name == sync.name }) {
                planned.append(
                    PlannedGroup(name: sync.name, instances: sync.members, file: machine.file, line: sync.line))
                grouped.formUnion(sync.members)
            }
        }
        for machine in machines {
            for instance in machine.instances where !grouped.contains(instance.name) {
                grouped.insert(instance.name)
                planned.append(
                    PlannedGroup(
                        name: instance.name, instances: [instance.name], file: machine.file, line: instance.line))
            }
        }
        return planned
    }

    mutating func buildGroups() {
        let planned = plannedGroups()
        var groupNames = Set<String>()
        var checkUse: [String: Int] = [:]
        for group in planned {
            let tracked = Set(group.instances.flatMap { trackedChecks(of: $0).map(\.name) })
            for name in tracked { checkUse[name, default: 0] += 1 }
        }
        for plan in planned {
            let name = ConvertedNames.unique(ConvertedNames.identifier(plan.name, fallback: "group"), in: &groupNames)
            let nodes = orderedNodes(plan)
            guard !nodes.isEmpty else {
                note(
                    .notConverted, plan.file, plan.line,
                    "vrrp_sync_group \(plan.name) has no instance of this "
                        + "configuration; not converted")
                continue
            }
            let noPreempt = machines.contains { machine in
                machine.instances.contains { plan.instances.contains($0.name) && $0.noPreempt }
            }
            var group = ResourceGroup(
                name: name, policy: noPreempt ? .rotating : .cascading, nodes: nodes, inactiveTakeover: true)
            group.serviceAddresses = serviceAddresses(plan)
            group.applications = applications(plan, group: name, shared: checkUse)
            config.resourceGroups.append(group)
        }
    }

    /// The nodes that have one of the group's instances, highest priority first (file order among
    /// equals, noted).
    mutating func orderedNodes(_ plan: PlannedGroup) -> [String] {
        var ranked: [(name: String, priority: Int, order: Int)] = []
        for (index, machine) in machines.enumerated() {
            guard let instance = machine.instances.first(where: { plan.instances.contains($0.name) }) else { continue }
            ranked.append((names[index], instance.priority, index))
        }
        ranked.sort { ($0.priority, -$0.order) > ($1.priority, -$1.order) }
        for (lhs, rhs) in zip(ranked, ranked.dropFirst()) where lhs.priority == rhs.priority {
            note(
                .assumed, plan.file, plan.line,
                "\(plan.name): \(lhs.name) and \(rhs.name) have the same priority "
                    + "\(lhs.priority); \(lhs.name) (given first) comes first")
        }
        // Nodes named only on the command line (--address) come after those of the files.
        return ranked.map(\.name) + config.nodes.dropFirst(machines.count).map(\.name)
    }

    /// The group's virtual addresses as service addresses, each address once in the cluster.
    mutating func serviceAddresses(_ plan: PlannedGroup) -> [String] {
        var result: [String] = []
        for instanceName in plan.instances {
            guard let network = networkOf[instanceName] else { continue }
            var count = 0
            for machine in machines {
                guard let instance = machine.instances.first(where: { $0.name == instanceName }) else { continue }
                for virtual in instance.addresses {
                    if let existing = config.serviceAddresses.first(where: { $0.address == virtual.address }) {
                        if !result.contains(existing.label) && machine.file == plan.file {
                            note(
                                .notConverted, machine.file, virtual.line,
                                "\(virtual.address) is already a service "
                                    + "address of another group (\(existing.label)); a resource belongs to one group")
                        }
                        continue
                    }
                    let label = ConvertedNames.unique(
                        ConvertedNames.identifier(
                            "\(instanceName)_\(count + 1)",
                            fallback: "vip"), in: &labels)
                    config.serviceAddresses.append(
                        ServiceAddress(label: label, address: virtual.address, network: network))
                    result.append(label)
                    count += 1
                }
            }
        }
        return result
    }

    /// The checks tracked by an instance on any node, each once, in the order first named.
    func trackedChecks(of instanceName: String) -> [(name: String, file: String, line: Int)] {
        var result: [(name: String, file: String, line: Int)] = []
        for machine in machines {
            for instance in machine.instances where instance.name == instanceName {
                for tracked in instance.trackScripts + instance.trackProcesses
                where !result.contains(where: { $0.name == tracked.name }) {
                    result.append((tracked.name, machine.file, tracked.line))
                }
            }
        }
        return result
    }

    /// The checks of the group's instances as monitored applications; a check several groups track
    /// becomes one application per group (a resource belongs to one group).
    mutating func applications(_ plan: PlannedGroup, group: String, shared: [String: Int]) -> [String] {
        var result: [String] = []
        for instanceName in plan.instances {
            for tracked in trackedChecks(of: instanceName) {
                guard let at = machines.firstIndex(where: { $0.checks[tracked.name] != nil }),
                    let check = machines[at].checks[tracked.name]
                else {
                    note(
                        .notConverted, tracked.file, tracked.line,
                        "\(tracked.name) names no vrrp_script or "
                            + "vrrp_track_process; not converted")
                    continue
                }
                machines[at].checks[tracked.name]?.used = true
                let base = (shared[tracked.name] ?? 0) > 1 ? "\(group)_\(tracked.name)" : tracked.name
                let name = ConvertedNames.identifier(base, fallback: "check")
                guard config.application(named: name) == nil, !result.contains(name) else { continue }
                config.applications.append(
                    Application(
                        name: name, start: "true", stop: "true", monitor: check.command,
                        monitorTimeout: check.timeout ?? check.interval, monitorInterval: check.interval,
                        restartCount: 0))
                note(
                    .assumed, machines[at].file, check.line,
                    "application \(name) monitors '\(check.command)' and "
                        + "moves \(group) when it fails; keepalived did not start it, so start and stop are 'true': "
                        + "give them if Vigil should run it")
                result.append(name)
            }
        }
        return result
    }
}

/// What the keepalived files leave out, reported for the administrator to add.
extension KeepalivedBuilder {
    mutating func reportUnused() {
        for machine in machines {
            for check in machine.checks.values.sorted(by: { $0.line < $1.line }) where !check.used {
                note(.notConverted, machine.file, check.line, "\(check.name) is tracked by no instance; not converted")
            }
        }
    }

    mutating func reportMissing() {
        let file = machines.first?.file ?? "keepalived"
        if machines.allSatisfy({ $0.instances.isEmpty }) {
            note(
                .mustAdd, file, 0,
                "there is no vrrp_instance: nothing moves between nodes; add the networks, "
                    + "the nodes' addresses and the resource groups")
        }
        for network in config.networks.map(\.name) {
            for peer in unclaimedPeers(on: network) {
                note(
                    .mustAdd, peer.file, peer.line,
                    "the node at \(peer.address) (unicast_peer) is described by no "
                        + "file: pass its keepalived.conf too, or name it with --address NODE=\(peer.address)")
            }
        }
        for node in config.nodes {
            for interface in node.interfaces where interface.address == nil {
                note(
                    .mustAdd, file, 0,
                    "node \(node.name) has no address on network \(interface.network) "
                        + "(multicast VRRP does not need one): add it to its \(interface.name) interface, or pass "
                        + "--address \(node.name)=ADDRESS")
            }
        }
        if config.nodes.count == 1 {
            note(
                .mustAdd, file, 0,
                "a keepalived.conf describes one machine, so the cluster has one node: pass "
                    + "the file of every node (vigil convert --from keepalived node1.conf node2.conf), or name the "
                    + "others with --address NODE=ADDRESS")
        }
    }
}
