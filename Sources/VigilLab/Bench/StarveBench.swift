import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

/// Recovery from starvation: the bench cluster at rest, then every node's daemons starved for a while
/// by CPU hogs above them, then released: one real-time hog per core (`chrt -f 50`), and two per
/// core at `nice -20`. The kernel's real-time throttling (`kernel.sched_rt_runtime_us`, 95% by
/// default) leaves ordinary processes a twentieth of each second, and the nice hogs take nearly all
/// of that: the daemons barely run. Leases lapse, dead man switches trip, views change. What is
/// measured is how long after the release the cluster is stable again (every node up in one view,
/// the group online on one node that answers the client) and stays so for `hold`, without the
/// trip-leave-rejoin cycle feeding itself.
struct StarveBench {
    let failover: VigilFailoverBench
    let report: BenchReport
    let starvation: Duration
    /// The cluster counts as settled once it stayed stable this long; the time reported is when that began.
    var hold: Duration = .seconds(5)
    /// How long after the release the bench waits at most.
    var patience: Duration = .seconds(90)

    var bed: Testbed { failover.bed }

    func run() async throws {
        // Without throttling, real-time hogs on every core would stop the whole machine, this bench too.
        let runtime = (try? String(contentsOfFile: "/proc/sys/kernel/sched_rt_runtime_us", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard let runtime, runtime >= 0 else {
            throw BenchError(
                "kernel.sched_rt_runtime_us is -1 (real-time throttling is off): the hogs would stop the machine")
        }
        defer { bed.down(removeDirectory: true) }
        let client = try await failover.startStable()
        defer { client.stop() }
        let viewBefore = await agreedView()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let wallStart = ClusterLogWatch.now()
        // Each hog ends by itself a little after the starvation, should this bench not get to stop it.
        let seconds = Int(starvation.components.seconds) + 10
        let loop = ["/bin/bash", "-c", "while [ $SECONDS -lt \(seconds) ]; do :; done"]
        var hogs: [Process] = []
        for _ in 0..<cores {
            hogs.append(try bed.spawn(in: TestbedLayout.switchNamespace, ["chrt", "-f", "50"] + loop))
            for _ in 0..<2 {
                hogs.append(try bed.spawn(in: TestbedLayout.switchNamespace, ["nice", "-n", "-20"] + loop))
            }
        }
        report.say(
            "starve: \(cores) real-time hogs (chrt -f 50) and \(cores * 2) at nice -20 for "
                + "\(DurationText.format(starvation)); ordinary processes keep \(100 - runtime / 10_000)% of each "
                + "second, shared with the nice ones")
        try await Task.sleep(for: starvation)
        for hog in hogs where hog.isRunning { kill(hog.processIdentifier, SIGKILL) }
        let released = MonotonicClock.nanoseconds()
        var stableSince: UInt64?
        var why = "not checked"
        let deadline = released + UInt64(patience.components.seconds) * 1_000_000_000
        while MonotonicClock.nanoseconds() < deadline {
            let reason = await failover.unstableReason(client)
            let view = await agreedView()
            if reason == nil, view != nil {
                let since = stableSince ?? MonotonicClock.nanoseconds()
                stableSince = since
                if MonotonicClock.nanoseconds() - since >= UInt64(hold.components.seconds) * 1_000_000_000 {
                    let after = Double(since - released) / 1e9
                    let logs = ClusterLogWatch(layout: bed.layout)
                    let trips = logs.lines(since: wallStart) { $0.contains("dead man switch tripped") }.count
                    let lapses = logs.lines(since: wallStart) { $0.contains("lost quorum") }.count
                    let events = logs.events(since: wallStart).count
                    let note =
                        "from the start of the starvation: \(lapses) leases lapsed, \(trips) dead man switch trips, "
                        + "\(events) events, view \(viewBefore.map(String.init) ?? "?") -> \(view!); then stable for "
                        + DurationText.format(hold)
                    report.add(BenchFigure(name: "starve.stable", unit: "s", samples: [max(0, after)], note: note))
                    return
                }
            } else {
                stableSince = nil
                why = reason ?? "the nodes do not agree on one view"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError("not stable within \(DurationText.format(patience)) of the release: \(why)")
    }

    /// The view every node installed, when they agree on one.
    private func agreedView() async -> UInt64? {
        var views: Set<UInt64> = []
        for node in failover.nodes {
            guard let status = await failover.cluster.status(node), let view = status.view else { return nil }
            views.insert(view)
        }
        return views.count == 1 ? views.first : nil
    }
}
