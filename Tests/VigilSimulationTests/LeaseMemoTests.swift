import Testing
import VigilModel
import VigilSimulation

@testable import VigilCore

/// The lease memo (`LeaseMemo`) spares the full lease computation on every message; it must never
/// prove a lease that the full computation denies. Peers crash and restart (their echoes are
/// forgotten), networks split and heal, daemons pause; every 10 ms every running node's lease is
/// checked both ways.
@Suite struct LeaseMemoTests {
    func check(_ file: String, seed: UInt64) throws {
        let config = try Fixtures.config(file)
        let simulator = Simulator(config: config, seed: seed)
        var memoUsed = 0
        var disagreements: [String] = []
        LeaseChurn.run(simulator, config) { name, core in
            let now = simulator.now
            if core.leaseMemo?.proves(for: core, at: now) == true {
                memoUsed += 1
                if !LeaseChurn.fullLease(core, at: now) { disagreements.append("\(now) \(name)") }
            }
        }
        #expect(
            disagreements.isEmpty, "the memo proved a lease the full computation denies: \(disagreements.prefix(5))")
        #expect(memoUsed > 1000, "the memo was hardly ever used (\(memoUsed)): the check proves nothing")
        #expect(simulator.violations.isEmpty, "\(simulator.violations.prefix(3))")
    }

    @Test func screamWithMajorityQuorum() throws { try check("scream.yaml", seed: 11) }
    @Test func pairWithTheDiskTiebreaker() throws { try check("pair.yaml", seed: 12) }
}
