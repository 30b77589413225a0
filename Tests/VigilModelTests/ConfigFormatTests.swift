import Foundation
import Testing
import VigilModel

/// The file format's version: a file without `format` is format 1 and reads as it always did; a
/// later format is refused before anything else is read, naming the line; and the golden file of
/// each format converts to the current one (`vigil convert FILE` writes through `ConfigWriter`).
@Suite struct ConfigFormatTests {
    static let formats = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Formats")

    static func golden(_ name: String) throws -> String {
        try String(contentsOf: formats.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func aFileWithoutFormatIsFormatOneAndConvertsToTheGoldenFile() throws {
        let (old, oldProblems) = ConfigLoader.load(yaml: try Self.golden("format-1-unversioned.yaml"), file: "old.yaml")
        let loaded = try #require(old, "\(oldProblems)")
        #expect(loaded.format == ConfigFormat.unversioned)
        var config = loaded.config
        #expect(ConfigFormat.upgrade(&config, from: loaded.format).isEmpty, "format 1 is current: nothing to do")
        let written = ConfigWriter.yaml(config)
        #expect(written == (try Self.golden("format-1.yaml")), "the golden file of format 1 is what convert writes")
        let (again, problems) = ConfigLoader.load(yaml: written, file: "new.yaml")
        #expect(again?.format == 1, "\(problems)")
        #expect(again?.config == loaded.config)
    }

    @Test func aLaterFormatIsRefusedBeforeAnythingElseIsRead() {
        let text = "format: 2\ncluster: {name: x, id: 1}\nnetworks: [{name: n, flavour: new}]\nnodes: []\n"
        let (loaded, problems) = ConfigLoader.load(yaml: text, file: "next.yaml")
        #expect(loaded == nil)
        #expect(problems.map(\.description) == [
            "next.yaml:1:9: error: format is 2, newer than this vigil reads (formats 1 to 1): upgrade vigil on this "
                + "node, or write the file in format 1"
        ], "only the format is reported, not the keys a later format may have")
    }

    @Test(arguments: ["0", "-1", "x", "1.5", "99999999999999999999"])
    func aFormatThatIsNoFormatIsAnError(_ value: String) {
        let text = "format: \(value)\ncluster: {name: x, id: 1}\nnetworks: []\nnodes: []\n"
        let (loaded, problems) = ConfigLoader.load(yaml: text, file: "bad.yaml")
        #expect(loaded == nil)
        #expect(problems.first?.description.hasPrefix("bad.yaml:1:9: error: format") == true, "\(problems)")
    }
}

/// The files a configuration's commands name, which `vigil verify --cluster` compares across nodes.
@Suite struct NamedFilesTests {
    @Test func programsWrittenAsPathsAndEverythingUnderEtcVigil() {
        var config = ClusterConfig(name: "c", id: 1)
        config.applications = [
            Application(
                name: "web", start: "/etc/vigil/web.start --fast", stop: "pkill -f web; /etc/vigil/web.cleanup",
                monitor: "'/usr/local/bin/check web'")
        ]
        config.hooks[.nodeDown] = EventHooks(
            pre: ["/etc/vigil/page.sh node_down"], post: ["bash -e /opt/hooks/after.sh"], notify: ["logger down"])
        config.nodes = [Node(name: "a", fenceCommand: "/usr/sbin/fence_ipmilan -a 10.0.0.1")]
        #expect(config.namedFiles == [
            "/etc/vigil/page.sh", "/etc/vigil/web.cleanup", "/etc/vigil/web.start", "/opt/hooks/after.sh", "/usr/local/bin/check",
            "/usr/sbin/fence_ipmilan",
        ])
    }
}
