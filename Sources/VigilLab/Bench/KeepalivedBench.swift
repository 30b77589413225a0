import Foundation
import VigilModel
import VigilRuntime
import VigilTestbed

#if canImport(Glibc)
import Glibc
#endif

/// The same failover gaps for keepalived: VRRP on the same test bed (the bench cluster's nodes,
/// bridges and client), the virtual address on each node's boot adapter, and on every node the same
/// small TCP service listening on all addresses, so whoever holds the address answers. keepalived
/// has no standby adapters: when the adapter holding the address fails, its answer is a failover to
/// another node. A graceful move is keepalived stopped on the master (it then advertises priority
/// 0 and a backup takes over at once).
struct KeepalivedBench {
    /// One keepalived setting: its advertisement interval and VRRP version.
    struct Setting: Sendable {
        var name: String
        var advertInterval: String
        var version: Int
        /// keepalived's defaults: VRRPv2, an advertisement every second.
        static let defaults = Setting(name: "defaults", advertInterval: "1", version: 2)
        /// Its fastest setting that stays stable on the test bed: VRRPv3, every 100ms.
        static let fast = Setting(name: "fast", advertInterval: "0.1", version: 3)
    }

    let bed: Testbed
    let report: BenchReport
    let runs: Int
    let keepalived: String
    let serviceAddress = IPv4Address("198.51.100.100")!
    let endpoint = "198.51.100.100:7100"
    let network = "ether"
    let adapter = "en0"

    var nodes: [String] { bed.layout.config.nodes.map(\.name) }
    var truth: HostTruth { HostTruth(layout: bed.layout, shell: bed.shell, vigil: bed.vigil) }

    /// Measures every fault `runs` times with `setting`, on a test bed of its own.
    func run(_ setting: Setting, faults: [BenchFault]) async throws {
        try bed.up()
        defer { bed.down(removeDirectory: true) }
        for node in nodes {
            try startService(node)
            try startKeepalived(node, setting)
        }
        let client = try BenchClient(vigil: bed.vigil, endpoint: endpoint)
        defer { client.stop() }
        try await waitStable(client, setting)
        for fault in faults {
            var gaps: [Double] = []
            var failures: [String] = []
            for index in 1...runs {
                do {
                    gaps.append(try await measure(fault, setting, client: client))
                } catch {
                    failures.append("run \(index): \(error)")
                    try await recover(setting, client)
                }
            }
            let note =
                failures.isEmpty ? nil : "\(failures.count) runs failed: " + failures.prefix(3).joined(separator: "; ")
            report.add(
                BenchFigure(name: "keepalived.\(setting.name).\(fault.gapName)", unit: "s", samples: gaps, note: note))
        }
    }

    private func measure(_ fault: BenchFault, _ setting: Setting, client: BenchClient) async throws -> Double {
        let owner = try self.owner()
        let start = MonotonicClock.nanoseconds()
        switch fault {
        case .crash: bed.crash(owner)
        case .swap: try bed.setAdapter(adapter, of: owner, up: false)
        case .network: try bed.setNetwork(network, node: owner, up: false)
        case .move: stopKeepalived(owner)
        }
        let limit = MonotonicClock.nanoseconds() + 60_000_000_000
        while (try? self.owner()) == nil || (try? self.owner()) == owner
            || client.firstAnswer(after: start, where: { $0 != owner }) == nil
        {
            guard MonotonicClock.nanoseconds() < limit else {
                try await repair(fault, owner: owner, setting)
                throw BenchError("\(fault): the service did not come back within 60s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        guard let gap = client.longestGap(from: start, to: MonotonicClock.nanoseconds()) else {
            throw BenchError("\(fault): no answer after the fault")
        }
        try await repair(fault, owner: owner, setting)
        try await waitStable(client, setting)
        client.forget(before: MonotonicClock.nanoseconds())
        return Double(gap) / 1e9
    }

    private func repair(_ fault: BenchFault, owner: String, _ setting: Setting) async throws {
        switch fault {
        case .crash:
            try bed.boot(owner)
            try startService(owner)
            try startKeepalived(owner, setting)
        case .swap: try bed.setAdapter(adapter, of: owner, up: true)
        case .network: try bed.setNetwork(network, node: owner, up: true)
        case .move:
            // The stopped keepalived ends its shutdown first.
            let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
            while !processes(named: "keepalived", in: owner).isEmpty, MonotonicClock.nanoseconds() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try startKeepalived(owner, setting)
        }
    }

    private func recover(_ setting: Setting, _ client: BenchClient) async throws {
        for node in nodes {
            try bed.setNetwork(network, node: node, up: true)
            try? bed.setAdapter(adapter, of: node, up: true)
            if processes(named: "keepalived", in: node).isEmpty { try startKeepalived(node, setting) }
            if processes(named: "vigil", in: node).isEmpty { try startService(node) }
        }
        try await waitStable(client, setting)
    }

    /// Until the address is on one node, the client is answered by it, and every node runs
    /// keepalived and has heard a few advertisements since (at most 60s).
    private func waitStable(_ client: BenchClient, _ setting: Setting) async throws {
        let deadline = MonotonicClock.nanoseconds() + 60_000_000_000
        while MonotonicClock.nanoseconds() < deadline {
            if let holder = try? owner(), let last = client.last, last.node == holder,
                MonotonicClock.nanoseconds() - last.time < 200_000_000,
                nodes.allSatisfy({ !processes(named: "keepalived", in: $0).isEmpty })
            {
                // A backup that just started must hear the master before the next fault.
                try await Task.sleep(for: .milliseconds(Int((Double(setting.advertInterval) ?? 1) * 1500) + 200))
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let holders = (truth.addresses()[serviceAddress] ?? []).map(\.description)
        let last =
            client.last.map { "\($0.node) \((MonotonicClock.nanoseconds() - $0.time) / 1_000_000)ms ago" } ?? "never"
        let running = nodes.filter { !processes(named: "keepalived", in: $0).isEmpty }
        throw BenchError(
            "keepalived did not settle within 60s: the address on \(holders), the client last answered by \(last), "
                + "keepalived runs on \(running)"
        )
    }

    private func owner() throws -> String {
        let places = truth.addresses()[serviceAddress] ?? []
        guard places.count == 1, let place = places.first else {
            throw BenchError("the address is on \(places.count) nodes")
        }
        return place.node
    }

    private func startService(_ node: String) throws {
        try spawn(
            node,
            [
                bed.vigil, "demo-service", "serve", "--listen", "0.0.0.0:7100", "--name", node,
                "--pid-file", "\(bed.layout.nodeDirectory(node))/www.pid",
            ], output: "www.out")
    }

    private func startKeepalived(_ node: String, _ setting: Setting) throws {
        let directory = bed.layout.nodeDirectory(node)
        let priority = 150 - 10 * (nodes.firstIndex(of: node) ?? 0)
        let conf = """
            global_defs {
                router_id \(node)
                vrrp_version \(setting.version)
            }
            vrrp_instance www {
                state BACKUP
                interface \(adapter)
                virtual_router_id 51
                priority \(priority)
                advert_int \(setting.advertInterval)
                nopreempt
                virtual_ipaddress {
                    \(serviceAddress)/24 dev \(adapter)
                }
            }

            """
        try conf.write(toFile: "\(directory)/keepalived.conf", atomically: true, encoding: .utf8)
        // A killed keepalived's processes may linger as zombies here (nothing reaps them), and
        // keepalived refuses to start while its pid files name a process that exists.
        for file in ["keepalived.pid", "keepalived-vrrp.pid"] {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(file)")
        }
        try spawn(
            node,
            [
                keepalived, "--vrrp", "--dont-fork", "--log-console", "--log-detail",
                "--use-file", "\(directory)/keepalived.conf", "--pid", "\(directory)/keepalived.pid",
                "--vrrp_pid", "\(directory)/keepalived-vrrp.pid",
            ], output: "keepalived.out")
    }

    /// keepalived stopped on purpose (SIGTERM): it gives the address up with a priority 0 advertisement.
    private func stopKeepalived(_ node: String) {
        let pidFile = "\(bed.layout.nodeDirectory(node))/keepalived.pid"
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        kill(pid, SIGTERM)
    }

    private func processes(named name: String, in node: String) -> [Int32] {
        bed.processes(in: bed.layout.namespace(of: node), named: name)
    }

    private func spawn(_ node: String, _ command: [String], output: String) throws {
        try bed.spawn(
            in: bed.layout.namespace(of: node), command, output: "\(bed.layout.nodeDirectory(node))/\(output)")
    }
}
