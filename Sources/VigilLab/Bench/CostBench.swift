import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

#if canImport(Glibc)
import Glibc
#endif

/// Cost at rest, per node, for clusters of several sizes on the test bed (`BenchClusterFile`): CPU
/// (percent of one core) of the node's vigild processes (the daemon and its watchdog), their memory
/// (the daemon's resident set plus the watchdog's private pages), and the packets and bytes per second its adapters
/// send; and how long after starting every node at once all of them agree on one stable view with every node up.
struct CostBench {
    let vigil: String
    let vigild: String
    let directory: String
    let report: BenchReport
    let shell: TestbedShell
    /// How long the cluster rests before, and is measured after.
    var rest: Duration = .seconds(10)
    var window: Duration = .seconds(30)
    /// Where to keep every node's logs (`vigil bench --logs`), whether the cluster converged or not.
    var logDirectory: String?

    func run(size: Int) async throws {
        let path = "/tmp/vigil-bench-cost-\(size).yaml"
        try BenchClusterFile.yaml(nodes: size).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try ConfigLoader.load(contentsOf: path)
        let bed = Testbed(
            layout: TestbedLayout(config: loaded.config, directory: directory), configPath: path, vigil: vigil,
            shell: shell)
        try bed.up()
        defer { bed.down(removeDirectory: true) }
        let cluster = TestbedCluster(testbed: bed, vigild: vigild)
        let nodes = loaded.config.nodes.map(\.name)
        let start = MonotonicClock.nanoseconds()
        for node in nodes { try cluster.launch(node) }
        guard let converged = await waitConverged(cluster, nodes: nodes, since: start) else {
            keepLogs(of: nodes, bed: bed, size: size)
            throw BenchError("\(size) nodes did not agree on one stable view within 180s")
        }
        report.add(BenchFigure(name: "converge.n\(size)", unit: "s", samples: [converged]))
        try await Task.sleep(for: rest)
        let calmBefore = disturbances(bed, nodes: nodes)
        let before = nodes.map { sample(bed, $0) }
        let clock = ContinuousClock()
        let began = clock.now
        try await Task.sleep(for: window)
        let seconds = Double(began.duration(to: clock.now).nanoseconds) / 1e9
        let after = nodes.map { sample(bed, $0) }
        // A cluster that agreed once and then churned is not at rest: its cost is not the figure.
        let calmAfter = disturbances(bed, nodes: nodes)
        let events = calmAfter.events - calmBefore.events
        let losses = calmAfter.leaseLosses - calmBefore.leaseLosses
        guard events == 0 && losses == 0 else {
            keepLogs(of: nodes, bed: bed, size: size)
            throw BenchError(
                "\(size) nodes agreed after \(String(format: "%.1f", converged))s but did not stay at rest: "
                    + "\(events) events and \(losses) lease losses or dead man switch trips in the "
                    + "\(Int(seconds))s measured")
        }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var cpu: [Double] = []
        var rss: [Double] = []
        var packets: [Double] = []
        var bytes: [Double] = []
        for (first, last) in zip(before, after) {
            cpu.append(Double(last.ticks - first.ticks) / ticksPerSecond / seconds * 100)
            rss.append(last.residentKiB / 1024)
            packets.append(Double(last.txPackets - first.txPackets) / seconds)
            bytes.append(Double(last.txBytes - first.txBytes) / seconds)
        }
        report.add(BenchFigure(name: "rest.n\(size).cpu", unit: "%core", samples: cpu))
        report.add(BenchFigure(name: "rest.n\(size).rss", unit: "MiB", samples: rss))
        report.add(BenchFigure(name: "rest.n\(size).packets", unit: "pkt/s", samples: packets))
        report.add(BenchFigure(name: "rest.n\(size).bytes", unit: "B/s", samples: bytes))
        keepLogs(of: nodes, bed: bed, size: size)
    }

    /// Copies each node's vigil.log and cluster.log to `logDirectory` as `cost-nSIZE-NODE-*.log`.
    private func keepLogs(of nodes: [String], bed: Testbed, size: Int) {
        guard let logDirectory else { return }
        try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        for node in nodes {
            for log in ["vigil.log", "cluster.log"] {
                let target = "\(logDirectory)/cost-n\(size)-\(node)-\(log)"
                try? FileManager.default.removeItem(atPath: target)
                try? FileManager.default.copyItem(atPath: "\(directory)/\(node)/state/\(log)", toPath: target)
            }
        }
        report.say("bench: logs of the \(size) nodes kept in \(logDirectory)")
    }

    /// The events the first node logged, and the lease losses and dead man switch trips every node
    /// logged, so far.
    private func disturbances(_ bed: Testbed, nodes: [String]) -> (events: Int, leaseLosses: Int) {
        func count(_ node: String, _ texts: [String]) -> Int {
            let log = (try? String(contentsOfFile: "\(directory)/\(node)/state/vigil.log", encoding: .utf8)) ?? ""
            return log.split(separator: "\n").count { line in texts.contains { line.contains($0) } }
        }
        let events = nodes.first.map { count($0, ["EVENT START"]) } ?? 0
        let losses = nodes.reduce(0) { $0 + count($1, ["lost quorum", "dead man switch tripped"]) }
        return (events, losses)
    }

    /// Seconds from `since` until every node reports one stable view with every node up, or nil.
    private func waitConverged(_ cluster: TestbedCluster, nodes: [String], since: UInt64) async -> Double? {
        let deadline = since + 180_000_000_000
        while MonotonicClock.nanoseconds() < deadline {
            var views: Set<UInt64> = []
            var agreed = true
            for node in nodes {
                guard let status = await cluster.status(node), status.state == .up, status.substate == .stable,
                    status.nodes.count == nodes.count, status.nodes.allSatisfy({ $0.state == .up }),
                    let view = status.view
                else {
                    agreed = false
                    break
                }
                views.insert(view)
            }
            if agreed, views.count == 1 { return Double(MonotonicClock.nanoseconds() - since) / 1e9 }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    struct Sample {
        var ticks: UInt64 = 0
        var residentKiB: Double = 0
        var txPackets: UInt64 = 0
        var txBytes: UInt64 = 0
    }

    /// The node's vigild processes (CPU ticks, resident memory) and its adapters' sent traffic.
    private func sample(_ bed: Testbed, _ node: String) -> Sample {
        var sample = Sample()
        let namespace = bed.layout.namespace(of: node)
        for pid in bed.processes(in: namespace) {
            guard (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("vigild") == true,
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) {
                sample.ticks += user + system
            }
            // The daemon's resident set, and of its watchdog only the private part: the watchdog is
            // the same binary with the same libraries, pages a node holds once.
            let watchdog =
                (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.contains("--watchdog-for")
                ?? false
            let rollup = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
            for line in rollup.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard words.count >= 2, let kib = Double(words[1]) else { continue }
                switch words[0] {
                case "Rss:" where !watchdog: sample.residentKiB += kib
                case "Private_Clean:", "Private_Dirty:": if watchdog { sample.residentKiB += kib }
                default: break
                }
            }
        }
        let json = bed.shell.run(["ip", "-n", namespace, "-s", "-j", "link", "show"], allowFailure: true).output
        if let links = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] {
            for link in links where (link["ifname"] as? String) != "lo" {
                let tx = ((link["stats64"] as? [String: Any])?["tx"] as? [String: Any]) ?? [:]
                sample.txPackets += (tx["packets"] as? NSNumber)?.uint64Value ?? 0
                sample.txBytes += (tx["bytes"] as? NSNumber)?.uint64Value ?? 0
            }
        }
        return sample
    }
}

/// The clusters of the cost measurement: N nodes on one public network, each with a boot and a
/// standby adapter (two subnets) and a group of its own (a service address, cascading to the next
/// node), Vigil's default timing.
enum BenchClusterFile {
    static func yaml(nodes count: Int) -> String {
        precondition((2...64).contains(count))
        func name(_ index: Int) -> String { String(format: "c%02d", index) }
        var text = """
            # Generated by vigil bench for the cost at rest: \(count) nodes.
            cluster: {name: cost\(count), id: \(40 + count)}
            quorum: {policy: majority}
            networks:
              - {name: ether, type: ether, attribute: public, netmask: 255.255.255.0}
            nodes:

            """
        for index in 1...count {
            text += """
                  - name: \(name(index))
                    interfaces:
                      - {name: en0, label: \(name(index))_boot, role: boot, address: 198.51.100.\(10 + index),
                         network: ether}
                      - {name: en1, label: \(name(index))_stby, role: standby, address: 192.0.2.\(10 + index),
                         network: ether}

                """
        }
        text += "service_addresses:\n"
        for index in 1...count {
            text += "  - {label: \(name(index))_svc, address: 198.51.100.\(100 + index), network: ether}\n"
        }
        text += "resource_groups:\n"
        for index in 1...count {
            text +=
                "  - {name: g\(String(format: "%02d", index)), policy: cascading, nodes: [\(name(index)), "
                + "\(name(index % count + 1))], service_addresses: [\(name(index))_svc]}\n"
        }
        return text
    }
}
