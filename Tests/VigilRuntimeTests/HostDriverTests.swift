import Foundation
import Testing
import VigilCore
import VigilModel
@testable import VigilRuntime

@Suite struct HostDriverTests {
    /// One node, one group with a loopback service address and a small application.
    static func config(_ directory: TemporaryDirectory) -> ClusterConfig {
        let pid = directory.file("pid")
        return ClusterConfig(
            name: "test", id: 1,
            networks: [Network(name: "lan", type: "ether", kind: .ip(attribute: .public, netmask: IPv4Address("255.0.0.0")!))],
            nodes: [Node(name: "n1", interfaces: [
                Interface(name: "lo", label: "n1_boot", role: .boot, address: IPv4Address("127.0.50.1"), network: "lan"),
                Interface(name: "lo", label: "n1_svc", role: .service, address: IPv4Address("127.0.50.2"), network: "lan"),
            ])],
            serviceAddresses: [ServiceAddress(label: "SVC", address: IPv4Address("127.0.50.10")!, network: "lan")],
            applications: [Application(
                name: "app", start: "sleep 300 > /dev/null 2>&1 & echo $! > \(pid)", stop: "kill $(cat \(pid))",
                monitor: ApplicationDriverTests.alive(pid),
                startTimeout: .seconds(30), stopTimeout: .seconds(10))],
            resourceGroups: [ResourceGroup(name: "G", policy: .cascading, nodes: ["n1"], serviceAddresses: ["SVC"], applications: ["app"])])
    }

    static func driver(_ directory: TemporaryDirectory) -> HostDriver {
        HostDriver.make(config: config(directory), node: "n1", stateDirectory: directory.path, addressKind: .loopbackDemo)
    }

    static let acquire: [Action] = [
        .addAddress(label: "SVC", address: IPv4Address("127.0.50.10")!, adapter: "lo"),
        .startApplication(name: "app"),
    ]

    @Test func performsABatchAndReadsTheHoldingsBack() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let host = Self.driver(directory)
        #expect(await host.readHoldings().isEmpty)

        let outcome = await host.perform(ActionBatch(id: 1, group: "G", purpose: .acquire, actions: Self.acquire))
        #expect(outcome == .succeeded)
        #expect(await host.readHoldings().groups["G"] == GroupHolding(state: .online, addressAdapters: ["SVC": "lo"]))

        // A restarted daemon's drivers read the same truth back from the host and the state directory.
        let restarted = Self.driver(directory)
        #expect(await restarted.readHoldings().state(of: "G") == .online)
        let plan = await restarted.emergencyPlan(for: restarted.readHoldings())
        #expect(plan.processGroups.count == 1)
        #expect(plan.addresses.isEmpty, "the loopback demo has no host address to remove")

        let release = ActionBatch(id: 2, group: "G", purpose: .release, actions: Self.acquire.reversed().map(\.undone))
        #expect(await restarted.perform(release) == .succeeded)
        #expect(await restarted.readHoldings().isEmpty)
    }

    @Test func partiallyPresentGroupIsAnError() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let host = Self.driver(directory)
        #expect(await host.perform(ActionBatch(id: 1, group: "G", purpose: .acquire, actions: [Self.acquire[0]])) == .succeeded)
        let holding = try #require(await host.readHoldings().groups["G"])
        #expect(holding.state == .error)
        #expect(holding.failure?.reason.contains("missing application app") == true)
        #expect(holding.addressAdapters == ["SVC": "lo"], "the core needs to know where to remove the address from")
    }

    @Test func batchStopsAtTheFirstFailure() async {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let host = Self.driver(directory)
        let actions: [Action] = [
            .addAddress(label: "SVC", address: IPv4Address("127.0.50.10")!, adapter: "lo"),
            .mountFilesystem(mountPoint: "/not/configured"),
            .startApplication(name: "app"),
        ]
        let outcome = await host.perform(ActionBatch(id: 1, group: "G", purpose: .acquire, actions: actions))
        guard case .failed(let index, let reason) = outcome else { Issue.record("batch claimed success"); return }
        #expect(index == 1)
        #expect(reason.contains("/not/configured"))
        #expect(directory.read("pid").isEmpty, "the action after the failure did not run")
    }

    @Test func ownServiceAddressesAreReconciled() async {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let host = Self.driver(directory)
        let batch = ActionBatch(id: 1, group: nil, purpose: .relocate, actions: [
            .addAddress(label: "n1_svc", address: IPv4Address("127.0.50.2")!, adapter: "lo")])
        #expect(await host.perform(batch) == .succeeded)
        #expect(await host.readHoldings().ownAddresses == ["n1_svc": "lo"])
    }
}

extension Action {
    /// The inverse, for building release batches in tests.
    var undone: Action {
        switch self {
        case .addAddress(let label, let address, let adapter): .removeAddress(label: label, address: address, adapter: adapter)
        case .startApplication(let name): .stopApplication(name: name)
        default: self
        }
    }
}

@Suite struct HostDriverNamespaceTests {
    @Test(.enabled(if: TestNamespace.available, "needs root and network namespaces"))
    func realAddressesAreReconciledAndReleasedByTheEmergencyPlan() async throws {
        let namespace = try TestNamespace.make()
        defer { namespace.remove() }
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var config = AddressDriverTests.config
        config.resourceGroups = [ResourceGroup(name: "G", policy: .cascading, nodes: ["n1"], serviceAddresses: ["SVC"])]
        let addresses = AddressDriver(config: config, node: "n1", commandPrefix: namespace.prefix, deviceNames: ["en0": "dummy0"])
        let host = HostDriver(
            config: config, node: "n1", addresses: addresses, storage: StorageDriver(config: config),
            applications: ApplicationDriver(config: config, stateDirectory: directory.path))

        let batch = ActionBatch(id: 1, group: "G", purpose: .acquire, actions: [
            .addAddress(label: "SVC", address: IPv4Address("192.0.2.10")!, adapter: "en0")])
        #expect(await host.perform(batch) == .succeeded)
        let holdings = await host.readHoldings()
        #expect(holdings.groups["G"] == GroupHolding(state: .online, addressAdapters: ["SVC": "en0"]))

        let plan = await host.emergencyPlan(for: holdings)
        #expect(plan.addresses == [EmergencyPlan.Address(device: "dummy0", address: "192.0.2.10", prefix: 24)])
        let ip = try #require(CommandLookup().path(of: "ip"))
        let release = EmergencyRelease(ipPath: ip, commandPrefix: [ip, "netns", "exec", namespace.name])
        release.update(plan)
        release.perform()
        #expect(await host.readHoldings().isEmpty, "after the emergency release nothing is held")
    }
}
