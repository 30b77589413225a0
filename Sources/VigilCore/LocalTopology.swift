import VigilModel

/// One node's own view of its paths: which peers it hears on which network and adapter, which of its
/// adapters have carrier, and when its next heartbeats are due. Pure: time comes in as `now`.
///
/// A path is heard while a heartbeat arrived within the network's detection time
/// (`interval × missedBeats`).
public struct LocalTopology: Sendable {
    public let config: ClusterConfig
    public let me: String
    /// Last heartbeat from each peer on each network.
    private(set) var lastHeard: [String: [String: Moment]] = [:]
    /// Last heartbeat received on each of my adapters, by network then adapter.
    private(set) var lastHeardOnAdapter: [String: [String: Moment]] = [:]
    /// Adapters whose carrier the host reported lost.
    private(set) var carrierLost: Set<String> = []
    /// The newest incarnation seen from each peer.
    private(set) var incarnations: [String: UInt64] = [:]
    /// The newest view epoch each peer announced in its heartbeats.
    private(set) var peerEpochs: [String: UInt64] = [:]
    private var nextBeat: [String: Moment] = [:]

    public init(config: ClusterConfig, me: String) {
        self.config = config
        self.me = me
    }

    private var myNode: Node { config.node(named: me)! }

    /// Records a heartbeat (or any message, which proves the path as well).
    public mutating func heard(
        from peer: String, incarnation: UInt64, network: String, onAdapter adapter: String?,
        viewEpoch: UInt64?, at now: Moment
    ) {
        if let known = incarnations[peer], known > incarnation { return }
        if incarnations[peer] != incarnation {
            incarnations[peer] = incarnation
            peerEpochs[peer] = nil
            for name in lastHeard.keys { lastHeard[name]?[peer] = nil }
        }
        lastHeard[network, default: [:]][peer] = now
        if let adapter { lastHeardOnAdapter[network, default: [:]][adapter] = now }
        if let viewEpoch { peerEpochs[peer] = max(peerEpochs[peer] ?? 0, viewEpoch) }
    }

    /// The host says an adapter lost (`false`) or regained (`true`) its carrier.
    public mutating func setCarrier(_ up: Bool, adapter: String) {
        if up { carrierLost.remove(adapter) } else { carrierLost.insert(adapter) }
    }

    func detectionTime(of network: String) -> Duration {
        guard let net = config.network(named: network) else { return .seconds(1) }
        return config.heartbeat(for: net).detectionTime
    }

    /// Whether `peer` was heard on `network` within its detection time.
    public func hears(_ peer: String, on network: String, at now: Moment) -> Bool {
        guard let last = lastHeard[network]?[peer] else { return false }
        return now - last <= detectionTime(of: network)
    }

    /// Peers heard on at least one network, IP or not.
    public func alivePeers(at now: Moment) -> Set<String> {
        var alive: Set<String> = []
        for (network, peers) in lastHeard {
            let limit = detectionTime(of: network)
            for (peer, last) in peers where now - last <= limit { alive.insert(peer) }
        }
        return alive
    }

    /// Peers heard on at least one IP network: those that messages can reach.
    public func reachablePeers(at now: Moment) -> Set<String> {
        var reachable: Set<String> = []
        for network in config.networks where network.isIP {
            for (peer, last) in lastHeard[network.name] ?? [:] where now - last <= detectionTime(of: network.name) {
                reachable.insert(peer)
            }
        }
        return reachable
    }

    /// Whether `peer` was heard lately on an IP network (messages can reach it).
    public func isReachable(_ peer: String, at now: Moment) -> Bool {
        config.networks.contains { $0.isIP && hears(peer, on: $0.name, at: now) }
    }

    /// The IP network to send a message to `peer` on: the first one (in configured order) it was
    /// heard on lately, else the first one both are attached to.
    public func route(to peer: String, at now: Moment) -> String? {
        let mine = Set(myNode.networks)
        let theirs = Set(config.node(named: peer)?.networks ?? [])
        let shared = config.networks.filter { $0.isIP && mine.contains($0.name) && theirs.contains($0.name) }
        return shared.first { hears(peer, on: $0.name, at: now) }?.name ?? shared.first?.name
    }

    public func incarnation(of peer: String) -> UInt64? { incarnations[peer] }
    public func announcedEpoch(of peer: String) -> UInt64? { peerEpochs[peer] }

    /// What this node sees, for its coordinator.
    public func report(at now: Moment) -> TopologyReport {
        var networks: [String: NetworkSight] = [:]
        for name in myNode.networks {
            let limit = detectionTime(of: name)
            let heard = Set((lastHeard[name] ?? [:]).filter { now - $0.value <= limit }.keys)
            var adapters: [String: AdapterSight] = [:]
            for adapter in myNode.adapters(on: name) {
                let last = lastHeardOnAdapter[name]?[adapter]
                adapters[adapter] = AdapterSight(
                    carrier: !carrierLost.contains(adapter),
                    hearing: last.map { now - $0 <= limit } ?? false)
            }
            networks[name] = NetworkSight(heard: heard, adapters: adapters)
        }
        return TopologyReport(networks: networks)
    }

    /// The heartbeats due at `now`, and the moment the next ones are due.
    public mutating func heartbeats(at now: Moment, incarnation: UInt64, viewEpoch: UInt64) -> (due: [Envelope], next: Moment) {
        var due: [Envelope] = []
        var next: Moment? = nil
        for name in myNode.networks {
            guard let network = config.network(named: name) else { continue }
            let interval = config.heartbeat(for: network).interval
            if nextBeat[name].map({ $0 <= now }) ?? true {
                due += beats(on: name, incarnation: incarnation, viewEpoch: viewEpoch)
                nextBeat[name] = now + interval
            }
            next = min(next ?? nextBeat[name]!, nextBeat[name]!)
        }
        return (due, next ?? now + .seconds(1))
    }

    /// One heartbeat from each of my adapters on `network` to each peer adapter on it.
    private func beats(on network: String, incarnation: UInt64, viewEpoch: UInt64) -> [Envelope] {
        var envelopes: [Envelope] = []
        let myAdapters = myNode.adapters(on: network).filter { !carrierLost.contains($0) }
        for peer in config.nodes where peer.name != me {
            for theirs in peer.adapters(on: network) {
                for mine in myAdapters {
                    envelopes.append(Envelope(
                        clusterID: config.id, from: me, incarnation: incarnation, to: peer.name,
                        network: network, fromAdapter: mine, toAdapter: theirs,
                        message: .heartbeat(viewEpoch: viewEpoch)))
                }
            }
        }
        return envelopes
    }
}

/// What one node sees of its networks, sent to the coordinator.
public struct TopologyReport: Sendable, Hashable {
    public var networks: [String: NetworkSight]
}

/// What one node sees on one network.
public struct NetworkSight: Sendable, Hashable {
    /// Peers heard on this network within its detection time.
    public var heard: Set<String>
    public var adapters: [String: AdapterSight]
}

/// What one node knows of one of its adapters.
public struct AdapterSight: Sendable, Hashable {
    /// The host reports a link.
    public var carrier: Bool
    /// A heartbeat arrived on it within the detection time.
    public var hearing: Bool
}
