import ArgumentParser
import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

/// `vigil bench`: failover speed and cost, measured on the network-namespace test bed, side by side
/// with keepalived (docs/bench.md). Prints one line per figure,
/// `NAME value unit (min=.. p50=.. p99=.. max=.., N runs)`, then each target and whether it was met;
/// exits 1 if any was missed.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure failover gaps, detection, false failovers and cost at rest on the test bed, beside keepalived.",
        discussion: """
            Needs root, network namespaces, and keepalived and nft for their parts (scripts/bench installs \
            them). Parts: vigil (client-observed gap and detection time per fault), fast (a node crash with \
            `tuning: {preset: fast}`), keepalived (the same \
            gaps with VRRP at its defaults and at its fastest setting), stress (events for nodes that did \
            not fail, under CPU hogs, packet loss and a slow disk), starve (every node starved by \
            CPU hogs above the daemons, then released: how long until the cluster is stable again), cost \
            (CPU, memory, heartbeat traffic per node at rest for clusters of several sizes, and \
            convergence after starting them all). Exits 1 if a target is missed.
            """)

    enum Part: String, CaseIterable, ExpressibleByArgument { case vigil, fast, keepalived, stress, starve, cost }

    @Option(help: "The cluster for the failover and stress parts.")
    var config: String = "examples/bench.yaml"

    @Option(help: "The cluster for the fast part: the same with `tuning: {preset: fast}`.")
    var fastConfig: String = "examples/bench-fast.yaml"

    @Option(help: "The test bed's directory (the configuration's paths point under it).")
    var dir: String = "/run/vigil-testbed"

    @Option(help: "Runs per fault for Vigil.")
    var runs: Int = 20

    @Option(help: "Runs per fault and setting for keepalived.")
    var keepalivedRuns: Int = 10

    @Option(
        help: "keepalived settings to measure, comma-separated: defaults (1s adverts), fast (100ms VRRPv3 adverts).")
    var keepalived: String = "defaults,fast"

    var keepalivedSettings: [KeepalivedBench.Setting] {
        keepalived.split(separator: ",").compactMap { name in
            [KeepalivedBench.Setting.defaults, .fast].first { $0.name == name }
        }
    }

    @Option(help: "How long the stress run lasts, with its unit.")
    var stress: String = "10m"

    @Option(
        help: ArgumentHelp(
            "A directory to keep each failover run's logs in (FIGURE-RUN.log: vigil.log from the fault on), "
                + "and every node's logs of each cost run (cost-nSIZE-NODE-*.log)."))
    var logs: String?

    @Option(help: "How long the starve part starves every node, with its unit.")
    var starvation: String = "30s"

    @Option(help: "Cluster sizes for the cost at rest, comma-separated.")
    var sizes: String = "4,16,32"

    @Option(parsing: .upToNextOption, help: "Only these parts (vigil, fast, keepalived, stress, starve, cost).")
    var only: [Part] = Part.allCases

    func validate() throws {
        guard runs >= 1, keepalivedRuns >= 1 else {
            throw ValidationError("--runs and --keepalived-runs must be at least 1")
        }
        guard !keepalivedSettings.isEmpty else {
            throw ValidationError("--keepalived '\(keepalived)': name defaults, fast or both")
        }
        guard let duration = DurationText.parse(stress), duration >= .seconds(10) else {
            throw ValidationError("--stress '\(stress)' is not a duration of at least 10s")
        }
        guard let starved = DurationText.parse(starvation), starved >= .seconds(1) else {
            throw ValidationError("--starvation '\(starvation)' is not a duration of at least 1s")
        }
        guard !costSizes.isEmpty, costSizes.allSatisfy({ (2...64).contains($0) }) else {
            throw ValidationError("--sizes '\(sizes)' must be cluster sizes from 2 to 64")
        }
    }

    var costSizes: [Int] { sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        guard Testbed.namespacesWork() else { throw ValidationError("vigil bench needs root and network namespaces") }
        let report = BenchReport()
        let clock = ContinuousClock()
        let started = clock.now
        let options = try TestbedOptions.parse([config, "--dir", dir])
        let loaded = try options.load()
        let bed = try options.testbed(loaded)
        let interrupt = TestbedInterrupt(testbed: bed)
        interrupt.install()
        let vigild = try DemoSetup.daemonExecutable(besides: bed.vigil)
        defer { bed.down(removeDirectory: true) }
        report.say("bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Self.machine())")
        if only.contains(.vigil) {
            report.say("== Vigil: client-observed gap per fault, \(runs) runs each (\(config), default timing)")
            var bench = VigilFailoverBench(
                bed: bed, cluster: TestbedCluster(testbed: bed, vigild: vigild), report: report, runs: runs)
            bench.logDirectory = logs
            do { try await bench.run(faults: BenchFault.allCases) } catch {
                report.say("bench: vigil part failed: \(error)")
            }
            bed.down(removeDirectory: true)
        }
        if only.contains(.fast) {
            do { try await runFast(vigild: vigild, report: report) } catch {
                report.say("bench: fast part failed: \(error)")
            }
        }
        if only.contains(.keepalived) {
            if let keepalived = CommandLookup().path(of: "keepalived") {
                for setting in keepalivedSettings {
                    report.say(
                        "== keepalived (\(setting.name): VRRPv\(setting.version), advert_int "
                            + "\(setting.advertInterval)s), \(keepalivedRuns) runs each"
                    )
                    do {
                        try await KeepalivedBench(
                            bed: bed, report: report, runs: keepalivedRuns, keepalived: keepalived
                        ).run(setting, faults: BenchFault.allCases)
                    } catch { report.say("bench: keepalived part failed: \(error)") }
                }
                for fault in BenchFault.allCases { ratio(fault, report) }
            } else {
                report.say("bench: keepalived is not installed (scripts/bench installs it): its part is skipped")
            }
        }
        if only.contains(.stress) {
            report.say("== false failovers under stress")
            let stressBench = StressBench(
                bed: bed, cluster: TestbedCluster(testbed: bed, vigild: vigild), report: report,
                duration: DurationText.parse(stress)!)
            do { try await stressBench.run() } catch { report.say("bench: stress part failed: \(error)") }
        }
        if only.contains(.starve) {
            report.say("== recovery from starvation")
            let starve = StarveBench(
                failover: VigilFailoverBench(
                    bed: bed, cluster: TestbedCluster(testbed: bed, vigild: vigild), report: report, runs: 1),
                report: report, starvation: DurationText.parse(starvation)!)
            do { try await starve.run() } catch { report.say("bench: starve part failed: \(error)") }
        }
        if only.contains(.cost) {
            report.say("== cost at rest per node, and convergence after starting all nodes at once")
            var cost = CostBench(vigil: bed.vigil, vigild: vigild, directory: dir, report: report, shell: bed.shell)
            cost.logDirectory = logs
            for size in costSizes {
                do { try await cost.run(size: size) } catch {
                    report.say("bench: cost of \(size) nodes failed: \(error)")
                }
            }
        }
        let missed = BenchTargets.check(report, parts: only, largestCost: costSizes.max() ?? 32)
        report.say("bench: done in \(DurationText.format(started.duration(to: clock.now))), \(missed) targets missed")
        if missed > 0 { throw ExitCode(1) }
    }

    /// The `fast` part: node crashes on the cluster of `--fast-config` (`tuning: {preset: fast}`),
    /// as `fast.gap.crash` and `fast.detect.crash`.
    private func runFast(vigild: String, report: BenchReport) async throws {
        let options = try TestbedOptions.parse([fastConfig, "--dir", dir])
        let loaded = try options.load()
        guard loaded.tuning.preset == .fast else {
            throw ValidationError("--fast-config \(fastConfig) does not say `tuning: {preset: fast}`")
        }
        let bed = try options.testbed(loaded)
        defer { bed.down(removeDirectory: true) }
        report.say("== Vigil with preset fast: client-observed gap of a node crash, \(runs) runs (\(fastConfig))")
        var bench = VigilFailoverBench(
            bed: bed, cluster: TestbedCluster(testbed: bed, vigild: vigild), report: report, runs: runs)
        bench.figurePrefix = "fast."
        bench.logDirectory = logs
        try await bench.run(faults: [.crash])
    }

    /// `ratio.FAULT`: Vigil's gap over keepalived's at its defaults, at the median.
    private func ratio(_ fault: BenchFault, _ report: BenchReport) {
        guard let vigil = report.figure(fault.gapName),
            let keepalived = report.figure("keepalived.defaults.\(fault.gapName)"),
            !vigil.samples.isEmpty, !keepalived.samples.isEmpty, keepalived.p50 > 0
        else { return }
        report.add(
            BenchFigure(
                name: "ratio.\(fault.rawValue)", unit: "vigil/keepalived", samples: [vigil.p50 / keepalived.p50]))
    }

    static func machine() -> String {
        let model =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(model), Linux \(kernel)"
    }
}

/// The numbers `vigil bench` must reach (the contract), checked against the report.
enum BenchTargets {
    /// Checks each target of the parts that ran; the cost targets at the largest size measured (32
    /// by default). Returns how many were missed.
    static func check(_ report: BenchReport, parts: [BenchCommand.Part], largestCost: Int) -> Int {
        var targets: [BenchTarget] = []
        if parts.contains(.vigil) {
            targets += [
                BenchTarget(figure: "gap.crash", statistic: .p50, atMost: 1.0, unit: "s"),
                BenchTarget(figure: "gap.crash", statistic: .p99, atMost: 1.0, unit: "s"),
                BenchTarget(figure: "gap.swap", statistic: .p99, atMost: 0.3, unit: "s"),
                BenchTarget(figure: "gap.move", statistic: .p99, atMost: 0.5, unit: "s"),
            ]
        }
        if parts.contains(.vigil), parts.contains(.keepalived) {
            // Every failover gap at least 2x shorter than keepalived's at its defaults.
            targets += BenchFault.allCases.map {
                BenchTarget(figure: "ratio.\($0.rawValue)", statistic: .p50, atMost: 0.5, unit: "")
            }
        }
        // With preset fast, a crash's p99 below keepalived's fastest setting's median in the same run.
        if parts.contains(.fast), parts.contains(.keepalived),
            let keepalivedFast = report.figure("keepalived.fast.gap.crash"), !keepalivedFast.samples.isEmpty
        {
            targets.append(
                BenchTarget(figure: "fast.gap.crash", statistic: .p99, atMost: keepalivedFast.p50, unit: "s"))
        }
        if parts.contains(.stress) {
            targets.append(BenchTarget(figure: "stress.false_failovers", statistic: .max, atMost: 0, unit: "events"))
        }
        // Stable again within 10 s of the release.
        if parts.contains(.starve) {
            targets.append(BenchTarget(figure: "starve.stable", statistic: .max, atMost: 10, unit: "s"))
        }
        if parts.contains(.cost) {
            let largest = "n\(largestCost)"
            targets += [
                BenchTarget(figure: "rest.\(largest).cpu", statistic: .max, atMost: 0.5, unit: "%core"),
                BenchTarget(figure: "rest.\(largest).rss", statistic: .max, atMost: 40, unit: "MiB"),
            ]
        }
        var missed = 0
        for target in targets {
            let (line, met) = target.check(report.figure(target.figure))
            report.say(line)
            if !met { missed += 1 }
        }
        return missed
    }
}
