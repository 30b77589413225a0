import Testing
@testable import VigilModel

@Suite("verify: networks and interfaces")
struct VerifierInterfaceTests {
    @Test("an interface on an undefined network, with a suggestion and the known networks")
    func undefinedNetwork() throws {
        let yaml = Fixture.twoNodes.replacingOccurrences(of: "address: 10.0.0.2, network: ether", with: "address: 10.0.0.2, network: ethr")
        let problem = try #require(single(verify(yaml), containing: "network ethr"))
        #expect(problem.message == "network ethr of interface b_boot (eth0) of b is not defined (did you mean 'ether'?); define it under networks or use one of: ether, dhb")
        #expect(problem.location.line == line(of: "ethr", in: yaml))
        #expect(problem.location.column == column(of: "ethr", in: yaml))
    }

    @Test("an IP interface needs an address; a disk or serial interface has none")
    func addresses() throws {
        let yaml = Fixture.twoNodes
            .replacingOccurrences(of: "{name: eth0, label: b_boot, address: 10.0.0.2, network: ether}", with: "{name: eth0, label: b_boot, network: ether}")
            .replacingOccurrences(of: "{name: hb, label: a_hb, network: dhb}", with: "{name: hb, label: a_hb, address: 10.0.0.9, network: dhb}")
        let diagnostics = verify(yaml)
        let missing = try #require(single(diagnostics, containing: "has no address"))
        #expect(missing.message.contains("interface b_boot (eth0) of b is on IP network ether"))
        #expect(missing.location.line == line(of: "b_boot", in: yaml))
        let extra = try #require(single(diagnostics, containing: "carries no IP address"))
        #expect(extra.location.line == line(of: "10.0.0.9", in: yaml))
        #expect(extra.location.column == column(of: "10.0.0.9", in: yaml))
    }

    @Test("serial interfaces need a device and take no role")
    func serialInterfaces() throws {
        let yaml = Fixture.twoNodes
            .replacingOccurrences(of: "  - {name: dhb, type: disk, device: /dev/sdb1}", with: "  - {name: dhb, type: rs232}")
            .replacingOccurrences(of: "{name: hb, label: a_hb, network: dhb}", with: "{name: tty0, label: a_hb, role: standby, network: dhb}")
            .replacingOccurrences(of: "{name: hb, label: b_hb, network: dhb}", with: "{name: tty0, label: b_hb, network: dhb, device: /dev/ttyS0}")
        let diagnostics = verify(yaml)
        #expect(single(diagnostics, containing: "a_hb (tty0) of a is on serial link dhb but has no device") != nil)
        let role = try #require(single(diagnostics, containing: "has role standby"))
        #expect(role.location.column == column(of: "standby", in: yaml))
    }

    @Test("an invalid netmask")
    func netmask() throws {
        let yaml = Fixture.twoNodes.replacingOccurrences(of: "255.255.255.0", with: "255.0.255.0")
        let problem = try #require(single(verify(yaml), containing: "is not a valid netmask"))
        #expect(problem.message.hasPrefix("netmask 255.0.255.0 of network ether"))
        #expect(problem.location.line == 3)
        #expect(problem.location.column == column(of: "255.0.255.0", in: yaml))
    }

    @Test("a node with no IP network")
    func nodeWithoutIP() throws {
        let yaml = Fixture.twoNodes(addingNodes: """
              - name: c
                interfaces:
                  - {name: hb, label: c_hb, network: dhb}

            """)
        let problem = try #require(single(verify(yaml), containing: "node c has no interface on an IP network"))
        #expect(problem.location.line == line(of: "- name: c", in: yaml))
    }

    @Test("a standby is its own adapter, and an adapter is on one network")
    func adapters() throws {
        let yaml = """
            cluster: {name: test, id: 7}
            networks:
              - {name: token, type: token, netmask: 255.255.255.0}
              - {name: ether, type: ether, netmask: 255.255.255.0}
              - {name: dhb, type: disk, device: /dev/sdb1}
            nodes:
              - name: a
                interfaces:
                  - {name: tr0, label: a_boot, address: 9.3.187.1, network: token}
                  - {name: tr0, label: a_stby, role: standby, address: 192.168.187.1, network: token}
                  - {name: tr0, label: a_en, address: 192.168.1.1, network: ether}
                  - {name: hb, label: a_hb, network: dhb}
            """
        let diagnostics = verify(yaml)
        let standby = try #require(single(diagnostics, containing: "a standby must be a separate adapter"))
        #expect(standby.location.line == line(of: "a_stby", in: yaml))
        let twice = try #require(single(diagnostics, containing: "adapter tr0 of a is on network token and on ether"))
        #expect(twice.location.line == line(of: "a_en", in: yaml))
    }
}
