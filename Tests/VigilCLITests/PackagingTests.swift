import ArgumentParser
import Foundation
import Testing
import VigilModel
import VigilRoot
import VigilRuntime

@testable import VigilCLI

/// What the Debian package relies on (scripts/package, docs/packaging.md): one version line for
/// both binaries, and shell completion of node and group names from the local configuration.
@Suite("packaging: version and completion")
struct PackagingTests {
    static let pair = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/pair.yaml").path

    @Test("the version line names the release and the packet format")
    func versionLine() {
        #expect(VigilVersion.versionLine(program: "vigil") == "vigil \(VigilVersion.release) (packet format 2)")
        #expect(VigilCommand.configuration.version == VigilVersion.versionLine(program: "vigil"))
        #expect(VigilVersion.release.split(separator: ".").count == 3)
    }

    @Test("nodes and groups complete from the configuration, filtered by what was typed")
    func namesFromTheConfiguration() {
        #expect(
            LocalClusterNames.names(prefix: "", path: Self.pair) { $0.resourceGroups.map(\.name) } == ["db", "web"])
        #expect(LocalClusterNames.names(prefix: "a", path: Self.pair) { $0.nodes.map(\.name) } == ["alpha"])
    }

    @Test("a configuration that cannot be read or loaded completes nothing")
    func nothingWithoutAConfiguration() throws {
        #expect(LocalClusterNames.names(prefix: "", path: "/nonexistent/cluster.yaml") { $0.nodes.map(\.name) } == [])
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-broken-\(getpid()).yaml")
        try "cluster: [".write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        #expect(LocalClusterNames.names(prefix: "", path: broken.path) { $0.nodes.map(\.name) } == [])
    }
}
