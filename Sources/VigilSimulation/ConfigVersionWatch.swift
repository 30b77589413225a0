import VigilCore

/// Plays the daemons' part in `vigil sync` for the fuzzer and checks that no configuration version
/// is ever taken by two syncs. A node uses a granted version as the daemon does
/// (`DaemonLoop.answerSyncClaim`): once the coordinator's reply said yes and the agreed state it
/// installed names its grant. The version's configuration is a random verified change of the newest
/// one (`RandomReconfiguration`); the syncing node stores it, and every running node stores the
/// newest version a moment later, as `ConfigSync`'s push would (a node that was down gets it when
/// it runs again). The cluster then runs it live (`reconfig`).
struct ConfigVersionWatch {
    /// Each version used, by which node and request.
    var taken: [UInt64: (node: String, request: UInt64)] = [:]
    /// The newest version taken and when.
    var newest: (version: UInt64, at: Moment)?
    /// Nodes a version added back, to be started once their cluster services stopped.
    var addedBack: Set<String> = []
    var violations: [Violation] = []

    /// How long a push takes to reach the other nodes.
    static let pushDelay: Duration = .milliseconds(300)

    mutating func observe(_ simulator: Simulator) {
        for node in simulator.config.nodes.map(\.name) {
            guard let core = simulator.hosts[node]?.core, let installed = core.installed else { continue }
            for reply in core.answers where reply.refusal == nil {
                guard case .claimConfigVersion(let version, _) = reply.request,
                    installed.configGrants.contains(ConfigGrant(version: version, origin: node, request: reply.id))
                else { continue }
                if let earlier = taken[version] {
                    if earlier.node != node || earlier.request != reply.id {
                        violations.append(
                            Violation(
                                time: simulator.now,
                                text:
                                    "configuration version \(version) taken by two syncs: on \(earlier.node) and on "
                                    + "\(node)"))
                    }
                    continue
                }
                taken[version] = (node, reply.id)
                // Like the daemon: a grant older than what is stored here is not stored.
                guard version > simulator.hosts[node]!.storedConfigVersion else { continue }
                let base = simulator.configuration(newest?.version ?? simulator.hosts[node]!.storedConfigVersion)
                let (config, changes) = RandomReconfiguration.changed(
                    base, all: simulator.config, version: version, using: &simulator.random)
                simulator.trace?(
                    "\(simulator.now) \(node) syncs configuration version \(version): "
                        + (changes.isEmpty ? "no change" : changes.joined(separator: "; ")))
                simulator.defineConfiguration(config, version: version)
                if version > newest?.version ?? 0 { newest = (version, simulator.now) }
                simulator.configurationStored(version: version, on: node)
                // A node the version adds back: the administrator starts it once its cluster
                // services stopped (it may still be leaving); it joins once the cluster runs it.
                addedBack.formUnion(config.nodes.map(\.name).filter { base.node(named: $0) == nil })
            }
        }
        for node in addedBack.sorted() {
            guard let host = simulator.hosts[node], host.core == nil else { continue }
            addedBack.remove(node)
            // Down (crashed): it is started when the schedule restarts it.
            if host.isUp { simulator.start(node) }
        }
        guard let newest, simulator.now - newest.at >= Self.pushDelay else { return }
        for node in simulator.config.nodes.map(\.name) {
            guard let host = simulator.hosts[node], host.core != nil, host.storedConfigVersion < newest.version else {
                continue
            }
            simulator.configurationStored(version: newest.version, on: node)
        }
    }
}
