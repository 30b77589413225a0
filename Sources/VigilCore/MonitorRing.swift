import VigilModel

/// Whom a node heartbeats on each IP network, so that its cost stays the same however large the
/// cluster grows (`tuning.observers`, K).
///
/// On each IP network, the members of the installed view that the agreed topology shows up on it
/// stand in a ring in configured order; when there are more than K + 1 of them, each heartbeats
/// the K/2 members on either side of it (K odd: rounded up), and those same members heartbeat it,
/// so every path is watched from both ends. Every member also heartbeats the view's coordinator,
/// and the coordinator every node: the coordinator's echoes confirm the members' leases
/// (`Heartbeat.grants`), and its reports and the members' heartbeat links give it the whole graph.
/// A node that lost all its observers and the coordinator is unreached; one slow or partly cut
/// observer leaves it reached through the others (`ClusterNode.reachable`), so it takes most of its
/// observers *and* the coordinator to remove a node, and a node that is really gone is left out
/// once, when the last of them stops hearing it.
///
/// Nodes outside the ring of a network (outside the view, or with the network down in the agreed
/// topology) are heartbeaten there by every member, and heartbeat every peer, as in a small view: at
/// rest there are none, and while there are (a crashed node, the other side of a partition, a
/// failed adapter) they are found again at once, and a ring that lost a node closes as soon as
/// the topology agrees it (two nodes whose neighbours between them failed hear each other before
/// they would declare the network down). A node with no installed view beats every peer.
/// Non-IP paths (the shared disk, serial links) are not affected: a disk is one record read by
/// all, a serial link has two ends.
public struct MonitorRing: Sendable, Equatable {
    /// The peers to heartbeat, by IP network; a network not listed: every peer.
    public let peers: [String: Set<String>]
    /// Whether every IP network of this node has a ring (else every peer is watched somewhere).
    private let everyNetworkRinged: Bool

    /// Every peer on every network (no view installed).
    public init() {
        peers = [:]
        everyNetworkRinged = false
    }

    /// The rings of `me` in `view` (its `topology` says which networks are up where), with
    /// `observers` (K) ring neighbours, in the cluster `config`.
    public init(me: String, view: ClusterState, observers: Int, config: ClusterConfig) {
        var peers: [String: Set<String>] = [:]
        let allNodes = config.nodes.map(\.name)
        let myNetworks = config.node(named: me)?.networks ?? []
        let myIPNetworks = config.networks.filter { $0.isIP && myNetworks.contains($0.name) }
        for network in myIPNetworks {
            let onNetwork = config.nodes.filter { $0.networks.contains(network.name) }.map(\.name)
            let ring = onNetwork.filter { view.members[$0] != nil && view.topology.isUp(network.name, on: $0) }
            guard Tuning.monitorsInRings(members: ring.count, observers: observers), view.coordinator != me,
                let position = ring.firstIndex(of: me)
            else { continue }
            let inRing = Set(ring)
            var chosen = Set(allNodes.filter { !inRing.contains($0) })
            chosen.insert(view.coordinator)
            let half = (observers + 1) / 2
            for offset in 1...half {
                chosen.insert(ring[(position + offset) % ring.count])
                chosen.insert(ring[(position - offset + ring.count) % ring.count])
            }
            chosen.remove(me)
            peers[network.name] = chosen
        }
        self.peers = peers
        self.everyNetworkRinged = !peers.isEmpty && peers.count == myIPNetworks.count
    }

    /// Whether `peer` is heartbeaten on `network`.
    public func watches(_ peer: String, on network: String) -> Bool { peers[network]?.contains(peer) ?? true }

    /// Whether `peer` is heartbeaten on some IP network (every network not ringed counts).
    public func watches(_ peer: String) -> Bool {
        !everyNetworkRinged || peers.values.contains { $0.contains(peer) }
    }

    /// Whether this node beats every peer on every IP network (a small view, the coordinator, or no
    /// view installed).
    public var isAllToAll: Bool { peers.isEmpty }
}
