import ArgumentParser
import Foundation
import Testing
import VigilModel
import VigilRuntime
@testable import VigilCLI
@testable import VigilLab
import VigilRoot

/// `vigil demo`'s arguments, its configuration, and how it reads the status.
@Suite("vigil demo")
struct DemoCommandTests {
    static let checkout = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let localConfig = checkout.appendingPathComponent("examples/scream-local.yaml").path

    static func demo(_ arguments: [String]) throws -> DemoCommand {
        try #require(try VigilCommand.parseAsRoot(["demo"] + arguments) as? DemoCommand)
    }

    @Test("defaults: no --keep, /tmp/vigil-demo, the local scream, 60s per wait")
    func defaults() throws {
        let command = try Self.demo([])
        #expect(!command.keep)
        #expect(command.stateDir == "/tmp/vigil-demo" && command.stateDir == DemoCommand.defaultStateDirectory)
        #expect(command.config == "examples/scream-local.yaml")
        #expect(command.waitLimit == .seconds(60))
    }

    @Test("--keep, --state-dir, --config and --wait")
    func options() throws {
        let command = try Self.demo(["--keep", "--state-dir", "/var/tmp/d", "--config", "x.yaml", "--wait", "90s"])
        #expect(command.keep && command.stateDir == "/var/tmp/d" && command.config == "x.yaml")
        #expect(command.waitLimit == .seconds(90))
    }

    @Test("bad arguments are refused before anything starts", arguments: [
        ["--wait", "60"], ["--wait", "0s"], ["--state-dir", "relative/dir"], ["--state-dir", "/"], ["--bogus"],
    ])
    func refused(arguments: [String]) {
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["demo"] + arguments) }
    }

    @Test("demo-service is hidden from vigil --help; demo is shown")
    func hidden() {
        let help = VigilCommand.helpMessage()
        #expect(help.contains("demo ") && !help.contains("demo-service"))
    }

    @Test("demo-service serve and probe check their addresses and names", arguments: [
        ["serve", "--listen", "127.77.2.187", "--name", "ghost3"],
        ["serve", "--listen", "127.77.2.187:0", "--name", "ghost3"],
        ["serve", "--listen", "127.77.2.187:7002", "--name", ""],
        ["probe", "127.77.2.187:notaport"],
        ["probe", "127.77.2.187:7002", "--timeout", "100"],
        ["stop", "--pid-file", "/tmp/x.pid", "--timeout", "soon"],
    ])
    func serviceArguments(arguments: [String]) {
        #expect(throws: (any Error).self) { try VigilCommand.parseAsRoot(["demo-service"] + arguments) }
    }

    @Test("demo-service serve parses its options")
    func serveParses() throws {
        let serve = try #require(try VigilCommand.parseAsRoot(
            ["demo-service", "serve", "--listen", "127.77.2.187:7002", "--name", "ghost3", "--pid-file", "/tmp/a.pid"])
            as? DemoServiceCommand.Serve)
        #expect(serve.listen == "127.77.2.187:7002" && serve.name == "ghost3" && serve.pidFile == "/tmp/a.pid")
        #expect(DemoEndpoint(serve.listen) == DemoEndpoint(address: IPv4Address("127.77.2.187")!, port: 7002))
    }

    @Test("examples/scream-local.yaml verifies with no error and no warning")
    func localConfigVerifies() throws {
        let verify = try #require(try VigilCommand.parseAsRoot(["verify", Self.localConfig]) as? VerifyCommand)
        let (lines, failed) = verify.output()
        #expect(!failed)
        #expect(lines.last == "verify: 0 errors, 0 warnings")
        #expect(!lines.contains { $0.contains("error:") })
        #expect(lines.contains("timing: node failure detected after 0.6s"))
    }

    @Test("the local scream is scream on loopback: same nodes and groups, every address in 127/8, a disk heartbeat")
    func localConfigShape() throws {
        let text = try String(contentsOfFile: Self.localConfig, encoding: .utf8)
        let config = try #require(ConfigLoader.load(yaml: text, file: Self.localConfig).0?.config)
        #expect(config.nodes.map(\.name) == ["ghost1", "ghost2", "ghost3", "ghost4"])
        #expect(config.resourceGroups.map(\.name) == ["CH1", "SH2", "SH3", "IP4"])
        #expect(config.resourceGroups.map(\.nodes) == [
            ["ghost1", "ghost2"], ["ghost3", "ghost4"], ["ghost4", "ghost3"], ["ghost1", "ghost2", "ghost3", "ghost4"],
        ])
        let addresses = config.nodes.flatMap(\.interfaces).compactMap(\.address) + config.serviceAddresses.map(\.address)
        #expect(!addresses.isEmpty && addresses.allSatisfy { $0.value >> 24 == 127 })
        #expect(config.networks.contains { $0.kind == .disk(device: "/tmp/vigil-demo/dhb") })
        #expect(config.volumeGroups.isEmpty && config.filesystems.isEmpty && config.nfsExports.isEmpty)
        #expect(config.resourceGroups.allSatisfy { $0.applications.count == 1 })
    }

    @Test("the status the demo waits on decodes from what vigil status --json prints")
    func statusDecodes() throws {
        let text = try String(contentsOfFile: Self.localConfig, encoding: .utf8)
        let config = try #require(ConfigLoader.load(yaml: text, file: Self.localConfig).0?.config)
        var snapshot = StatusSnapshot(config: config, localNode: "ghost1", configVersion: 1)
        snapshot.nodes = snapshot.nodes.map { StatusSnapshot.Node(name: $0.name, state: $0.name == "ghost3" ? .down : .up) }
        let sh2 = try #require(snapshot.groups.firstIndex { $0.name == "SH2" })
        snapshot.groups[sh2].placements = [.init(node: "ghost3", state: .offline), .init(node: "ghost4", state: .online)]
        let json = AdminExchange.json(snapshot)
        let status = try JSONDecoder().decode(DemoStatus.self, from: Data(json.utf8))
        #expect(status.online("SH2") == ["ghost4"])
        #expect(status.online("SH3") == [])
        #expect(!status.allUp(["ghost1", "ghost2", "ghost3", "ghost4"]) && status.allUp(["ghost1", "ghost2", "ghost4"]))
        #expect(DemoRunner.summary(status).hasPrefix("ghost1 UP, ghost2 UP, ghost3 DOWN, ghost4 UP; CH1 offline, SH2 on ghost4"))
    }

    @Test("the daemons' command line: the contract with vigild")
    func daemonArguments() {
        let cluster = DemoCluster(directory: "/tmp/d", config: "/c/scream-local.yaml", vigild: "/b/vigild", vigil: "/b/vigil", nodes: ["ghost3"])
        #expect(cluster.daemonArguments("ghost3") == [
            "--config", "/c/scream-local.yaml", "--node", "ghost3", "--state-dir", "/tmp/d/ghost3",
            "--key", "/tmp/d/cluster.key", "--address-driver", "loopback-demo", "--socket", "/tmp/d/ghost3/vigild.sock", "--start",
        ])
    }

    @Test("prepare makes the key (32 bytes, 0600), the disk file and node directories, and refuses a foreign directory")
    func prepare() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-demo-prepare-\(getpid())").path
        defer { _ = DemoProcesses.remove(directory) }
        let cluster = DemoCluster(directory: directory, config: "c", vigild: "d", vigil: "v", nodes: ["ghost1", "ghost2"])
        try cluster.prepare(diskFile: directory + "/dhb")
        let key = try #require(FileManager.default.contents(atPath: cluster.keyFile))
        #expect(key.count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: cluster.keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(FileManager.default.contents(atPath: directory + "/dhb")?.count == DemoCluster.diskSize)
        #expect(FileManager.default.fileExists(atPath: directory + "/ghost2"))
        try cluster.prepare(diskFile: directory + "/dhb")  // a demo directory may be reused
        _ = DemoProcesses.remove(directory + "/" + DemoCluster.marker)
        #expect(throws: DemoCommandFailure.self) { try cluster.prepare(diskFile: directory + "/dhb") }
    }
}
