import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// Random fault schedules with zero violations, exact replay from a seed, and proof that the
/// checker can fail: with release-before-acquire switched off, it finds two owners; with the
/// protection given a step late, it finds actions the dead man switch did not cover.
@Suite struct FuzzTests {
    /// The text of the first violation among schedules `seeds` that `matches`, if any: how a test
    /// that breaks a rule on purpose shows the checker notices.
    static func firstViolation(_ fuzzer: Fuzzer, seeds: ClosedRange<UInt64>, where matches: (String) -> Bool)
        -> String?
    {
        for seed in seeds {
            if let found = fuzzer.run(seed: seed).violations.first(where: { matches($0.text) }) { return found.text }
        }
        return nil
    }

    @Test func randomFaultSchedulesOnScreamBreakNoInvariant() throws {
        let fuzzer = Fuzzer(config: try Fixtures.config("scream.yaml"))
        for seed in UInt64(1)...20 {
            let outcome = fuzzer.run(seed: seed)
            for violation in outcome.violations { Issue.record("seed \(seed): \(violation)") }
            #expect(outcome.recovery != nil, "seed \(seed) did not converge after healing")
        }
    }

    @Test func randomFaultSchedulesOnTwoNodesBreakNoInvariant() throws {
        let fuzzer = Fuzzer(config: try Fixtures.config("spscream.yaml"))
        for seed in UInt64(1)...10 {
            let outcome = fuzzer.run(seed: seed)
            for violation in outcome.violations { Issue.record("seed \(seed): \(violation)") }
        }
    }

    /// `tuning: {preset: fast}` (40 ms heartbeats, a 120 ms dead man switch) under every fault:
    /// scream and the two-node pair with its disk tiebreaker.
    @Test func thePresetFastBreaksNoInvariant() throws {
        for name in ["scream.yaml", "pair.yaml"] {
            var config = try Fixtures.config(name)
            config.tuning = TuningPreset.fast.tuning
            let fuzzer = Fuzzer(config: config)
            for seed in UInt64(1)...10 {
                let outcome = fuzzer.run(seed: seed)
                for violation in outcome.violations { Issue.record("\(name) fast, seed \(seed): \(violation)") }
            }
        }
    }

    @Test func theSameSeedReplaysTheSameRun() throws {
        let fuzzer = Fuzzer(config: try Fixtures.config("scream.yaml"))
        func traceOf(_ seed: UInt64) -> [String] {
            var lines: [String] = []
            _ = fuzzer.run(seed: seed) { lines.append($0) }
            return lines
        }
        let first = traceOf(7)
        #expect(first.count > 100)
        #expect(first == traceOf(7))
        #expect(first != traceOf(8))
    }

    @Test func withoutReleaseBeforeAcquireTheCheckerFindsTwoOwners() throws {
        var fuzzer = Fuzzer(config: try Fixtures.config("scream.yaml"), faults: [.crash])
        fuzzer.rules = SafetyRules(releaseBeforeAcquire: false)
        let found = Self.firstViolation(fuzzer, seeds: 1...200) { $0.hasPrefix("two owners") }
        #expect(found != nil)
    }

    /// Syncs among crashes, partitions and loss never give one configuration version to two syncs;
    /// with the coordinator granting every claim (the rule off), the watch finds two that did.
    @Test func configurationVersionsAreNeverTakenTwiceAndTheWatchCanFail() throws {
        var fuzzer = Fuzzer(config: try Fixtures.config("scream.yaml"), faults: [.sync, .crash, .partition, .loss])
        fuzzer.maxFaults = 20
        var injected = 0
        for seed in UInt64(1)...15 {
            let outcome = fuzzer.run(seed: seed)
            for violation in outcome.violations { Issue.record("seed \(seed): \(violation)") }
            injected += outcome.faultsInjected
        }
        #expect(injected > 0)
        fuzzer.faults = [.sync]
        fuzzer.rules = SafetyRules(configVersionsFollowTheNewest: false)
        let found = Self.firstViolation(fuzzer, seeds: 1...50) { $0.contains("taken by two syncs") }
        #expect(found != nil, "the watch never saw a version taken twice with the rule off")
    }

    /// Live reconfigurations (random verified changes: node lists, policies, new and removed
    /// groups, changed resources, heartbeat tuning) among crashes, partitions and loss: every
    /// survivor ends on the cluster's version (`InvariantChecker.checkStable`), never two owners.
    /// With the new version made active before what it changes is released (the rule off), the
    /// checker finds a group left running as the old version defined it.
    @Test func liveReconfigurationsBreakNoInvariantAndTheCheckerCanFail() throws {
        var fuzzer = Fuzzer(config: try Fixtures.config("scream.yaml"), faults: [.sync, .crash, .partition, .loss])
        fuzzer.maxFaults = 20
        var reconfigured = 0
        for seed in UInt64(1)...12 {
            var lines: [String] = []
            let outcome = fuzzer.run(seed: seed) { lines.append($0) }
            for violation in outcome.violations { Issue.record("seed \(seed): \(violation)") }
            reconfigured += lines.filter { $0.contains("EVENT COMPLETED: reconfig") }.count
        }
        #expect(reconfigured > 0, "no reconfiguration completed")
        fuzzer.faults = [.sync]
        fuzzer.rules = SafetyRules(reconfigurationReleasesFirst: false)
        let found = Self.firstViolation(fuzzer, seeds: 1...60) { $0.contains("host lacks it") }
        #expect(found != nil, "the checker never saw a group left as the old version defined it")
    }

    /// Schedules of `vigil sim fuzz examples/scream.yaml --faults sync,crash,pause,partition,partial,loss`
    /// that found reconfiguration defects: a node added back while it was still leaving was never
    /// started (50286, 50588); a member that ran a newer version out of a view came back up in a
    /// cluster on the older one, which then never reconfigured (60412).
    @Test(arguments: [50286, 50588, 60412] as [UInt64])
    func reconfigurationSchedulesThatFoundDefectsPass(seed: UInt64) throws {
        let faults = try #require(FaultKind.parseList("sync,crash,pause,partition,partial,loss"))
        let fuzzer = Fuzzer(config: try Fixtures.config("scream.yaml"), faults: faults)
        let outcome = fuzzer.run(seed: seed)
        for violation in outcome.violations { Issue.record("seed \(seed): \(violation)") }
    }

    @Test func withoutReleaseBeforeAcquireTable12Fails() throws {
        let config = try Fixtures.config("scream.yaml")
        let runner = PlanRunner(config: config, plan: try Fixtures.plan("scream-table12.yaml", for: config))
        runner.simulator.rules = SafetyRules(releaseBeforeAcquire: false)
        let results = runner.run()
        #expect(results.contains { !$0.passed && $0.description.contains("two owners") })
    }

    /// `Step`'s order says protect before act: a core that gives the protection a step late starts
    /// acquisitions the dead man switch cannot release (a daemon killed right then leaves an orphan).
    @Test func withProtectionOneStepLateTheCheckerFindsUncoveredActions() throws {
        let config = try Fixtures.config("scream.yaml")
        let runner = PlanRunner(config: config, plan: try Fixtures.plan("scream-table12.yaml", for: config))
        runner.simulator.rules = SafetyRules(protectBeforeActing: false)
        _ = runner.run()
        let uncovered = runner.simulator.violations.filter { $0.text.contains("before its dead man switch covers it") }
        #expect(!uncovered.isEmpty)
        // With the rule on, the same plan starts nothing uncovered.
        let standard = PlanRunner(config: config, plan: try Fixtures.plan("scream-table12.yaml", for: config))
        _ = standard.run()
        #expect(standard.simulator.violations.isEmpty, "\(standard.simulator.violations)")
    }

    /// The liveness rule during faults holds through scream's IP split (the disk ring joins the
    /// halves: every node stays a member, every group online), and it can fail: a crash leaves
    /// SH2 offline for the takeover, longer than a bound of 100 ms.
    @Test func theLivenessRuleHoldsThroughTheSplitAndCanFail() throws {
        let config = try Fixtures.config("scream-testbed.yaml")
        func violations(bound: Duration, crash: Bool) -> [Violation] {
            let simulator = Simulator(config: config, seed: 1)
            for node in config.nodes { simulator.start(node.name) }
            simulator.run(for: .seconds(5))
            for network in ["ether", "token"] {
                simulator.faults.partitions[network] = ["ghost1": 0, "ghost2": 0, "ghost3": 1, "ghost4": 1]
            }
            var watch = LivenessWatch(config: config, bound: bound)
            for step in 0..<120 {
                if crash && step == 60 { simulator.crash("ghost3") }
                simulator.run(for: .milliseconds(250))
                watch.observe(simulator) { _, _ in true }
            }
            return watch.violations + simulator.violations
        }
        let standard = violations(bound: LivenessWatch.takeoverBound(of: config), crash: false)
        #expect(standard.isEmpty, "\(standard)")
        #expect(violations(bound: .milliseconds(100), crash: true).contains { $0.text.hasPrefix("SH2 offline for ") })
    }

    /// The IP networks split two against two while the disk ring joins every node: with the graph
    /// nothing moves; without it, a node is left out and its group goes offline.
    @Test func theSplitPlanNeedsGraphMembership() throws {
        let config = try Fixtures.config("scream-testbed.yaml")
        let plan = try Fixtures.plan("scream-partial.yaml", for: config)
        let results = PlanRunner(config: config, plan: plan).run()
        #expect(results.allSatisfy { $0.passed }, "\(results)")
        let broken = PlanRunner(config: config, plan: plan)
        broken.simulator.rules = SafetyRules(membershipFollowsGraph: false)
        #expect(broken.run().contains { !$0.passed })
    }

    /// A ring's member whose observers all lost it stays a member while its coordinator hears it,
    /// confirmed by the coordinator's grants. When the two are then cut off together, the majority
    /// must wait for the coordinator's lease to run out as well before it takes the member's group:
    /// the member's observers last heard it seconds ago. Without that wait, two owners.
    @Test func aCoordinatorsGrantsMakeTheMajorityWaitForItsLease() throws {
        let config = try Fixtures.config("fivering.yaml")
        func violations(_ rules: SafetyRules) -> [Violation] {
            let simulator = Simulator(config: config, seed: 3)
            simulator.rules = rules
            for node in config.nodes { simulator.start(node.name) }
            simulator.run(for: .seconds(5))
            for network in ["ether", "token"] {
                for peer in ["r2", "r4", "r5"] {
                    simulator.faults.cuts.insert(NetworkFaults.Cut(from: "r3", to: peer, network: network))
                    simulator.faults.cuts.insert(NetworkFaults.Cut(from: peer, to: "r3", network: network))
                }
            }
            simulator.run(for: .seconds(5))
            #expect(holders(of: "g3", in: simulator) == ["r3"], "r3 keeps g3 while r1 hears it")
            for network in ["ether", "token"] {
                simulator.faults.partitions[network] = ["r1": 0, "r3": 0, "r2": 1, "r4": 1, "r5": 1]
            }
            simulator.run(for: .seconds(5))
            #expect(holders(of: "g3", in: simulator) == ["r4"], "the majority took g3 over")
            return simulator.violations
        }
        func holders(of group: String, in simulator: Simulator) -> [String] {
            simulator.onlineGroups().filter { $0.value.contains(group) }.map(\.key).sorted()
        }
        let standard = violations(.standard)
        #expect(standard.isEmpty, "\(standard)")
        #expect(violations(SafetyRules(takeoverWaitsForGranters: false)).contains { $0.text.hasPrefix("two owners") })
    }

    /// Sixteen nodes at rest beat in rings, their leases confirmed by the coordinator's grants. The
    /// coordinator stalls for a second and a half: its grants stop, each member asks every peer
    /// at once and keeps its lease on a quorum's echoes; only the coordinator's own group moves.
    @Test func aStalledCoordinatorDoesNotMakeTheMembersRelease() throws {
        let config = try Fixtures.config("sixteen.yaml")
        let simulator = Simulator(config: config, seed: 5)
        for node in config.nodes { simulator.start(node.name) }
        simulator.run(for: .seconds(8))
        let before = simulator.clusterLog.count
        simulator.pause("c01", for: .milliseconds(1_500))
        simulator.run(for: .seconds(6))
        let released = simulator.clusterLog.dropFirst(before).filter { $0.node != "c01" && $0.text.contains("lost quorum") }
        #expect(released.isEmpty, "\(released)")
        let online = simulator.onlineGroups()
        for index in 2...16 {
            let node = String(format: "c%02d", index)
            #expect(online[node]?.contains(String(format: "g%02d", index)) == true, "\(node): \(online[node] ?? [])")
        }
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }
}
