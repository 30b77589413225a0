import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

/// What every test bed command takes: the configuration and the test bed's directory.
struct TestbedOptions: ParsableArguments {
    @Argument(help: "The cluster configuration (YAML), e.g. examples/scream-testbed.yaml.")
    var config: String

    @Option(
        help: """
            The test bed's directory: node state and logs, the key, the disk heartbeat views. Disk networks' \
            devices must be under it.
            """)
    var dir: String = "/run/vigil-testbed"

    /// The configuration, refused when `vigil verify` finds errors in it.
    func load() throws -> ClusterConfig {
        let loaded: LoadedConfig
        do { loaded = try ConfigLoader.load(contentsOf: config) } catch { throw ValidationError("\(error)") }
        let errors = Verifier.verify(loaded).filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw ValidationError(
                (errors.map(\.description) + [
                    "the configuration has \(errors.count) errors; run `vigil verify \(config)`"
                ]).joined(separator: "\n"))
        }
        return loaded.config
    }

    /// The test bed of the configuration, run by this `vigil` binary.
    func testbed(_ config: ClusterConfig) throws -> Testbed {
        let shell = TestbedShell(onFailure: { line in FileHandle.standardError.write(Data("testbed: \(line)\n".utf8)) })
        return Testbed(
            layout: TestbedLayout(config: config, directory: dir), configPath: configPath,
            vigil: try DemoSetup.ownExecutable(), shell: shell)
    }

    private var configPath: String { URL(fileURLWithPath: config).standardizedFileURL.path }

    /// Refuses clearly where network namespaces cannot be made.
    func requireNamespaces() throws {
        guard Testbed.namespacesWork() else {
            throw ValidationError("the test bed needs root and network namespaces (`ip netns add` failed or not root)")
        }
    }
}
