import Foundation
import VigilModel

/// Paths and loaded files from the repository's `examples/` folder.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ name: String) -> String { root.appendingPathComponent("examples/\(name)").path }

    static func config(_ name: String) throws -> ClusterConfig {
        try ConfigLoader.load(contentsOf: path(name)).config
    }

    static func plan(_ name: String, for config: ClusterConfig) throws -> TestPlan {
        try TestPlanLoader.load(contentsOf: path(name), nodes: config.nodes.map(\.name))
    }
}
