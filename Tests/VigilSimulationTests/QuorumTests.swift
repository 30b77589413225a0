import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// Never two owners when the cluster splits: each quorum policy, the dead man switch on a paused
/// daemon, and fencing that succeeds or fails — each as a deterministic simulator scenario.
@Suite struct QuorumTests {
    /// Starts every node and lets the cluster settle.
    func started(_ config: ClusterConfig, seed: UInt64 = 3) -> Simulator {
        let simulator = Simulator(config: config, seed: seed)
        config.nodes.forEach { simulator.start($0.name) }
        simulator.run(for: .seconds(5))
        return simulator
    }

    /// Cuts every network of the configuration between two sets of nodes.
    func split(_ simulator: Simulator, _ left: [String], _ right: [String]) {
        for network in simulator.config.networks {
            _ = PlanActions.apply(.partition(network: network.name, sides: [left, right]), to: simulator)
        }
    }

    func holders(_ simulator: Simulator) -> [String: [String]] {
        simulator.onlineGroups().filter { !$0.value.isEmpty }
    }

    @Test func majorityKeepsTheBigSideAndStopsTheLoneNode() throws {
        let simulator = started(try Fixtures.config("scream.yaml"))
        split(simulator, ["ghost1", "ghost2", "ghost3"], ["ghost4"])
        simulator.run(for: .seconds(10))
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        #expect(holders(simulator) == ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2", "SH3"]])
        #expect(simulator.hosts["ghost4"]!.resources.isEmpty)
        _ = PlanActions.apply(.heal(network: nil), to: simulator)
        simulator.run(for: .seconds(10))
        #expect(holders(simulator) == ["ghost1": ["CH1", "IP4"], "ghost2": ["CH1"], "ghost3": ["SH2"], "ghost4": ["SH3"]])
        #expect(simulator.violations.isEmpty)
    }

    @Test func majorityWithAnEvenSplitStopsBothHalves() throws {
        let simulator = started(try Fixtures.config("scream.yaml"))
        split(simulator, ["ghost1", "ghost2"], ["ghost3", "ghost4"])
        simulator.run(for: .seconds(10))
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        #expect(holders(simulator).isEmpty)
        #expect(simulator.clusterLog.contains { $0.text.contains("lost quorum") })
    }

    /// With the disk heartbeat cut too (a cut IP network with the disk alive is NETPAR: see
    /// MemberStateTests), the tiebreaker decides.
    @Test func aDiskTiebreakerDecidesACutBetweenTwoNodes() throws {
        let simulator = started(try Fixtures.config("pair.yaml"))
        #expect(holders(simulator) == ["alpha": ["web"], "beta": ["db"]])
        for network in ["lan", "heartbeat", "dhb"] {
            _ = PlanActions.apply(.partition(network: network, sides: [["alpha"], ["beta"]]), to: simulator)
        }
        simulator.run(for: .seconds(10))
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
        #expect(simulator.tiebreakers["dhb"]?.owner == "alpha")
        #expect(holders(simulator) == ["alpha": ["web", "db"]])
        _ = PlanActions.apply(.heal(network: nil), to: simulator)
        simulator.run(for: .seconds(10))
        #expect(holders(simulator) == ["alpha": ["web"], "beta": ["db"]])
        #expect(simulator.violations.isEmpty)
    }

    /// Stopping one of two nodes on purpose hands the tiebreaker over before it goes: the other
    /// keeps quorum and never drops what it runs.
    @Test(arguments: [ClusterEvent.Departure.graceful, .takeover])
    func stoppingOneOfTwoOnPurposeKeepsTheOtherRunning(how: ClusterEvent.Departure) throws {
        let simulator = started(try Fixtures.config("pair.yaml"))
        #expect(simulator.tiebreakers["dhb"]?.owner == "alpha")
        simulator.stop("alpha", how: how)
        simulator.run(for: .seconds(10))
        #expect(simulator.hosts["alpha"]!.core == nil, "alpha stopped")
        #expect(simulator.tiebreakers["dhb"]?.owner == "beta")
        #expect(!simulator.clusterLog.contains { $0.text.contains("lost quorum") }, "\(simulator.clusterLog.filter { $0.text.contains("quorum") })")
        #expect(holders(simulator) == (how == .takeover ? ["beta": ["web", "db"]] : ["beta": ["db"]]))
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func theSurvivorOfTwoTakesTheTiebreakerAndEverything() throws {
        let simulator = started(try Fixtures.config("pair.yaml"))
        simulator.crash("alpha")
        simulator.run(for: .seconds(10))
        #expect(simulator.tiebreakers["dhb"]?.owner == "beta")
        #expect(holders(simulator) == ["beta": ["web", "db"]])
        #expect(simulator.violations.isEmpty)
    }

    @Test func withoutQuorumACutGivesTwoOwners() throws {
        let simulator = started(try Fixtures.config("spscream.yaml"))
        split(simulator, ["f01n03"], ["f01n07"])
        simulator.run(for: .seconds(10))
        #expect(simulator.violations.contains { $0.text.hasPrefix("two owners") })
    }

    @Test func aPausedDaemonTripsItsDeadManSwitchBeforeTheTakeover() throws {
        let simulator = started(try Fixtures.config("scream.yaml"))
        simulator.pause("ghost3", for: .seconds(3))
        simulator.run(for: .seconds(2))
        #expect(simulator.hosts["ghost3"]!.resources.isEmpty)
        #expect(holders(simulator)["ghost4"] == ["SH2", "SH3"])
        simulator.run(for: .seconds(10))
        #expect(simulator.hosts["ghost3"]!.clusterLog.contains { $0.text.contains("dead man switch tripped") })
        #expect(holders(simulator)["ghost3"] == ["SH2"])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    /// A node whose lease lapsed takes no group for a while, longer the second time; then it takes
    /// its group back (`LeaseLossBackoff`).
    @Test func aNodeWhoseLeaseLapsedWaitsLongerEachTimeBeforeTakingGroupsAgain() throws {
        let simulator = started(try Fixtures.config("scream.yaml"))
        for _ in 0..<2 {
            simulator.pause("ghost3", for: .seconds(3))
            simulator.run(for: .seconds(15))
            #expect(holders(simulator)["ghost3"] == ["SH2"])
        }
        let log = simulator.hosts["ghost3"]!.log
        let waits = log.filter { $0.text.contains("takes no group for") }
        #expect(waits.count == 2, "\(waits)")
        #expect(waits.first?.text.contains("takes no group for 900ms (its lease lapsed)") == true, "\(waits)")
        #expect(waits.last?.text.contains("for 1.8s (its lease lapsed 2 times within 60s)") == true, "\(waits)")
        // Each time, SH2 came back only after the wait.
        for wait in waits {
            let back = log.first { $0.time > wait.time && $0.text.hasPrefix("acquire SH2") }
            #expect(back.map { $0.time - wait.time >= .milliseconds(900) } == true, "\(wait) \(String(describing: back))")
        }
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func aShortPauseMovesNothing() throws {
        let simulator = started(try Fixtures.config("scream.yaml"))
        let before = holders(simulator)
        simulator.pause("ghost3", for: .milliseconds(300))
        simulator.run(for: .seconds(5))
        #expect(holders(simulator) == before)
        #expect(!simulator.clusterLog.contains { $0.text.contains("node_down") })
    }

    func withFencing(_ config: ClusterConfig) -> ClusterConfig {
        var fenced = config
        for index in fenced.nodes.indices { fenced.nodes[index].fenceCommand = "ipmitool -H \(fenced.nodes[index].name)-bmc power off" }
        return fenced
    }

    @Test func aNodeThatMayBeAliveIsFencedBeforeTheTakeover() throws {
        let simulator = started(withFencing(try Fixtures.config("scream.yaml")))
        simulator.pause("ghost3", for: .seconds(5))
        simulator.run(for: .seconds(4))
        #expect(simulator.fenced == ["ghost3"])
        #expect(simulator.clusterLog.contains { $0.text == "fence ghost3: succeeded (attempt 1)" })
        #expect(holders(simulator)["ghost4"] == ["SH2", "SH3"])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func whenFencingFailsTheTakeoverWaitsAndSaysWhy() throws {
        let simulator = started(withFencing(try Fixtures.config("scream.yaml")))
        simulator.unfenceable = ["ghost3"]
        simulator.pause("ghost3", for: .seconds(6))
        simulator.run(for: .seconds(5))
        #expect(simulator.fenced.isEmpty)
        #expect(simulator.clusterLog.contains { $0.text.hasPrefix("fence ghost3: FAILED") })
        #expect(holders(simulator)["ghost4"] == ["SH3"])
        simulator.run(for: .seconds(10))
        #expect(holders(simulator)["ghost3"] == ["SH2"])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }
}
