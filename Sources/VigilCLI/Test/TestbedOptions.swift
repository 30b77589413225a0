import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime

/// What every test bed command takes: the configuration and the test bed's directory.
struct TestbedOptions: ParsableArguments {
    @Argument(help: "The cluster configuration (YAML), e.g. examples/scream-testbed.yaml.")
    var config: String

    @Option(help: "The test bed's directory: node state and logs, the key, the disk heartbeat views. Disk networks' devices must be under it.")
    var dir: String = "/run/vigil-testbed"

    /// The configuration, refused when `vigil verify` finds errors in it.
    func load() throws -> ClusterConfig {
        let loaded: LoadedConfig
        do { loaded = try ConfigLoader.load(contentsOf: config) } catch { throw ValidationError("\(error)") }
        let errors = Verifier.verify(loaded).filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw ValidationError((errors.map(\.description) + ["the configuration has \(errors.count) errors; run `vigil verify \(config)`"]).joined(separator: "\n"))
        }
        return loaded.config
    }

    /// The test bed of the configuration, run by this `vigil` binary.
    func testbed(_ config: ClusterConfig) throws -> Testbed {
        let shell = TestbedShell(onFailure: { line in FileHandle.standardError.write(Data("testbed: \(line)\n".utf8)) })
        return Testbed(layout: TestbedLayout(config: config, directory: dir), configPath: config_path, vigil: try DemoSetup.ownExecutable(), shell: shell)
    }

    private var config_path: String { URL(fileURLWithPath: config).standardizedFileURL.path }

    /// Refuses clearly where network namespaces cannot be made.
    func requireNamespaces() throws {
        guard Testbed.namespacesWork() else {
            throw ValidationError("the test bed needs root and network namespaces (`ip netns add` failed or not root)")
        }
    }
}

/// `vigil testbed up|down|status|relay CONFIG`: the network-namespace test bed by hand
/// (`scripts/testbed`). Hidden: an engineer's tool, not an administrator's.
struct TestbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testbed",
        abstract: "Build, show or remove the network-namespace test bed of a configuration.",
        shouldDisplay: false,
        subcommands: [Up.self, Down.self, Status.self, Relay.self])

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the namespaces, bridges, veth pairs, addresses and disk views (after removing any earlier test bed).")
        @OptionGroup var options: TestbedOptions

        func run() throws {
            try options.requireNamespaces()
            let testbed = try options.testbed(try options.load())
            do { try testbed.up() } catch {
                testbed.down(removeDirectory: false)
                throw ValidationError("testbed up failed (removed again): \(error)")
            }
            print(testbed.status())
            print("testbed: up in \(options.dir); start a node with: ip netns exec vt-NODE vigild ... (see docs/testbed.md)")
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Kill what runs in the test bed's namespaces and remove them and its directory.")
        @OptionGroup var options: TestbedOptions

        func run() throws {
            let testbed = try options.testbed(try options.load())
            let removed = testbed.down(removeDirectory: true)
            print(removed.isEmpty ? "testbed: nothing to remove" : removed.map { "removed \($0)" }.joined(separator: "\n"))
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the test bed's namespaces, addresses and processes.")
        @OptionGroup var options: TestbedOptions

        func run() throws {
            print(try options.testbed(try options.load()).status())
        }
    }

    struct Relay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The disk relay (started by `up` in vt-switch; runs until killed).")
        @OptionGroup var options: TestbedOptions

        func run() throws {
            try DiskRelay(layout: TestbedLayout(config: try options.load(), directory: options.dir)).run()
        }
    }
}
