import Testing
import VigilModel
import VigilSimulation

@testable import VigilCore

/// What the runtime hands the hardware watchdog (`ClusterNode.hardwareWatchdogLease`): never a
/// moment past the lease the full computation proves, `now` once the lease lapsed while the node
/// holds something, no bound while it holds nothing. Checked every 10 ms on every running node
/// while peers crash and restart, a daemon pauses and a network splits; and a cluster with a
/// hardware watchdog configured still takes over safely (the takeover wait grows with it).
@Suite struct HardwareWatchdogLeaseTests {
    func check(_ file: String, seed: UInt64, hardware: Duration? = nil) throws {
        var config = try Fixtures.config(file)
        config.tuning.hardwareWatchdog = hardware
        let simulator = Simulator(config: config, seed: seed)
        var bounded = 0
        var lapsed = 0
        var problems: [String] = []
        LeaseChurn.run(simulator, config) { name, core in
            let now = simulator.now
            let end = core.hardwareWatchdogLease(at: now)
            guard core.holdsAnything else {
                if end != nil { problems.append("\(now) \(name): bounded while it holds nothing") }
                return
            }
            guard let end else {
                problems.append("\(now) \(name): unbounded while it holds something")
                return
            }
            bounded += 1
            if end > now + config.tuning.tripInterval { problems.append("\(now) \(name): past the trip interval") }
            if end > now && !LeaseChurn.fullLease(core, at: now) { problems.append("\(now) \(name): no lease, \(end)") }
            // As the node's state stands, the full computation still proves the lease just
            // before the end handed over: the end is never past it.
            if end > now && !LeaseChurn.fullLease(core, at: max(now, end - .milliseconds(1))) {
                problems.append("\(now) \(name): \(end) is past the lease")
            }
            if end == now { lapsed += 1 }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(bounded > 1000, "the lease bounded the pets hardly ever (\(bounded)): the check proves nothing")
        #expect(lapsed > 0, "no lease lapsed while the node held something: the faults prove nothing")
        #expect(simulator.violations.isEmpty, "\(simulator.violations.prefix(3))")
    }

    @Test func screamWithMajorityQuorum() throws { try check("scream.yaml", seed: 21) }
    @Test func pairWithTheDiskTiebreaker() throws { try check("pair.yaml", seed: 22) }
    @Test func pairWithAHardwareWatchdog() throws { try check("pair.yaml", seed: 23, hardware: .seconds(2)) }
}
