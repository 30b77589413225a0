import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

#if canImport(Glibc)
import Glibc
#endif

/// `vigil test CONFIG --plan PLAN --testbed`: runs a test plan on real hosts in the network-namespace
/// test bed: one vigild per node in its namespace, each case's actions as real faults, the result
/// judged on the hosts. Prints what `vigil sim run` prints.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a test plan against a real cluster in the network-namespace test bed.",
        discussion: """
            Needs root. Builds the test bed (vigil testbed up), starts one vigild per node inside its \
            namespace, runs each case's actions as real faults, waits for the expected state (bounded) and \
            checks it on the hosts: which namespace holds each service address, which runs each \
            application, who answers a TCP connection from the client namespace. A service address \
            seen in two namespaces at any moment fails the case. Prints one line per case, `PASS case N: ...` \
            or `FAIL case N: ...`, then `N passed, M failed`; removes the test bed at the end, also on \
            failure or interrupt (logs are kept in the directory when a case failed).
            """)

    @OptionGroup var options: TestbedOptions

    @Option(help: "The test plan (YAML).")
    var plan: String

    @Flag(help: "Run on the network-namespace test bed (the only target for now; the simulator is `vigil sim run`).")
    var testbed = false

    @Flag(help: "Leave the test bed and its daemons running at the end.")
    var keep = false

    @Flag(help: "After each case, say how long the hosts took to show the expected state.")
    var verbose = false

    func validate() throws {
        guard testbed else {
            throw ValidationError("give --testbed (to run a plan in the simulator, use `vigil sim run`)")
        }
    }

    func run() async throws {
        try options.requireNamespaces()
        let config = try options.load()
        let testPlan = try TestPlanLoader.load(contentsOf: plan, nodes: config.nodes.map(\.name))
        // The hosts of every version the plan syncs: a node it adds needs its namespace already.
        var bed = try options.testbed(PlanHosts.configuration(config, syncing: testPlan.syncedFiles))
        bed.syncedFiles = testPlan.syncedFiles
        let vigild = try DemoSetup.daemonExecutable(besides: bed.vigil)
        let interrupt = TestbedInterrupt(testbed: bed)
        interrupt.install()
        let clock = ContinuousClock()
        let started = clock.now
        do { try bed.up() } catch {
            bed.down(removeDirectory: false)
            throw ValidationError("testbed up failed: \(error)")
        }
        let cluster = TestbedCluster(testbed: bed, vigild: vigild)
        let runner = TestbedRunner(
            cluster: cluster, truth: HostTruth(layout: bed.layout, shell: bed.shell, vigil: bed.vigil), plan: testPlan,
            starting: config)
        do { try bed.startClientWatch(runner.watchedEndpoints) } catch {
            print("testbed: \(error); going on without the client's measurements")
        }
        let verbose = verbose
        let results = await runner.run { result in
            print(result.description)
            if verbose, let reached = result.reached {
                print("    expected state on the hosts after \(DurationText.format(reached))")
            }
            if verbose { for line in result.client { print("    client: \(line)") } }
            fflush(nil)  // each case as it ends, also when the output is a file
        }
        let failed = results.filter { !$0.passed }.count
        if keep {
            print("testbed: left running in \(options.dir) (remove it with scripts/testbed down \(options.config))")
        } else {
            bed.down(removeDirectory: failed == 0)
            if failed > 0 { print("testbed: removed; logs kept in \(options.dir)/NODE/state (vigil.log, cluster.log)") }
        }
        print("testbed: \(testPlan.cases.count) cases in \(DurationText.format(started.duration(to: clock.now)))")
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Removes the test bed when the run is interrupted (SIGINT, SIGTERM), then exits 130.
final class TestbedInterrupt: Sendable {
    let testbed: Testbed
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    init(testbed: Testbed) { self.testbed = testbed }

    func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [testbed] in
                FileHandle.standardError.write(Data("vigil test: interrupted; removing the test bed\n".utf8))
                testbed.down(removeDirectory: false)
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
