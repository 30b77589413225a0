import Testing
@testable import VigilModel

@Suite("verify: resources shared between groups")
struct VerifierSharingTests {
    static let storage = Fixture.twoNodes + """
        volume_groups:
          - {name: vg}
          - {name: cvg, concurrent: true}

        """

    @Test("a resource in two non-concurrent groups")
    func twoGroups() throws {
        let yaml = Self.storage + """
            resource_groups:
              - {name: G1, policy: cascading, nodes: [a, b], volume_groups: [vg]}
              - {name: G2, policy: cascading, nodes: [b, a], volume_groups: [vg]}
            """
        let problem = try #require(single(verify(yaml), containing: "volume group vg is in group G2 and already in group G1"))
        #expect(problem.location.line == line(of: "name: G2", in: yaml))
        #expect(problem.location.column == column(of: "vg]}", in: yaml))
    }

    @Test("a concurrent volume group may be in several concurrent groups")
    func concurrentSharing() {
        let yaml = Self.storage + """
            resource_groups:
              - {name: C1, policy: concurrent, nodes: [a, b], volume_groups: [cvg]}
              - {name: C2, policy: concurrent, nodes: [a, b], volume_groups: [cvg]}
              - {name: G, policy: cascading, nodes: [a, b], volume_groups: [vg]}
            """
        #expect(verify(yaml).isEmpty)
    }

    @Test("concurrent volume groups only in concurrent groups, and the other way round")
    func concurrencyMismatch() throws {
        let yaml = Self.storage + """
            resource_groups:
              - {name: C1, policy: concurrent, nodes: [a, b], volume_groups: [vg]}
              - {name: G, policy: cascading, nodes: [a, b], volume_groups: [cvg]}
            """
        let diagnostics = verify(yaml)
        let plain = try #require(single(diagnostics, containing: "volume group vg is not concurrent, but C1 is a concurrent group"))
        #expect(plain.location.line == line(of: "name: C1", in: yaml))
        let concurrent = try #require(single(diagnostics, containing: "concurrent volume group cvg can only be in concurrent groups, and G is cascading"))
        #expect(concurrent.location.line == line(of: "name: G,", in: yaml))
    }

    @Test("a concurrent group has no service address and no filesystem")
    func concurrentGroupContents() throws {
        let yaml = Self.storage + """
            service_addresses:
              - {label: svc, address: 10.0.0.50, network: ether}
            filesystems:
              - {mount_point: /data, device: /dev/cvg/lv, volume_group: cvg}
            resource_groups:
              - {name: C1, policy: concurrent, nodes: [a, b], volume_groups: [cvg], service_addresses: [svc], filesystems: [/data]}
            """
        let diagnostics = verify(yaml)
        let address = try #require(single(diagnostics, containing: "concurrent group C1 has service address svc"))
        #expect(address.location.column == column(of: "svc]", in: yaml))
        #expect(single(diagnostics, containing: "concurrent group C1 has filesystem /data") != nil)
    }
}
