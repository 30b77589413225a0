import Testing
@testable import VigilCore
import VigilModel

/// Proves `ResourceOrder` acquires a group's resources in the seed's order (storage, then
/// filesystems, then service addresses, then exports, then applications; with "filesystems mounted
/// before IP configured" off, addresses before filesystems, as the seed's spscream groups allow), and
/// releases them in exactly the reverse order, each action undone, every address removed from the
/// adapter it is on now.
@Suite struct ResourceOrderTests {
    static let svcA = CoreFixture.service("svc_a", on: "net1", host: 10)
    static let svcB = CoreFixture.service("svc_b", on: "net2", host: 20)

    static func config(filesystemsBeforeAddresses: Bool = true) -> (ClusterConfig, ResourceGroup) {
        let group = ResourceGroup(
            name: "G", policy: .cascading, nodes: ["n1", "n2"], serviceAddresses: ["svc_a", "svc_b"],
            volumeGroups: ["datavg", "logvg"], filesystems: ["/data", "/logs"], nfsExports: ["/data/export"],
            applications: ["db", "web"], filesystemsBeforeAddresses: filesystemsBeforeAddresses)
        let config = ClusterConfig(
            name: "test", id: 1,
            networks: [CoreFixture.ipNetwork("net1"), CoreFixture.ipNetwork("net2")],
            nodes: CoreFixture.nodes(["n1", "n2"], on: ["net1", "net2"]),
            serviceAddresses: [svcA, svcB],
            applications: [Application(name: "db", start: "db start", stop: "db stop"),
                           Application(name: "web", start: "web start", stop: "web stop")],
            volumeGroups: [VolumeGroup(name: "datavg"), VolumeGroup(name: "logvg")],
            filesystems: [Filesystem(mountPoint: "/data", device: "/dev/datavg/lv1", volumeGroup: "datavg"),
                          Filesystem(mountPoint: "/logs", device: "/dev/logvg/lv1", volumeGroup: "logvg")],
            nfsExports: [NFSExport(path: "/data/export")],
            resourceGroups: [group])
        return (config, group)
    }

    static let storage: [Action] = [
        .activateVolumeGroup(name: "datavg", concurrent: false), .activateVolumeGroup(name: "logvg", concurrent: false),
    ]
    static let filesystems: [Action] = [.mountFilesystem(mountPoint: "/data"), .mountFilesystem(mountPoint: "/logs")]
    static let addresses: [Action] = [
        .addAddress(label: "svc_a", address: svcA.address, adapter: "eth0"),
        .addAddress(label: "svc_b", address: svcB.address, adapter: "eth1"),
    ]
    static let exportsAndApplications: [Action] = [
        .exportDirectory(path: "/data/export"), .startApplication(name: "db"), .startApplication(name: "web"),
    ]

    @Test func acquisitionOrderIsStorageFilesystemsAddressesExportsApplications() {
        let (config, group) = Self.config()
        let actions = ResourceOrder.acquire(group, in: config, adapters: ["net1": "eth0", "net2": "eth1"])
        #expect(actions == Self.storage + Self.filesystems + Self.addresses + Self.exportsAndApplications)
    }

    @Test func withFilesystemsAfterAddressesTheAddressesComeFirst() {
        let (config, group) = Self.config(filesystemsBeforeAddresses: false)
        let actions = ResourceOrder.acquire(group, in: config, adapters: ["net1": "eth0", "net2": "eth1"])
        #expect(actions == Self.storage + Self.addresses + Self.filesystems + Self.exportsAndApplications)
    }

    @Test func releaseIsTheExactReverseWithEachActionUndone() {
        for before in [true, false] {
            let (config, group) = Self.config(filesystemsBeforeAddresses: before)
            let acquired = ResourceOrder.acquire(group, in: config, adapters: ["net1": "eth0", "net2": "eth1"])
            let released = ResourceOrder.release(group, in: config, addressAdapters: ["svc_a": "eth0", "svc_b": "eth1"])
            #expect(released == acquired.reversed().map(\.inverse))
        }
        let (config, group) = Self.config()
        let released = ResourceOrder.release(group, in: config, addressAdapters: ["svc_a": "eth0", "svc_b": "eth1"])
        #expect(released == [
            .stopApplication(name: "web"), .stopApplication(name: "db"), .unexportDirectory(path: "/data/export"),
            .removeAddress(label: "svc_b", address: Self.svcB.address, adapter: "eth1"),
            .removeAddress(label: "svc_a", address: Self.svcA.address, adapter: "eth0"),
            .unmountFilesystem(mountPoint: "/logs"), .unmountFilesystem(mountPoint: "/data"),
            .deactivateVolumeGroup(name: "logvg", concurrent: false), .deactivateVolumeGroup(name: "datavg", concurrent: false),
        ])
    }

    @Test func releaseRemovesEachAddressFromTheAdapterItIsOn() {
        let (config, group) = Self.config()
        // svc_a was swapped to the standby eth2 after its adapter failed (Table 12 test 2).
        let released = ResourceOrder.release(group, in: config, addressAdapters: ["svc_a": "eth2", "svc_b": "eth1"])
        let removals = released.filter { if case .removeAddress = $0 { true } else { false } }
        #expect(removals == [
            .removeAddress(label: "svc_b", address: Self.svcB.address, adapter: "eth1"),
            .removeAddress(label: "svc_a", address: Self.svcA.address, adapter: "eth2"),
        ])
    }

    @Test func concurrentVolumeGroupsAreActivatedConcurrently() throws {
        let config = try CoreFixture.scream()
        let ch1 = try #require(config.group(named: "CH1"))
        #expect(ResourceOrder.acquire(ch1, in: config, adapters: [:]) == [.activateVolumeGroup(name: "concvg.01", concurrent: true)])
        #expect(ResourceOrder.release(ch1, in: config, addressAdapters: [:]) == [.deactivateVolumeGroup(name: "concvg.01", concurrent: true)])
    }

    @Test func screamSH2IsAcquiredOnTheActiveTokenAdapter() throws {
        let config = try CoreFixture.scream()
        let sh2 = try #require(config.group(named: "SH2"))
        let address = try #require(IPv4Address("9.3.187.187"))
        #expect(ResourceOrder.acquire(sh2, in: config, adapters: ["token": "tr1", "ether": "en0"]) == [
            .activateVolumeGroup(name: "sharedvg.01", concurrent: false),
            .mountFilesystem(mountPoint: "/shared.01/lv.01"), .mountFilesystem(mountPoint: "/shared.01/lv.02"),
            .addAddress(label: "ghost3", address: address, adapter: "tr1"),
            .startApplication(name: "Application_1"),
        ])
    }

    @Test func undoingAnActionTwiceGivesItBack() {
        let (config, group) = Self.config()
        let actions = ResourceOrder.acquire(group, in: config, adapters: ["net1": "eth0", "net2": "eth1"])
        for action in actions {
            #expect(action.inverse != action)
            #expect(action.inverse.inverse == action)
        }
    }
}
