import ArgumentParser

/// The lab's commands, for engineers rather than operators: the simulator (`sim`), test plans on the
/// network-namespace test bed (`test`, and `testbed` by hand), the local demo (`demo`, and the
/// `demo-service` its applications run) and the benchmark (`bench`). The root command
/// (`VigilCommand`, in VigilRoot) shows them as a group of `vigil --help` apart from the operator's.
public enum LabCommands {
    public static let all: [any ParsableCommand.Type] = [
        SimCommand.self, TestCommand.self, DemoCommand.self, DemoServiceCommand.self, TestbedCommand.self,
        BenchCommand.self,
    ]
}
