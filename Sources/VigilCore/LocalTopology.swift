import VigilModel

/// One node's own view of its paths: which peers it hears on which network and adapter, which of its
/// adapters have carrier, and when its next heartbeats are due. Pure: time comes in as `now`.
///
/// A path is heard while a heartbeat arrived within the network's detection time
/// (`interval × missedBeats`).
public struct LocalTopology: Sendable {
    public private(set) var config: ClusterConfig
    /// The configuration version of `config` (the node order heartbeats' neighbour masks follow).
    private(set) var configVersion: UInt64 = 0
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
    /// Counts the times echoes were forgotten (a peer restarted, or an old view made room for a
    /// new one): a confirmation computed before may no longer hold (see `ClusterNode.LeaseMemo`).
    private(set) var echoesForgotten: UInt64 = 0
    /// The newest stamp of mine each view's coordinator echoed with `Heartbeat.grants`, by view: a
    /// confirmation on its own (see `ClusterNode+Lease`). Kept for the latest `echoViewLimit` views.
    private(set) var grants: [ViewID: Moment] = [:]
    /// Whether each peer's latest heartbeat on each IP network said it hears this node there
    /// (`Heartbeat.hearsYou`), by network then peer.
    private(set) var heardBack: [String: [String: Bool]] = [:]
    /// When a heartbeat relayed by others last arrived from each peer (`heardRelayed`).
    private(set) var lastHeardRelayed: [String: Moment] = [:]
    /// The direct neighbours each peer named in its latest heartbeat (`Heartbeat.links`).
    private(set) var peerLinks: [String: NodeMask] = [:]
    /// What each peer said of its own connectivity in its latest heartbeat.
    private(set) var peerConnectivity: [String: (ipPeers: [String], disconnected: Bool)] = [:]
    private var nextBeat: [String: Moment] = [:]
    /// How many rounds of heartbeats went out on each network (`beats`: which adapter pair takes
    /// a peer's turn).
    private var beatRounds: [String: UInt64] = [:]
    /// Heartbeats take turns between a peer's adapter pairs only while each of my adapters still
    /// hears at least this many peers every round (see `beats`).
    static let peersPerAdapterToTakeTurns = 4
    /// Late wake-ups make this node suspect itself first (`LocalHealth`).
    private var health = LocalHealth()
    /// Each network's detection time and path limit (`pathLimit`) under `health`, by network:
    /// computed when the configuration or the score changes, not at every look. Computed at every
    /// look (`Duration` arithmetic for every peer on every network, several times a step), they
    /// were a tenth of the CPU of 32 daemons forming a cluster.
    private var pathTimes: [String: PathTimes] = [:]
    /// Peers that asked for an echo at once (`Heartbeat.urgent`).
    private var urgentReplies: Set<String> = []
    /// When each peer last got an answer to an urgent heartbeat: at most one per half urgent
    /// interval, however many of its urgent heartbeats (one per adapter pair and network) arrive.
    private var lastUrgentReply: [String: Moment] = [:]
    /// How often heartbeats go out while this node's confirmation is getting old.
    /// 50 ms, or a third of the IP heartbeat interval when that is shorter (`preset: fast`), so
    /// that urgency stays the exception there too.
    private(set) var urgentInterval: Duration
    /// When cluster services started: an adapter with carrier that has heard nothing yet counts as
    /// hearing for one detection time, so that a joining node's boot adapter is not passed over
    /// only because a standby's first heartbeat happened to arrive first.
    public var listeningSince: Moment?

    public init(config: ClusterConfig, me: String, configVersion: UInt64 = 0) {
        self.config = config
        self.configVersion = configVersion
        self.me = me
        self.urgentInterval = min(.milliseconds(50), config.largestIPHeartbeatInterval / 3)
        self.pathTimes = Self.pathTimes(of: config, health: health)
    }

    /// How long a path on a network may be silent before it is lost, and before it no longer
    /// carries messages.
    private struct PathTimes: Sendable {
        var detection: Duration
        var limit: Duration
    }

    private static func pathTimes(of config: ClusterConfig, health: LocalHealth) -> [String: PathTimes] {
        let largestIP = config.largestIPDetectionTime
        var times: [String: PathTimes] = [:]
        for network in config.networks {
            let detection = health.stretched(config.heartbeat(for: network).detectionTime)
            // A serial link carries messages only within the IP networks' detection time too.
            let limit = !network.isIP && !network.isSharedDisk ? min(detection, largestIP) : detection
            times[network.name] = PathTimes(detection: detection, limit: limit)
        }
        return times
    }

    private var myNode: Node { config.node(named: me)! }

    /// Runs `new` from now (a reconfiguration), keeping what was heard on the paths it keeps: a
    /// peer, network or adapter it removes is forgotten, one it adds starts unheard (its first
    /// heartbeats go at once). Neighbour masks are dropped when the node list changed, as they
    /// name nodes by rank; the next heartbeats bring them again.
    mutating func reconfigure(to new: ClusterConfig, version: UInt64) {
        configVersion = version
        let peers = Set(new.nodes.map(\.name))
        let networks = Set(new.networks.map(\.name))
        let adapters = Set(new.node(named: me)?.interfaces.map(\.name) ?? [])
        if new.nodes.map(\.name) != config.nodes.map(\.name) { peerLinks = [:] }
        config = new
        urgentInterval = min(.milliseconds(50), new.largestIPHeartbeatInterval / 3)
        pathTimes = Self.pathTimes(of: new, health: health)
        lastHeard = lastHeard.filter { networks.contains($0.key) }
        heardBack = heardBack.filter { networks.contains($0.key) }
        lastHeardOnAdapter = lastHeardOnAdapter.filter { networks.contains($0.key) }.mapValues {
            $0.filter { adapters.contains($0.key) }
        }
        carrierLost = carrierLost.filter(adapters.contains)
        for peer in Set(incarnations.keys).subtracting(peers) {
            incarnations[peer] = nil
            forgetHeard(from: peer)
            lastUrgentReply[peer] = nil
            urgentReplies.remove(peer)
        }
        echoesForgotten &+= 1
        nextBeat = nextBeat.filter { networks.contains($0.key) }
    }

    /// Records a heartbeat (or, with `heartbeat == nil`, any message, which proves the path as well).
    public mutating func heard(
        from peer: String, incarnation: UInt64, network: String, onAdapter adapter: String?,
        heartbeat: Heartbeat?, at now: Moment
    ) {
        guard adopt(incarnation, of: peer) else { return }
        lastHeard[network, default: [:]][peer] = now
        if let adapter { lastHeardOnAdapter[network, default: [:]][adapter] = now }
        guard let heartbeat else { return }
        peerEpochs[peer] = max(peerEpochs[peer] ?? 0, heartbeat.installedEpoch)
        committedEpochs[peer] = heartbeat.view.epoch
        peerConnectivity[peer] = (heartbeat.ipPeers, heartbeat.disconnected)
        // A mask in another version's node order names other nodes: ignored (the next heartbeat
        // after the peer runs this version brings one that counts).
        if heartbeat.linksVersion.map({ $0 == configVersion }) ?? true {
            peerLinks[peer] = heartbeat.links
        } else {
            peerLinks[peer] = nil
        }
        heardBack[network, default: [:]][peer] = heartbeat.hearsYou
        if heartbeat.urgent { urgentReplies.insert(peer) }
        recordStamps(of: heartbeat, from: peer, at: now)
    }

    /// Takes note of `peer`'s incarnation: an older one than known is refused (`false`); a newer one
    /// forgets everything heard from the one before.
    private mutating func adopt(_ incarnation: UInt64, of peer: String) -> Bool {
        if let known = incarnations[peer], known > incarnation { return false }
        if incarnations[peer] != incarnation {
            incarnations[peer] = incarnation
            forgetHeard(from: peer)
        }
        return true
    }

    /// Forgets everything heard from `peer`: it restarted (a new incarnation), or a
    /// reconfiguration removed it.
    private mutating func forgetHeard(from peer: String) {
        peerEpochs[peer] = nil
        committedEpochs[peer] = nil
        stampsFrom[peer] = nil
        if echoes.removeValue(forKey: peer) != nil { echoesForgotten &+= 1 }
        peerConnectivity[peer] = nil
        peerLinks[peer] = nil
        lastHeardRelayed[peer] = nil
        for name in lastHeard.keys { lastHeard[name]?[peer] = nil }
        for name in heardBack.keys { heardBack[name]?[peer] = nil }
    }

    /// Records a heartbeat that came through other nodes (`ClusterNode.relayedBeats`): its stamp is
    /// echoed back and its echo confirms this node, as a direct one's, and it counts as hearing the
    /// peer for the takeover wait (`lastHeard(_:)`), but it proves no path of this node's.
    public mutating func heardRelayed(from peer: String, incarnation: UInt64, heartbeat: Heartbeat, at now: Moment) {
        guard adopt(incarnation, of: peer) else { return }
        lastHeardRelayed[peer] = now
        recordStamps(of: heartbeat, from: peer, at: now)
    }

    /// The stamp to echo back to `peer`, and its echo of this node's stamps.
    private mutating func recordStamps(of heartbeat: Heartbeat, from peer: String, at now: Moment) {
        stampsFrom[peer] = max(stampsFrom[peer] ?? heartbeat.stamp, heartbeat.stamp)
        if let echo = heartbeat.echo, echo <= now.sinceOrigin {
            var views = echoes[peer] ?? [:]
            views[heartbeat.view] = max(views[heartbeat.view] ?? .zero, Moment(echo))
            if views.count > Self.echoViewLimit, let oldest = views.keys.min(by: { $0.epoch < $1.epoch }) {
                views[oldest] = nil
                echoesForgotten &+= 1
            }
            echoes[peer] = views
            if heartbeat.grants, heartbeat.view.coordinator == peer {
                grants[heartbeat.view] = max(grants[heartbeat.view] ?? .zero, Moment(echo))
                if grants.count > Self.echoViewLimit, let oldest = grants.keys.min(by: { $0.epoch < $1.epoch }) {
                    grants[oldest] = nil
                    echoesForgotten &+= 1
                }
            }
        }
    }

    /// When this node last heard `peer` on any path, or through others, if ever.
    public func lastHeard(_ peer: String) -> Moment? {
        (lastHeard.values.compactMap { $0[peer] } + [lastHeardRelayed[peer]].compactMap { $0 }).max()
    }

    /// When this node last heard `peer` on a path of its own (not through others), if ever.
    public func lastHeardDirectly(_ peer: String) -> Moment? {
        lastHeard.values.compactMap { $0[peer] }.max()
    }

    /// The stamp of `peer`'s that this node echoes back to it.
    public func stamp(from peer: String) -> Duration? { stampsFrom[peer] }

    /// The moment (of my clock) up to which a quorum is known to have counted me in: for each peer,
    /// the stamp of my newest heartbeat it echoed while committed to one of `views` (views I was a
    /// member of; my own confirmation is `now`); the newest moment that enough of them reach. `nil`
    /// when there is none. `isQuorum` decides whether a set of nodes is enough; it is not asked
    /// about sets smaller than `smallestQuorum` (the sets here hold only nodes of the cluster, so
    /// the caller knows no smaller one can be a quorum): this runs on every message received.
    ///
    /// Why this is safe: any view that leaves me out has a quorum of members, which intersects the
    /// quorum that confirmed me; its coordinator learns when each of its members last heard me and
    /// waits `takeoverWait` after the latest, by which time my confirmation has run out.
    ///
    /// A coordinator's grant (`Heartbeat.grants`) in one of `views` confirms me on its own: the
    /// result is the newer of the two.
    public func confirmedUntil(
        views: Set<ViewID>, at now: Moment, smallestQuorum: Int = 1, isQuorum: (Set<String>) -> Bool
    ) -> Moment? {
        let granted = grantedUntil(in: views)
        let quorum = quorumConfirmedUntil(views: views, at: now, smallestQuorum: smallestQuorum, isQuorum: isQuorum)
        guard let quorum else { return granted }
        return max(quorum, granted ?? quorum)
    }

    /// The newest stamp of mine that the coordinator of one of `views` echoed with a grant.
    func grantedUntil(in views: Set<ViewID>) -> Moment? {
        var newest: Moment?
        for (view, stamp) in grants where views.contains(view) { newest = max(newest ?? stamp, stamp) }
        return newest
    }

    private func quorumConfirmedUntil(
        views: Set<ViewID>, at now: Moment, smallestQuorum: Int, isQuorum: (Set<String>) -> Bool
    ) -> Moment? {
        var confirmations: [(String, Moment)] = [(me, now)]
        confirmations.reserveCapacity(echoes.count + 1)
        for peer in echoes.keys {
            if let newest = newestEcho(from: peer, in: views) { confirmations.append((peer, newest)) }
        }
        guard confirmations.count >= smallestQuorum else { return nil }
        confirmations.sort { $0.1 > $1.1 }
        var set: Set<String> = []
        set.reserveCapacity(confirmations.count)
        for (member, stamp) in confirmations {
            set.insert(member)
            if set.count >= smallestQuorum, isQuorum(set) { return stamp }
        }
        return nil
    }

    /// The newest echo of my stamps `peer` sent while committed to one of `views`.
    func newestEcho(from peer: String, in views: Set<ViewID>) -> Moment? {
        var newest: Moment?
        for (view, stamp) in echoes[peer] ?? [:] where views.contains(view) { newest = max(newest ?? stamp, stamp) }
        return newest
    }

    /// Whether my `adapter` on `network` heard a heartbeat within the network's detection time
    /// (`nil`: it never heard one).
    func adapterHears(_ adapter: String, on network: String, at now: Moment) -> Bool? {
        lastHeardOnAdapter[network]?[adapter].map { now - $0 <= detectionTime(of: network) }
    }

    /// Whether `peer` keeps its heartbeat schedule with this node: one of its heartbeats arrived
    /// within `interval + slack`, and the newest echo of my stamps it sent in one of `views` was at
    /// most `interval + slack` older than its latest arrival (so none of my heartbeats to it, nor
    /// its to me, went missing). A peer on schedule refreshes my confirmation within about an
    /// interval without being asked; its echo is then at most `2 × (interval + slack)` old.
    public func keepsSchedule(_ peer: String, views: Set<ViewID>, interval: Duration, slack: Duration, at now: Moment)
        -> Bool
    {
        guard let heard = lastHeard(peer), now - heard <= interval + slack, let echo = newestEcho(from: peer, in: views)
        else { return false }
        return heard - echo <= interval + slack
    }

    /// The host says an adapter lost (`false`) or regained (`true`) its carrier.
    public mutating func setCarrier(_ up: Bool, adapter: String) {
        if up { carrierLost.remove(adapter) } else { carrierLost.insert(adapter) }
    }

    /// How long a path on `network` may be silent before it is lost: its configured detection time,
    /// stretched while this node suspects itself (`health`).
    func detectionTime(of network: String) -> Duration {
        pathTimes[network]?.detection ?? .seconds(1)
    }

    /// This node's suspicion of itself: late wake-ups stretch its detection times.
    public var selfSuspicion: Int { health.score }

    /// The daemon woke at `now` for a wake-up asked for `expected`. Returns how late it was when
    /// that raised the node's suspicion of itself.
    mutating func woke(expected: Moment, at now: Moment) -> Duration? {
        let score = health.score
        defer { if health.score != score { pathTimes = Self.pathTimes(of: config, health: health) } }
        return health.woke(expected: expected, at: now, interval: config.largestIPHeartbeatInterval)
    }

    /// Whether `peer` was heard on `network` within its detection time.
    public func hears(_ peer: String, on network: String, at now: Moment) -> Bool {
        guard let last = lastHeard[network]?[peer] else { return false }
        return now - last <= detectionTime(of: network)
    }

    /// Peers heard lately on any path: this node's neighbours. IP networks and shared disks carry
    /// messages in every shell; a serial link carries them to its other end where the shell drives
    /// it (the simulator does; `vigild` drives no serial lines, so it never hears anyone there).
    ///
    /// A serial link beats at the IP networks' cadence (see `heartbeats`), and counts as a path for
    /// messages only while it was heard within the IP networks' detection time too: its own, longer
    /// one (the seed's rs232 default is 2 s) would keep a crashed node in the view that much longer.
    public func reachablePeers(at now: Moment) -> Set<String> {
        var reachable: Set<String> = []
        for network in config.networks {
            for (peer, last) in lastHeard[network.name] ?? [:] where now - last <= pathLimit(of: network) {
                reachable.insert(peer)
            }
        }
        return reachable
    }

    /// Whether `peer` is one of `reachablePeers`, without building the set.
    public func isNeighbour(_ peer: String, at now: Moment) -> Bool {
        config.networks.contains { network in
            lastHeard[network.name]?[peer].map { now - $0 <= pathLimit(of: network) } ?? false
        }
    }

    /// The neighbours a message surely reaches directly: heard on a path that works both ways
    /// (`canSend`). A neighbour heard only one way stays a neighbour for membership (one side's
    /// silence alone must not make it a stranger: under loss, either side's detection would),
    /// but messages to it go through others when they can (`ClusterNode.message`).
    public func sendablePeers(at now: Moment) -> Set<String> {
        var sendable: Set<String> = []
        for network in config.networks {
            for peer in (lastHeard[network.name] ?? [:]).keys where canSend(to: peer, on: network, at: now) {
                sendable.insert(peer)
            }
        }
        return sendable
    }

    /// The next moment after `now` at which a path heard now falls silent for good (its detection
    /// time runs out, or, for a serial link, the IP networks'), if no heartbeat comes first: the
    /// node looks again then, so that a lost peer is noticed when its time is up rather than at the
    /// next heartbeat, up to an interval later.
    public func nextPathExpiry(after now: Moment) -> Moment? {
        var next: Moment?
        for network in config.networks {
            for (_, last) in lastHeard[network.name] ?? [:] {
                for limit in Set([detectionTime(of: network.name), pathLimit(of: network)]) {
                    let expiry = last + limit + .milliseconds(1)
                    if expiry > now { next = min(next ?? expiry, expiry) }
                }
            }
        }
        return next
    }

    /// How long after it was last heard a path still carries messages (`canSend`).
    private func pathLimit(of network: Network) -> Duration {
        pathTimes[network.name]?.limit ?? .seconds(1)
    }

    /// Whether a message to `peer` on `network` arrives: the peer was heard there lately, and on an
    /// IP network its latest heartbeat there said it hears this node too (one-way loss is common
    /// on IP; a shared disk or a serial line either works or does not).
    func canSend(to peer: String, on network: Network, at now: Moment) -> Bool {
        guard let last = lastHeard[network.name]?[peer], now - last <= pathLimit(of: network) else { return false }
        return !network.isIP || heardBack[network.name]?[peer] == true
    }

    /// The direct neighbours `peer` named in its latest heartbeat (`Heartbeat.links`), while this
    /// node still hears it.
    func linkMask(of peer: String, at now: Moment) -> NodeMask? {
        guard let mask = peerLinks[peer], config.networks.contains(where: { hears(peer, on: $0.name, at: now) }) else {
            return nil
        }
        return mask
    }

    /// Whether `peer` was heard lately on an IP network (messages can reach it).
    public func isReachable(_ peer: String, at now: Moment) -> Bool {
        config.networks.contains { $0.isIP && hears(peer, on: $0.name, at: now) }
    }

    /// The network to send a message to `peer` on: the first IP network (in configured order) it
    /// was heard on lately, else a shared disk it was heard on, else a serial link it was heard on,
    /// else the first IP network both are attached to.
    public func route(to peer: String, at now: Moment) -> String? {
        let mine = Set(myNode.networks)
        let theirs = Set(config.node(named: peer)?.networks ?? [])
        let shared = config.networks.filter { mine.contains($0.name) && theirs.contains($0.name) }
        let ip = shared.filter(\.isIP)
        return ip.first { canSend(to: peer, on: $0, at: now) }?.name
            ?? shared.first { $0.isSharedDisk && canSend(to: peer, on: $0, at: now) }?.name
            ?? shared.first { !$0.isIP && canSend(to: peer, on: $0, at: now) }?.name
            ?? ip.first?.name
    }

    /// The IP networks a message to `peer` arrives on now.
    public func ipRoutes(to peer: String, at now: Moment) -> [String] {
        config.networks.filter { $0.isIP && canSend(to: peer, on: $0, at: now) }.map(\.name)
    }

    /// The peers this node hears on an IP network, in configured order.
    func peersHeardOnIP(at now: Moment) -> [String] {
        config.nodes.map(\.name).filter { $0 != me && isReachable($0, at: now) }
    }

    /// Peers heard only on non-IP paths (a serial link or a shared disk), not on any IP network.
    func peersHeardOnlyOffIP(at now: Moment) -> [String] {
        config.nodes.map(\.name).filter { peer in
            peer != me && !isReachable(peer, at: now)
                && config.networks.contains { !$0.isIP && hears(peer, on: $0.name, at: now) }
        }
    }

    /// Whether this node is DISCONNECTED (the ASE's member state): it hears no peer on any IP
    /// network, yet it is not simply alone: a peer it still hears over a non-IP path hears a third
    /// node on IP (so the fault is on this node's side), or every one of its IP adapters lost its
    /// carrier. Two nodes that hear each other only over the disk and both keep their carrier are
    /// NETPAR instead: neither can tell whose side the fault is on. (A peer saying it hears *this*
    /// node proves nothing: it has not noticed the silence yet.)
    public func isDisconnected(at now: Moment) -> Bool {
        guard peersHeardOnIP(at: now).isEmpty else { return false }
        let offIP = peersHeardOnlyOffIP(at: now)
        if offIP.contains(where: { peer in (peerConnectivity[peer]?.ipPeers ?? []).contains { $0 != me } }) {
            return true
        }
        let ipAdapters = myNode.networks.filter { config.network(named: $0)?.isIP ?? false }.flatMap {
            myNode.adapters(on: $0)
        }
        return !ipAdapters.isEmpty && ipAdapters.allSatisfy { carrierLost.contains($0) }
    }

    /// The member state of `peer` as this node sees it (the ASE's Host Status).
    public func memberState(of peer: String, at now: Moment) -> MemberState {
        if peer == me { return isDisconnected(at: now) ? .disconnected : .up }
        if isReachable(peer, at: now) { return .up }
        guard config.networks.contains(where: { !$0.isIP && hears(peer, on: $0.name, at: now) }) else { return .down }
        return peerConnectivity[peer]?.disconnected ?? false ? .disconnected : .netpar
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
                let justStarted = listeningSince.map { now - $0 <= limit } ?? false
                adapters[adapter] = AdapterSight(
                    carrier: !carrierLost.contains(adapter),
                    hearing: adapterHears(adapter, on: name, at: now) ?? justStarted)
            }
            networks[name] = NetworkSight(heard: heard, adapters: adapters)
        }
        return TopologyReport(networks: networks)
    }

    /// The heartbeats due at `now`, and the moment the next ones are due. `urgency`: this node's
    /// confirmation is getting old; it asks for echoes at once, at its regular pace (`ask`) or
    /// every `urgentInterval` (`askAtOnce`). On IP networks only the peers `ring` watches get
    /// heartbeats, except urgent ones, which ask every peer: a member of a ring whose
    /// coordinator's grants are late is then confirmed by a quorum's echoes, so that a stalled
    /// coordinator does not make every member release. Each peer in `grantsTo` gets its echo as a
    /// grant (`Heartbeat.grants`).
    public mutating func heartbeats(
        at now: Moment, incarnation: UInt64, view: ViewID, installedEpoch: UInt64,
        urgency: ConfirmationUrgency = .none, ring: MonitorRing = MonitorRing(), grantsTo: Set<String> = []
    ) -> (due: [Envelope], next: Moment) {
        let urgent = urgency != .none
        var due = urgentReplyBeats(
            incarnation: incarnation, view: view, installedEpoch: installedEpoch, grantsTo: grantsTo, at: now)
        var next: Moment? = nil
        for name in myNode.networks {
            guard let network = config.network(named: name) else { continue }
            var interval = config.heartbeat(for: network).interval
            // A non-IP path beats as often as the IP networks do (its detection time stays as
            // configured): when the IP networks are cut, a peer reached only over it must get its
            // echoes within the trip interval, or its lease would lapse.
            if !network.isIP { interval = min(interval, config.largestIPHeartbeatInterval) }
            if urgency == .askAtOnce {
                interval = min(interval, urgentInterval)
                nextBeat[name] = min(nextBeat[name] ?? now, now + interval)
            }
            if nextBeat[name].map({ $0 <= now }) ?? true {
                let peers = config.nodes.filter { $0.name != me && (urgent || ring.watches($0.name, on: name)) }
                due += beats(
                    on: name, to: peers, incarnation: incarnation, view: view,
                    installedEpoch: installedEpoch, urgent: urgent, grantsTo: grantsTo,
                    round: beatRounds[name, default: 0], ringed: !urgent && ring.peers[name] != nil, at: now)
                beatRounds[name, default: 0] &+= 1
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

    /// Answers to urgent heartbeats: one heartbeat to each peer that asked, on every network, at
    /// once; a peer answered within the last half urgent interval waits for its next request (the
    /// answer it got carries a fresh echo already). Under load, every late node asking every peer
    /// and every peer answering every copy of every request made the load worse.
    public mutating func urgentReplyBeats(
        incarnation: UInt64, view: ViewID, installedEpoch: UInt64, grantsTo: Set<String> = [], at now: Moment
    ) -> [Envelope] {
        guard !urgentReplies.isEmpty else { return [] }
        let peers = config.nodes.filter { peer in
            urgentReplies.contains(peer.name)
                && lastUrgentReply[peer.name].map { now - $0 >= urgentInterval / 2 } ?? true
        }
        urgentReplies = []
        for peer in peers { lastUrgentReply[peer.name] = now }
        return myNode.networks.flatMap { network in
            // On every adapter pair: the peer asks because its echoes are late, perhaps because
            // one of its adapters fails silently.
            beats(
                on: network, to: peers, incarnation: incarnation, view: view, installedEpoch: installedEpoch,
                urgent: false, grantsTo: grantsTo, at: now)
        }
    }

    /// Whether heartbeats go from my adapter `mine` to the peer's `theirs`. On an IP network whose
    /// adapters have subnets of their own (the seed's boot and standby subnets), only within a
    /// subnet: a packet for another subnet leaves through whichever adapter routes there, so it proves
    /// nothing of the adapter that sent it, and it fails (ENETUNREACH) while that route is down with
    /// its adapter. An adapter with no peer adapter in its subnet beats to all of them.
    func beatsGo(from mine: String, to theirs: String, of peer: Node, on network: String) -> Bool {
        guard let netmask = config.network(named: network)?.netmask,
            let mySubnet = myNode.subnet(of: mine, netmask: netmask),
            let theirSubnet = peer.subnet(of: theirs, netmask: netmask)
        else { return true }
        if mySubnet == theirSubnet { return true }
        return !peer.adapters(on: network).contains { peer.subnet(of: $0, netmask: netmask) == mySubnet }
    }

    /// One heartbeat from each of my adapters on `network` to each adapter of `peers` on it (within
    /// a subnet: `beatsGo`).
    ///
    /// In a large cluster the adapter pairs take turns (round `round` of regular heartbeats): each
    /// peer gets one heartbeat per round, from my adapters in turn, so that my adapters' traffic
    /// does not double with their number. Every peer still hears me and echoes me every round, and
    /// each adapter still hears many peers every round (`peersPerAdapterToTakeTurns`), which is all
    /// that detection and the lease ask. A member of a ring (`ringed`: `MonitorRing`) takes turns
    /// too, so that its packets stay those of a small cluster's node. A node with an adapter that
    /// hears nothing (a silent fault), a small cluster, and answers to urgent heartbeats
    /// (`round == nil`) use every pair.
    private func beats(
        on network: String, to peers: [Node], incarnation: UInt64, view: ViewID, installedEpoch: UInt64, urgent: Bool,
        grantsTo: Set<String>, round: UInt64? = nil, ringed: Bool = false, at now: Moment
    ) -> [Envelope] {
        var envelopes: [Envelope] = []
        let myAdapters = myNode.adapters(on: network).filter { !carrierLost.contains($0) }
        let allHearing = myAdapters.allSatisfy { adapterHears($0, on: network, at: now) ?? false }
        let peersOnNetwork = peers.filter { $0.networks.contains(network) }.count
        let takeTurns =
            round != nil && allHearing && myAdapters.count > 1
            && (ringed || peersOnNetwork >= Self.peersPerAdapterToTakeTurns * myAdapters.count)
        let ipPeers = peersHeardOnIP(at: now)
        let disconnected = isDisconnected(at: now)
        let links = NodeMask(reachablePeers(at: now), in: config)
        // What the addressee makes of `ipPeers` is only whether I hear a node other than it on IP
        // (`isDisconnected`): on an IP network, where each heartbeat has one addressee, one such
        // node says it, and the heartbeat stays the same size however large the cluster. A shared
        // disk's record is read by every peer and carries them all.
        let isIP = config.network(named: network)?.isIP ?? true
        for (index, peer) in peers.enumerated() {
            let named = isIP ? (ipPeers.first { $0 != peer.name }.map { [$0] } ?? []) : ipPeers
            let beat = Heartbeat(
                view: view, installedEpoch: installedEpoch, stamp: now.sinceOrigin, echo: stampsFrom[peer.name],
                ipPeers: named, disconnected: disconnected, urgent: urgent, links: links,
                hearsYou: hears(peer.name, on: network, at: now), grants: grantsTo.contains(peer.name),
                linksVersion: configVersion)
            var pairs: [(mine: String, theirs: String)] = []
            for theirs in peer.adapters(on: network) {
                for mine in myAdapters where beatsGo(from: mine, to: theirs, of: peer, on: network) {
                    pairs.append((mine, theirs))
                }
            }
            if takeTurns, pairs.count > 1, let round {
                pairs = [pairs[Int((round &+ UInt64(index)) % UInt64(pairs.count))]]
            }
            for (mine, theirs) in pairs {
                envelopes.append(
                    Envelope(
                        clusterID: config.id, from: me, incarnation: incarnation, to: peer.name,
                        network: network, fromAdapter: mine, toAdapter: theirs,
                        message: .heartbeat(beat)))
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
