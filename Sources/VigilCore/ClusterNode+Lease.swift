import VigilModel

/// The lease that lets a node hold groups: a node may hold (and acquire) groups only while a
/// quorum of its view has recently counted it in. The proof comes from echoes of its own heartbeat
/// stamps (see `Heartbeat`), so a node that was paused, starved or cut off learns it on its very
/// next step, from its own clock, and releases everything before it does anything else. Survivors
/// wait `ClusterConfig.takeoverWait` after they last heard a node before taking over from it: by
/// then it has released, or its dead man switch has halted it.
extension ClusterNode {
    /// Whether `nodes` form a quorum under the cluster's policy: a majority of the votes, or, with
    /// `quorum: disk`, exactly half of them with this node among them holding the tiebreaker.
    func isQuorum(_ nodes: Set<String>, at now: Moment) -> Bool {
        switch config.quorum {
        case .none: true
        case .majority: config.hasMajority(nodes)
        case .disk:
            config.hasMajority(nodes)
                || (config.isHalf(nodes) && nodes.contains(me) && (tiebreaker?.holds(at: now) ?? false))
        }
    }

    /// The fewest nodes that can form a quorum under the cluster's policy (see `isQuorum`).
    var smallestQuorum: Int {
        switch config.quorum {
        case .none: 1
        case .majority: config.majoritySize
        case .disk: (config.nodes.count + 1) / 2
        }
    }

    /// Whether this node should hold the tiebreaker: it is the lowest-ranked node it can reach,
    /// leaving out nodes the agreed state shows stopping cluster services (so that a node stopped
    /// on purpose hands the tiebreaker to the next before its departure completes).
    func wantsTiebreaker(at now: Moment) -> Bool {
        guard phase == .running, leaving == nil else { return false }
        let candidates = reachable(at: now).subtracting(installed?.departing ?? [])
        return config.nodes.first { candidates.contains($0.name) }?.name == me
    }

    /// Reads and renews the tiebreaker when due.
    mutating func pollTiebreaker(at now: Moment) {
        guard tiebreaker != nil, let request = tiebreaker!.poll(at: now, wanted: wantsTiebreaker(at: now)) else {
            return
        }
        output.work.append(.disk(request))
    }

    /// The newest moment of this node's clock that a quorum (or its coordinator's grant) confirmed
    /// in one of `views` (`LocalTopology.confirmedUntil`).
    func confirmedUntil(in views: Set<ViewID>, at now: Moment) -> Moment? {
        topology.confirmedUntil(
            views: views, at: now, smallestQuorum: smallestQuorum, isQuorum: { isQuorum($0, at: now) })
    }

    /// Whether a quorum confirmed this node, in one of `views`, within the trip interval.
    func isConfirmed(in views: Set<ViewID>, at now: Moment) -> Bool {
        guard let until = confirmedUntil(in: views, at: now) else { return false }
        return now - until <= config.tuning.tripInterval
    }

    /// How old a confirmation may get before the node asks every peer every urgent interval
    /// whatever their schedule: two urgent intervals short of the trip interval.
    var askAtOnceAge: Duration { config.tuning.tripInterval - topology.urgentInterval * 2 }

    /// How urgently this node, which holds or may acquire groups, asks its peers to confirm it:
    /// not at all while its confirmation is fresh; when it has not been confirmed for a third of
    /// the trip interval because heartbeats were lost, it asks every peer to echo at once.
    ///
    /// At rest a confirmation is naturally up to two heartbeat intervals old (my beat waits up to
    /// an interval for the peer's next one, which carries its echo), more than a third of the
    /// default trip interval; so beyond that third the node asks only when a quorum does not keep
    /// its schedule (`LocalTopology.keepsSchedule`: a beat or an echo is overdue), or when the
    /// confirmation comes within two urgent intervals of the trip interval whatever the schedule.
    ///
    /// A member of a ring whose coordinator is late asks every peer at its regular pace, and only
    /// in the last two urgent intervals every urgent interval: when a busy coordinator fell behind,
    /// every member of 16 or 32 asking every peer every 50 ms (with every peer answering each at
    /// once) was six times the load of all-to-all monitoring, and starved the hosts further.
    func confirmationUrgency(at now: Moment) -> ConfirmationUrgency {
        guard config.quorum != .none, installed != nil else { return .none }
        let views = Set(membership.memberViews)
        guard let until = confirmedUntil(in: views, at: now) else { return .askAtOnce }
        let age = now - until
        guard age > config.tuning.tripInterval / 3 else { return .none }
        if age > askAtOnceAge { return .askAtOnce }
        let interval = config.largestIPHeartbeatInterval
        // A member of a ring hears too few peers for a quorum: its coordinator's grants confirm it.
        if let installed, installed.coordinator != me, !monitorRing(at: now).isAllToAll {
            let late = !topology.keepsSchedule(
                installed.coordinator, views: views, interval: interval, slack: interval / 2, at: now)
            return late ? .ask : .none
        }
        var onSchedule: Set<String> = [me]
        for peer in config.nodes
        where peer.name != me
            && topology.keepsSchedule(peer.name, views: views, interval: interval, slack: interval / 2, at: now)
        {
            onSchedule.insert(peer.name)
        }
        return isQuorum(onSchedule, at: now) ? .none : .askAtOnce
    }

    /// Whom this node heartbeats on its IP networks: its rings while it is a member of the large
    /// view it installed and reaches the view's coordinator, else every peer (`MonitorRing`).
    ///
    /// Rings stay while events and recovery rounds run. They were once left for all-to-all then,
    /// so that a member's lease rested on a quorum's echoes while the coordinator was busiest; but
    /// all-to-all at 32 nodes is what made the coordinator and everyone else busiest (32 daemons
    /// on two cores, each acquisition round costing every host five times its cost at rest), and
    /// a member whose grants come late now asks every peer at its regular pace
    /// (`confirmationUrgency`). A member that lost its coordinator beats everyone until a new view
    /// is installed: the members that remain must find each other to form it, and their rings may
    /// have passed through the nodes that are gone.
    func monitorRing(at now: Moment) -> MonitorRing {
        guard let installed, installed.members[me] != nil, rules.membershipFollowsGraph,
            installed.coordinator == me || topology.isNeighbour(installed.coordinator, at: now)
                || reachable(at: now).contains(installed.coordinator)
        else { return MonitorRing() }
        if let installedRings, installedRings.view == installed.viewID, installedRings.seq == installed.seq {
            return installedRings.rings
        }
        return MonitorRing(me: me, view: installed, observers: config.tuning.observers, config: config)
    }

    /// The moment this node's confirmation comes within two urgent intervals of the trip interval
    /// if nothing confirms it before, when it must ask every peer at once (`confirmationUrgency`).
    /// Heartbeats that arrive take a fast path that schedules nothing, so without this moment a
    /// member of a ring whose coordinator stalled, or a node whose peers were cut from it a moment
    /// ago (their paths still believed until their detection time runs out), would ask only at its
    /// next regular beat, too late. `nil` when no lease is kept, or when that moment has passed.
    func leaseCheck(after now: Moment) -> Moment? {
        guard config.quorum != .none, installed != nil,
            let until = confirmedUntil(in: Set(membership.memberViews), at: now)
        else { return nil }
        let moment = until + askAtOnceAge + .milliseconds(1)
        return moment > now ? moment : nil
    }

    /// The members whose leases this node's echoes confirm on their own (`Heartbeat.grants`): all of
    /// its view's while it coordinates the view it installed, a view large enough for rings
    /// (`MonitorRing`), has promised no newer one, and holds its own lease.
    ///
    /// Why a grant is safe. A member confirmed by a grant echoing its stamp `s` holds until
    /// `s + trip` on its clock; the coordinator heard `s` at some moment `h` no earlier, while its
    /// own lease held, that is within `trip` of the newest of its stamps a quorum echoed. Any view
    /// that leaves the member out has a quorum of members: if it leaves the coordinator out too, one
    /// of its members echoed that stamp and heard the coordinator no earlier, so the member's lease
    /// ends by `trip` after that node last heard the coordinator, plus `trip`, and the new
    /// coordinator waits that long after it (`takeoverDeadlines`: an extra `trip` for every node
    /// outside the view that coordinated a view one of its members belonged to). If the coordinator
    /// is in the new view, it promised that view before it answered the proposal and grants nothing
    /// in the old one after it, and it told the new coordinator when it last heard the member, no
    /// earlier than `h`.
    func grantees(at now: Moment) -> Set<String> {
        guard config.quorum != .none, let installed, installed.coordinator == me,
            config.tuning.monitorsInRings(members: installed.members.count), installed.epoch >= membership.promised,
            hasLease(at: now)
        else { return [] }
        return Set(installed.members.keys.filter { $0 != me })
    }

    /// Whether this node may acquire groups now: a quorum confirmed it in the very view whose
    /// decisions it would carry out (a view it merely promised, or an older one, is not enough).
    public func mayAcquire(at now: Moment) -> Bool {
        // A node that promised a newer view told its next coordinator what it holds: acquiring
        // anything under the older view now would make that answer a lie.
        guard let installed, installed.epoch >= membership.promised, !topology.isDisconnected(at: now) else {
            return false
        }
        guard !leaseBackoff.holds(at: now) else { return false }
        guard config.quorum != .none else { return true }
        return isConfirmed(in: [installed.viewID], at: now)
    }

    /// Whether this node takes no group now because its lease lapsed a moment ago (`LeaseLossBackoff`).
    public func waitsAfterLeaseLoss(at now: Moment) -> Bool { leaseBackoff.holds(at: now) }

    /// After a lost lease (or a dead man switch that tripped), the node takes no group for a while
    /// (`LeaseLossBackoff`), longer with each loss in a row.
    mutating func backOffAfterLeaseLoss(at now: Moment) {
        let wait = leaseBackoff.lost(at: now, tripInterval: config.tuning.tripInterval)
        let count = leaseBackoff.losses.count
        let why =
            count == 1
            ? "its lease lapsed"
            : "its lease lapsed \(count) times within \(DurationText.format(LeaseLossBackoff.memory))"
        log(now, .cluster, "\(me) takes no group for \(DurationText.format(wait)) (\(why))")
    }

    /// Whether this node may keep holding groups now.
    public func hasLease(at now: Moment) -> Bool {
        guard config.quorum != .none else { return installed != nil }
        guard installed != nil else { return false }
        if let leaseMemo, leaseMemo.proves(for: self, at: now) { return true }
        return isConfirmed(in: Set(membership.memberViews), at: now)
    }

    /// Whether this node holds anything a release or a reset would have to take away: a group in
    /// any state but offline, or an address or application its protection covers (one being
    /// acquired or released counts).
    public var holdsAnything: Bool { !executor.holdings.heldGroups.isEmpty || protection != Protection() }

    /// The moment up to which a hardware watchdog may be petted, as far as this node's lease is
    /// concerned: the moment its lease ends unless a quorum confirms it again (`hasLease`), or `now`
    /// when the lease has already lapsed. `nil` when no lease bounds the pets: the node holds
    /// nothing (`holdsAnything`: a reset would take nothing away, so a node waiting to join, or one
    /// that released everything after it lost quorum, is not reset), or the cluster keeps no lease
    /// (`quorum: none`).
    ///
    /// The end is the later of the confirmation by a majority plus the trip interval and, under
    /// `quorum: disk`, the confirmation by half the nodes with the tiebreaker plus the trip interval,
    /// cut short when the tiebreaker's hold ends first: so it is never later than the moment
    /// `hasLease` turns false if nothing new arrives. The runtime reads it after every step.
    public func hardwareWatchdogLease(at now: Moment) -> Moment? {
        guard config.quorum != .none, holdsAnything else { return nil }
        guard hasLease(at: now) else { return now }
        let views = Set(membership.memberViews)
        let trip = config.tuning.tripInterval
        let byMajority = topology.confirmedUntil(
            views: views, at: now, smallestQuorum: config.majoritySize, isQuorum: { config.hasMajority($0) }
        ).map { $0 + trip }
        var end = byMajority
        if let byPolicy = confirmedUntil(in: views, at: now).map({ $0 + trip }), byPolicy > (byMajority ?? now) {
            // Beyond the majority's, the confirmation rests on the tiebreaker: no longer than its hold.
            let tiebreakerEnd = tiebreaker?.heldUntil ?? now
            end = max(byMajority ?? now, min(byPolicy, tiebreakerEnd))
        }
        return max(end ?? now, now)
    }

    /// Releases everything at once when the lease ran out (the dead man switch in the core's terms).
    /// It runs on every message received: while the memo proves the lease, it costs a comparison.
    mutating func enforceLease(at now: Moment) {
        guard phase == .running, config.quorum != .none, !executor.holdings.heldGroups.isEmpty,
            !executor.isReleasingEverything
        else { return }
        if let leaseMemo, leaseMemo.proves(for: self, at: now) { return }
        leaseMemo = LeaseMemo(for: self, at: now)
        guard !hasLease(at: now) else { return }
        let held = executor.holdings.heldGroups.joined(separator: ", ")
        log(
            now, .cluster,
            "\(me) lost quorum (no confirmation for \(DurationText.format(config.tuning.tripInterval))): releasing "
                + "\(held) (\(confirmationAges(at: now)))"
        )
        releaseEverything()
        backOffAfterLeaseLoss(at: now)
    }

    /// How old each peer's newest echo of this node's stamps is, and how the peer was last heard,
    /// for the log line of a lapsed lease: `echoes: ghost2 520ms (heard on rs232_23), ghost4 120ms (heard on
    /// ether, token), ghost1 none (not heard directly)`.
    func confirmationAges(at now: Moment) -> String {
        let views = Set(membership.memberViews)
        let granted = topology.grantedUntil(in: views).map { ", granted \(DurationText.format(now - $0)) ago" } ?? ""
        let peers = config.nodes.map(\.name).filter { $0 != me }.map { peer -> String in
            let heardOn = config.networks.map(\.name).filter { topology.hears(peer, on: $0, at: now) }
            let path = heardOn.isEmpty ? "not heard directly" : "heard on " + heardOn.joined(separator: ", ")
            guard let echo = topology.newestEcho(from: peer, in: views) else { return "\(peer) none (\(path))" }
            return "\(peer) \(DurationText.format(now - echo)) (\(path))"
        }
        return "echoes: " + peers.joined(separator: ", ") + granted
    }

    /// A DISCONNECTED node (cut off from every IP network, still heard over a non-IP path) stops its
    /// own services at once, whatever the quorum policy: the others take them over once its report
    /// shows them released, or once its lease has run out.
    mutating func enforceConnectivity(at now: Moment) {
        guard phase == .running, !executor.holdings.heldGroups.isEmpty, !executor.isReleasingEverything,
            topology.isDisconnected(at: now)
        else { return }
        log(
            now, .cluster,
            "\(me) is DISCONNECTED from every IP network: stopping its services "
                + "(\(executor.holdings.heldGroups.joined(separator: ", ")))"
        )
        releaseEverything()
    }
}

/// A lower bound of a node's lease, remembered between messages: the moment up to which a
/// *majority* of the cluster confirmed the node in its member views, and what that rests on.
///
/// Why it stays true: echoes only grow newer while no peer's echoes are forgotten (the topology
/// counts those) and the member views stay the same; a majority is a quorum under every policy
/// whatever the tiebreaker does. So while the key is unchanged, the lease lasts at least until the
/// memo's confirmation plus the trip interval, and nothing needs computing before then.
struct LeaseMemo: Sendable {
    let confirmedUntil: Moment?
    let memberViews: [ViewID]
    let installedView: ViewID?
    let echoesForgotten: UInt64

    /// The memo of `node` at `now` (its own confirmation counts at `now`, a lower bound later).
    init(for node: ClusterNode, at now: Moment) {
        memberViews = node.membership.memberViews
        installedView = node.installed?.viewID
        echoesForgotten = node.topology.echoesForgotten
        let config = node.config
        confirmedUntil = node.topology.confirmedUntil(
            views: Set(node.membership.memberViews), at: now, smallestQuorum: config.majoritySize,
            isQuorum: { config.hasMajority($0) })
    }

    /// Whether this memo still proves `node`'s lease at `now`.
    func proves(for node: ClusterNode, at now: Moment) -> Bool {
        guard let confirmedUntil else { return false }
        return now - confirmedUntil <= node.config.tuning.tripInterval
            && echoesForgotten == node.topology.echoesForgotten && installedView == node.installed?.viewID
            && memberViews == node.membership.memberViews
    }
}
