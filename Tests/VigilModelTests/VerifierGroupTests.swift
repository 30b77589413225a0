import Testing
@testable import VigilModel

@Suite("verify: resource groups")
struct VerifierGroupTests {
    @Test("a group's unknown node and a node listed twice")
    func members() throws {
        let yaml = Fixture.twoNodes + """
            resource_groups:
              - {name: G, policy: rotating, nodes: [a, c, a]}
            """
        let diagnostics = verify(yaml)
        let unknown = try #require(single(diagnostics, containing: "node c of group G is not defined"))
        #expect(unknown.message.hasSuffix("define it or use one of: a, b"))
        #expect(unknown.location.column == column(of: "c, a]", in: yaml))
        let twice = try #require(single(diagnostics, containing: "node a is listed twice in group G"))
        #expect(twice.location.column == column(of: "a]}", in: yaml))
    }

    @Test("a group's unknown resources, each at its list element")
    func resources() throws {
        let yaml = Fixture.twoNodes + """
            applications:
              - {name: app, start: x, stop: y}
            resource_groups:
              - name: G
                policy: cascading
                nodes: [a, b]
                service_addresses: [nosvc]
                volume_groups: [novg]
                filesystems: [/nofs]
                nfs_exports: [/noexport]
                applications: [appl]
            """
        let diagnostics = verify(yaml)
        #expect(diagnostics.count == 5)
        for (text, at) in [("service address nosvc", "nosvc"), ("volume group novg", "novg"), ("filesystem /nofs", "/nofs"),
                           ("NFS export /noexport", "/noexport"), ("application appl of group G is not defined (did you mean 'app'?)", "[appl]")] {
            let problem = try #require(single(diagnostics, containing: text))
            #expect(problem.location.line == line(of: at, in: yaml))
        }
    }

    @Test("a cascading group with a single node is a warning")
    func singleNodeCascading() throws {
        let yaml = Fixture.twoNodes + """
            resource_groups:
              - {name: G, policy: cascading, nodes: [a]}
            """
        let problem = try #require(single(verify(yaml), containing: "cascading group G has a single node, a"))
        #expect(problem.severity == .warning)
    }

    @Test("a service address's network must reach every node of its group")
    func serviceAddressReach() throws {
        let yaml = """
            cluster: {name: test, id: 7}
            networks:
              - {name: ether, type: ether, netmask: 255.255.255.0}
              - {name: token, type: token, netmask: 255.255.255.0}
              - {name: dhb, type: disk, device: /dev/sdb1}
            nodes:
              - name: a
                interfaces:
                  - {name: eth0, label: a_boot, address: 10.0.0.1, network: ether}
                  - {name: tr0, label: a_tr, address: 10.0.1.1, network: token}
                  - {name: hb, label: a_hb, network: dhb}
              - name: b
                interfaces:
                  - {name: eth0, label: b_boot, address: 10.0.0.2, network: ether}
                  - {name: hb, label: b_hb, network: dhb}
            service_addresses:
              - {label: svc, address: 10.0.1.50, network: token}
            resource_groups:
              - {name: G, policy: cascading, nodes: [a, b], service_addresses: [svc]}
            """
        let problem = try #require(single(verify(yaml), containing: "has no interface on token"))
        #expect(problem.message == "service address svc of group G is on network token, but node b of G has no interface on token; add an interface on token to b or remove b from G")
        #expect(problem.location.line == line(of: "service_addresses: [svc]", in: yaml))
        #expect(problem.location.column == column(of: "svc]", in: yaml))
    }

    @Test("a service address on an undefined or non-IP network, and one in no group")
    func serviceAddressNetwork() throws {
        let yaml = Fixture.twoNodes + """
            service_addresses:
              - {label: s1, address: 10.0.0.50, network: dhb}
              - {label: s2, address: 10.0.0.51, network: ether}
            resource_groups:
              - {name: G, policy: cascading, nodes: [a, b], service_addresses: [s1]}
            """
        let diagnostics = verify(yaml)
        let nonIP = try #require(single(diagnostics, containing: "network dhb of service address s1 is not an IP network"))
        #expect(nonIP.location.column == column(of: "dhb}", onLineWith: "label: s1", in: yaml))
        let unused = try #require(single(diagnostics, containing: "service address s2 is in no resource group"))
        #expect(unused.severity == .warning)
    }

    @Test("a filesystem's volume group must exist and be held by the filesystem's group")
    func filesystemVolumeGroup() throws {
        let yaml = Fixture.twoNodes + """
            volume_groups:
              - {name: vg1}
            filesystems:
              - {mount_point: /data, device: /dev/vg1/lv, volume_group: vg1}
              - {mount_point: /other, device: /dev/vg9/lv, volume_group: vg9}
            resource_groups:
              - {name: G, policy: cascading, nodes: [a, b], filesystems: [/data]}
            """
        let diagnostics = verify(yaml)
        let missing = try #require(single(diagnostics, containing: "volume group vg9 of filesystem /other is not defined"))
        #expect(missing.location.column == column(of: "vg9}", in: yaml))
        let notHeld = try #require(single(diagnostics, containing: "filesystem /data is on volume group vg1, which group G does not hold"))
        #expect(notHeld.location.line == line(of: "filesystems: [/data]", in: yaml))
    }
}
