/// Quorum, the tiebreaker disk and the dead man switch: what keeps a group from having two owners.
extension Verifier {
    /// The quorum policy is safe for this cluster: `none` and a two-node `majority` are warned
    /// about; `disk` needs a tiebreaker that is a disk heartbeat network on every node; a tiebreaker
    /// with another policy is ignored (warning).
    static func checkQuorum(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        var found: [Diagnostic] = []
        switch config.quorum {
        case .none:
            found.append(
                context.warning(
                    quorumPolicyPath(context),
                    """
                    quorum policy none lets every side of a partition carry on: a cut network can give a group \
                    two owners; use policy: majority (three or more nodes) or policy: disk with a tiebreaker
                    """))
        case .majority where config.nodes.count == 2:
            let shown = context.sourceMap.locations["quorum"] == nil ? "majority (the default)" : "majority"
            found.append(
                context.warning(
                    quorumPolicyPath(context),
                    """
                    quorum policy \(shown) in a two-node cluster: a single node is never a majority, so either \
                    node failing stops every group; use policy: disk with tiebreaker: a disk heartbeat network \
                    on both nodes
                    """))
        case .majority, .disk:
            break
        }
        if config.quorum == .disk {
            found += checkTiebreaker(context)
        } else if let tiebreaker = config.tiebreaker {
            found.append(
                context.warning(
                    "quorum.tiebreaker",
                    """
                    tiebreaker \(tiebreaker) is ignored with quorum policy \(config.quorum.rawValue); remove it, \
                    or use policy: disk
                    """))
        }
        return found
    }

    /// Where a quorum diagnostic points: the policy when the section is written, else the nodes.
    static func quorumPolicyPath(_ context: VerifyContext) -> String {
        context.sourceMap.locations["quorum"] == nil ? "nodes" : "quorum.policy"
    }

    /// With `policy: disk`, the tiebreaker is a disk heartbeat network that every node is on: a node
    /// that cannot reach the lease can neither win a tie nor know that it lost one.
    static func checkTiebreaker(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        let disks = config.networks.filter(\.isDisk).map(\.name)
        guard let name = config.tiebreaker else {
            let example = disks.first ?? "dhb"
            let choices =
                disks.isEmpty
                ? "define a network of type disk on shared storage, attached to every node"
                : "disk networks: \(VerifyContext.list(disks))"
            return [
                context.error(
                    "quorum.policy",
                    """
                    quorum policy disk needs a tiebreaker: add tiebreaker: \(example) naming the disk heartbeat \
                    network whose device holds the lease (\(choices))
                    """)
            ]
        }
        guard let network = config.network(named: name) else {
            return [
                context.error(
                    "quorum.tiebreaker",
                    """
                    tiebreaker \(name) is not a defined network\(VerifyContext.suggestion(name, among: disks)); \
                    name a network of type disk: \(VerifyContext.list(disks))
                    """)
            ]
        }
        guard network.isDisk else {
            let kind = network.isSerial ? "a serial link" : "an IP network"
            return [
                context.error(
                    "quorum.tiebreaker",
                    """
                    tiebreaker \(name) is \(kind), not a disk heartbeat network; the lease lives on a shared \
                    disk: name a network of type disk (\(VerifyContext.list(disks)))
                    """)
            ]
        }
        let missing = config.nodes.filter { !$0.networks.contains(name) }.map(\.name)
        guard missing.isEmpty else {
            return [
                context.error(
                    "quorum.tiebreaker",
                    """
                    tiebreaker disk \(name) is not attached to \(VerifyContext.list(missing)): a node that cannot \
                    reach the lease can neither win a tie nor learn that it lost one; add an interface on \(name) \
                    to each of them
                    """)
            ]
        }
        return []
    }

    /// The dead man switch trips after a positive interval that outlasts one lost heartbeat; the
    /// release allowance is positive.
    static func checkDeadManSwitch(_ context: VerifyContext) -> [Diagnostic] {
        let config = context.config
        let trip = config.tuning.tripInterval
        var found: [Diagnostic] = []
        if trip <= .zero {
            found.append(
                context.error(
                    "tuning.dead_man_switch",
                    """
                    dead_man_switch must be more than 0, e.g. 600ms: it is how long a node keeps its groups \
                    without hearing a quorum
                    """))
        } else if config.networks.contains(where: \.isIP), trip < config.largestIPHeartbeatInterval * 2 {
            let interval = config.largestIPHeartbeatInterval
            found.append(
                context.warning(
                    "tuning.dead_man_switch",
                    """
                    dead_man_switch \(DurationText.format(trip)) is less than twice the largest IP heartbeat \
                    interval (\(DurationText.format(interval))): a node would release its groups after one lost \
                    heartbeat; raise it to at least \(DurationText.format(interval * 2)) or shorten the interval
                    """))
        }
        if config.tuning.releaseAllowance <= .zero {
            found.append(
                context.error(
                    "tuning.release_allowance",
                    """
                    release_allowance must be more than 0, e.g. 200ms: it is the time a node that lost quorum \
                    has to remove its addresses and stop its applications before its watchdog halts it
                    """))
        }
        return found
    }
}
