import VigilModel

/// The coordinator's side of live reconfiguration (DARE, the `reconfig` event). A version every
/// member stores becomes the one the cluster runs in three moves, each agreed like any other:
///
/// 1. `reconfig V` starts when the cluster is stable and every member reports it stores `V`
///    (`pendingConfigVersion = V`).
/// 2. Under the running version, every group the new one removes, restarts or places elsewhere is
///    released where it is held (and everything a node the new version removes holds).
/// 3. Once none is held where it must not be, `activeConfigVersion = V`: every member runs `V` from
///    the state that says so, placement is computed under it, and groups are acquired as usual.
///
/// A member that fails meanwhile is handled after the event, as any failure during an event; a
/// coordinator that fails leaves the event to the next, which finds it in the agreed state: the
/// new version becomes active on every survivor or on none.
extension Coordination {
    /// Runs the configuration of the agreed active version, when this coordination planned with
    /// another (a new view carried a state from members that ran a newer one). Returns whether it
    /// can plan: `false` while this node does not have that version yet.
    mutating func followActiveConfiguration(at now: Moment) -> Bool {
        let active = state.activeConfigVersion
        guard active != configVersion else { return true }
        if active < configVersion {
            moveForwardToRunningVersion()
            return true
        }
        guard let next = versions.config(for: active) else { return reconfigureWithoutActiveVersion(at: now) }
        config = next
        configVersion = active
        invalidateObserved()
        return true
    }

    /// A state older than the version this node runs (which only a state the cluster agreed made
    /// active): the cluster runs this node's version, and members that have it follow. Nodes and
    /// groups it does not know are dropped from the state (a removed node is no longer up); the
    /// usual rounds then release what no version places, and members restart what they hold under
    /// an older definition.
    private mutating func moveForwardToRunningVersion() {
        outcome.notes.append(
            "the agreed state names configuration version \(state.activeConfigVersion), older than version "
                + "\(configVersion), which \(state.coordinator) runs: the cluster runs version \(configVersion)")
        state = state.adapted(from: config, to: config)
        state.activeConfigVersion = configVersion
        if let pending = state.pendingConfigVersion, pending <= configVersion { state.pendingConfigVersion = nil }
        replan(because: "configuration version \(configVersion)")
    }

    /// This node lacks the version the cluster runs (it was down when that version was pushed, and
    /// only the newest is pushed), so it cannot plan under it; a newer version it has becomes the
    /// cluster's as soon as every member stores it, planned with that version only (members
    /// restart what they hold under an older definition). Returns whether it could start that.
    private mutating func reconfigureWithoutActiveVersion(at now: Moment) -> Bool {
        let active = state.activeConfigVersion
        guard state.currentEvent == nil, state.round == nil, let target = reconfigurationDue(),
            let newer = versions.config(for: target)
        else {
            if announcedWaits.insert("config \(active)").inserted {
                outcome.notes.append(
                    "waiting for configuration version \(active), which the cluster runs, or for every member to "
                        + "store a newer one")
            }
            return false
        }
        config = newer
        configVersion = target
        invalidateObserved()
        outcome.notes.append(
            "\(state.coordinator) does not have configuration version \(active), which the cluster runs: it makes "
                + "version \(target), which every member stores, the cluster's")
        start(.reconfig(version: target), at: now)
        return true
    }

    /// The version a `reconfig` event would activate now, if any: the newest this node stores, once
    /// every member reports storing it and runs the active one, with the cluster stable and whole.
    func reconfigurationDue() -> UInt64? {
        let target = versions.newest
        guard target > state.activeConfigVersion, versions.config(for: target) != nil, !state.tooLong,
            state.netpar.isEmpty, state.disconnected.isEmpty
        else { return nil }
        for member in state.members.keys {
            guard let report = reports[member], report.configVersion == target, report.leaving == nil else {
                return nil
            }
            if state.up.contains(member) && report.runningConfigVersion != state.activeConfigVersion { return nil }
        }
        return target
    }

    /// One move of the `reconfig` event under way: release what the new version stops or moves,
    /// then activate it. Returns whether the state moved.
    mutating func advanceReconfiguration(to version: UInt64, at now: Moment) -> Bool {
        guard let new = versions.config(for: version) else {
            if announcedWaits.insert("config \(version)").inserted {
                outcome.notes.append(
                    "reconfig \(version) waits for configuration version \(version) to reach \(state.coordinator)")
            }
            return false
        }
        let releases = rules.reconfigurationReleasesFirst ? reconfigurationReleases(to: new) : [:]
        if !releases.isEmpty {
            let round = RecoveryRound(number: state.nextRoundNumber, kind: .release, work: releases)
            state.round = round
            state.nextRoundNumber += 1
            outcome.notes.append("round \(round.number): release for reconfig \(version) " + describe(releases))
            return true
        }
        // A node the new version removes that left the view may still hold what it had until its
        // lease has run out: the new version, which does not know it, waits until then.
        if let node = safeAfter.filter({ new.node(named: $0.key) == nil && now < $0.value }).keys.sorted().first {
            if announcedWaits.insert("reconfig \(version) \(node)").inserted {
                outcome.notes.append(
                    "reconfig \(version) waits until \(node), which it removes, has certainly released what it held")
            }
            return false
        }
        let old = config
        state = state.adapted(from: old, to: new)
        // The networks it adds count as up (`adapted`) until their first heartbeats had time to come.
        for network in new.networks where old.network(named: network.name) == nil {
            networksJudgedFrom[network.name] = now + new.heartbeat(for: network).detectionTime * 2
        }
        state.activeConfigVersion = version
        state.pendingConfigVersion = nil
        config = new
        configVersion = version
        invalidateObserved()
        outcome.notes.append("configuration version \(version) is the cluster's from this state on")
        replan(because: "reconfig \(version)")
        return true
    }

    /// What each member must release before `new` runs: groups it removes, groups whose resources
    /// changed (they restart), groups it places elsewhere, and everything on nodes it removes.
    func reconfigurationReleases(to new: ClusterConfig) -> [String: [String]] {
        let carried = state.adapted(from: config, to: new)
        let target = Placement.compute(config: new, state: carried)
        let changes = ConfigDifference(from: config, to: new).changes
        var releases: [String: [String]] = [:]
        for node in rankOrder(Set(state.members.keys)) {
            guard let report = reports[node] else { continue }
            let removed = new.node(named: node) == nil
            for name in releaseOrder(report.holdings.heldGroups) {
                let holding = report.holdings.groups[name]!
                if holding.state == .error && holding.failure?.stage == .release { continue }
                let release: Bool
                if removed {
                    release = true
                } else if let group = new.group(named: name) {
                    let wanted = target[name]?.nodes.contains(node) ?? false
                    release =
                        !wanted
                        || ReconfigurationPreview.restartReason(of: group, old: config, changes: changes) != nil
                } else {
                    release = true
                }
                if release { releases[node, default: []].append(name) }
            }
        }
        return releases
    }

    /// Held groups in the order to release them: those the running configuration does not know
    /// first, then the others in reverse configured order (as recovery releases).
    private func releaseOrder(_ held: [String]) -> [String] {
        let configured = config.resourceGroups.map(\.name)
        let unknown = held.filter { !configured.contains($0) }
        return unknown + configured.reversed().filter(held.contains)
    }
}
