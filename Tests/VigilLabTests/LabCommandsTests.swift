import ArgumentParser
import Testing
@testable import VigilLab
import VigilRoot

/// The lab's commands are reached through the root by the names they always had, hidden ones too
/// (`testbed`, `demo-service`): scripts/testbed, scripts/bench, scripts/demo and the test bed's own
/// processes (the relay, the client's watch, the benchmark's probe) call them so.
@Suite("vigil lab commands: names")
struct LabCommandsTests {
    @Test("every lab command parses through the root", arguments: [
        (["sim", "run", "c.yaml", "--plan", "p.yaml"], "SimRunCommand"),
        (["sim", "fuzz", "c.yaml", "--seeds", "3"], "SimFuzzCommand"),
        (["sim", "replay", "c.yaml", "--seed", "7"], "SimReplayCommand"),
        (["test", "c.yaml", "--plan", "p.yaml", "--testbed"], "TestCommand"),
        (["testbed", "up", "c.yaml"], "Up"),
        (["testbed", "down", "c.yaml", "--dir", "/tmp/tb"], "Down"),
        (["testbed", "status", "c.yaml"], "Status"),
        (["testbed", "relay", "c.yaml", "--slow", "5ms"], "Relay"),
        (["testbed", "watch", "192.0.2.1:7002"], "TestbedWatch"),
        (["testbed", "probe", "192.0.2.1:7002"], "TestbedProbe"),
        (["demo", "--keep"], "DemoCommand"),
        (["demo-service", "serve", "--listen", "127.77.2.187:7002", "--name", "ghost3"], "Serve"),
        (["bench", "--only", "cost", "--sizes", "4"], "BenchCommand"),
    ])
    func reachable(arguments: [String], type: String) throws {
        let parsed = try VigilCommand.parseAsRoot(arguments)
        #expect(String(describing: Swift.type(of: parsed)) == type)
    }

    @Test("the lab's commands are exactly the root's lab group")
    func group() {
        let lab = VigilCommand.configuration.groupedSubcommands.first { $0.name == "Lab" }
        #expect(lab?.subcommands.map(ObjectIdentifier.init) == LabCommands.all.map(ObjectIdentifier.init))
        let names = LabCommands.all.map { $0.configuration.commandName }
        #expect(names == ["sim", "test", "demo", "demo-service", "testbed", "bench"])
    }
}
