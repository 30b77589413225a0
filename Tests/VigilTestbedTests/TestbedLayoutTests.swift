import Foundation
import Testing
import VigilModel
import VigilTestbed

/// The test bed's plan of namespaces, links and files for scream-testbed (no root needed: nothing is made).
@Suite struct TestbedLayoutTests {
    static func layout() throws -> TestbedLayout {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/scream-testbed.yaml").path
        return TestbedLayout(config: try ConfigLoader.load(contentsOf: path).config, directory: "/run/vigil-testbed")
    }

    @Test func oneLinkPerAdapterWithBootAndStandbyAddressesOnly() throws {
        let layout = try Self.layout()
        let ghost1 = layout.links(of: "ghost1")
        #expect(ghost1.map(\.adapter) == ["tr0", "tr1", "en0"])
        // tr0 carries the boot address; the node's own service label is the daemon's to add.
        #expect(ghost1[0].addresses == ["203.0.113.184/24"])
        #expect(ghost1[1].addresses == ["192.0.2.184/24"])
        #expect(Set(layout.links.map(\.port)).count == layout.links.count)
        #expect(layout.links.allSatisfy { $0.port.count <= 15 && $0.adapter.count <= 15 })
    }

    @Test func clientOnEveryPublicNetworkAtAFreeAddress() throws {
        let layout = try Self.layout()
        #expect(layout.clientLinks.map(\.network) == ["ether", "token"])
        #expect(layout.clientLinks.map(\.address.description) == ["198.51.100.250", "203.0.113.250"])
    }

    @Test func diskViewsPerNodeOfEachCable() throws {
        let layout = try Self.layout()
        #expect(layout.diskNetworks.map(\.name) == ["rs232_12", "rs232_23", "rs232_34", "rs232_41"])
        #expect(layout.diskMembers("rs232_41").map(\.node) == ["ghost1", "ghost4"])
        #expect(layout.diskMembers("rs232_41").map(\.slot) == [0, 3])
        #expect(layout.diskView("rs232_12", of: "ghost1") == "/run/vigil-testbed/disk/rs232_12.ghost1")
    }

    @Test func applicationsTellWhereToProbe() throws {
        let layout = try Self.layout()
        let truth = HostTruth(layout: layout, shell: TestbedShell(), vigil: "vigil")
        let sh2 = truth.probe(of: layout.config.application(named: "Application_SH2")!)
        #expect(sh2.listen?.address == "203.0.113.187" && sh2.listen?.port == "7002")
        #expect(sh2.pidFile(on: "ghost4") == "/run/vigil-testbed/ghost4/Application_SH2.pid")
    }
}
