import Foundation
import Testing
import VigilModel
@testable import VigilRuntime

/// The snapshot a daemon starts from, built from the seed's scream cluster.
@Suite("status snapshot from a configuration")
struct StatusSnapshotConfigTests {
    static let scream = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/scream.yaml").path

    @Test("scream, services stopped on ghost1")
    func scream() throws {
        let config = try ConfigLoader.load(contentsOf: Self.scream).config
        let snapshot = StatusSnapshot(config: config, localNode: "ghost1", configVersion: 4)
        #expect(snapshot.cluster == config.name && snapshot.clusterID == config.id)
        #expect(snapshot.state == .down && snapshot.configVersion == 4)
        #expect(snapshot.nodes.map(\.name) == ["ghost1", "ghost2", "ghost3", "ghost4"])
        #expect(snapshot.nodes.map(\.state) == [.stopped, .down, .down, .down])
        #expect(snapshot.groups.map(\.name) == config.resourceGroups.map(\.name))
        #expect(snapshot.groups.allSatisfy { $0.placements.allSatisfy { $0.state == .offline } })
        #expect(snapshot.groups.map(\.placements.count) == config.resourceGroups.map(\.nodes.count))
        #expect(snapshot.interfaces.count == config.nodes.map(\.interfaces.count).reduce(0, +))
        #expect(snapshot.interfaces.allSatisfy { !$0.address.isEmpty && $0.state == .down })
        #expect(snapshot.timing == StatusSnapshot.Timing(DetectionTimes(config)))
        #expect(snapshot.timing?.takeoverWaitMilliseconds == 750)
    }
}
