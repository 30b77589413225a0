import VigilCore

/// Plays the daemons' part in `vigil sync` for the fuzzer and checks that no configuration version
/// is ever taken by two syncs. A node uses a granted version as the daemon does
/// (`DaemonLoop.answerSyncClaim`): once the coordinator's reply said yes and the agreed state it
/// installed names its grant; it then stores it (`ClusterNode.configurationStored`), and tells
/// a core that booted again what it stores, as a daemon reads it from its disk.
struct ConfigVersionWatch {
    /// Each version used, by which node and request.
    var taken: [UInt64: (node: String, request: UInt64)] = [:]
    /// What each node stores (on its disk, so it outlives crashes).
    var stored: [String: UInt64] = [:]
    var violations: [Violation] = []

    mutating func observe(_ simulator: Simulator) {
        for node in simulator.config.nodes.map(\.name) {
            guard let core = simulator.hosts[node]?.core else { continue }
            if let mine = stored[node], core.storedConfigVersion < mine {
                simulator.configurationStored(version: mine, on: node)
            }
            guard let installed = core.installed else { continue }
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
                stored[node] = max(stored[node] ?? 0, version)
                simulator.configurationStored(version: version, on: node)
            }
        }
    }
}
