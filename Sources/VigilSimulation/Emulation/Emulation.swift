import VigilCore
import VigilModel

/// `vigil emulate`: plays events against a copy of the cluster in the simulator, with the real
/// core, and reports what the cluster would do, changing nothing on it.
///
/// The copy starts from the live cluster's agreed state (`init(config:live:)`): its members are
/// started with that state as the one they had installed (`ClusterNode.inheritedState`), so the
/// first view carries on its placement, administrative state (sticky moves, groups held offline),
/// failures, rotating groups' nodes and inactive-takeover history; adapters the live topology
/// has down are failed before they start. Or it starts from the steady state of a configuration
/// (`init(config:)`: every node started). Either way the copy is checked against the state it
/// must reproduce before any event is played.
public final class Emulation {
    /// The configuration the copy runs.
    public let config: ClusterConfig
    /// The simulated copy.
    public let simulator: Simulator
    /// What the copy started from, in words (`the live state of view 12 (asked ghost1)`).
    public let origin: String
    /// The nodes started, in configured order.
    public let members: [String]
    /// The live agreed state, when the copy starts from one.
    public let live: ClusterState?

    /// How long a copy may take to reach its starting state, and each event to settle.
    public static let settleLimit: Duration = .seconds(120)

    /// A copy of the steady state of `config`: every node started.
    public convenience init(config: ClusterConfig, seed: UInt64 = 1) {
        self.init(config: config, live: nil, origin: "the steady state of \(config.name)", seed: seed)
    }

    /// A copy of the live cluster whose agreed state is `live` (as `vigil emulate` asked it of a node).
    public init(config: ClusterConfig, live: ClusterState?, origin: String, seed: UInt64 = 1) {
        self.config = config
        self.live = live
        self.origin = origin
        simulator = Simulator(config: config, seed: seed)
        members = config.nodes.map(\.name).filter { live == nil || live!.members[$0] != nil }
    }

    /// Brings the copy to its starting state; the error says why it could not.
    public func prepare() -> EmulationError? {
        if let live {
            if let problem = Self.refusal(of: live, config: config) { return EmulationError(problem) }
            simulator.inheritedState = Self.inherited(live)
        }
        let failed = failedAdapters()
        for (node, adapter) in failed { simulator.faults.failedAdapters.insert("\(node)/\(adapter)") }
        for node in members { simulator.start(node) }
        for (node, adapter) in failed { simulator.setAdapter(adapter, of: node, up: false) }
        guard settle() else {
            return EmulationError(
                "the copy of the cluster did not settle within \(DurationText.format(Self.settleLimit)): "
                    + "\(describeUnsettled())")
        }
        simulator.inheritedState = nil
        if let live, let state = agreedState() {
            let different = config.resourceGroups.map(\.name).filter {
                Set(live.placement[$0]?.nodes ?? []) != Set(state.placement[$0]?.nodes ?? [])
            }
            if !different.isEmpty {
                let detail = different.map {
                    "\($0) on \(list(live.placement[$0]?.nodes ?? [])) live, "
                        + "\(list(state.placement[$0]?.nodes ?? [])) in the copy"
                }
                return EmulationError(
                    "the copy of the cluster did not reach the live state: \(detail.joined(separator: "; "))")
            }
        }
        return nil
    }

    /// Plays `events` in order, each once the copy settled after the one before, and reports.
    /// Call `prepare()` first.
    public func play(_ events: [EmulatedEvent]) -> EmulationReport {
        let before = placement()
        let logStart = simulator.clusterLog.count
        let start = simulator.now
        var actions: [String: [String]] = [:]
        let config = self.config
        simulator.stepObserver = { node, time, step in
            let at = "+" + Self.seconds(time - start)
            for work in step.work {
                switch work {
                case .perform(let batch):
                    for action in batch.actions { actions[node, default: []].append("\(at) \(action)") }
                case .runHooks(let invocation):
                    for command in invocation.commands(in: config) {
                        actions[node, default: []].append(
                            "\(at) \(invocation.phase.rawValue) hook for \(invocation.event): \(command)")
                    }
                default:
                    break
                }
            }
        }
        var notes: [String] = []
        var outages = OutageWatch(groups: config.resourceGroups.map(\.name), online: simulator.onlineGroups())
        for event in events {
            if let problem = PlanActions.apply(event.action, to: simulator) {
                notes.append("\(event.description): \(problem)")
            }
            outages.observe(simulator.onlineGroups(), at: simulator.now)
            let settled = settle { outages.observe(self.simulator.onlineGroups(), at: self.simulator.now) }
            if !settled {
                notes.append(
                    "the cluster had not settled \(DurationText.format(Self.settleLimit)) after \(event.description): "
                        + describeUnsettled())
            }
        }
        simulator.stepObserver = nil
        let after = placement()
        let afterState = agreedState()
        // Every group of the configuration before and after (a sync may add or remove some).
        var names = config.resourceGroups.map(\.name)
        for group in simulator.activeConfig.resourceGroups where !names.contains(group.name) {
            names.append(group.name)
        }
        let groups = names.map { name -> EmulationReport.GroupOutcome in
            let from = before[name] ?? []
            let to = after[name] ?? []
            let placed = afterState?.placement[name]
            let decision = placed?.decision
            let reason =
                simulator.activeConfig.group(named: name) == nil
                ? "removed from the configuration" : placed?.reason ?? "not placed"
            return EmulationReport.GroupOutcome(
                group: name, from: from, to: to, reason: reason,
                rule: decision?.rule, passedOver: decision?.passedOver.map(\.description) ?? [],
                outageSeconds: Set(from) == Set(to) ? nil : outages.outage(of: name).map(Self.secondsValue))
        }
        // The agreed events as cluster.log shows them: each line once (every member logs it), in
        // time order.
        var seen: Set<String> = []
        let log = simulator.clusterLog.dropFirst(logStart).compactMap { record -> String? in
            let line = "+\(Self.seconds(record.time - start)) \(record.text)"
            guard record.text.hasPrefix("EVENT ") || record.text.contains("left out of view") else { return nil }
            return seen.insert(record.text).inserted ? line : nil
        }
        let nodeActions = config.nodes.map(\.name).compactMap { node -> EmulationReport.NodeActions? in
            let lines = actions[node] ?? []
            return lines.isEmpty ? nil : EmulationReport.NodeActions(node: node, lines: lines)
        }
        return EmulationReport(
            origin: origin, events: events.map(\.description), log: log, groups: groups, actions: nodeActions,
            timing: timing(), notes: notes)
    }

    // MARK: Starting state

    /// Why the copy cannot start from `live`, if it cannot.
    static func refusal(of live: ClusterState, config: ClusterConfig) -> String? {
        if let event = live.currentEvent {
            return "the cluster runs event \(event.event) now: emulate once it is stable"
        }
        if live.round != nil { return "the cluster is carrying out a recovery: emulate once it is stable" }
        if !live.disconnected.isEmpty || !live.netpar.isEmpty {
            let nodes = live.disconnected.union(live.netpar).sorted().joined(separator: ", ")
            return "members are DISCONNECTED or NETPAR (\(nodes)): the copy cannot reproduce the partition"
        }
        let unknown = live.members.keys.filter { config.node(named: $0) == nil }
        if !unknown.isEmpty { return "the view names nodes the configuration does not: \(unknown.sorted())" }
        return nil
    }

    /// The live state as the copy's nodes inherit it: their incarnations are the copy's (1, the
    /// first start), its configuration is the copy's version 0, and no round or grant is under way.
    static func inherited(_ live: ClusterState) -> ClusterState {
        var state = live
        state.upIncarnations = live.upIncarnations.mapValues { _ in 1 }
        state.departed = [:]
        state.round = nil
        state.configVersion = 0
        state.activeConfigVersion = 0
        state.pendingConfigVersion = nil
        state.configGrants = []
        state.tooLong = false
        return state
    }

    /// The adapters the live topology has down on its members (none from a steady state).
    private func failedAdapters() -> [(String, String)] {
        guard let live else { return [] }
        var failed: [(String, String)] = []
        for node in config.nodes where members.contains(node.name) {
            let up = live.topology.nodes[node.name]?.adaptersUp ?? []
            for interface in node.interfaces where !up.contains(interface.name) {
                // A service-role interface carries the node's own address, not a heartbeat.
                guard config.network(named: interface.network) != nil, interface.role != .service else { continue }
                failed.append((node.name, interface.name))
            }
        }
        return failed
    }

    // MARK: Observations

    /// The agreed stable state every running node installed, if they agree.
    public func agreedState() -> ClusterState? {
        simulator.invariantChecker.agreedStableState(hosts: simulator.hosts)
    }

    /// Where each group of the configuration the copy runs now is online, by the hosts' daemons.
    public func placement() -> [String: [String]] {
        let online = simulator.onlineGroups()
        var result: [String: [String]] = [:]
        for group in simulator.activeConfig.resourceGroups {
            result[group.name] = config.nodes.map(\.name).filter { (online[$0] ?? []).contains(group.name) }
        }
        return result
    }

    /// Runs the copy until it is quiet — one agreed stable state, every group online where it is
    /// placed, nothing changing for two seconds — or `settleLimit` passed. `observe` runs every 10 ms.
    @discardableResult
    func settle(observe: () -> Void = {}) -> Bool {
        let deadline = simulator.now + Self.settleLimit
        var lastChange = simulator.now
        var last: (UInt64, UInt64, [String: [String]])?
        while simulator.now < deadline {
            simulator.run(for: .milliseconds(10))
            observe()
            let state = agreedState()
            let now = (state?.epoch ?? 0, state?.seq ?? 0, placement())
            if last.map({ $0.0 != now.0 || $0.1 != now.1 || $0.2 != now.2 }) ?? true {
                last = now
                lastChange = simulator.now
                continue
            }
            guard let state, simulator.now - lastChange >= .seconds(2) else { continue }
            let placed = state.placement.mapValues { Set($0.nodes) }
            if simulator.activeConfig.resourceGroups.allSatisfy({ Set(now.2[$0.name] ?? []) == (placed[$0.name] ?? []) }
            ) {
                return true
            }
        }
        return false
    }

    private func describeUnsettled() -> String {
        guard let state = agreedState() else { return "the running nodes do not agree on one stable state" }
        let now = placement()
        let off = simulator.activeConfig.resourceGroups.map(\.name).filter {
            Set(now[$0] ?? []) != Set(state.placement[$0]?.nodes ?? [])
        }
        return off.isEmpty ? "it kept changing" : "not yet where placed: \(off.joined(separator: ", "))"
    }

    /// The configured timing the report quotes.
    private func timing() -> EmulationReport.Timing {
        EmulationReport.Timing(takeoverWaitSeconds: Self.secondsValue(DetectionTimes(config).takeoverWait))
    }

    /// `0.643s`, as the report shows a time.
    static func seconds(_ duration: Duration) -> String { duration.formattedSeconds }

    static func secondsValue(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func list(_ nodes: [String]) -> String { nodes.isEmpty ? "offline" : nodes.joined(separator: ",") }
}

/// How long each group was online nowhere while the events played: from the moment it went
/// offline everywhere to the moment it was online again.
struct OutageWatch {
    private var offlineSince: [String: Moment] = [:]
    private var longest: [String: Duration] = [:]
    private var wasOnline: Set<String>

    init(groups: [String], online: [String: [String]]) {
        wasOnline = Set(groups.filter { group in online.values.contains { $0.contains(group) } })
    }

    mutating func observe(_ online: [String: [String]], at now: Moment) {
        let onlineNow = Set(online.values.flatMap { $0 })
        for group in wasOnline.subtracting(onlineNow) where offlineSince[group] == nil { offlineSince[group] = now }
        for group in onlineNow {
            if let since = offlineSince.removeValue(forKey: group) {
                longest[group] = max(longest[group] ?? .zero, now - since)
            }
            wasOnline.insert(group)
        }
    }

    /// The longest time the group was online nowhere, if it went offline and came back.
    func outage(of group: String) -> Duration? { longest[group] }
}
