import Testing
import VigilCore
import VigilModel
@testable import VigilSimulation

/// The never-two-owners check looks at the hosts' truth and reports both holders.
@Suite struct InvariantCheckerTests {
    @Test func aGroupActiveOnTwoHostsIsReported() throws {
        let config = try Fixtures.config("scream.yaml")
        let hosts = Dictionary(uniqueKeysWithValues: config.nodes.map { ($0.name, SimHost(name: $0.name)) })
        hosts["ghost3"]!.resources.perform(.activateVolumeGroup(name: "sharedvg.01", concurrent: false))
        var violations: [Violation] = []
        let checker = InvariantChecker(config: config)
        checker.checkSafety(hosts: hosts, at: .zero, into: &violations)
        #expect(violations.isEmpty)
        hosts["ghost4"]!.resources.perform(.startApplication(name: "Application_1"))
        checker.checkSafety(hosts: hosts, at: .zero, into: &violations)
        #expect(violations.map(\.text) == ["two owners: SH2 is held by ghost3 and ghost4"])
    }

    @Test func oneAddressOnTwoHostsIsReported() throws {
        let config = try Fixtures.config("scream.yaml")
        let hosts = Dictionary(uniqueKeysWithValues: config.nodes.map { ($0.name, SimHost(name: $0.name)) })
        let address = try #require(IPv4Address("192.168.1.100"))
        hosts["ghost1"]!.resources.perform(.addAddress(label: "ip4_svc", address: address, adapter: "en0"))
        hosts["ghost2"]!.resources.perform(.addAddress(label: "ip4_svc", address: address, adapter: "en0"))
        var violations: [Violation] = []
        InvariantChecker(config: config).checkSafety(hosts: hosts, at: .zero, into: &violations)
        #expect(violations.contains { $0.text == "address ip4_svc 192.168.1.100 configured on ghost1 and ghost2" })
    }

    @Test func concurrentGroupsMayRunEverywhere() throws {
        let config = try Fixtures.config("scream.yaml")
        let hosts = Dictionary(uniqueKeysWithValues: config.nodes.map { ($0.name, SimHost(name: $0.name)) })
        hosts["ghost1"]!.resources.perform(.activateVolumeGroup(name: "concvg.01", concurrent: true))
        hosts["ghost2"]!.resources.perform(.activateVolumeGroup(name: "concvg.01", concurrent: true))
        var violations: [Violation] = []
        InvariantChecker(config: config).checkSafety(hosts: hosts, at: .zero, into: &violations)
        #expect(violations.isEmpty)
    }
}
