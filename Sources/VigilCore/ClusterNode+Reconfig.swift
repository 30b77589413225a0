import VigilModel

/// A member's side of live reconfiguration: it runs the configuration version the agreed state
/// names (`ClusterState.activeConfigVersion`) as soon as it has it, keeping what it knows of paths,
/// peers and holdings (see `Coordination+Reconfig` for how the cluster gets there).
extension ClusterNode {
    /// A node in no view runs the newest version it stores, as it would after a restart: there is
    /// no agreed version to follow, and the cluster it joins runs that version or will (a member
    /// comes up only once it runs the cluster's version).
    mutating func runNewestOutOfView(at now: Moment) {
        guard installed == nil, versions.newest > versions.running,
            versions.config(for: versions.newest)?.node(named: me) != nil
        else { return }
        switchConfiguration(to: versions.newest, at: now)
    }

    /// Runs the version `state` names when this node runs another and stores it. A node that the
    /// version removes stops cluster services instead (it released its groups before the version
    /// became active).
    mutating func followActiveConfiguration(of state: ClusterState, at now: Moment) {
        let version = state.activeConfigVersion
        guard version != versions.running, let next = versions.config(for: version) else { return }
        guard next.node(named: me) != nil else {
            // Unless a newer version it stores adds it back: the cluster runs that one next.
            if versions.config(for: versions.newest)?.node(named: me) == nil {
                leaveRemoved(by: version, why: "", at: now)
            }
            return
        }
        switchConfiguration(to: version, at: now)
    }

    /// Runs `version`, which this node stores and which names it.
    private mutating func switchConfiguration(to version: UInt64, at now: Moment) {
        guard let next = versions.config(for: version) else { return }
        let was = versions.running
        let tiebreakerChanged =
            (config.quorum, config.tiebreaker, config.largestIPHeartbeatInterval)
            != (next.quorum, next.tiebreaker, next.largestIPHeartbeatInterval)
        versions.run(version)
        topology.reconfigure(to: next, version: version)
        executor.reconfigure(to: next)
        // A group still online as an older version defined it (a version that ran without the
        // reconfig's release step: this node or its coordinator lacked a version) is released here;
        // the coordinator's usual rounds acquire it again as the running version defines it.
        if rules.reconfigurationReleasesFirst {
            for group in executor.onlineUnderOldDefinitions { executor.enqueue(.release(group)) }
        }
        if tiebreakerChanged { tiebreaker = Self.tiebreakerLease(config: next, me: me, incarnation: incarnation) }
        coordination?.versions = versions
        leaseMemo = nil
        installedRings = nil
        output.work.append(.runConfiguration(version: version))
        log(now, .cluster, "\(me) runs configuration version \(version) (was \(was))")
    }
}

extension ClusterNode {
    /// Stops cluster services on a node that configuration `version` removes.
    mutating func leaveRemoved(by version: UInt64, why: String, at now: Moment) {
        guard leaving == nil else { return }
        log(
            now, .cluster,
            "configuration version \(version) removes \(me) from the cluster\(why): stopping cluster services")
        leaving = .graceful
        releaseEverything()
    }

    /// A node whose newest stored version removes it, and that no member has confirmed (any more,
    /// or yet) for as long as a newer version takes to be pushed (`ConfigSync.announceInterval`),
    /// has been removed: the members run that version and ignore it, so the state that made the
    /// version active may never reach it. It stops as a removed node does (it released what it
    /// held when its lease ran out; had the version not run yet, it was about to remove it anyway).
    mutating func leaveIfRemovedUnheard(at now: Moment) {
        let newest = versions.newest
        guard leaving == nil, phase == .running, newest > versions.running,
            versions.config(for: newest)?.node(named: me) == nil, !hasLease(at: now)
        else {
            removalNoticed = nil
            return
        }
        // For as long as a newer version, which may add it back, takes to be pushed here.
        let since = removalNoticed ?? now
        removalNoticed = since
        guard now - since >= ConfigSync.announceInterval else { return }
        leaveRemoved(by: newest, why: " and no member confirms it any more", at: now)
    }

    /// Why a live reconfiguration cannot start now, or `nil` when it can: the cluster must be
    /// stable, no group may be being acquired or released, and every member of the view must
    /// answer. (A refused sync changes nothing; the administrator tries again.)
    public func reconfigurationRefusal(at now: Moment) -> String? {
        guard phase == .running, let state = installed else {
            return "\(me) is in no view: a sync needs the coordinator to grant its version"
        }
        if state.tooLong { return "the cluster is UNSTABLE (an event ran too long): resolve it first" }
        if let event = state.currentEvent { return "the cluster is not stable: event \(event.event) is running" }
        if let version = state.pendingConfigVersion { return "reconfig \(version) is under way" }
        if state.round != nil { return "the cluster is not stable: a recovery round is under way" }
        for (node, groups) in state.holdings.sorted(by: { $0.key < $1.key }) {
            for (group, held) in groups.sorted(by: { $0.key < $1.key })
            where held == .acquiring || held == .releasing {
                return "\(group) is being \(held == .acquiring ? "acquired" : "released") on \(node)"
            }
        }
        let answering = reachable(at: now)
        let silent = config.nodes.map(\.name).filter { state.members[$0] != nil && !answering.contains($0) }
        if !silent.isEmpty {
            return "\(silent.joined(separator: ", ")) of view \(state.epoch) \(silent.count == 1 ? "does" : "do") not "
                + "answer \(me)"
        }
        return nil
    }
}
