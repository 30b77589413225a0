import Foundation
import Testing
@testable import VigilModel

@Suite("ConfigWriter: what it writes, ConfigLoader reads back to the same configuration")
struct ConfigWriterTests {
    /// Every cluster configuration of examples/ (the files with a top-level `cluster:`; the others
    /// are test plans).
    static func exampleConfigs() throws -> [String] {
        let directory = Fixture.repoRoot.appendingPathComponent("examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.filter { name in
            guard name.hasSuffix(".yaml") else { return false }
            let text = try String(contentsOfFile: Fixture.example(name), encoding: .utf8)
            return text.split(separator: "\n").contains { $0.hasPrefix("cluster:") }
        }
    }

    @Test("there are example configurations to round-trip, pair and scream among them")
    func examplesFound() throws {
        let names = try Self.exampleConfigs()
        #expect(names.contains("pair.yaml") && names.contains("scream.yaml") && names.count >= 5)
    }

    @Test("examples/*.yaml: ConfigLoader(ConfigWriter(config)) == config", arguments: try exampleConfigs())
    func roundTrip(name: String) throws {
        let original = try ConfigLoader.load(contentsOf: Fixture.example(name)).config
        let written = ConfigWriter.yaml(original, header: ["written from \(name)"])
        let (reloaded, problems) = ConfigLoader.load(yaml: written, file: "written.yaml")
        #expect(problems.isEmpty, "\(problems)\n\(written)")
        #expect(reloaded?.config == original, "\(written)")
    }

    @Test("strings YAML would read as something else, or that need escapes, are quoted and read back")
    func awkwardStrings() throws {
        var config = try ConfigLoader.load(contentsOf: Fixture.example("pair.yaml")).config
        let commands = [
            "yes", "no", "null", "~", "1.5", "42", "-x", "a: b", "say \"hi\"", "back\\slash", "two\nlines",
            "tab\there", "#comment", "[list]", "{map}", "@at", "é ünïcode", "bell\u{07}", "",
        ]
        config.applications = commands.enumerated().map { index, command in
            Application(name: "app\(index)", start: command, stop: "stop \(command)", monitor: command)
        }
        config.resourceGroups[0].applications = config.applications.map(\.name)
        config.hooks = [.nodeDown: EventHooks(pre: commands, recovery: RecoveryHook(command: "fix it", retries: 2))]
        let written = ConfigWriter.yaml(config)
        let (reloaded, problems) = ConfigLoader.load(yaml: written, file: "written.yaml")
        #expect(problems.isEmpty, "\(problems)\n\(written)")
        #expect(reloaded?.config == config)
        #expect(ConfigWriter.scalar("alpha") == "alpha" && ConfigWriter.scalar("yes") == "\"yes\"")
    }

    @Test("a preset and settings beside it are written so that both read back")
    func tuning() throws {
        var config = try ConfigLoader.load(contentsOf: Fixture.example("pair.yaml")).config
        config.tuning = TuningPreset.wan.tuning
        config.tuning.tripInterval = .milliseconds(3500)
        config.tuning.observers = 6
        let written = ConfigWriter.yaml(config)
        #expect(written.contains("preset: wan") && written.contains("dead_man_switch: 3.5s"))
        #expect(!written.contains("release_allowance"))
        #expect(ConfigLoader.load(yaml: written, file: "w.yaml").0?.config == config)
    }
}
