import Foundation
import Testing
import VigilModel
@testable import VigilRuntime

/// The stored configuration of `vigil sync`: one file whose first line is its version; at start,
/// the stored one wins over a --config file that differs, a --config file that is the same takes
/// its version, and a stored file with errors is ignored with a note.
@Suite struct ConfigStoreTests {
    static let scream = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/scream.yaml").path

    @Test func writesAndReadsBackAVersionAndItsText() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = ConfigStore(stateDirectory: dir.path)
        #expect(store.read() == nil)
        try store.write(version: 7, text: "cluster: {name: x, id: 1}\n")
        #expect(store.read()?.version == 7)
        #expect(store.read()?.text == "cluster: {name: x, id: 1}\n")
        try "cluster: {name: x, id: 1}\n".write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(store.read() == nil, "a file without the version line is not one of ours")
    }

    @Test func theStoredConfigurationWinsOverADifferentConfigFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let text = try String(contentsOfFile: Self.scream, encoding: .utf8)
        let none = ConfigStore.chooseAtStart(configPath: "/etc/c.yaml", stateDirectory: dir.path, given: text)
        #expect(none.version == 0 && none.path == "/etc/c.yaml" && none.note == nil)

        try ConfigStore(stateDirectory: dir.path).write(version: 3, text: text)
        let same = ConfigStore.chooseAtStart(configPath: "/etc/c.yaml", stateDirectory: dir.path, given: text)
        #expect(same.version == 3 && same.path == "/etc/c.yaml" && same.note == nil)

        let edited = ConfigStore.chooseAtStart(configPath: "/etc/c.yaml", stateDirectory: dir.path, given: text + "\n# edited\n")
        #expect(edited.version == 3 && edited.text == text && edited.path.hasSuffix("/cluster.yaml"))
        #expect(edited.note?.contains("vigil sync") == true)

        try ConfigStore(stateDirectory: dir.path).write(version: 4, text: "cluster: [not, a, cluster]\n")
        let broken = ConfigStore.chooseAtStart(configPath: "/etc/c.yaml", stateDirectory: dir.path, given: text)
        #expect(broken.version == 0 && broken.path == "/etc/c.yaml")
        #expect(broken.note?.contains("has errors") == true)
    }

    /// A node that a version removed and a later one added back, started from a file that names it:
    /// the file runs (version 0), not the stored version that would refuse it.
    @Test func aFileThatNamesANodeWinsOverAStoredVersionThatRemovedIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let text = try String(contentsOfFile: Self.scream, encoding: .utf8)
        guard case .success(let scream) = ConfigStore.verify(text, file: "scream.yaml") else {
            Issue.record("scream does not verify")
            return
        }
        var without = scream
        without.nodes.removeAll { $0.name == "ghost4" }
        for index in without.resourceGroups.indices { without.resourceGroups[index].nodes.removeAll { $0 == "ghost4" } }
        // Its serial cables go with it.
        let cables = ["rs232_34", "rs232_41"]
        without.networks.removeAll { cables.contains($0.name) }
        for index in without.nodes.indices { without.nodes[index].interfaces.removeAll { cables.contains($0.network) } }
        try ConfigStore(stateDirectory: dir.path).write(version: 4, text: ConfigWriter.yaml(without))
        let removed = ConfigStore.chooseAtStart(configPath: "/etc/c.yaml", stateDirectory: dir.path, given: text, node: "ghost4")
        #expect(removed.version == 0 && removed.path == "/etc/c.yaml" && removed.text == text)
        #expect(removed.note?.contains("removed ghost4") == true, "\(removed.note ?? "")")
        // A node the stored version still names runs it, as before.
        let kept = ConfigStore.chooseAtStart(configPath: "/etc/c.yaml", stateDirectory: dir.path, given: text, node: "ghost1")
        #expect(kept.version == 4 && kept.path.hasSuffix("/cluster.yaml"))
    }

    @Test func verifyRefusesErrorsAndAnotherClusterID() throws {
        let text = try String(contentsOfFile: Self.scream, encoding: .utf8)
        guard case .success(let config) = ConfigStore.verify(text, file: "scream.yaml") else { Issue.record("scream does not verify"); return }
        guard case .failure(let other) = ConfigStore.verify(text, file: "scream.yaml", clusterID: config.id + 1) else { Issue.record("another id passed"); return }
        #expect(other.description.contains("cluster id"))
        guard case .failure(let bad) = ConfigStore.verify(text + "\nbogus_key: 1\n", file: "scream.yaml") else { Issue.record("errors passed"); return }
        #expect(bad.description.contains("bogus_key"))
    }
}
