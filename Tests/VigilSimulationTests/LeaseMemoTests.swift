import Testing
@testable import VigilCore
import VigilModel
import VigilSimulation

/// The lease memo (`LeaseMemo`) spares the full lease computation on every message; it must never
/// prove a lease that the full computation denies. Peers crash and restart (their echoes are
/// forgotten), networks split and heal, daemons pause; every 10 ms every running node's lease is
/// checked both ways.
@Suite struct LeaseMemoTests {
    /// The lease as computed without the memo.
    static func fullLease(_ core: ClusterNode, at now: Moment) -> Bool {
        guard core.config.quorum != .none else { return core.installed != nil }
        return core.installed != nil && core.isConfirmed(in: Set(core.membership.memberViews), at: now)
    }

    func check(_ file: String, seed: UInt64) throws {
        let config = try Fixtures.config(file)
        let simulator = Simulator(config: config, seed: seed)
        let names = config.nodes.map(\.name)
        names.forEach { simulator.start($0) }
        var memoUsed = 0
        var disagreements: [String] = []
        for step in 0..<3000 {
            simulator.run(for: .milliseconds(10))
            if step % 400 == 150 { simulator.crash(names[(step / 400) % names.count]) }
            if step % 400 == 250 { simulator.start(names[(step / 400) % names.count]) }
            if step % 1000 == 600 { simulator.pause(names.last!, for: .milliseconds(800)) }
            if step % 1000 == 800 {
                for network in config.networks {
                    _ = PlanActions.apply(.partition(network: network.name, sides: [[names[0]], Array(names.dropFirst())]), to: simulator)
                }
            }
            if step % 1000 == 900 { _ = PlanActions.apply(.heal(network: nil), to: simulator) }
            for name in names {
                guard let core = simulator.hosts[name]?.core, core.phase == .running else { continue }
                let now = simulator.now
                if core.leaseMemo?.proves(for: core, at: now) == true {
                    memoUsed += 1
                    if !Self.fullLease(core, at: now) { disagreements.append("\(now) \(name)") }
                }
            }
        }
        #expect(disagreements.isEmpty, "the memo proved a lease the full computation denies: \(disagreements.prefix(5))")
        #expect(memoUsed > 1000, "the memo was hardly ever used (\(memoUsed)): the check proves nothing")
        #expect(simulator.violations.isEmpty, "\(simulator.violations.prefix(3))")
    }

    @Test func screamWithMajorityQuorum() throws { try check("scream.yaml", seed: 11) }
    @Test func pairWithTheDiskTiebreaker() throws { try check("pair.yaml", seed: 12) }
}
