import VigilCore
import VigilModel

/// Prediction equals outcome (`vigil sim predict`): a cluster in the simulator takes random single
/// faults one after another; before each, `vigil emulate`'s engine starts a copy from that
/// moment's agreed state and plays the same fault on it, and the placement it predicts is compared
/// with the placement the cluster then reaches. Timing estimates are not compared.
public struct PredictionCheck {
    public let config: ClusterConfig
    /// Faults played on each simulated cluster before a new one is started.
    public var faultsPerCluster = 25
    /// Called with each fault's copy and report before the fault is played on the cluster (to
    /// look into a mismatch).
    public var inspect:
        ((_ label: String, _ state: ClusterState, _ copy: Emulation, _ report: EmulationReport) -> Void)?

    public init(config: ClusterConfig) { self.config = config }

    /// The outcome of a check.
    public struct Outcome: Sendable {
        /// Faults whose prediction was compared with the outcome.
        public var compared = 0
        /// Faults the copy refused to emulate (a state it says it cannot reproduce), with why.
        public var refused: [String] = []
        /// Predictions that were not the outcome, and copies that did not reach the live state.
        public var mismatches: [String] = []
    }

    /// Plays `faults` faults in all, on clusters seeded from `seed` on; `progress` after each cluster.
    public func run(faults: Int, seed: UInt64 = 1, progress: (Outcome) -> Void = { _ in }) -> Outcome {
        var outcome = Outcome()
        var clusterSeed = seed
        while outcome.compared < faults {
            runCluster(seed: clusterSeed, limit: faults - outcome.compared, into: &outcome)
            progress(outcome)
            clusterSeed += 1
        }
        return outcome
    }

    private func runCluster(seed: UInt64, limit: Int, into outcome: inout Outcome) {
        let cluster = Emulation(config: config, seed: seed)
        if let problem = cluster.prepare() {
            outcome.mismatches.append("seed \(seed): the cluster did not form: \(problem)")
            return
        }
        var random = SimRandom(seed: seed &* 7919)
        var picker = FaultPicker(config: config)
        for index in 0..<min(faultsPerCluster, limit) {
            guard let state = cluster.agreedState(), state.isStable else { return }
            let event = picker.pick(in: cluster, random: &random)
            let label = "seed \(seed) fault \(index) \(event.description)"
            let copy = Emulation(
                config: config, live: state, origin: label, seed: seed &* 1000 &+ UInt64(index))
            if let problem = copy.prepare() {
                if Emulation.refusal(of: state, config: config) != nil {
                    outcome.refused.append("\(label): \(problem)")
                } else {
                    outcome.mismatches.append("\(label): \(problem)")
                }
                return
            }
            let predicted = copy.play([event])
            inspect?(label, state, copy, predicted)
            _ = PlanActions.apply(event.action, to: cluster.simulator)
            cluster.settle()
            picker.applied(event)
            outcome.compared += 1
            let actual = cluster.placement()
            for group in predicted.groups where Set(group.to) != Set(actual[group.group] ?? []) {
                outcome.mismatches.append(
                    "\(label): \(group.group) predicted on \(EmulationReport.list(group.to)), went to "
                        + EmulationReport.list(actual[group.group] ?? []))
            }
        }
    }
}

/// Picks a random single fault the cluster can take now without losing its quorum or cutting a
/// node from every IP network (a state a copy cannot reproduce): a crash or a stop of a running
/// node while more than a majority runs, a start of a stopped one, one adapter failed (while no
/// other is) or repaired, a group moved, taken offline or brought online. Adapter failures are
/// single: with several, a node's working adapter that hears nobody reads as failed in the agreed
/// topology, and a copy that fails it too is not the cluster (see docs/what-if.md).
struct FaultPicker {
    let config: ClusterConfig
    var failedAdapters: Set<String> = []

    init(config: ClusterConfig) { self.config = config }

    mutating func pick(in emulation: Emulation, random: inout SimRandom) -> EmulatedEvent {
        let simulator = emulation.simulator
        let nodes = config.nodes.map(\.name)
        let running = nodes.filter { simulator.hosts[$0]?.core != nil }
        let stopped = nodes.filter { simulator.hosts[$0]?.core == nil }
        // A node with a failed adapter neither stops nor starts: a copy cannot know the adapters
        // of a node outside the view (nor can `vigil emulate` on a real cluster).
        let failed = failedAdapters
        let intact = { (node: String) in !failed.contains { $0.hasPrefix("\(node)/") } }
        var choices: [[String]] = []
        if running.count > config.nodes.count / 2 + 1 {
            for node in running where intact(node) {
                choices.append(["node_down", node])
                choices.append(["stop", node, "--takeover"])
                choices.append(["stop", node, "--graceful"])
            }
        }
        for node in stopped where intact(node) { choices += [["node_up", node], ["node_up", node]] }
        for node in config.nodes where running.contains(node.name) {
            let ipAdapters = node.interfaces.filter {
                $0.role != .service && config.network(named: $0.network)?.isIP == true
            }.map(\.name)
            let workingIP = ipAdapters.filter { !failed.contains("\(node.name)/\($0)") }
            for interface in node.interfaces where interface.role != .service {
                let key = "\(node.name)/\(interface.name)"
                if failed.contains(key) {
                    choices.append(["repair_interface", node.name, interface.name])
                } else if failed.isEmpty && workingIP != [interface.name] {
                    choices.append(["fail_interface", node.name, interface.name])
                }
            }
        }
        for group in config.resourceGroups {
            for node in group.nodes where running.contains(node) { choices.append(["move", group.name, node]) }
            choices.append(["offline", group.name])
            choices.append(["online", group.name])
        }
        let words = choices[Int(random.next() % UInt64(choices.count))]
        // Every name comes from the configuration: the event parses.
        return try! EmulatedEvent.parse(words, config: config).get()
    }

    mutating func applied(_ event: EmulatedEvent) {
        switch event.action {
        case .failInterface(let node, let interface): failedAdapters.insert("\(node)/\(interface)")
        case .repairInterface(let node, let interface): failedAdapters.remove("\(node)/\(interface)")
        default: break
        }
    }
}
