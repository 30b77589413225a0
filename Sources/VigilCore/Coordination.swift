import VigilModel

/// The coordinator's work: it turns what members report into agreed events, one at a time, and
/// drives each event's recovery in rounds (every release of an event completes before any
/// acquisition starts). Everything it decides goes into `state`, which is replicated to members;
/// what it asks of its node (fences, log lines, answers to requests) comes back from `advance`.
struct Coordination: Sendable {
    /// The configuration of the agreed active version, which this coordination plans with.
    var config: ClusterConfig {
        didSet { removedOutside = Self.unnamed(in: config, of: safeAfter) }
    }
    var configVersion: UInt64
    /// The configurations this node has (kept current by the node as it stores new versions).
    var versions: ConfigVersions
    var state: ClusterState
    /// The newest report of each member.
    private(set) var reports: [String: MemberReport]
    /// Counts the reports whose topology differed from the one they replaced: the observed
    /// topology is recomputed only when this, the members or the agreed topology changed.
    private var reportedTopologyRevision: UInt64 = 0
    /// Administrators' requests waiting for their turn, oldest first.
    private(set) var requests: [AdminEnvelope] = []
    /// What the current `advance` asks of the node, handed over when it returns.
    var outcome = Outcome()
    /// When the state was last sent to each member.
    private var lastSent: [String: Moment] = [:]
    let rules: SafetyRules
    /// Nodes outside the view that may still hold groups, and the moment (this node's clock) after
    /// which they certainly do not: their lease ran out and they released, or their dead man switch
    /// halted them. Groups they participate in are not acquired before.
    private(set) var safeAfter: [String: Moment]
    /// The nodes of `safeAfter` that `config` does not name (a reconfiguration removed them while
    /// they were outside the view): they may still hold what an older version gave them.
    private var removedOutside: [String] = []
    /// Nodes that were up when they left the view: with a fence command, they are fenced first.
    private let mayHoldGroups: Set<String>
    var fencing = Fencing()
    var announcedWaits: Set<String> = []
    /// The networks a reconfiguration added, and from when the members' reports judge them: until
    /// then their first heartbeats may not have come, and they stay as the agreed state has them.
    var networksJudgedFrom: [String: Moment] = [:]
    /// The topology the members' reports show, and what it was computed from.
    private var observedCache:
        (view: TopologyView, members: [String: UInt64], previous: TopologyView, revision: UInt64)?

    /// How many administrators' requests may wait at once; more are refused with "try again".
    static let requestLimit = 32

    /// A placement decision for the cluster log: the group it places and the line with its reason.
    struct Decision: Sendable {
        var group: String
        var text: String
    }

    /// What one `advance` asks of the coordinating node, in the order to carry it out.
    struct Outcome: Sendable {
        /// Whether the agreed state changed (it is then installed here and sent to every member).
        var stateChanged = false
        /// Nodes to fence before their groups are taken over.
        var fences: [FenceRequest] = []
        /// Lines for the coordinator's event log.
        var notes: [String] = []
        /// Placement decisions with their reasons, for the coordinator's cluster log.
        var decisions: [Decision] = []
        /// Answers to requests, for the nodes that asked.
        var replies: [AdminReply] = []
    }

    init(
        versions: ConfigVersions, state: ClusterState, reports: [String: MemberReport],
        rules: SafetyRules = .standard, safeAfter: [String: Moment] = [:], mayHoldGroups: Set<String> = []
    ) {
        self.versions = versions
        self.config = versions.config
        self.configVersion = versions.running
        self.state = state
        self.reports = reports
        self.rules = rules
        self.safeAfter = safeAfter
        self.removedOutside = Self.unnamed(in: versions.config, of: safeAfter)
        self.mayHoldGroups = mayHoldGroups
    }

    /// Whether `report` only repeats what `member` last reported (a newer number, the same
    /// content): the periodic report of a member at rest, which changes nothing here but its number.
    func repeats(_ report: MemberReport, from member: String) -> Bool {
        guard let known = reports[member], known.incarnation == report.incarnation, known.number < report.number,
            state.members[member] == report.incarnation
        else { return false }
        return known.content == report.content
    }

    /// Accepts a member's report unless an older one.
    mutating func receive(_ report: MemberReport, from member: String) {
        guard state.members[member] == report.incarnation else { return }
        if let known = reports[member], known.incarnation == report.incarnation, known.number >= report.number {
            return
        }
        if reports[member]?.topology != report.topology { reportedTopologyRevision &+= 1 }
        reports[member] = report
    }

    /// Queues a request. Returns the refusal to give at once when the queue is full.
    mutating func submit(_ request: AdminEnvelope) -> AdminReply? {
        guard requests.count < Self.requestLimit else {
            return AdminReply(
                id: request.id, origin: request.origin, request: request.request,
                refusal: "too many requests waiting; try again")
        }
        requests.append(request)
        return nil
    }

    /// Records that the state went to `member`.
    mutating func sent(to member: String, at now: Moment) { lastSent[member] = now }

    /// The members whose reports show they lack the newest state and who were not sent it within
    /// `interval`.
    func membersBehind(at now: Moment, every interval: Duration) -> [String] {
        state.members.keys.sorted().filter { member in
            guard member != state.coordinator else { return false }
            let behind = reports[member].map { ($0.installedEpoch, $0.installedSeq) < (state.epoch, state.seq) } ?? true
            return behind && (lastSent[member].map { now - $0 >= interval } ?? true)
        }
    }

    /// The most moves one `advance` can make. Each move starts or completes an event, or starts or
    /// finishes a recovery round; a round, once started, waits for members' reports (which come
    /// between advances), so an event takes at most four moves here. Events that can be due at once:
    /// a failure and a departure per node, a loss and a gain per adapter and per network and node,
    /// an arrival per node, and every queued request.
    var moveLimit: Int {
        let adapters = config.nodes.reduce(0) { $0 + $1.interfaces.count }
        let networkEvents = 2 * (adapters + config.networks.count * (config.nodes.count + 1))
        return 4 * (3 * config.nodes.count + networkEvents + Self.requestLimit) + 8
    }

    /// Moves the cluster forward as far as it can without waiting for members. Returns whether the
    /// agreed state changed.
    mutating func advance(at now: Moment) -> Outcome {
        let before = state
        checkTooLong(at: now)
        // The agreed newest configuration version includes every member's stored one, so that every
        // member learns it from the state and a sync proposes the right next number.
        state.configVersion = newestConfigVersion
        var moves = 0
        while followActiveConfiguration(at: now), step(at: now) {
            moves += 1
            precondition(
                moves <= moveLimit,
                "coordination of view \(state.epoch) made \(moves) moves in one step "
                    + "(limit \(moveLimit)): events \(state.events.suffix(8).map(\.event)), round "
                    + "\(String(describing: state.round))"
            )
        }
        var reported: [String: [String: GroupState]] = [:]
        for (member, report) in reports where state.members[member] != nil {
            let held = report.holdings.groups.filter { $0.value.state != .offline }.mapValues(\.state)
            if !held.isEmpty { reported[member] = held }
        }
        state.holdings = reported
        if state != before { state.seq += 1 }
        outcome.stateChanged = state != before
        outcome.fences = fencing.takeRequests()
        defer { outcome = Outcome() }
        return outcome
    }

    /// One move: finish a round, start a round, complete an event or start the next one.
    private mutating func step(at now: Moment) -> Bool {
        recordFailures()
        recordConnectivity()
        if let round = state.round {
            let waiting = round.work.keys.filter { node in
                state.members[node] != nil
                    && !(reports[node]?.finished(round: round.number, epoch: state.epoch) ?? false)
            }
            guard waiting.isEmpty else { return false }
            state.round = nil
            return true
        }
        // A reconfiguration releases under the running version, then activates the new one.
        if let version = state.pendingConfigVersion { return advanceReconfiguration(to: version, at: now) }
        // Holdings that differ from the placement are put right whether or not an event runs (a
        // member that restarted unseen, a recovery cut short by a coordinator's death).
        switch nextRound(at: now) {
        case .round(let round):
            state.round = round
            state.nextRoundNumber += 1
            outcome.notes.append("round \(round.number): \(round.kind.rawValue) " + describe(round.work))
            return true
        case .waiting:
            return false
        case .none:
            break
        }
        if let current = state.currentEvent {
            guard remainingKeepQuorum(after: current) else { return false }
            complete(current, at: now)
            return true
        }
        guard let event = nextEvent(at: now) else { return false }
        start(event, at: now)
        return true
    }

    // MARK: Events

    mutating func start(_ event: ClusterEvent, at now: Moment) {
        apply(event, at: now)
        // A reconfiguration replans once its version is active (`advanceReconfiguration`).
        if case .reconfig = event {} else { replan(because: event.description, event: state.nextEventNumber) }
        state.events.append(EventRecord(number: state.nextEventNumber, event: event, started: now, completed: nil))
        state.nextEventNumber += 1
        if state.events.count > ClusterState.recentEventLimit { state.events.removeFirst() }
        outcome.notes.append(
            "event \(event): placement "
                + config.resourceGroups.map { group in
                    "\(group.name)->\(state.placement[group.name]?.nodes.joined(separator: "+") ?? "")"
                }.joined(separator: " "))
    }

    private mutating func complete(_ record: EventRecord, at now: Moment) {
        state.events[state.events.count - 1].completed = now
        if case .nodeDown(let node, let how) = record.event, how != .failed, let incarnation = state.members[node] {
            state.departed[node] = incarnation
        }
    }

    /// A node stopped on purpose completes its departure (and stops) only once the nodes that
    /// remain keep quorum without it: with `quorum: disk` and exactly half of the votes left, one of
    /// them must hold the tiebreaker first, or they would all release when its heartbeats end.
    private mutating func remainingKeepQuorum(after record: EventRecord) -> Bool {
        guard config.quorum == .disk, case .nodeDown(let node, let how) = record.event, how != .failed else {
            return true
        }
        // The nodes that stay: not this one, and none that is stopping too (all stop at once).
        let remaining = Set(state.members.keys).subtracting([node]).filter { reports[$0]?.leaving == nil }
        guard config.isHalf(remaining), !remaining.contains(where: { reports[$0]?.holdsTiebreaker == true }) else {
            return true
        }
        if announcedWaits.insert("tiebreaker \(node)").inserted {
            outcome.notes.append(
                "\(node) stops once \(rankOrder(remaining).joined(separator: ", ")) hold the tiebreaker, so that "
                    + "they keep quorum without it"
            )
        }
        return false
    }

    private mutating func checkTooLong(at now: Moment) {
        guard let current = state.currentEvent, !state.tooLong, state.acknowledgedEvent != current.number,
            now - current.started > config.tuning.configTooLong
        else { return }
        state.tooLong = true
        outcome.notes.append(
            "config_too_long: event \(current.event) has run for more than "
                + "\(DurationText.format(config.tuning.configTooLong)); the cluster is UNSTABLE until an "
                + "administrator acts"
        )
    }

    /// The next event, by priority: failures first, then departures, then arrivals, then requests.
    private mutating func nextEvent(at now: Moment) -> ClusterEvent? {
        for node in rankOrder(state.up)
        where state.members[node] == nil || state.members[node] != state.upIncarnations[node] {
            return .nodeDown(node: node, how: .failed)
        }
        for node in rankOrder(state.up) {
            if let how = reports[node]?.leaving { return .nodeDown(node: node, how: how) }
        }
        // A member that ran a newer version than the cluster's while it was out of a view (it
        // runs the newest it stores then) and came back without leaving: it cannot hold groups
        // the cluster's version defines. It is down until the cluster runs its version.
        for node in rankOrder(state.up) {
            guard let running = reports[node]?.runningConfigVersion, running > state.activeConfigVersion else {
                continue
            }
            outcome.notes.append(
                "\(node) runs configuration version \(running), newer than the cluster's "
                    + "\(state.activeConfigVersion): it is down until the cluster runs that version")
            return .nodeDown(node: node, how: .failed)
        }
        let observed = observedTopology(at: now)
        if let event = TopologyChange.firstLoss(from: state.topology, to: observed, up: state.up, config: config) {
            return event
        }
        for node in rankOrder(Set(state.members.keys)) where !state.up.contains(node) {
            guard let report = reports[node], report.leaving == nil, state.departed[node] != state.members[node] else {
                continue
            }
            guard report.runningConfigVersion == state.activeConfigVersion else {
                if announcedWaits.insert("version \(node) \(report.runningConfigVersion)").inserted {
                    outcome.notes.append(
                        "\(node) runs configuration version \(report.runningConfigVersion), the cluster "
                            + "\(state.activeConfigVersion): its node_up waits until it runs the cluster's")
                }
                continue
            }
            return .nodeUp(node: node)
        }
        if let event = TopologyChange.firstGain(from: state.topology, to: observed, up: state.up, config: config) {
            return event
        }
        if let version = reconfigurationDue() { return .reconfig(version: version) }
        while !requests.isEmpty {
            let request = requests.removeFirst()
            if let refusal = refusal(of: request.request) {
                outcome.replies.append(
                    AdminReply(id: request.id, origin: request.origin, request: request.request, refusal: refusal))
                continue
            }
            outcome.replies.append(
                AdminReply(id: request.id, origin: request.origin, request: request.request, refusal: nil))
            if case .claimConfigVersion(let version, _) = request.request {
                state.configVersion = version
                state.configGrants.append(ConfigGrant(version: version, origin: request.origin, request: request.id))
                state.configGrants = Array(state.configGrants.suffix(ClusterState.recentGrantLimit))
                outcome.notes.append("configuration version \(version) taken by a sync on \(request.origin)")
                continue
            }
            if case .acknowledge = request.request {
                state.tooLong = false
                state.acknowledgedEvent = state.currentEvent?.number
                outcome.notes.append(
                    "acknowledged by an administrator on \(request.origin): the cluster is no longer marked UNSTABLE")
                continue
            }
            return .rgMove(request.request)
        }
        return nil
    }

    /// The topology the members' reports show now. It is recomputed only when something it
    /// depends on changed (the members, their reported topologies, the agreed topology): a
    /// coordinator steps on every message it gets, mostly heartbeats that change none of them.
    mutating func observedTopology(at now: Moment) -> TopologyView {
        let judging = networksJudgedFrom.count
        networksJudgedFrom = networksJudgedFrom.filter { now < $0.value }
        // A network judged from now on is judged afresh: the cached view kept it as agreed.
        if networksJudgedFrom.count != judging { observedCache = nil }
        if let cached = observedCache, cached.revision == reportedTopologyRevision,
            cached.members == state.members, cached.previous == state.topology, networksJudgedFrom.isEmpty
        {
            return cached.view
        }
        var observed = TopologyView.aggregate(
            config: config, members: Set(state.members.keys), reports: reports.mapValues(\.topology),
            previous: state.topology)
        // A network not judged yet stays on every node as the agreed state has it.
        for network in networksJudgedFrom.keys {
            for node in observed.nodes.keys {
                observed.nodes[node] = TopologyChange.take(
                    network, of: node, from: state.topology, into: observed, config: config)
            }
        }
        observedCache = (observed, state.members, state.topology, reportedTopologyRevision)
        return observed
    }

    /// The observed topology depends on the agreed one (active adapters stay put): recompute it
    /// after an event changed the agreed topology.
    mutating func invalidateObserved() { observedCache = nil }

    func rankOrder(_ nodes: Set<String>) -> [String] {
        config.nodes.map(\.name).filter(nodes.contains)
    }

    // MARK: Rounds

    /// The next recovery round for the current placement: releases first, from every node that
    /// holds a group where it should not; then acquisitions, each only once no other member holds
    /// the group (unless concurrent). `nil` when holdings match the placement.
    enum NextRound {
        case round(RecoveryRound)
        /// Acquisitions are due but must wait until a node outside the view is safe.
        case waiting
        case none
    }

    private mutating func nextRound(at now: Moment) -> NextRound {
        var releases: [String: [String]] = [:]
        var frozen = false
        for node in rankOrder(Set(state.members.keys)) {
            guard let report = reports[node], report.leaving != .forced || state.up.contains(node) else { continue }
            // A group the running configuration does not know (a reconfiguration removed it while
            // it could not be released) is released first.
            let unknown = report.holdings.heldGroups.filter { config.group(named: $0) == nil }
            for name in unknown + config.resourceGroups.reversed().map(\.name) {
                let holding = report.holdings.groups[name]
                guard let holding, holding.state != .offline else { continue }
                let wanted = state.placement[name]?.nodes.contains(node) ?? false
                let stuck = holding.state == .error && holding.failure?.stage == .release
                if !wanted && !stuck { releases[node, default: []].append(name) }
            }
        }
        // NETPAR: running services stay where they run until the partition heals: no group is
        // released to move. A group held nowhere still starts where its policy puts it, so that
        // none stays offline while a member could hold it.
        if !state.netpar.isEmpty {
            if !releases.isEmpty && announcedWaits.insert("netpar").inserted {
                outcome.notes.append(
                    "NETPAR: \(rankOrder(state.netpar).joined(separator: ", ")) are partitioned on every IP "
                        + "network: no running group moves until the partition heals"
                )
            }
            frozen = !releases.isEmpty
            releases = [:]
        } else {
            announcedWaits.remove("netpar")
        }
        if !releases.isEmpty && rules.releaseBeforeAcquire {
            return .round(RecoveryRound(number: state.nextRoundNumber, kind: .release, work: releases))
        }
        var acquires: [String: [String]] = [:]
        var waiting = false
        for group in config.resourceGroups {
            for node in state.placement[group.name]?.nodes ?? []
            where isCurrentMember(node) && needsAcquire(group, on: node) {
                guard reports[node]?.hasLease ?? false else {
                    waiting = true
                    continue
                }
                if let blocker = unsafeHolder(of: group, at: now) {
                    if announcedWaits.insert(group.name).inserted {
                        outcome.notes.append(
                            "\(group.name) waits until \(blocker), outside the view, has certainly released it "
                                + "(takeover wait)"
                        )
                    }
                    waiting = true
                    continue
                }
                acquires[node, default: []].append(group.name)
            }
        }
        if !acquires.isEmpty {
            return .round(RecoveryRound(number: state.nextRoundNumber, kind: .acquire, work: acquires))
        }
        // Only reached with the rule off (tests): acquisitions went first, releases come after.
        if !releases.isEmpty {
            return .round(RecoveryRound(number: state.nextRoundNumber, kind: .release, work: releases))
        }
        return waiting || frozen ? .waiting : .none
    }

    /// A node outside the view that participates in a non-concurrent group and may still hold it:
    /// one with a fence command until fencing it succeeded, any other until its lease has run out.
    private mutating func unsafeHolder(of group: ResourceGroup, at now: Moment) -> String? {
        guard group.policy != .concurrent, rules.releaseBeforeAcquire else { return nil }
        for node in group.nodes + removedOutside where state.members[node] == nil {
            if mayHoldGroups.contains(node), let command = config.node(named: node)?.fenceCommand {
                if !fencing.isFenced(node, command: command, at: now) { return node }
                continue
            }
            guard let deadline = safeAfter[node] else { continue }
            if now < deadline { return node }
            safeAfter[node] = nil
        }
        return nil
    }

    private static func unnamed(in config: ClusterConfig, of deadlines: [String: Moment]) -> [String] {
        deadlines.keys.filter { config.node(named: $0) == nil }.sorted()
    }

    /// A node up in the agreed state and in the view with the same incarnation: one that can act.
    private func isCurrentMember(_ node: String) -> Bool {
        state.up.contains(node) && state.members[node] != nil && state.members[node] == state.upIncarnations[node]
    }

    private func needsAcquire(_ group: ResourceGroup, on node: String) -> Bool {
        guard let holding = reports[node]?.holdings.groups[group.name], holding.state != .offline else {
            return group.policy == .concurrent || !rules.releaseBeforeAcquire || !heldElsewhere(group.name, than: node)
        }
        guard holding.state == .online else { return false }
        let active = state.topology.nodes[node]?.active ?? [:]
        return group.serviceAddresses.contains { label in
            guard let network = config.serviceAddress(labelled: label)?.network else { return false }
            return holding.addressAdapters[label] != active[network]
        }
    }

    private func heldElsewhere(_ group: String, than node: String) -> Bool {
        reports.contains { member, report in
            member != node && state.members[member] != nil && report.holdings.state(of: group) != .offline
        }
    }

    /// Whether some group should be acquired somewhere it is not held.
    private var needsAnyAcquisition: Bool {
        config.resourceGroups.contains { group in
            (state.placement[group.name]?.nodes ?? []).contains { isCurrentMember($0) && needsAcquire(group, on: $0) }
        }
    }

    /// Agrees which members are DISCONNECTED (they say so in their reports) and which are NETPAR,
    /// as in the ASE: relative to the coordinator (the ASE's director), the members it cannot
    /// reach over IP networks at all, neither directly nor through other members (they are joined
    /// to it only over a disk or serial path), none being disconnected; the coordinator is then
    /// NETPAR too. A member the coordinator reaches over IP only through another (a partial
    /// partition, one-way loss) is not partitioned. A change replans: a disconnected node holds no
    /// group.
    private mutating func recordConnectivity() {
        let members = rankOrder(Set(state.members.keys)).filter { reports[$0] != nil }
        let disconnected = Set(members.filter { reports[$0]!.disconnected })
        var netpar: Set<String> = []
        let coordinator = state.coordinator
        if !disconnected.contains(coordinator), reports[coordinator] != nil {
            let connected = Set(members).subtracting(disconnected)
            let ipSide = ipComponent(of: coordinator, among: connected)
            let apart = connected.subtracting(ipSide)
            if !apart.isEmpty { netpar = apart.union([coordinator]) }
        }
        if netpar != state.netpar {
            outcome.notes.append(
                netpar.isEmpty
                    ? "the network partition healed: groups may start and stop again"
                    : "NETPAR: \(rankOrder(netpar).joined(separator: ", ")) are partitioned on every IP network and "
                        + "reach each other only over non-IP paths"
            )
            state.netpar = netpar
        }
        if disconnected != state.disconnected {
            for node in rankOrder(disconnected.subtracting(state.disconnected)) {
                outcome.notes.append(
                    "\(node) is DISCONNECTED from every IP network: it stops its services and holds no group")
            }
            for node in rankOrder(state.disconnected.subtracting(disconnected)) {
                outcome.notes.append("\(node) is connected again")
            }
            state.disconnected = disconnected
            replan(because: "connectivity of \(rankOrder(disconnected).joined(separator: ", ").ifEmpty("every node"))")
        }
    }

    /// The members `start` reaches over IP networks, directly or through other members of
    /// `among`, by what their reports say they hear (a path counts heard from either end).
    private func ipComponent(of start: String, among: Set<String>) -> Set<String> {
        let ipNetworks = Set(config.networks.filter(\.isIP).map(\.name))
        // The usual case, and the cheap one (this runs on every step): `start` hears everyone.
        var heardByStart: Set<String> = [start]
        for (network, sight) in reports[start]?.topology.networks ?? [:] where ipNetworks.contains(network) {
            heardByStart.formUnion(sight.heard)
        }
        if among.isSubset(of: heardByStart) { return among.union([start]) }
        var graph = HearingGraph(config: config)
        for member in among {
            for (network, sight) in reports[member]?.topology.networks ?? [:] where ipNetworks.contains(network) {
                for peer in sight.heard where among.contains(peer) { graph.link(member, peer) }
            }
        }
        return graph.component(from: start)
    }

    /// A member that reports a group in error on it is not eligible for that group any more.
    private mutating func recordFailures() {
        for node in rankOrder(Set(state.members.keys)) {
            guard let report = reports[node] else { continue }
            for group in config.resourceGroups.map(\.name) {
                guard let holding = report.holdings.groups[group], holding.state == .error else { continue }
                guard !(state.failures[group]?.contains(node) ?? false) else { continue }
                state.failures[group, default: []].insert(node)
                outcome.notes.append("\(group) failed on \(node): \(holding.failure?.reason ?? "unknown failure")")
                replan(because: "\(group) failed on \(node)")
            }
        }
    }

    /// Recomputes the placement. A group that moves gets the new reason, prefixed with what caused
    /// the move, and its decision the cause and the agreed event it was made in (`event`: the
    /// running one when not given); a group that stays keeps the reason it was put where it is.
    mutating func replan(because cause: String, event: UInt64? = nil) {
        let fresh = Placement.compute(config: config, state: state)
        for group in config.resourceGroups.map(\.name) {
            guard let placement = fresh[group] else { continue }
            if let old = state.placement[group], old.nodes == placement.nodes { continue }
            var decision = placement.decision
            decision?.cause = cause
            decision?.event = event ?? state.currentEvent?.number
            state.placement[group] = GroupPlacement(
                nodes: placement.nodes, reason: "\(cause): \(placement.reason)", decision: decision)
            outcome.decisions.append(
                Decision(
                    group: group,
                    text: "placement: \(group) -> "
                        + "\(placement.nodes.isEmpty ? "OFFLINE" : placement.nodes.joined(separator: "+")) (\(cause): "
                        + "\(placement.reason))"))
        }
    }

    func describe(_ work: [String: [String]]) -> String {
        rankOrder(Set(work.keys)).map { "\($0): \(work[$0]!.joined(separator: ","))" }.joined(separator: "; ")
    }
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
