import Testing
@testable import VigilModel

@Suite("examples/: the seed's clusters and pair")
struct ExampleTests {
    @Test("scream (appendix A.3) loads and verifies clean")
    func scream() throws {
        let loaded = try ConfigLoader.load(contentsOf: Fixture.example("scream.yaml"))
        #expect(Verifier.verify(loaded).isEmpty)
        let config = loaded.config
        #expect(config.name == "scream" && config.id == 20)
        #expect(config.nodes.map(\.name) == ["ghost1", "ghost2", "ghost3", "ghost4"])
        #expect(config.resourceGroups.map(\.name) == ["CH1", "SH2", "SH3", "IP4"])
        #expect(config.resourceGroups.map(\.policy) == [.concurrent, .cascading, .cascading, .rotating])
        #expect(config.group(named: "SH3")?.nodes == ["ghost4", "ghost3"])
        #expect(config.serviceAddress(labelled: "ip4_svc")?.address == IPv4Address("192.168.1.100"))
        let ghost4 = try #require(config.node(named: "ghost4"))
        #expect(ghost4.interfaces.first { $0.label == "ghost4_boot_en0" }?.address == IPv4Address("192.168.1.190"))
        #expect(config.networks.filter { $0.kind == .serial }.count == 4)
        #expect(DetectionTimes(config).nodes.allSatisfy { $0.detection == .seconds(2) })
        #expect(config.quorum == .majority && config.tiebreaker == nil)
        #expect(config.takeoverWait == .milliseconds(750))
    }

    @Test("pair (two nodes, disk tiebreaker, mutual takeover) verifies with no error and no warning")
    func pair() throws {
        let loaded = try ConfigLoader.load(contentsOf: Fixture.example("pair.yaml"))
        #expect(Verifier.verify(loaded) == [])
        let config = loaded.config
        #expect(config.nodes.map(\.name) == ["alpha", "beta"])
        #expect(config.quorum == .disk && config.tiebreaker == "dhb")
        #expect(config.network(named: "dhb")?.kind == .disk(device: "/dev/disk/by-id/vigil-hb"))
        #expect(config.resourceGroups.map(\.nodes) == [["alpha", "beta"], ["beta", "alpha"]])
        #expect(config.tuning.tripInterval == .milliseconds(600))
        #expect(config.tuning.releaseAllowance == .milliseconds(200))
        #expect(config.takeoverWait == .seconds(1))
    }

    @Test("pair's test plan loads: six cases, each node crashing and rejoining once")
    func pairPlan() throws {
        let plan = try TestPlanLoader.load(contentsOf: Fixture.example("pair-plan.yaml"), nodes: ["alpha", "beta"])
        #expect(plan.cases.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(plan.cases[1].expect == ["beta": ["web", "db"]])
        #expect(plan.cases[3].expect == ["alpha": ["web", "db"]])
        #expect(plan.cases[5].expect.isEmpty)
    }

    @Test("spscream (appendix A.4) verifies with the no-non-IP-path and quorum none warnings")
    func spscream() throws {
        let loaded = try ConfigLoader.load(contentsOf: Fixture.example("spscream.yaml"))
        let diagnostics = Verifier.verify(loaded)
        #expect(diagnostics.allSatisfy { $0.severity == .warning })
        #expect(diagnostics.count == 2)
        #expect(diagnostics.first?.message.hasPrefix("quorum policy none lets every side of a partition carry on") == true)
        #expect(diagnostics.last?.message.contains("no serial link or disk heartbeat") == true)
        #expect(loaded.config.quorum == .none && loaded.config.tiebreaker == nil)
        #expect(loaded.config.resourceGroups.map(\.nodes) == [["f01n03", "f01n07"], ["f01n07", "f01n03"]])
        let ordered = loaded.config.resourceGroups.map(\.filesystemsBeforeAddresses)
        #expect(ordered == [true, true])
    }

    @Test("table 22 as printed fails, naming 192.168.1.186, ghost2 and ghost4")
    func table22AsPrinted() throws {
        let path = Fixture.example("scream-table22-as-printed.yaml")
        let loaded = try ConfigLoader.load(contentsOf: path)
        let errors = Verifier.verify(loaded).filter { $0.severity == .error }
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.message.contains("192.168.1.186"))
        #expect(error.message.contains("on ghost4") && error.message.contains("on ghost2"))
        #expect(error.location.file == path)
        #expect(error.location == loaded.sourceMap.location(of: "nodes[ghost4].interfaces[2].address"))
    }
}
