import Testing
@testable import VigilModel

@Suite("verify: subnets")
struct VerifierSubnetTests {
    /// Two nodes on a token network with boot, service and standby addresses, as in the seed.
    static func token(_ aStandby: String = "192.168.187.1", bBoot: String = "9.3.187.2", service: String = "9.3.187.50") -> String {
        """
        cluster: {name: test, id: 7}
        networks:
          - {name: token, type: token, netmask: 255.255.255.0}
          - {name: dhb, type: disk, device: /dev/sdb1}
        nodes:
          - name: a
            interfaces:
              - {name: tr0, label: a_svc, role: service, address: 9.3.187.101, network: token}
              - {name: tr0, label: a_boot, address: 9.3.187.1, network: token}
              - {name: tr1, label: a_stby, role: standby, address: \(aStandby), network: token}
              - {name: hb, label: a_hb, network: dhb}
          - name: b
            interfaces:
              - {name: tr0, label: b_boot, address: \(bBoot), network: token}
              - {name: tr1, label: b_stby, role: standby, address: 192.168.187.2, network: token}
              - {name: hb, label: b_hb, network: dhb}
        service_addresses:
          - {label: svc, address: \(service), network: token}
        resource_groups:
          - {name: G, policy: cascading, nodes: [a, b], service_addresses: [svc]}
        quorum: {policy: disk, tiebreaker: dhb}
        """
    }

    @Test("boot, service and standby addresses as in the seed verify clean")
    func seedLayout() {
        #expect(verify(Self.token()).isEmpty)
    }

    @Test("a boot address outside the first boot address's subnet")
    func bootOutside() throws {
        let yaml = Self.token(bBoot: "9.3.188.2")
        let problem = try #require(single(verify(yaml), containing: "is not in subnet"))
        #expect(problem.message.hasPrefix("address 9.3.188.2 of b_boot on b is not in subnet 9.3.187.0/24 of network token (the subnet of a_boot on a, 9.3.187.1, under netmask 255.255.255.0)"))
        #expect(problem.location.line == line(of: "9.3.188.2", in: yaml))
        #expect(problem.location.column == column(of: "9.3.188.2", in: yaml))
    }

    @Test("a service address outside the boot subnet")
    func serviceOutside() throws {
        let yaml = Self.token(service: "10.1.1.1")
        let problem = try #require(single(verify(yaml), containing: "is not in subnet"))
        #expect(problem.message.hasPrefix("address 10.1.1.1 of service address svc"))
        #expect(problem.location.line == line(of: "10.1.1.1", in: yaml))
    }

    @Test("a standby on the boot subnet is an error")
    func standbyOnBootSubnet() throws {
        let yaml = Self.token("9.3.187.77")
        let problem = try #require(single(verify(yaml), containing: "is in the boot subnet"))
        #expect(problem.message.hasPrefix("standby address 9.3.187.77 of a_stby on a is in the boot subnet 9.3.187.0/24 of network token"))
        #expect(problem.message.contains("must be on a different subnet"))
        #expect(problem.location.line == line(of: "9.3.187.77", in: yaml))
    }

    @Test("standbys of one network share their own subnet")
    func standbysApart() throws {
        let yaml = Self.token("192.168.188.1")
        let problem = try #require(single(verify(yaml), containing: "is not in the standby subnet"))
        #expect(problem.message.hasPrefix("standby address 192.168.187.2 of b_stby on b is not in the standby subnet 192.168.188.0/24"))
        #expect(problem.location.line == line(of: "192.168.187.2", in: yaml))
    }
}
