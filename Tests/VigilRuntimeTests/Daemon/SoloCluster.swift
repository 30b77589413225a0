import Foundation
import VigilModel

@testable import VigilRuntime

/// A one-node cluster `solo` for a daemon run in this process: node `only` on 127.X.0.1 (loopback,
/// the demo's address driver), one cascading group `svc` with a service address, written with a
/// random key into a temporary directory. The dead man switch's thread and process run on real
/// time: `tuning` gives it long enough for the test.
struct SoloCluster {
    let directory: TemporaryDirectory
    let subnet = Int.random(in: 100...250)

    init(_ name: String = #function) { directory = TemporaryDirectory(name) }

    /// Writes the configuration (cluster `id`, the `tuning` flow mapping) and the key; the options
    /// of node `only`, with the built vigild as the dead man switch's process.
    func options(id: Int, tuning: String, watchdogDevice: String? = nil) throws -> DaemonOptions {
        let text = """
            cluster: {name: solo, id: \(id)}
            tuning: \(tuning)
            networks:
              - {name: lan, type: ether, attribute: public, netmask: 255.255.255.0}
            nodes:
              - name: only
                interfaces:
                  - {name: lo, label: only_lan, role: boot, address: 127.\(subnet).0.1, network: lan}
            service_addresses:
              - {label: svc_addr, address: 127.\(subnet).0.100, network: lan}
            resource_groups:
              - {name: svc, policy: cascading, nodes: [only], service_addresses: [svc_addr]}
            """
        try text.write(toFile: directory.file("solo.yaml"), atomically: true, encoding: .utf8)
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: directory.file("key")))
        let config = try ConfigLoader.load(contentsOf: directory.file("solo.yaml")).config
        return DaemonOptions(
            configPath: directory.file("solo.yaml"), config: config, node: "only",
            stateDirectory: directory.file("only"),
            keyPath: directory.file("key"), port: Int.random(in: 20_000...60_000), addressDriver: .loopbackDemo,
            socketPath: directory.file("only.sock"), watchdogDevice: watchdogDevice,
            watchdogExecutable: DaemonProcessTests.vigild)
    }
}
