import Testing

@testable import VigilModel

/// `vigil init`'s starter configuration: whatever nodes, subnets, disk and services it is given, the
/// file it writes loads and verifies without error; what cannot make a cluster is one clear line.
@Suite struct StarterConfigurationTests {
    static let lan = StarterConfiguration.HostInterface(
        name: "eth0", address: IPv4Address("192.0.2.11")!, prefixLength: 24)
    static let heartbeat = StarterConfiguration.HostInterface(
        name: "eth1", address: IPv4Address("198.51.100.11")!, prefixLength: 24)
    static let loopback = StarterConfiguration.HostInterface(
        name: "lo", address: IPv4Address("127.0.0.1")!, prefixLength: 8)

    static func node(_ name: String, _ addresses: String...) -> StarterConfiguration.Node {
        .init(name: name, addresses: addresses.map { IPv4Address($0)! })
    }

    static func service(_ name: String, _ address: String) -> StarterConfiguration.Service {
        .init(name: name, address: IPv4Address(address)!)
    }

    /// Loads and verifies the text; the diagnostics that are errors.
    static func errors(_ yaml: String) -> [String] {
        let (loaded, problems) = ConfigLoader.load(yaml: yaml, file: "init.yaml")
        guard let loaded else { return problems.map(\.description) }
        return (problems + Verifier.verify(loaded)).filter { $0.severity == .error }.map(\.description)
    }

    @Test func aPairWithADiskAndTwoServicesVerifiesWithATiebreaker() throws {
        let starter = StarterConfiguration(
            clusterName: "pair",
            nodes: [
                Self.node("alpha", "192.0.2.11", "198.51.100.11"), Self.node("beta", "192.0.2.12", "198.51.100.12"),
            ],
            services: [Self.service("web", "192.0.2.21"), Self.service("db", "192.0.2.22")],
            disk: "/dev/disk/by-id/vigil-hb", hostInterfaces: [Self.loopback, Self.lan, Self.heartbeat])
        let yaml = try starter.yaml()
        #expect(Self.errors(yaml).isEmpty)
        let config = try #require(ConfigLoader.load(yaml: yaml, file: "init.yaml").0).config
        #expect(config.quorum == .disk)
        #expect(config.networks.map(\.name) == ["net1", "net2", "dhb"])
        #expect(config.networks.first?.kind == .ip(attribute: .public, netmask: IPv4Address("255.255.255.0")!))
        #expect(
            config.networks.dropFirst().first?.kind == .ip(attribute: .private, netmask: IPv4Address("255.255.255.0")!))
        // Mutual takeover: each group prefers the next node in turn.
        #expect(config.resourceGroups.map(\.nodes) == [["alpha", "beta"], ["beta", "alpha"]])
        #expect(config.node(named: "beta")?.interfaces.map(\.name) == ["eth0", "eth1", "dhb"])
    }

    @Test func threeNodesWithoutDiskUseMajority() throws {
        let starter = StarterConfiguration(
            clusterName: "three",
            nodes: [Self.node("a", "192.0.2.11"), Self.node("b", "192.0.2.12"), Self.node("c", "192.0.2.13")],
            hostInterfaces: [Self.lan])
        let yaml = try starter.yaml()
        #expect(Self.errors(yaml).isEmpty)
        #expect(yaml.contains("quorum: {policy: majority}"))
        #expect(yaml.contains("# No service yet."))
    }

    @Test func theNarrowestSubnetOfTheHostIsTheNetwork() throws {
        let wide = StarterConfiguration.HostInterface(name: "br0", address: IPv4Address("10.0.0.1")!, prefixLength: 8)
        let narrow = StarterConfiguration.HostInterface(
            name: "eth2", address: IPv4Address("10.1.2.1")!, prefixLength: 24)
        let starter = StarterConfiguration(
            clusterName: "c", nodes: [Self.node("a", "10.1.2.3"), Self.node("b", "10.1.2.4")],
            hostInterfaces: [wide, narrow])
        let yaml = try starter.yaml()
        #expect(yaml.contains("netmask: 255.255.255.0"))
        #expect(yaml.contains("{name: \"eth2\", label: a_eth2"))
    }

    @Test func theSameNameGivesTheSameClusterIDInRange() {
        let id = StarterConfiguration.clusterID(for: "pair")
        #expect(id == StarterConfiguration.clusterID(for: "pair"))
        #expect(id != StarterConfiguration.clusterID(for: "pair2"))
        #expect((1...2_147_483_647).contains(id))
    }

    @Test(arguments: [
        (
            [node("a", "203.0.113.5")], [StarterConfiguration.Service](),
            "203.0.113.5 is on no subnet of this host (eth0 192.0.2.11/24)"
        ),
        ([node("a", "192.0.2.11"), node("b", "192.0.2.11")], [], "address 192.0.2.11 is given to both a and b"),
        ([node("a", "192.0.2.11"), node("a", "192.0.2.12")], [], "node a is named twice"),
        ([node("a b", "192.0.2.11")], [], "--node "),
        ([node("a", "192.0.2.11")], [service("a", "192.0.2.21")], "service a has the name of a node"),
        ([node("a", "192.0.2.11")], [service("web", "192.0.2.11")], "service address 192.0.2.11 of web is already a's"),
        ([StarterConfiguration.Node](), [], "no node"),
    ])
    func whatCannotMakeAClusterIsSaid(
        nodes: [StarterConfiguration.Node], services: [StarterConfiguration.Service], problem: String
    ) {
        let starter = StarterConfiguration(
            clusterName: "c", nodes: nodes, services: services, hostInterfaces: [Self.lan])
        #expect {
            _ = try starter.yaml()
        } throws: { error in
            (error as? StarterConfiguration.Problem)?.description.contains(problem) == true
        }
    }
}
