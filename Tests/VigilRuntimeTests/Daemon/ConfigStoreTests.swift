import Foundation
import Testing
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

    @Test func verifyRefusesErrorsAndAnotherClusterID() throws {
        let text = try String(contentsOfFile: Self.scream, encoding: .utf8)
        guard case .success(let config) = ConfigStore.verify(text, file: "scream.yaml") else { Issue.record("scream does not verify"); return }
        guard case .failure(let other) = ConfigStore.verify(text, file: "scream.yaml", clusterID: config.id + 1) else { Issue.record("another id passed"); return }
        #expect(other.description.contains("cluster id"))
        guard case .failure(let bad) = ConfigStore.verify(text + "\nbogus_key: 1\n", file: "scream.yaml") else { Issue.record("errors passed"); return }
        #expect(bad.description.contains("bogus_key"))
    }
}
