import Testing
@testable import VigilModel

@Suite("verify: serial links and the daisy chain (seed 3.1.3)")
struct VerifierSerialTests {
    /// Nodes n1...nN on ether, with serial links given as (network, node, node).
    static func cluster(nodes count: Int, links: [(String, Int, Int)]) -> String {
        var text = "cluster: {name: test, id: 7}\nnetworks:\n  - {name: ether, type: ether, netmask: 255.255.255.0}\n"
        for (name, _, _) in links { text += "  - {name: \(name), type: rs232}\n" }
        text += "nodes:\n"
        for node in 1...count {
            text += "  - name: n\(node)\n    interfaces:\n"
            text += "      - {name: eth0, label: n\(node)_boot, address: 10.0.0.\(node), network: ether}\n"
            for (index, (name, a, b)) in links.enumerated() where a == node || b == node {
                text += "      - {name: tty\(index), label: n\(node)_\(name), network: \(name), device: /dev/ttyS\(index)}\n"
            }
        }
        return text
    }

    @Test("a ring of four nodes, like scream's, is a daisy chain")
    func ring() {
        let yaml = Self.cluster(nodes: 4, links: [("s12", 1, 2), ("s23", 2, 3), ("s34", 3, 4), ("s41", 4, 1)])
        #expect(verify(yaml).isEmpty)
    }

    @Test("a path of five nodes is a daisy chain")
    func path() {
        let yaml = Self.cluster(nodes: 5, links: [("s12", 1, 2), ("s23", 2, 3), ("s34", 3, 4), ("s45", 4, 5)])
        #expect(verify(yaml).isEmpty)
    }

    @Test("three serial links on one node, with more than three nodes, break the daisy chain")
    func star() throws {
        let yaml = Self.cluster(nodes: 4, links: [("s12", 1, 2), ("s13", 1, 3), ("s14", 1, 4)])
        let problem = try #require(single(verify(yaml), containing: "node n1 has more than two serial links (s12, s13, s14...)"))
        #expect(problem.message.contains("daisy chain"))
        #expect(problem.location.line == line(of: "{name: s14", in: yaml))
    }

    @Test("with three nodes a star is allowed")
    func smallStar() {
        let yaml = Self.cluster(nodes: 3, links: [("s12", 1, 2), ("s13", 1, 3), ("s23", 2, 3)])
        #expect(verify(yaml).isEmpty)
    }

    @Test("serial links in two pieces are not one daisy chain")
    func pieces() throws {
        let yaml = Self.cluster(nodes: 4, links: [("s12", 1, 2), ("s34", 3, 4)])
        let problem = try #require(single(verify(yaml), containing: "serial links do not form one daisy chain"))
        #expect(problem.message.contains("n3, n4 are not linked to n1, n2"))
        #expect(problem.location.line == line(of: "{name: s34", in: yaml))
    }

    @Test("a serial network is one cable: two ends on two nodes")
    func ends() throws {
        var yaml = Self.cluster(nodes: 2, links: [("s12", 1, 2)])
        yaml += "  - name: n3\n    interfaces:\n      - {name: eth0, label: n3_boot, address: 10.0.0.3, network: ether}\n"
        yaml += "      - {name: tty0, label: n3_s12, network: s12, device: /dev/ttyS0}\n"
        let problem = try #require(single(verify(yaml), containing: "serial network s12 has 3 end(s) (n1 tty0, n2 tty0, n3 tty0)"))
        #expect(problem.location.line == line(of: "{name: s12", in: yaml))
    }

    @Test("a cluster without any non-IP path gets a warning; one node without one too")
    func nonIPPaths() throws {
        let yaml = Self.cluster(nodes: 2, links: [])
        let problem = try #require(single(verify(yaml), containing: "no serial link or disk heartbeat network"))
        #expect(problem.severity == .warning)
        #expect(problem.location.line == line(of: "networks:", in: yaml))
        var three = Self.cluster(nodes: 2, links: [("s12", 1, 2)])
        three += "  - name: n3\n    interfaces:\n      - {name: eth0, label: n3_boot, address: 10.0.0.3, network: ether}\n"
        let lonely = try #require(single(verify(three), containing: "node n3 is on no serial link or disk heartbeat (s12)"))
        #expect(lonely.severity == .warning)
    }
}
