import VigilCore
import VigilModel

extension HostDriver {
    /// What the node really holds now, read from the host: where its own service addresses are, and
    /// for every group (participating or not: a resource left behind counts) which resources are
    /// present.
    ///
    /// The rule for groups: all resources present → `.online`; none → not listed (offline); some but
    /// not all → `.error` with the present and missing resources as its failure. The core counts an
    /// `.error` group as held (for safety nobody else acquires it) and releases it, which removes the
    /// partial remains before the group is placed again. A group without resources is never listed.
    public func readHoldings() async -> Holdings {
        var holdings = Holdings()
        holdings.ownAddresses = await ownAddresses()
        for group in config.resourceGroups {
            if let holding = await holding(of: group) { holdings.groups[group.name] = holding }
        }
        return holdings
    }

    private func ownAddresses() async -> [String: String] {
        let own = config.node(named: node)?.interfaces.filter { $0.role == .service } ?? []
        let wanted = Dictionary(
            own.compactMap { interface in interface.address.map { (interface.label, $0) } },
            uniquingKeysWith: { first, _ in first })
        return await configuredAddresses(wanted)
    }

    private func holding(of group: ResourceGroup) async -> GroupHolding? {
        var present: [String] = []
        var missing: [String] = []
        func tally(_ name: String, _ isPresent: Bool) {
            if isPresent { present.append(name) } else { missing.append(name) }
        }

        let wanted = Dictionary(
            group.serviceAddresses.compactMap { label in
                config.serviceAddress(labelled: label).map { (label, $0.address) }
            }, uniquingKeysWith: { first, _ in first })
        let addressAdapters = await configuredAddresses(wanted)
        for name in group.volumeGroups { tally("volume group \(name)", await volumeGroupActive(name)) }
        for mountPoint in group.filesystems { tally("filesystem \(mountPoint)", storage.isMounted(mountPoint)) }
        for label in group.serviceAddresses { tally("address \(label)", addressAdapters[label] != nil) }
        for path in group.nfsExports { tally("export \(path)", await exported(path)) }
        for name in group.applications { tally("application \(name)", await applications.isRunning(name)) }

        if present.isEmpty { return nil }
        if missing.isEmpty { return GroupHolding(state: .online, addressAdapters: addressAdapters) }
        let failure =
            "partially present on \(node): has \(present.joined(separator: ", ")); missing "
            + "\(missing.joined(separator: ", "))"
        note("group \(group.name) " + failure)
        return GroupHolding(state: .error, addressAdapters: addressAdapters, failure: GroupFailure(.found, failure))
    }

    private func configuredAddresses(_ wanted: [String: IPv4Address]) async -> [String: String] {
        guard !wanted.isEmpty else { return [:] }
        switch await addresses.configured(wanted) {
        case .success(let found): return found
        case .failure(let failure):
            note("cannot read addresses: \(failure.reason); counting none as held")
            return [:]
        }
    }

    private func volumeGroupActive(_ name: String) async -> Bool {
        switch await storage.isActive(volumeGroup: name) {
        case .success(let active): return active
        case .failure(let failure):
            note("cannot read volume group \(name): \(failure.reason); counting it as inactive")
            return false
        }
    }

    private func exported(_ path: String) async -> Bool {
        guard let export = config.nfsExports.first(where: { $0.path == path }) else { return false }
        switch await storage.isExported(export) {
        case .success(let listed): return listed
        case .failure(let failure):
            note("cannot read NFS exports: \(failure.reason); counting \(path) as not exported")
            return false
        }
    }
}

extension HostDriver {
    /// The emergency plan for what `holdings` says the node holds: every held address (of groups and
    /// the node's own) on its device, the process groups of the applications started here, and —
    /// whatever the holdings — the applications' cgroup root, so that a plan written before any
    /// start covers every application that will ever start. With the loopback demo driver there
    /// is nothing on the host to remove, so the plan has no addresses.
    public func emergencyPlan(for holdings: Holdings) async -> EmergencyPlan {
        EmergencyPlan(
            addresses: emergencyAddresses(for: Protection(covering: holdings, in: config)),
            processGroups: applications.groups.current.values.sorted(),
            cgroups: applications.containment.root.map { [$0.path] } ?? [])
    }
}
