import VigilModel

/// A node's side of recovery: it turns the groups a round assigns to this node into action batches,
/// runs them one at a time, and keeps `holdings` true to what the actions did.
struct ResourceExecutor: Sendable {
    private(set) var config: ClusterConfig
    /// For a group held here whose definition the running configuration changed or removed (a
    /// reconfiguration that could not release it first, such as one stuck in error): the
    /// configuration it was acquired under, which its release and protection still follow.
    private var retired: [String: ClusterConfig] = [:]
    private(set) var holdings: Holdings
    /// Work left in the current round (or in local work such as placing own addresses), in order.
    private var work: [WorkItem] = []
    /// The round being worked on and the last one finished, as `(epoch, number)`.
    private(set) var current: RoundID?
    private(set) var finished = RoundID(epoch: 0, number: 0)
    private(set) var inFlight: ActionBatch?
    private var nextBatchID: UInt64 = 1

    struct RoundID: Sendable, Hashable, Comparable {
        var epoch: UInt64
        var number: UInt64
        static func < (a: Self, b: Self) -> Bool { (a.epoch, a.number) < (b.epoch, b.number) }
    }

    enum WorkItem: Sendable, Hashable {
        case acquire(String)
        case release(String)
        /// Put the node's own service addresses where the agreed topology says (or remove them).
        case ownAddresses
    }

    init(config: ClusterConfig, holdings: Holdings) {
        self.config = config
        self.holdings = holdings
    }

    var isIdle: Bool { inFlight == nil && work.isEmpty }

    /// Runs `new` from now. A group held here that it defines differently, or not at all, keeps the
    /// definition it was acquired under until it is released.
    /// The rule is the preview's: a group restarts when one of its resources or their definitions
    /// changed (`ReconfigurationPreview.restartReason`); a change of its nodes or policy alone does
    /// not touch it on the host.
    mutating func reconfigure(to new: ClusterConfig) {
        let changes = ConfigDifference(from: config, to: new).changes
        for name in holdings.heldGroups where retired[name] == nil {
            let restarts = new.group(named: name).map {
                ReconfigurationPreview.restartReason(of: $0, old: config, changes: changes) != nil
            }
            if restarts ?? true { retired[name] = config }
        }
        config = new
    }

    /// Online groups held under a definition the running configuration changed.
    var onlineUnderOldDefinitions: [String] {
        holdings.heldGroups.filter { retired[$0] != nil && holdings.state(of: $0) == .online }
    }

    /// The configuration a held group's resources are defined in.
    private func definingConfig(of group: String) -> ClusterConfig { retired[group] ?? config }

    /// Whether the queued work releases every held group (after a lost lease or a stop).
    var isReleasingEverything: Bool {
        holdings.heldGroups.allSatisfy { group in
            work.contains(.release(group)) || (inFlight?.group == group && inFlight?.purpose == .release)
        }
    }

    /// The host lost everything behind the daemon's back (its dead man switch fired): nothing is
    /// held, nothing runs, nothing is queued; the rounds already finished stay finished.
    mutating func forgetEverything() {
        holdings = Holdings()
        work = []
        inFlight = nil
        completeRoundIfDone()
    }

    /// Forgets queued acquisitions (the node may not acquire now); queued releases stay. A group
    /// left half acquired by a failed attempt waiting for its retry is released instead.
    mutating func dropAcquisitions() {
        var dropped: [String] = []
        work.removeAll {
            guard case .acquire(let group) = $0 else { return false }
            dropped.append(group)
            return true
        }
        for group in dropped where holdings.groups[group]?.state == .acquiring && inFlight?.group != group {
            enqueue(.release(group))
        }
    }

    /// The batch in flight failed and will be tried again (after the event's recovery command):
    /// its group keeps its state and its work goes back to the front of the queue. Returns whether
    /// it could (only acquisitions and releases of a group are retried).
    mutating func retry(_ id: UInt64) -> Bool {
        guard let batch = inFlight, batch.id == id, let group = batch.group,
            batch.purpose == .acquire || batch.purpose == .release
        else { return false }
        inFlight = nil
        work.insert(batch.purpose == .acquire ? .acquire(group) : .release(group), at: 0)
        return true
    }

    /// Takes on a round of the agreed state, unless it is the one under way or already finished.
    /// Acquisitions left from an older round are dropped (the batch in flight completes first);
    /// releases never are.
    mutating func adopt(_ round: RecoveryRound, epoch: UInt64, me: String) {
        let id = RoundID(epoch: epoch, number: round.number)
        guard id != current, id > finished else { return }
        current = id
        dropAcquisitions()
        for group in round.work[me] ?? [] {
            enqueue(round.kind == .acquire ? .acquire(group) : .release(group))
        }
    }

    /// Queues local work that no round assigns (own addresses, or releasing everything on a stop).
    /// Returns whether it was not queued already.
    @discardableResult
    mutating func enqueue(_ item: WorkItem) -> Bool {
        guard !work.contains(item) else { return false }
        work.append(item)
        return true
    }

    /// The next batch to run, if nothing is running; marks the group acquiring or releasing.
    /// `adapters`: the active adapter per network for this node; `ownTargets`: where each own service
    /// address should be (`nil`: removed).
    mutating func nextBatch(adapters: [String: String], ownTargets: [String: String?]) -> ActionBatch? {
        while inFlight == nil, !work.isEmpty {
            let item = work.removeFirst()
            if let batch = batch(for: item, adapters: adapters, ownTargets: ownTargets) {
                inFlight = batch
                return batch
            }
        }
        completeRoundIfDone()
        return nil
    }

    private mutating func batch(for item: WorkItem, adapters: [String: String], ownTargets: [String: String?])
        -> ActionBatch?
    {
        switch item {
        case .acquire(let name):
            guard let group = config.group(named: name) else { return nil }
            return acquireBatch(group, adapters: adapters)
        case .release(let name):
            let defining = definingConfig(of: name)
            guard let group = defining.group(named: name), let holding = holdings.groups[name],
                holding.state != .offline
            else { return nil }
            holdings.groups[name]?.state = .releasing
            let actions = ResourceOrder.release(group, in: defining, addressAdapters: holding.addressAdapters)
            return makeBatch(group: name, purpose: .release, actions: actions)
        case .ownAddresses:
            return ownAddressBatch(ownTargets)
        }
    }

    private mutating func acquireBatch(_ group: ResourceGroup, adapters: [String: String]) -> ActionBatch? {
        let wanted = Dictionary(
            uniqueKeysWithValues: group.serviceAddresses.compactMap { label in
                config.serviceAddress(labelled: label).flatMap { service in
                    adapters[service.network].map { (label, $0) }
                }
            })
        let holding = holdings.groups[group.name]
        if holding?.state == .online {
            guard holding!.addressAdapters != wanted else { return nil }
            return relocationBatch(group, from: holding!.addressAdapters, to: wanted)
        }
        holdings.groups[group.name] = GroupHolding(state: .acquiring, addressAdapters: wanted)
        return makeBatch(
            group: group.name, purpose: .acquire, actions: ResourceOrder.acquire(group, in: config, adapters: adapters))
    }

    private mutating func relocationBatch(_ group: ResourceGroup, from old: [String: String], to new: [String: String])
        -> ActionBatch
    {
        var actions: [Action] = []
        for label in group.serviceAddresses where old[label] != new[label] {
            guard let address = config.serviceAddress(labelled: label)?.address else { continue }
            if let from = old[label] { actions.append(.removeAddress(label: label, address: address, adapter: from)) }
            if let to = new[label] { actions.append(.addAddress(label: label, address: address, adapter: to)) }
        }
        holdings.groups[group.name]?.addressAdapters = new
        return makeBatch(group: group.name, purpose: .relocate, actions: actions)
    }

    private mutating func ownAddressBatch(_ targets: [String: String?]) -> ActionBatch? {
        var actions: [Action] = []
        for (label, target) in targets.sorted(by: { $0.key < $1.key }) {
            let current = holdings.ownAddresses[label]
            guard current != target, let address = ownAddress(label) else { continue }
            if let current { actions.append(.removeAddress(label: label, address: address, adapter: current)) }
            if let target { actions.append(.addAddress(label: label, address: address, adapter: target)) }
            holdings.ownAddresses[label] = target
        }
        return actions.isEmpty ? nil : makeBatch(group: nil, purpose: .relocate, actions: actions)
    }

    private func ownAddress(_ label: String) -> IPv4Address? {
        config.nodes.lazy.flatMap(\.interfaces).first { $0.label == label && $0.role == .service }?.address
    }

    private mutating func makeBatch(group: String?, purpose: ActionBatch.Purpose, actions: [Action]) -> ActionBatch {
        defer { nextBatchID += 1 }
        return ActionBatch(id: nextBatchID, group: group, purpose: purpose, actions: actions)
    }

    /// What the dead man switch must cover now (`Protection`): the addresses and applications of
    /// every group held in any state, the node's own addresses, and everything the batch in flight
    /// touches (an address moving between adapters is on both until the batch ends).
    var protection: Protection {
        var protection = Protection(covering: holdings, in: config)
        for (name, defining) in retired where holdings.state(of: name) != .offline {
            protection.cover(group: name, holding: holdings.groups[name]!, in: defining)
        }
        protection.cover(inFlight?.actions ?? [])
        return protection
    }

    /// Records how the batch in flight ended.
    mutating func finish(_ id: UInt64, outcome: ActionOutcome) {
        guard let batch = inFlight, batch.id == id else { return }
        inFlight = nil
        defer { completeRoundIfDone() }
        guard let group = batch.group else { return }
        switch (outcome, batch.purpose) {
        case (.succeeded, .acquire), (.succeeded, .relocate):
            holdings.groups[group]?.state = .online
        case (.succeeded, .release):
            holdings.groups[group] = nil
            retired[group] = nil
        case (.failed(let index, let reason), _):
            let action = batch.actions.indices.contains(index) ? batch.actions[index].description : "action \(index)"
            holdings.groups[group]?.state = .error
            holdings.groups[group]?.failure = GroupFailure(
                GroupFailure.Stage(batch.purpose), "\(batch.purpose.rawValue) failed at \(action): \(reason)")
        }
    }

    /// A resource of an online group failed on its own (an application's monitor, after its
    /// restarts): the group is in error here, so that the coordinator moves it. Returns whether the
    /// group was online and idle.
    mutating func markFailed(_ group: String, reason: String) -> Bool {
        guard holdings.groups[group]?.state == .online, inFlight?.group != group else { return false }
        holdings.groups[group]?.state = .error
        holdings.groups[group]?.failure = GroupFailure(.running, reason)
        return true
    }

    private mutating func completeRoundIfDone() {
        guard isIdle, let id = current else { return }
        finished = max(finished, id)
        current = nil
    }
}

extension GroupFailure.Stage {
    /// The stage of a failed action batch of this purpose.
    init(_ purpose: ActionBatch.Purpose) {
        switch purpose {
        case .acquire: self = .acquire
        case .relocate: self = .relocate
        case .release: self = .release
        }
    }
}
