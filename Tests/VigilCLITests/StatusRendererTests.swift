import Testing
import VigilRuntime
@testable import VigilCLI

/// `vigil status` draws a hand-built snapshot exactly so.
@Suite("status renderer")
struct StatusRendererTests {
    static let snapshot = StatusSnapshot(
        cluster: "scream", clusterID: 20, state: .up, substate: .unstable,
        unstableReason: "config_too_long: node_up ghost4 running 360s", localNode: "ghost1", configVersion: 3, view: 7,
        timing: .init(nodeDetectionMilliseconds: 2000, deadManSwitchMilliseconds: 600, takeoverWaitMilliseconds: 1000),
        nodes: [
            .init(name: "ghost1", state: .up, coordinator: true), .init(name: "ghost2", state: .up),
            .init(name: "ghost3", state: .down), .init(name: "ghost4", state: .netpar),
        ],
        interfaces: [
            .init(node: "ghost1", name: "eth0", label: "ghost1_svc", network: "ether", address: "192.168.1.10", state: .up, serviceAddresses: ["ghost1_svc"]),
            .init(node: "ghost1", name: "eth1", label: "ghost1_stby", network: "ether", address: "192.168.2.10", state: .down),
        ],
        groups: [
            .init(name: "CH1", policy: "concurrent", placements: [.init(node: "ghost1", state: .online), .init(node: "ghost2", state: .acquiring)]),
            .init(name: "SH2", policy: "cascading", placements: [.init(node: "ghost3", state: .offline), .init(node: "ghost4", state: .error)],
                  reason: "node_down ghost3: ghost4 is next", sticky: "ghost4", error: "mount /sh2 failed"),
            .init(name: "IP4", policy: "rotating", placements: [.init(node: "ghost4", state: .releasing), .init(node: "ghost1", state: .offline)], hold: "administrator, sticky"),
        ],
        event: .init(number: 12, description: "node_up ghost4", runningMilliseconds: 2400),
        counters: ["packets_received": 1200, "packets_bad_auth": 3])

    @Test("the full status, golden")
    func golden() {
        let expected = """
            cluster scream (id 20): UP, UNSTABLE (config_too_long: node_up ghost4 running 360s), view 7, coordinator ghost1
            node ghost1 answering, configuration version 3
            timing: node failure detected after 2s, dead man switch trips after 600ms, takeover after 1s
            event: #12 node_up ghost4, running 2.4s

            nodes:
              ghost1  UP      coordinator
              ghost2  UP
              ghost3  DOWN
              ghost4  NETPAR

            interfaces:
              NODE    NAME  LABEL        NETWORK  ADDRESS       STATE  SERVICE
              ghost1  eth0  ghost1_svc   ether    192.168.1.10  UP     ghost1_svc
              ghost1  eth1  ghost1_stby  ether    192.168.2.10  DOWN

            groups:
              GROUP  POLICY      ghost1   ghost2     ghost3   ghost4
              CH1    concurrent  ONLINE   ACQUIRING  -        -
              SH2    cascading   -        -          OFFLINE  ERROR
              IP4    rotating    OFFLINE  -          -        RELEASING
              SH2: sticky on ghost4; error: mount /sh2 failed; why: node_down ghost3: ghost4 is next
              IP4: held: administrator, sticky

            counters: packets_bad_auth 3, packets_received 1200
            """
        #expect(StatusRenderer.lines(Self.snapshot).joined(separator: "\n") == expected)
    }

    @Test("a node storing a newer configuration than it runs says to restart vigild")
    func newerStoredConfiguration() {
        var snapshot = Self.snapshot
        #expect(StatusRenderer.lines(snapshot)[1] == "node ghost1 answering, configuration version 3")
        snapshot.storedConfigVersion = 4
        #expect(StatusRenderer.lines(snapshot)[1] == "node ghost1 answering, configuration version 3, version 4 stored: the cluster runs it (reconfig 4) once every member stores it")
    }

    @Test("a cluster that is down says only DOWN on its first line")
    func down() {
        var snapshot = Self.snapshot
        snapshot.state = .down
        #expect(StatusRenderer.lines(snapshot).first == "cluster scream (id 20): DOWN")
    }

    @Test("rg list takes its columns from the groups' node lists, in order of first appearance")
    func groupsAlone() {
        #expect(StatusRenderer.groupLines(Array(Self.snapshot.groups.prefix(2))) == [
            "  GROUP  POLICY      ghost1  ghost2     ghost3   ghost4",
            "  CH1    concurrent  ONLINE  ACQUIRING  -        -",
            "  SH2    cascading   -       -          OFFLINE  ERROR",
            "  SH2: sticky on ghost4; error: mount /sh2 failed; why: node_down ghost3: ghost4 is next",
        ])
    }
}
