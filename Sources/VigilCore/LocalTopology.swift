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
    /// The newest installed view epoch each peer announced in its heartbeats.
    private(set) var peerEpochs: [String: UInt64] = [:]
    /// The epoch each peer said in its latest heartbeat it is committed to (promised or installed).
    private(set) var committedEpochs: [String: UInt64] = [:]
    /// The newest stamp received from each peer, echoed back to it in my heartbeats.
    private(set) var stampsFrom: [String: Duration] = [:]
    /// The newest echo of my own stamps from each peer in each of the last views it was committed
    /// to (at most `echoViewLimit`): the peer heard me at that moment of my clock, in that view.
    private(set) var echoes: [String: [ViewID: Moment]] = [:]
    static let echoViewLimit = 4
    private var nextBeat: [String: Moment] = [:]

    public init(config: ClusterConfig, me: String) {
        self.config = config
        self.me = me
    }

    private var myNode: Node { config.node(named: me)! }

    /// Records a heartbeat (or, with `heartbeat == nil`, any message, which proves the path as well).
    public mutating func heard(
        from peer: String, incarnation: UInt64, network: String, onAdapter adapter: String?,
        heartbeat: Heartbeat?, at now: Moment
    ) {
        if let known = incarnations[peer], known > incarnation { return }
        if incarnations[peer] != incarnation {
            incarnations[peer] = incarnation
            peerEpochs[peer] = nil
            committedEpochs[peer] = nil
            stampsFrom[peer] = nil
            echoes[peer] = nil
            for name in lastHeard.keys { lastHeard[name]?[peer] = nil }
        }
        lastHeard[network, default: [:]][peer] = now
        if let adapter { lastHeardOnAdapter[network, default: [:]][adapter] = now }
        guard let heartbeat else { return }
        peerEpochs[peer] = max(peerEpochs[peer] ?? 0, heartbeat.installedEpoch)
        committedEpochs[peer] = heartbeat.view.epoch
        stampsFrom[peer] = max(stampsFrom[peer] ?? heartbeat.stamp, heartbeat.stamp)
        if let echo = heartbeat.echo, echo <= now.sinceOrigin {
            var views = echoes[peer] ?? [:]
            views[heartbeat.view] = max(views[heartbeat.view] ?? .zero, Moment(echo))
            if views.count > Self.echoViewLimit, let oldest = views.keys.min(by: { $0.epoch < $1.epoch }) {
                views[oldest] = nil
            }
            echoes[peer] = views
        }
    }

    /// When this node last heard `peer` on any path, if ever.
    public func lastHeard(_ peer: String) -> Moment? {
        lastHeard.values.compactMap { $0[peer] }.max()
    }

    /// The moment (of my clock) up to which a quorum is known to have counted me in: for each peer,
    /// the stamp of my newest heartbeat it echoed while committed to one of `views` (views I was a
    /// member of; my own confirmation is `now`); the newest moment that enough of them reach. `nil`
    /// when there is none. `isQuorum` decides whether a set of nodes is enough.
    ///
    /// Why this is safe: any view that leaves me out has a quorum of members, which intersects the
    /// quorum that confirmed me; its coordinator learns when each of its members last heard me and
    /// waits `takeoverWait` after the latest, by which time my confirmation has run out.
    public func confirmedUntil(views: Set<ViewID>, at now: Moment, isQuorum: (Set<String>) -> Bool) -> Moment? {
        var confirmations: [(String, Moment)] = [(me, now)]
        for (peer, byView) in echoes {
            let stamps = byView.filter { views.contains($0.key) }.values
            if let newest = stamps.max() { confirmations.append((peer, newest)) }
        }
        confirmations.sort { $0.1 > $1.1 }
        var set: Set<String> = []
        for (member, stamp) in confirmations {
            set.insert(member)
            if isQuorum(set) { return stamp }
        }
        return nil
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
    public func committedEpoch(of peer: String) -> UInt64? { committedEpochs[peer] }

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
    public mutating func heartbeats(at now: Moment, incarnation: UInt64, view: ViewID, installedEpoch: UInt64) -> (due: [Envelope], next: Moment) {
        var due: [Envelope] = []
        var next: Moment? = nil
        for name in myNode.networks {
            guard let network = config.network(named: name) else { continue }
            let interval = config.heartbeat(for: network).interval
            if nextBeat[name].map({ $0 <= now }) ?? true {
                due += beats(on: name, incarnation: incarnation, view: view, installedEpoch: installedEpoch, at: now)
                nextBeat[name] = now + interval
            }
            next = min(next ?? nextBeat[name]!, nextBeat[name]!)
        }
        return (due, next ?? now + .seconds(1))
    }

    /// Makes every network's heartbeats due now (after this node committed to a new view, so that
    /// its peers' confirmations in that view come at once rather than an interval later).
    public mutating func beatNow() {
        nextBeat = [:]
    }

    /// One heartbeat from each of my adapters on `network` to each peer adapter on it.
    private func beats(on network: String, incarnation: UInt64, view: ViewID, installedEpoch: UInt64, at now: Moment) -> [Envelope] {
        var envelopes: [Envelope] = []
        let myAdapters = myNode.adapters(on: network).filter { !carrierLost.contains($0) }
        for peer in config.nodes where peer.name != me {
            let beat = Heartbeat(view: view, installedEpoch: installedEpoch, stamp: now.sinceOrigin, echo: stampsFrom[peer.name])
            for theirs in peer.adapters(on: network) {
                for mine in myAdapters {
                    envelopes.append(Envelope(
                        clusterID: config.id, from: me, incarnation: incarnation, to: peer.name,
                        network: network, fromAdapter: mine, toAdapter: theirs,
                        message: .heartbeat(beat)))
                }
            }
        }
        return envelopes
    }
}

/// What one node sees of its networks, sent to the coordinator.
public struct TopologyReport: Sendable, Hashable, Codable {
    public var networks: [String: NetworkSight]
}

/// What one node sees on one network.
public struct NetworkSight: Sendable, Hashable, Codable {
    /// Peers heard on this network within its detection time.
    public var heard: Set<String>
    public var adapters: [String: AdapterSight]
}

/// What one node knows of one of its adapters.
public struct AdapterSight: Sendable, Hashable, Codable {
    /// The host reports a link.
    public var carrier: Bool
    /// A heartbeat arrived on it within the detection time.
    public var hearing: Bool
}
