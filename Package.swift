// swift-tools-version:6.1
// Vigil: a high-availability cluster manager. Layers point down only:
//   the product:  VigilModel <- VigilCore <- VigilRuntime <- VigilHTTP <- vigild; VigilRuntime <- VigilCLI;
//                 VigilModel <- VigilConvert <- VigilCLI (vigild does not link VigilConvert)
//   the lab:      VigilCore <- VigilSimulation; VigilRuntime <- VigilTestbed; both <- VigilLab
//   the command:  VigilCLI (operator commands), VigilLab (lab commands) <- VigilRoot <- vigil
//   the fuzzer:   VigilFuzzKit, VigilRuntime, VigilSimulation <- VigilFuzz (vigil-fuzz, docs/fuzzing.md)
// vigild links no lab code (VigilSimulation, VigilTestbed, VigilLab): a step of scripts/test checks it.
import PackageDescription

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigild", targets: ["vigild"]),
        .executable(name: "vigil-fuzz", targets: ["VigilFuzz"]),
        .library(name: "VigilModel", targets: ["VigilModel"]),
        .library(name: "VigilCore", targets: ["VigilCore"]),
        .library(name: "VigilSimulation", targets: ["VigilSimulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The HTTP API. Its default traits (swift-configuration support, full Foundation) are not
        // needed: off, they keep the build smaller.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        // The configuration as plain values, its YAML format and `verify`. No I/O beyond reading text.
        .target(name: "VigilModel", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The protocols as pure state machines: topology, membership, manager.
        .target(name: "VigilCore", dependencies: ["VigilModel"]),
        // A deterministic, seeded simulator driving many cores; test plans; the fuzzer.
        .target(name: "VigilSimulation", dependencies: [
            "VigilCore", "VigilModel",
            .product(name: "Yams", package: "Yams"),
            .product(name: "HeapModule", package: "swift-collections"),
        ]),
        // The daemon's shell around the core (sockets, timers, drivers). Grows with the daemon issue.
        .target(name: "VigilRuntime", dependencies: [
            "VigilCore", "VigilModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        // The HTTP API with a token (`vigild --http-listen`): a second front end over AdminDispatcher.
        .target(name: "VigilHTTP", dependencies: [
            "VigilRuntime", "VigilCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The network-namespace test bed: real hosts in namespaces, real faults, the truth read from
        // the kernel (`vigil test --testbed`, `vigil bench`). Lab code: vigild must not link it.
        .target(name: "VigilTestbed", dependencies: [
            "VigilRuntime", "VigilModel",
        ]),
        // `vigil convert`: keepalived.conf and Pacemaker CIBs to Vigil's configuration, as pure functions
        // of the files' text (issue 14). The operator's tool only: vigild does not link it.
        .target(name: "VigilConvert", dependencies: ["VigilModel"]),
        // The operator's commands of `vigil` (start, stop, status, rg, log, sync, acknowledge, verify,
        // convert, emulate, plan, explain), as a library so that tests can parse and run commands.
        // `emulate` and `plan` run the real core in the simulator: the operator's tool links it,
        // vigild does not.
        .target(name: "VigilCLI", dependencies: [
            "VigilModel", "VigilCore", "VigilRuntime", "VigilConvert", "VigilSimulation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The lab's commands of `vigil`: sim, test and testbed, demo and demo-service, bench.
        .target(name: "VigilLab", dependencies: [
            "VigilModel", "VigilSimulation", "VigilRuntime", "VigilTestbed",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The root command `vigil`, above both groups of commands so that neither depends on the other.
        // It names the release (`vigil --version`: VigilVersion in VigilModel, the packet format in VigilRuntime).
        .target(name: "VigilRoot", dependencies: [
            "VigilCLI", "VigilLab", "VigilModel", "VigilRuntime",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "vigil", dependencies: ["VigilRoot"]),
        // The daemon: one per node.
        .executableTarget(name: "vigild", dependencies: [
            "VigilRuntime", "VigilModel", "VigilHTTP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Seeded generators and input mutators shared by `vigil-fuzz` and the tests. No dependency.
        .target(name: "VigilFuzzKit"),
        // `vigil-fuzz`: the decoders that face the network and the disk, and the configuration
        // loader, on millions of random and mutated inputs (docs/fuzzing.md). Not linked by vigild or vigil.
        .executableTarget(name: "VigilFuzz", dependencies: [
            "VigilFuzzKit", "VigilRuntime", "VigilCore", "VigilModel", "VigilSimulation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "VigilModelTests", dependencies: ["VigilModel", "VigilFuzzKit"], exclude: ["Formats"]),
        .testTarget(name: "VigilConvertTests", dependencies: ["VigilConvert", "VigilModel", "VigilFuzzKit"]),
        .testTarget(name: "VigilCoreTests", dependencies: ["VigilCore", "VigilModel"]),
        // Traces/*.trace are the golden directive traces, read from the source tree by TraceTests.
        .testTarget(
            name: "VigilSimulationTests", dependencies: ["VigilSimulation", "VigilCore", "VigilModel"],
            exclude: ["Traces"]),
        .testTarget(name: "VigilRuntimeTests", dependencies: [
            "VigilRuntime", "VigilCore", "VigilModel", "VigilHTTP", "VigilFuzzKit",
        ]),
        .testTarget(name: "VigilTestbedTests", dependencies: ["VigilTestbed", "VigilModel"]),
        .testTarget(name: "VigilCLITests", dependencies: ["VigilCLI", "VigilRoot", "VigilRuntime", "VigilCore"]),
        // The lab's tests parse through the root; the demo's status decoder is checked against what
        // VigilCLI's `status --json` prints.
        .testTarget(name: "VigilLabTests", dependencies: [
            "VigilLab", "VigilRoot", "VigilCLI", "VigilRuntime", "VigilModel",
        ]),
    ]
)
