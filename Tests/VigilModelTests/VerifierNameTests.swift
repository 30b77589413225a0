import Testing
@testable import VigilModel

@Suite("verify: unique names and addresses")
struct VerifierNameTests {
    @Test("the two-node fixture verifies clean")
    func fixtureIsClean() {
        #expect(verify(Fixture.twoNodes).isEmpty)
    }

    @Test("a node name used twice is reported at the second, naming the first")
    func duplicateNode() throws {
        let yaml = Fixture.twoNodes(addingNodes: """
              - name: a
                interfaces:
                  - {name: eth0, label: a2_boot, address: 10.0.0.3, network: ether}
                  - {name: hb, label: a2_hb, network: dhb}

            """)
        let problem = try #require(single(verify(yaml), containing: "node name a is already used"))
        #expect(problem.location.line == line(of: "a2_boot", in: yaml) - 2)
        #expect(problem.message.contains("nodes[a], line \(line(of: "- name: a", in: yaml))"))
        #expect(problem.message.contains("rename one of them"))
    }

    @Test("IP labels are unique across interfaces and service addresses; adapter names may repeat")
    func duplicateLabel() throws {
        let yaml = Fixture.twoNodes + """
            service_addresses:
              - {label: b_boot, address: 10.0.0.50, network: ether}
            resource_groups:
              - {name: G, policy: cascading, nodes: [a, b], service_addresses: [b_boot]}
            """
        let problem = try #require(single(verify(yaml), containing: "label b_boot is already used by nodes[b].interfaces[0], line 12"))
        #expect(problem.location.line == line(of: "{label: b_boot", in: yaml))
        #expect(problem.location.column == column(of: "b_boot", onLineWith: "{label: b_boot", in: yaml))
    }

    @Test("an address used twice names the address, both holders and both nodes")
    func duplicateAddress() throws {
        let yaml = Fixture.twoNodes.replacingOccurrences(of: "address: 10.0.0.2", with: "address: 10.0.0.1")
        let problem = try #require(single(verify(yaml), containing: "address 10.0.0.1"))
        #expect(problem.severity == .error)
        #expect(problem.message.hasPrefix("address 10.0.0.1 of b_boot on b (nodes[b].interfaces[0]) is already used by a_boot on a (nodes[a].interfaces[0], line 8)"))
        #expect(problem.location.line == line(of: "b_boot", in: yaml))
        #expect(problem.location.column == column(of: "10.0.0.1", onLineWith: "b_boot", in: yaml))
    }

    @Test("a service address may not reuse an interface's address")
    func serviceAddressClash() throws {
        let yaml = Fixture.twoNodes + """
            service_addresses:
              - {label: svc, address: 10.0.0.2, network: ether}
            resource_groups:
              - {name: G, policy: cascading, nodes: [a, b], service_addresses: [svc]}
            """
        let problem = try #require(single(verify(yaml), containing: "already used by"))
        #expect(problem.message.contains("address 10.0.0.2 of service address svc"))
        #expect(problem.message.contains("b_boot on b"))
    }

    @Test("networks, groups, applications and volume groups must have unique names")
    func otherDuplicates() {
        let yaml = Fixture.twoNodes + """
            applications:
              - {name: app, start: x, stop: y}
              - {name: app, start: x, stop: y}
            volume_groups:
              - {name: vg}
              - {name: vg}
            resource_groups:
              - {name: G, policy: rotating, nodes: [a, b]}
              - {name: G, policy: rotating, nodes: [b, a]}
            """
        let messages = verify(yaml).map(\.message)
        #expect(messages.contains { $0.hasPrefix("application name app is already used by applications[app]") })
        #expect(messages.contains { $0.hasPrefix("volume group name vg is already used by volume_groups[vg]") })
        #expect(messages.contains { $0.hasPrefix("resource group name G is already used by resource_groups[G]") })
    }
}
