import Foundation
import Testing
import VigilModel
@testable import VigilRuntime

@Suite struct AddressDriverTests {
    static let config = ClusterConfig(
        name: "test", id: 1,
        networks: [Network(name: "ether", type: "ether", kind: .ip(attribute: .public, netmask: IPv4Address("255.255.255.0")!))],
        nodes: [Node(name: "n1", interfaces: [
            Interface(name: "en0", label: "n1_boot", role: .boot, address: IPv4Address("192.0.2.1"), network: "ether"),
            Interface(name: "en0", label: "n1_svc", role: .service, address: IPv4Address("192.0.2.5"), network: "ether"),
        ])],
        serviceAddresses: [ServiceAddress(label: "SVC", address: IPv4Address("192.0.2.10")!, network: "ether")])

    @Test func parsesIPAddrShow() {
        let output = """
        2: eth0    inet 192.0.2.5/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
        3: veth1@if4    inet 10.1.2.3/16 scope global veth1\\       valid_lft forever preferred_lft forever
        """
        let entries = AddressEntry.parse(output)
        #expect(entries == [
            AddressEntry(device: "eth0", address: IPv4Address("192.0.2.5")!, prefix: 24),
            AddressEntry(device: "veth1", address: IPv4Address("10.1.2.3")!, prefix: 16),
        ])
    }

    @Test func prefixComesFromTheNetworksNetmask() {
        let driver = AddressDriver(config: Self.config, node: "n1", runner: FakeRunner())
        #expect(driver.prefixLength(of: "SVC") == 24)
        #expect(driver.prefixLength(of: "n1_svc") == 24)
        #expect(driver.prefixLength(of: "unknown") == nil)
    }

    @Test func failedIPCommandIsReported() async {
        let runner = FakeRunner { _ in CommandResult(status: .exited(1), output: "Cannot find device \"en0\"\n") }
        let driver = AddressDriver(config: Self.config, node: "n1", runner: runner)
        let result = await driver.add(label: "SVC", address: IPv4Address("192.0.2.10")!, adapter: "en0")
        guard case .failure(let failure) = result else { Issue.record("add claimed success"); return }
        #expect(failure.reason.contains("Cannot find device"))
    }

    @Test func missingIPIsReported() async {
        let driver = AddressDriver(config: Self.config, node: "n1", runner: FakeRunner(), lookup: CommandLookup(directories: []))
        let result = await driver.add(label: "SVC", address: IPv4Address("192.0.2.10")!, adapter: "en0")
        #expect(result == .failure(DriverFailure("ip not found")))
    }

    @Test(.enabled(if: TestNamespace.available, "needs root and network namespaces"))
    func addAndRemoveInANetworkNamespace() async throws {
        let namespace = try TestNamespace.make()
        defer { namespace.remove() }
        let notes = NoteCollector()
        let driver = AddressDriver(
            config: Self.config, node: "n1", commandPrefix: namespace.prefix, deviceNames: ["en0": "dummy0"],
            note: { notes.add($0) })
        let address = IPv4Address("192.0.2.10")!

        #expect(await driver.add(label: "SVC", address: address, adapter: "en0") == .success(()))
        #expect(namespace.output("ip -4 -o addr show dev dummy0").contains("192.0.2.10/24"))
        #expect(await driver.add(label: "SVC", address: address, adapter: "en0") == .success(()), "adding twice is fine")
        #expect(namespace.output("ip -4 -o addr show dev dummy0").components(separatedBy: "192.0.2.10/").count == 2)
        #expect(await driver.configured(["SVC": address, "other": IPv4Address("192.0.2.99")!]) == .success(["SVC": "en0"]))
        if CommandLookup().path(of: "arping") == nil {
            #expect(notes.all.contains { $0.contains("arping not found") })
        }

        #expect(await driver.remove(label: "SVC", address: address, adapter: "en0") == .success(()))
        #expect(!namespace.output("ip -4 -o addr show dev dummy0").contains("192.0.2.10"))
        #expect(await driver.remove(label: "SVC", address: address, adapter: "en0") == .success(()), "removing twice is fine")
        #expect(await driver.configured(["SVC": address]) == .success([:]))

        let missing = await driver.add(label: "SVC", address: address, adapter: "en9")
        guard case .failure = missing else { Issue.record("add on a missing device claimed success"); return }
    }

    @Test func loopbackDriverRecordsAndReadsBack() async {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("loopback-addresses")
        let address = IPv4Address("127.0.10.1")!
        let driver = LoopbackAddressDriver(stateFile: file)
        #expect(await driver.add(label: "SVC", address: address, adapter: "lo") == .success(()))
        #expect(await driver.configured(["SVC": address]) == .success(["SVC": "lo"]))
        // A restarted daemon reads the holdings back from the state file.
        let restarted = LoopbackAddressDriver(stateFile: file)
        #expect(await restarted.configured(["SVC": address]) == .success(["SVC": "lo"]))
        #expect(await restarted.remove(label: "SVC", address: address, adapter: "lo") == .success(()))
        #expect(await LoopbackAddressDriver(stateFile: file).configured(["SVC": address]) == .success([:]))
        guard case .failure = await driver.add(label: "X", address: IPv4Address("192.0.2.1")!, adapter: "lo") else {
            Issue.record("the demo driver took a non-loopback address"); return
        }
    }

    @Test func driverKindChoosesTheImplementation() {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let real = AddressDriverKind.ip.makeDriver(config: Self.config, node: "n1", stateDirectory: directory.path)
        let demo = AddressDriverKind.loopbackDemo.makeDriver(config: Self.config, node: "n1", stateDirectory: directory.path)
        #expect(real is AddressDriver)
        #expect(demo is LoopbackAddressDriver)
        #expect(AddressDriverKind(rawValue: "loopback-demo") == .loopbackDemo)
    }
}

/// Collects driver notes.
final class NoteCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [String] = []
    func add(_ note: String) { lock.withLock { notes.append(note) } }
    var all: [String] { lock.withLock { notes } }
}
