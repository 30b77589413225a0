import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// Random fault schedules with zero violations, exact replay from a seed, and proof that the
/// checker can fail: with release-before-acquire switched off, it finds two owners; with the
/// protection given a step late, it finds actions the dead man switch did not cover.
@Suite struct FuzzTests {
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
        var found: String? = nil
        for seed in UInt64(1)...200 where found == nil {
            found = fuzzer.run(seed: seed).violations.first { $0.text.hasPrefix("two owners") }?.text
        }
        #expect(found != nil)
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
}
