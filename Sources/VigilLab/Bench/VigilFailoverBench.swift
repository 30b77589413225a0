import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

#if canImport(Glibc)
import Glibc
#endif

/// Failover gaps and detection times of Vigil, on the test bed of examples/bench.yaml: the group
/// `www` (its address and a TCP service) fails over, again and again, while a client in vt-client
/// connects every 10ms. Each run: find the owner on the hosts, make the fault, wait until the client
/// is answered again (by the node that should answer), take the longest stretch without an answer,
/// the time from the fault to the first cluster log event, then repair and wait until the cluster
/// is stable again.
struct VigilFailoverBench {
    let bed: Testbed
    let cluster: TestbedCluster
    let report: BenchReport
    let runs: Int
    /// Put before every figure's name (`fast.` for the `fast` part).
    var figurePrefix = ""
    /// Where each run's logs go (`--logs`): every node's vigil.log lines from the fault on, in one
    /// file per run, `FIGURE-RUN.log`, headed by the gap; none when nil.
    var logDirectory: String?
    let group = "www"
    let serviceAddress = IPv4Address("198.51.100.100")!
    let endpoint = "198.51.100.100:7100"
    let network = "ether"

    var truth: HostTruth { HostTruth(layout: bed.layout, shell: bed.shell, vigil: bed.vigil) }
    var nodes: [String] { bed.layout.config.nodes.map(\.name) }

    /// Builds the test bed, starts every node, and measures each fault `runs` times.
    func run(faults: [BenchFault]) async throws {
        let client = try await startStable()
        defer { client.stop() }
        for fault in faults {
            var gaps: [Double] = []
            var detections: [Double] = []
            var failures: [String] = []
            for index in 1...runs {
                do {
                    let (gap, detection) = try await measure(fault, run: index, client: client)
                    gaps.append(gap)
                    if let detection { detections.append(detection) }
                } catch {
                    failures.append("run \(index): \(error)")
                    // Start the next run from a cluster that is whole again, if it can be.
                    try await recover(client)
                }
            }
            let note =
                failures.isEmpty ? nil : "\(failures.count) runs failed: " + failures.prefix(3).joined(separator: "; ")
            report.add(BenchFigure(name: figurePrefix + fault.gapName, unit: "s", samples: gaps, note: note))
            if fault != .move {
                report.add(BenchFigure(name: figurePrefix + fault.detectName, unit: "s", samples: detections))
            }
        }
    }

    /// One run of `fault`: the client's gap in seconds, and the time to the first event.
    private func measure(_ fault: BenchFault, run: Int, client: BenchClient) async throws -> (Double, Double?) {
        let place = try owner()
        let owner = place.node
        let others = nodes.filter { $0 != owner }
        let start = MonotonicClock.nanoseconds()
        let wallStart = ClusterLogWatch.now()
        let answersFrom: (String) -> Bool
        let settled: () -> Bool
        switch fault {
        case .crash:
            bed.crash(owner)
            answersFrom = { $0 != owner }
            settled = { (try? self.owner().node).map { $0 != owner } ?? false }
        case .swap:
            try bed.setAdapter(place.device, of: owner, up: false)
            answersFrom = { $0 == owner }
            settled = { (try? self.owner()).map { $0.node == owner && $0.device != place.device } ?? false }
        case .network:
            try bed.setNetwork(network, node: owner, up: false)
            answersFrom = { $0 != owner }
            settled = { (try? self.owner().node).map { $0 != owner } ?? false }
        case .move:
            let target = others[0]
            let cluster = cluster
            let group = group
            Task { _ = await cluster.request(.rgMove(group: group, node: target)) }
            answersFrom = { $0 == target }
            settled = { (try? self.owner().node) == target }
        }
        let limit = MonotonicClock.nanoseconds() + 60_000_000_000
        while !settled() || client.firstAnswer(after: start, where: answersFrom) == nil {
            guard MonotonicClock.nanoseconds() < limit else {
                try await repair(fault, owner: owner, device: place.device)
                throw BenchError("\(fault): the service did not come back within 60s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        let end = MonotonicClock.nanoseconds()
        guard let gap = client.longestGap(from: start, to: end) else {
            throw BenchError("\(fault): no answer after the fault")
        }
        // The logs are written as events start: a little later than the event itself, never before.
        try await Task.sleep(for: .milliseconds(200))
        let first = ClusterLogWatch(layout: bed.layout).firstEvent(since: wallStart)
        let detection = first.map { Double($0.time - wallStart) / 1000 }
        keepLogs(of: fault, run: run, gap: Double(gap) / 1e9, since: wallStart)
        try await repair(fault, owner: owner, device: place.device)
        try await waitStable(client)
        client.forget(before: MonotonicClock.nanoseconds())
        return (Double(gap) / 1e9, detection)
    }

    /// Writes the run's cluster logs into `logDirectory`, if there is one.
    private func keepLogs(of fault: BenchFault, run: Int, gap: Double, since wallStart: Int64) {
        guard let logDirectory else { return }
        try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let lines = ClusterLogWatch(layout: bed.layout).lines(since: wallStart, in: "vigil.log").map(\.text)
        let header = "# \(figurePrefix + fault.gapName) run \(run): gap \(String(format: "%.3f", gap)) s\n"
        let path = "\(logDirectory)/\(figurePrefix + fault.gapName)-\(run).log"
        try? (header + lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func repair(_ fault: BenchFault, owner: String, device: String) async throws {
        switch fault {
        case .crash: try await cluster.start(owner)
        case .swap: try bed.setAdapter(device, of: owner, up: true)
        case .network: try bed.setNetwork(network, node: owner, up: true)
        case .move: break
        }
    }

    /// After a failed run: every link and node back.
    private func recover(_ client: BenchClient) async throws {
        for node in nodes {
            try bed.setNetwork(network, node: node, up: true)
            for link in bed.layout.links(of: node) { try? bed.setAdapter(link.adapter, of: node, up: true) }
            if cluster.daemonPid(node) == nil { try await cluster.start(node) }
        }
        try await waitStable(client)
    }

    /// Where the service address is, on the hosts: exactly one node and device.
    func owner() throws -> HostTruth.Place {
        let places = truth.addresses()[serviceAddress] ?? []
        guard places.count == 1, let place = places.first else {
            throw BenchError(
                "the service address \(serviceAddress) is held by "
                    + "\(places.isEmpty ? "no node" : places.map(\.description).joined(separator: " and "))"
            )
        }
        return place
    }

    /// Waits (at most 90s) until every node runs cluster services in one stable view with all nodes
    /// and all interfaces up, the group online on one node, and the client answered by it.
    /// Builds the test bed, starts every node and waits until the cluster is stable for a client of
    /// the service, which it returns (the caller stops it, and takes the test bed down).
    func startStable() async throws -> BenchClient {
        try bed.up()
        for node in nodes { try await cluster.start(node) }
        let client = try BenchClient(vigil: bed.vigil, endpoint: endpoint)
        do { try await waitStable(client) } catch {
            client.stop()
            throw error
        }
        return client
    }

    func waitStable(_ client: BenchClient) async throws {
        let deadline = MonotonicClock.nanoseconds() + 90_000_000_000
        var why = "not checked"
        while MonotonicClock.nanoseconds() < deadline {
            why = await unstableReason(client) ?? ""
            if why.isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("the cluster did not become stable within 90s: \(why)")
    }

    /// Why the cluster is not stable yet (every node up and stable, the group online on one node that
    /// holds its address and answers the client), or nil when it is.
    func unstableReason(_ client: BenchClient) async -> String? {
        var holders: Set<String> = []
        for node in nodes {
            guard let status = await cluster.status(node) else { return "\(node) does not answer" }
            guard status.state == .up, status.substate == .stable else {
                return "\(node) is \(status.state.rawValue) \(status.substate.rawValue)"
            }
            if let other = status.nodes.first(where: { $0.state != .up }) {
                return "\(node) sees \(other.name) \(other.state.rawValue)"
            }
            if let link = status.interfaces.first(where: { $0.node == node && $0.state != .up }) {
                return "\(node)'s \(link.name) is down"
            }
            for placement in status.groups.first(where: { $0.name == group })?.placements ?? []
            where placement.state == .online {
                holders.insert(placement.node)
            }
        }
        guard holders.count == 1, let holder = holders.first else { return "\(group) online on \(holders.sorted())" }
        guard let place = try? owner(), place.node == holder else { return "the service address is not on \(holder)" }
        guard let last = client.last, last.node == holder, MonotonicClock.nanoseconds() - last.time < 200_000_000 else {
            return "the client is not answered by \(holder)"
        }
        return nil
    }
}

/// A benchmark step that could not be carried out.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
