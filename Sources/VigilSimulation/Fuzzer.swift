import VigilCore
import VigilModel

/// Random fault schedules against a simulated cluster, each from its own seed, each checked after
/// every step (never two owners) and at every quiet moment (agreement, holdings, nothing offline
/// that could be online), and after its faults heal (the cluster converges to the placement its
/// policies give, within `healBound`).
///
/// Under a quorum policy the faults take any shape (partitions, long pauses, nodes cut off from
/// everyone). In a cluster without quorum they keep every pair of running nodes connected by at
/// least one IP network and pauses short: nothing else could keep such a cluster safe.
public struct Fuzzer: Sendable {
    public let config: ClusterConfig
    public var faults: Set<FaultKind>
    /// How long faults are injected, after the cluster formed.
    public var faultPhase: Duration = .seconds(30)
    /// How many faults one schedule injects, at most.
    public var maxFaults = 12
    /// How long after the faults heal every group must be back where its policy puts it.
    public var healBound: Duration = .seconds(20)
    /// How long the cluster must stay unchanged before the quiet-moment checks run.
    public var quietTime: Duration = .seconds(3)
    /// While a view with quorum stands, how long a group one of its members could hold may stay
    /// offline, even while faults last (`LivenessWatch`).
    public var livenessBound: Duration
    /// The nodes' safety rules (only tests that prove the checker can fail change them).
    public var rules = SafetyRules.standard

    public init(config: ClusterConfig, faults: Set<FaultKind> = Set(FaultKind.allCases)) {
        self.config = config
        self.faults = faults
        self.livenessBound = LivenessWatch.takeoverBound(of: config)
    }

    /// What one schedule found.
    public struct Outcome: Sendable {
        public var seed: UInt64
        public var violations: [Violation]
        /// From the moment the faults healed to the moment every group was back online as expected
        /// (`nil` if that never happened within the bound).
        public var recovery: Duration?
        public var faultsInjected: Int
    }

    /// Runs the schedule of `seed`. `trace`, when set, receives every step.
    public func run(seed: UInt64, trace: ((String) -> Void)? = nil) -> Outcome {
        let simulator = Simulator(config: config, seed: seed)
        simulator.trace = trace
        simulator.rules = rules
        var schedule = ScheduleState(simulator: simulator, config: config)
        for node in config.nodes {
            simulator.run(for: simulator.random.duration(.zero, .milliseconds(300)))
            simulator.start(node.name)
        }
        simulator.run(for: .seconds(5))
        let begin = simulator.now
        let end = begin + faultPhase
        let count = Int.random(in: 1...maxFaults, using: &simulator.random)
        var times = (0..<count).map { _ in begin + simulator.random.duration(.zero, faultPhase) }.sorted()
        var quiet = QuietWatch(quietTime: quietTime)
        var liveness = LivenessWatch(config: config, bound: livenessBound)
        var versions = ConfigVersionWatch()
        while simulator.now < end {
            var next = simulator.now + .milliseconds(250)
            if let first = times.first, first < next { next = first }
            simulator.run(until: min(next, end))
            schedule.repairDue()
            while let first = times.first, simulator.now >= first {
                times.removeFirst()
                schedule.inject(from: faults)
            }
            quiet.observe(
                simulator, lastChange: schedule.lastChange, checker: simulator.invariantChecker,
                connected: schedule.isConnectedEnough(),
                working: schedule.networkWorks)
            liveness.observe(simulator, networkWorks: schedule.networkWorks)
            versions.observe(simulator)
        }
        schedule.healEverything()
        let healed = simulator.now
        var recovery: Duration? = nil
        while simulator.now - healed < healBound {
            simulator.run(for: .milliseconds(100))
            versions.observe(simulator)
            if Convergence.problems(in: simulator).isEmpty {
                recovery = simulator.now - healed
                break
            }
        }
        simulator.run(for: .seconds(2))
        for problem in Convergence.problems(in: simulator) {
            simulator.record(
                Violation(
                    time: simulator.now,
                    text: "not converged \(DurationText.format(healBound)) after the faults healed: \(problem)"))
        }
        if recovery != nil {
            var violations: [Violation] = []
            simulator.invariantChecker.checkStable(
                hosts: simulator.hosts, at: simulator.now, networksWorking: { _, _ in true }, into: &violations)
            violations.forEach(simulator.record)
        }
        return Outcome(
            seed: seed,
            violations: deduplicated(
                simulator.violations + quiet.violations + liveness.violations + versions.violations),
            recovery: recovery,
            faultsInjected: schedule.injected)
    }

    private func deduplicated(_ violations: [Violation]) -> [Violation] {
        var seen: Set<String> = []
        return violations.filter { seen.insert($0.text).inserted }
    }
}

/// Runs the stable-state checks whenever the cluster has been quiet (no fault change, no state
/// change) for a while.
struct QuietWatch {
    let quietTime: Duration
    var lastState: (UInt64, UInt64)?
    var since: Moment = .zero
    var checkedAt: (UInt64, UInt64)?
    var violations: [Violation] = []

    mutating func observe(
        _ simulator: Simulator, lastChange: Moment, checker: InvariantChecker, connected: Bool,
        working: (String, String) -> Bool
    ) {
        // While the running nodes cannot all talk to each other only safety is checked (always).
        guard connected else {
            lastState = nil
            return
        }
        // The nodes and quorum of the version the cluster runs (a reconfiguration may remove or add nodes).
        let config = simulator.activeConfig
        let running = Set(config.nodes.map(\.name).filter { simulator.hosts[$0]?.core != nil })
        // Exactly half of the votes may hold quorum through the disk tiebreaker.
        let reachesDisk = running.contains { node in
            config.tiebreaker.map { disk in
                config.node(named: node)!.adapters(on: disk).contains { simulator.faults.isUp($0, of: node) }
            } ?? false
        }
        let mayHaveQuorum =
            config.hasMajority(running) || (config.quorum == .disk && config.isHalf(running) && reachesDisk)
        if config.quorum != .none && !mayHaveQuorum {
            guard simulator.now - lastChange >= quietTime else { return }
            for node in running.sorted() {
                for group in simulator.activeConfig.resourceGroups
                where simulator.hosts[node]!.resources.holdsAnything(of: group) {
                    violations.append(
                        Violation(
                            time: simulator.now,
                            text:
                                "no quorum among running \(running.sorted().joined(separator: ", ")), yet \(node) "
                                + "still holds \(group.name)"
                        ))
                }
            }
            return
        }
        guard let state = checker.agreedStableState(hosts: simulator.hosts) else {
            lastState = nil
            return
        }
        let key = (state.epoch, state.seq)
        if lastState.map({ $0 != key }) ?? true {
            lastState = key
            since = simulator.now
        }
        let quietSince = max(since, lastChange)
        guard simulator.now - quietSince >= quietTime, checkedAt.map({ $0 != key }) ?? true else { return }
        checkedAt = key
        checker.checkStable(hosts: simulator.hosts, at: simulator.now, networksWorking: working, into: &violations)
    }
}
