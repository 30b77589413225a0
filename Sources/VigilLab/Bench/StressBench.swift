import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

#if canImport(Glibc)
import Glibc
#endif

/// False failovers: the bench cluster runs for a while with nothing failing, under stress, and every
/// event it raises is one for a node that did not fail. The stress: CPU hogs (one per core) in every
/// namespace, 5% packet loss on every network (nft on the bridges), 20ms of jitter where the
/// kernel has sch_netem, and the disk heartbeat behind a slow disk (the relay late by up to 200ms).
struct StressBench {
    let bed: Testbed
    let cluster: TestbedCluster
    let report: BenchReport
    let duration: Duration

    func run() async throws {
        var slow = bed
        slow.relaySlowdown = .milliseconds(200)
        let failover = VigilFailoverBench(
            bed: slow, cluster: TestbedCluster(testbed: slow, vigild: cluster.vigild), report: report, runs: 1)
        defer { slow.down(removeDirectory: true) }
        let client = try await failover.startStable()
        defer { client.stop() }
        var notes: [String] = []
        try lossOnEveryNetwork()
        notes.append("5% loss on every bridge (nft)")
        if jitterOnEveryNetwork() {
            notes.append("20ms jitter (netem)")
        } else {
            notes.append("no jitter: this kernel has no sch_netem (tc qdisc netem fails), so none is applied")
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let namespaces = failover.nodes.map { bed.layout.namespace(of: $0) } + [TestbedLayout.clientNamespace]
        for namespace in namespaces {
            for _ in 0..<cores { try bed.spawn(in: namespace, ["/bin/sh", "-c", "while :; do :; done"]) }
        }
        notes.append("\(cores) CPU hogs in each of \(namespaces.count) namespaces; disk relay up to 200ms late")
        let owner = try failover.owner().node
        let wallStart = ClusterLogWatch.now()
        report.say("stress: \(DurationText.format(duration)) with nothing failing; \(notes.joined(separator: "; "))")
        try await Task.sleep(for: duration)
        let events = ClusterLogWatch(layout: bed.layout).events(since: wallStart)
        let distinct = Set(events.map { $0.text.split(separator: " ").dropFirst(2).joined(separator: " ") })
        let moved = (try? failover.owner().node) != owner
        var note = events.isEmpty ? "no event" : "events: " + distinct.sorted().prefix(5).joined(separator: "; ")
        if moved { note += "; the group moved" }
        report.add(
            BenchFigure(name: "stress.false_failovers", unit: "events", samples: [Double(distinct.count)], note: note))
    }

    /// 5% of the frames crossing each bridge dropped: nft in vt-switch (bridge family, forward hook).
    private func lossOnEveryNetwork() throws {
        let sw = TestbedLayout.switchNamespace
        for line in [
            "add table bridge vigilbench",
            "add chain bridge vigilbench forward { type filter hook forward priority 0 ; }",
            "add rule bridge vigilbench forward numgen random mod 100 < 5 drop",
        ] {
            let outcome = bed.shell.run(
                ["ip", "netns", "exec", sw, "nft"] + line.split(separator: " ").map(String.init), allowFailure: true)
            guard outcome.succeeded else { throw BenchError("nft \(line): \(outcome.output)") }
        }
    }

    /// 20ms of jitter on every switch port, where netem exists; false when it does not.
    private func jitterOnEveryNetwork() -> Bool {
        for node in bed.layout.config.nodes.map(\.name) {
            for link in bed.layout.links(of: node) {
                let outcome = bed.shell.ip(
                    TestbedLayout.switchNamespace,
                    "qdisc replace dev \(link.port) root netem delay 10ms 20ms distribution normal", allowFailure: true)
                if !outcome.succeeded { return false }
            }
        }
        return true
    }
}
