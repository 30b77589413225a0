import Testing
import VigilCore
import VigilModel
import VigilSimulation

/// `vigil sync` takes its version from the coordinator: two syncs started at once never get one
/// number; the newest version counts every member's stored one, so a view formed after a restart
/// does not hand out a number that some node already stores; `expecting` is compare-and-swap.
@Suite struct ConfigVersionClaimTests {
    static func grants(_ simulator: Simulator) -> [(node: String, version: UInt64)] {
        simulator.hosts.keys.sorted().flatMap { node in
            (simulator.hosts[node]?.core?.answers ?? []).compactMap { reply -> (String, UInt64)? in
                guard case .claimConfigVersion(let version, _) = reply.request, reply.refusal == nil else { return nil }
                return (node, version)
            }
        }
    }

    static func refusals(_ simulator: Simulator, on node: String) -> [String] {
        (simulator.hosts[node]?.core?.answers ?? []).compactMap(\.refusal)
    }

    static func running() throws -> Simulator {
        let config = try Fixtures.config("scream.yaml")
        let simulator = Simulator(config: config, seed: 11)
        for node in config.nodes { simulator.start(node.name) }
        simulator.run(for: .seconds(15))
        #expect(simulator.hosts["ghost1"]?.core?.installed?.isStable == true)
        return simulator
    }

    @Test func twoSyncsAtOnceNeverTakeOneVersion() throws {
        let simulator = try Self.running()
        simulator.request(.claimConfigVersion(version: 1, expecting: nil), on: "ghost2")
        simulator.request(.claimConfigVersion(version: 1, expecting: nil), on: "ghost4")
        simulator.run(for: .seconds(3))
        let granted = Self.grants(simulator)
        #expect(granted.count == 1, "\(granted)")
        #expect(granted.first?.version == 1)
        let loser = granted.first?.node == "ghost2" ? "ghost4" : "ghost2"
        #expect(Self.refusals(simulator, on: loser).contains { $0.contains("another sync came first") })
        #expect(simulator.hosts["ghost3"]?.core?.installed?.configVersion == 1, "the grant is in the agreed state")
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    /// A member that runs another configuration version than the cluster's (it was down while a
    /// version ran, and restarted from the older one it stores): a sync is refused, saying which.
    @Test func aSyncIsRefusedWhileAMemberRunsAnotherVersion() throws {
        let simulator = try Self.running()
        simulator.crash("ghost4")
        simulator.run(for: .seconds(3))
        var next = simulator.config
        next.resourceGroups[0].inactiveTakeover.toggle()
        simulator.defineConfiguration(next, version: 1)
        for node in ["ghost1", "ghost2", "ghost3"] { simulator.configurationStored(version: 1, on: node) }
        simulator.run(for: .seconds(3))
        #expect(simulator.hosts["ghost1"]?.core?.installed?.activeConfigVersion == 1)
        simulator.start("ghost4")
        simulator.run(for: .seconds(3))
        simulator.request(.claimConfigVersion(version: 2, expecting: nil), on: "ghost2")
        simulator.run(for: .seconds(2))
        #expect(Self.grants(simulator).isEmpty)
        #expect(
            Self.refusals(simulator, on: "ghost2") == [
                "ghost4 runs configuration version 0, the cluster 1: a sync waits until every member runs the "
                    + "cluster's version"
            ])
        // Once it stores and runs the cluster's version, the sync goes through.
        simulator.configurationStored(version: 1, on: "ghost4")
        simulator.run(for: .seconds(3))
        simulator.request(.claimConfigVersion(version: 2, expecting: nil), on: "ghost2")
        simulator.run(for: .seconds(2))
        #expect(Self.grants(simulator).map(\.version) == [2])
        #expect(simulator.violations.isEmpty, "\(simulator.violations)")
    }

    @Test func expectingIsCompareAndSwap() throws {
        let simulator = try Self.running()
        simulator.request(.claimConfigVersion(version: 1, expecting: 0), on: "ghost3")
        simulator.run(for: .seconds(2))
        simulator.request(.claimConfigVersion(version: 2, expecting: 0), on: "ghost1")
        simulator.run(for: .seconds(2))
        #expect(Self.grants(simulator).map(\.version) == [1])
        #expect(Self.refusals(simulator, on: "ghost1") == [
            "the cluster's configuration is version 1, not 0 as expected (--expect-version)"
        ])
        simulator.request(.claimConfigVersion(version: 2, expecting: 1), on: "ghost1")
        simulator.run(for: .seconds(2))
        #expect(Self.grants(simulator).map(\.version).sorted() == [1, 2])
    }

    @Test func aVersionSomeMemberStoresIsNeverGrantedAgain() throws {
        let simulator = try Self.running()
        // ghost4 stores version 7 (synchronised before this view formed): the next is 8.
        simulator.configurationStored(version: 7, on: "ghost4")
        simulator.run(for: .seconds(2))
        simulator.request(.claimConfigVersion(version: 1, expecting: nil), on: "ghost2")
        simulator.run(for: .seconds(2))
        #expect(Self.grants(simulator).isEmpty)
        #expect(Self.refusals(simulator, on: "ghost2").first?.contains("newest configuration is version 7") == true)
        simulator.request(.claimConfigVersion(version: 8, expecting: 7), on: "ghost2")
        simulator.run(for: .seconds(2))
        #expect(Self.grants(simulator).map(\.version) == [8])
    }
}
