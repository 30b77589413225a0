import Testing
import VigilRuntime
@testable import VigilCLI

/// `vigil verify --cluster`'s comparison: a file that differs, is missing or is not a file on some
/// nodes, and a configuration version that differs, are each one line naming the odd nodes; the
/// nodes that did not answer are named, not counted as drift.
@Suite struct ClusterDriftTests {
    static func status(_ node: String, version: UInt64 = 3, stored: UInt64? = nil, files: [String: String]) -> NodeStatus {
        var status = StatusSnapshot(
            cluster: "scream", clusterID: 20, state: .up, substate: .stable, localNode: node, configVersion: version)
        status.storedConfigVersion = stored
        status.files = files
        return NodeStatus(node: node, status: status)
    }

    @Test func nodesThatAgreeHaveNoDrift() {
        let files = ["/etc/vigil/web.start": "sha256:aa"]
        let drift = ClusterDrift([Self.status("ghost1", files: files), Self.status("ghost2", files: files)])
        #expect(drift.drifts.isEmpty)
        #expect(drift.lines == ["cluster: 2 nodes compared, 0 drifts"])
    }

    @Test func eachDifferenceNamesTheOddNodes() {
        let same = "sha256:aa"
        let drift = ClusterDrift([
            Self.status("ghost1", files: ["/etc/vigil/web.start": same, "/etc/vigil/db.stop": same]),
            Self.status("ghost2", files: ["/etc/vigil/web.start": "sha256:bb", "/etc/vigil/db.stop": same]),
            Self.status("ghost3", version: 2, files: ["/etc/vigil/web.start": same, "/etc/vigil/db.stop": "missing"]),
            Self.status("ghost4", files: ["/etc/vigil/web.start": same, "/etc/vigil/db.stop": same]),
            NodeStatus(node: "ghost5", status: nil),
        ])
        #expect(drift.lines == [
            "drift: ghost3 runs configuration version 2",
            "drift: the newest configuration stored on ghost3 is version 2",
            "drift: /etc/vigil/db.stop is missing on ghost3",
            "drift: /etc/vigil/web.start differs on ghost2",
            "cluster: ghost5 did not answer: not compared",
            "cluster: 4 nodes compared, 4 drifts",
        ])
    }
}
