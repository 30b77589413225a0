import VigilModel
import VigilSimulation

@testable import VigilCore

/// Thirty simulated seconds of the faults a lease must survive, for the tests that check a lease
/// computation against the full one (`LeaseMemoTests`, `HardwareWatchdogLeaseTests`): peers crash
/// and restart (their echoes are forgotten), the last node pauses, the first is split from the
/// others on every network and healed again.
enum LeaseChurn {
    /// Starts every node, then runs 3,000 steps of 10 ms with those faults; after each step,
    /// `inspect` sees every running node's core, with its name.
    static func run(_ simulator: Simulator, _ config: ClusterConfig, inspect: (String, ClusterNode) -> Void) {
        let names = config.nodes.map(\.name)
        names.forEach { simulator.start($0) }
        for step in 0..<3000 {
            simulator.run(for: .milliseconds(10))
            if step % 400 == 150 { simulator.crash(names[(step / 400) % names.count]) }
            if step % 400 == 250 { simulator.start(names[(step / 400) % names.count]) }
            if step % 1000 == 600 { simulator.pause(names.last!, for: .milliseconds(800)) }
            if step % 1000 == 800 {
                for network in config.networks {
                    _ = PlanActions.apply(
                        .partition(network: network.name, sides: [[names[0]], Array(names.dropFirst())]), to: simulator)
                }
            }
            if step % 1000 == 900 { _ = PlanActions.apply(.heal(network: nil), to: simulator) }
            for name in names {
                guard let core = simulator.hosts[name]?.core, core.phase == .running else { continue }
                inspect(name, core)
            }
        }
    }

    /// The lease as computed without the memo.
    static func fullLease(_ core: ClusterNode, at now: Moment) -> Bool {
        guard core.config.quorum != .none else { return core.installed != nil }
        return core.installed != nil && core.isConfirmed(in: Set(core.membership.memberViews), at: now)
    }
}
