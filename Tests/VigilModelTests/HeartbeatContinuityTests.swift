import Testing
import VigilModel

/// A change that leaves two nodes no heartbeat path as it was is refused by sync: nodes running
/// the two versions would not hear each other.
@Suite struct HeartbeatContinuityTests {
    func config(_ yaml: String) throws -> ClusterConfig {
        let (loaded, findings) = ConfigLoader.load(yaml: yaml, file: "test.yaml")
        return try #require(loaded?.config, "\(findings)")
    }

    @Test func aChangeThatKeepsOnePathIsAllowed() throws {
        let old = try config(Fixture.twoNodes)
        let renumbered = try config(Fixture.twoNodes.replacingOccurrences(of: "10.0.0.1", with: "10.0.0.11"))
        // The address of a changed on ether, but the disk heartbeat joins a and b as before.
        #expect(HeartbeatContinuity.pairsWithoutUnchangedPath(from: old, to: renumbered).isEmpty)
        #expect(HeartbeatContinuity.refusal(from: old, to: renumbered) == nil)
        #expect(HeartbeatContinuity.refusal(from: old, to: old) == nil)
    }

    @Test func aChangeOfEveryPathBetweenTwoNodesIsRefused() throws {
        let old = try config(Fixture.twoNodes)
        let changed = try config(
            Fixture.twoNodes.replacingOccurrences(of: "10.0.0.1", with: "10.0.0.11")
                .replacingOccurrences(of: "/dev/sdb1", with: "/dev/sdc1"))
        let pairs = HeartbeatContinuity.pairsWithoutUnchangedPath(from: old, to: changed)
        #expect(pairs.map { "\($0.0)-\($0.1)" } == ["a-b"])
        let refusal = try #require(HeartbeatContinuity.refusal(from: old, to: changed))
        #expect(refusal.hasPrefix("no heartbeat path between a and b stays as it is"))
    }

    @Test func nodesAddedOrRemovedAreNotPairs() throws {
        let old = try config(Fixture.twoNodes)
        let added = try config(
            Fixture.twoNodes(
                addingNodes: """
                      - name: c
                        interfaces:
                          - {name: eth0, label: c_boot, address: 10.0.0.3, network: ether}

                    """))
        #expect(HeartbeatContinuity.pairsWithoutUnchangedPath(from: old, to: added).isEmpty)
        #expect(HeartbeatContinuity.pairsWithoutUnchangedPath(from: added, to: old).isEmpty)
    }

    /// A node's slot on a shared disk is its rank: swapping two nodes changes the disk path too.
    @Test func reorderingTheNodesChangesTheirDiskSlots() throws {
        let diskOnly = Fixture.twoNodes.replacingOccurrences(of: "10.0.0.1", with: "10.0.0.11")
        let old = try config(Fixture.twoNodes)
        var swapped = try config(diskOnly)
        swapped.nodes.reverse()
        #expect(
            HeartbeatContinuity.pairsWithoutUnchangedPath(from: old, to: swapped).map { "\($0.0)-\($0.1)" } == ["a-b"])
    }
}
