import Foundation
import VigilModel

#if canImport(Glibc)
import Glibc
#endif

/// The network-namespace test bed of a configuration (`TestbedLayout`): makes it (`up`), removes it
/// (`down`), shows it (`status`), and changes it the way a failing machine room would: a crashed host,
/// an adapter or a network that fails, a cut between sets of nodes, lost or late packets, a node that
/// loses its path to the shared disk.
///
/// Everything it makes is named with the `vt-` prefix (reserved for it) and lives in namespaces of
/// its own: the host's networking is never touched. `down` deletes every `vt-` namespace after
/// SIGKILLing the processes in it (all of them started by the test bed), so `up`, which calls it
/// first, also cleans a run that died midway.
///
/// Faults, and how they are made:
/// - crash: SIGKILL every process in the node's namespace (vigild, its applications), then flush the
///   node's addresses and take its links down on both ends: a powered-off host. `boot` brings the
///   links back with only the boot and standby addresses, as a host that restarts.
/// - fail/repair an adapter: `ip link set DEV down/up` in the node's namespace.
/// - fail/repair a network for one node or all: the switch ends of those adapters down/up.
/// - partition: the switch ends of each side's adapters move to a bridge of their own (`bNET-K`);
///   the client stays with side 0; heal moves them back. On a disk network, the relay carries slots
///   only within a side.
/// - cut: nft on the switch's ports drops IPv4 from one node's adapters to another's on an IP
///   network, one way or both (`cut`); heal undoes it.
/// - loss and delay: `tc netem` on the switch ends.
/// - a node's disk path: a marker file that makes the relay (`DiskRelay`) leave the node out.
public struct Testbed: Sendable {
    public let layout: TestbedLayout
    public let shell: TestbedShell
    /// The `vigil` binary: the relay runs as `vigil testbed relay CONFIG`.
    public let vigil: String
    /// The configuration file (absolute), for the relay.
    public let configPath: String
    /// Makes the disk relay a slow disk (`DiskRelay.slowdown`); none by default.
    public var relaySlowdown: Duration?
    /// The files a plan syncs, whose nodes the layout has too (`PlanHosts`): the relay reads them
    /// as well, to serve the disk slots of nodes a sync adds.
    public var syncedFiles: [String] = []

    public init(layout: TestbedLayout, configPath: String, vigil: String, shell: TestbedShell = TestbedShell()) {
        self.layout = layout
        self.configPath = URL(fileURLWithPath: configPath).standardizedFileURL.path
        self.vigil = vigil
        self.shell = shell
    }

    var config: ClusterConfig { layout.config }

    /// Whether network namespaces can be made here (root, `ip netns add` works).
    public static func namespacesWork(shell: TestbedShell = TestbedShell()) -> Bool {
        guard getuid() == 0 else { return false }
        let probe = "vt-probe-\(getpid())"
        guard shell.run(["ip", "netns", "add", probe], allowFailure: true).succeeded else { return false }
        shell.run(["ip", "netns", "del", probe], allowFailure: true)
        return true
    }

    // MARK: up, down, status

    /// Builds the test bed from nothing (after cleaning any earlier one).
    public func up() throws {
        _ = down(removeDirectory: true)
        try prepareFiles()
        enlargeNeighbourTable()
        let sw = TestbedLayout.switchNamespace
        try must(shell.run(["ip", "netns", "add", sw]))
        shell.ip(sw, "link set lo up")
        for network in layout.ipNetworks {
            let bridge = layout.bridge(of: network.name)
            try must(shell.ip(sw, "link add \(bridge) type bridge"))
            shell.ip(sw, "link set \(bridge) up")
        }
        let client = TestbedLayout.clientNamespace
        try must(shell.run(["ip", "netns", "add", client]))
        shell.ip(client, "link set lo up")
        for link in layout.clientLinks {
            try must(
                shell.ip(nil, "link add \(link.device) netns \(client) type veth peer name \(link.port) netns \(sw)"))
            shell.ip(sw, "link set \(link.port) master \(layout.bridge(of: link.network)) up")
            shell.ip(client, "addr add \(link.address)/\(link.prefix) dev \(link.device)")
            shell.ip(client, "link set \(link.device) up")
        }
        for node in config.nodes {
            try must(shell.run(["ip", "netns", "add", layout.namespace(of: node.name)]))
            shell.ip(layout.namespace(of: node.name), "link set lo up")
            configureARP(layout.namespace(of: node.name))
            try boot(node.name)
        }
        try startRelay()
    }

    /// Removes every `vt-` namespace (after SIGKILLing the processes in it) and, when asked, the
    /// directory. Returns what it removed.
    @discardableResult
    public func down(removeDirectory: Bool) -> [String] {
        var removed: [String] = []
        for namespace in Self.namespaces(shell: shell) {
            let pids = processes(in: namespace)
            for pid in pids { kill(pid, SIGKILL) }
            if !pids.isEmpty { removed.append("killed \(pids.count) processes in \(namespace)") }
            shell.run(["ip", "netns", "del", namespace], allowFailure: true)
            removed.append("namespace \(namespace)")
        }
        restoreNeighbourTable()
        if removeDirectory, FileManager.default.fileExists(atPath: layout.directory) {
            do {
                try FileManager.default.removeItem(atPath: layout.directory)
                removed.append("directory \(layout.directory)")
            } catch {
                shell.onFailure("cannot remove \(layout.directory): \(error)")
            }
        }
        return removed
    }

    /// The test bed as the kernel has it: every namespace with its addresses and processes.
    public func status() -> String {
        let namespaces = Self.namespaces(shell: shell)
        guard !namespaces.isEmpty else { return "testbed: down (no vt- namespaces)" }
        var lines: [String] = []
        for namespace in namespaces {
            let pids = processes(in: namespace)
            lines.append("\(namespace): \(pids.count) processes")
            let brief = shell.ip(namespace, "-br addr show", allowFailure: true).output
            for line in brief.split(separator: "\n") where !line.hasPrefix("lo ") { lines.append("  " + line) }
        }
        return lines.joined(separator: "\n")
    }

    /// The test bed's namespaces (`vt-*`), from `ip netns list`.
    public static func namespaces(shell: TestbedShell) -> [String] {
        shell.run(["ip", "netns", "list"], allowFailure: true).output.split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(TestbedLayout.prefix) }
    }

    /// The living processes in a namespace whose name (`/proc/PID/comm`) is `name`: zombies, which
    /// nothing may reap here, do not count.
    public func processes(in namespace: String, named name: String) -> [Int32] {
        processes(in: namespace).filter { pid in
            guard
                (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(
                    in: .whitespacesAndNewlines) == name,
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
        }
    }

    /// Starts `arguments` inside `namespace` (`ip netns exec`), its output appended to the file
    /// `output` (discarded when nil), with `environment` when given (else this process's). It ends
    /// with the namespace, at the latest.
    @discardableResult
    public func spawn(
        in namespace: String, _ arguments: [String], output: String? = nil, environment: [String: String]? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace] + arguments
        if let environment { process.environment = environment }
        var handle: FileHandle?
        if let output {
            if !FileManager.default.fileExists(atPath: output) {
                _ = FileManager.default.createFile(atPath: output, contents: nil)
            }
            handle = FileHandle(forWritingAtPath: output)
            handle?.seekToEndOfFile()
        }
        process.standardOutput = handle ?? FileHandle.nullDevice
        process.standardError = handle ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw TestbedError("cannot start \(arguments.first ?? "?") in \(namespace): \(error)")
        }
        return process
    }

    /// The processes in a namespace (`ip netns pids`).
    public func processes(in namespace: String) -> [Int32] {
        shell.run(["ip", "netns", "pids", namespace], allowFailure: true).output
            .split(whereSeparator: \.isNewline).compactMap { Int32($0) }
    }

    private func prepareFiles() throws {
        let files = FileManager.default
        try files.createDirectory(atPath: layout.diskDirectory, withIntermediateDirectories: true)
        for node in config.nodes {
            try files.createDirectory(atPath: layout.stateDirectory(node.name), withIntermediateDirectories: true)
        }
        var key = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in key.indices { key[index] = generator.next() }
        guard files.createFile(atPath: layout.keyFile, contents: Data(key), attributes: [.posixPermissions: 0o600])
        else {
            throw TestbedError("cannot write the cluster key \(layout.keyFile)")
        }
        for network in layout.diskNetworks {
            guard let device = layout.sharedDevice(of: network) else { continue }
            guard device.hasPrefix(layout.directory + "/") else {
                throw TestbedError(
                    "disk network \(network.name): its device \(device) must be under the test bed's directory "
                        + "\(layout.directory)"
                )
            }
            try files.createDirectory(
                atPath: (device as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = files.createFile(atPath: device, contents: Data())
            for member in layout.diskMembers(network.name) {
                _ = files.createFile(atPath: layout.diskView(network.name, of: member.node), contents: Data())
            }
        }
    }

    /// A node's boot and standby adapters share one segment (one bridge), as the seed's tr0 and tr1
    /// do: without these settings Linux answers ARP for every local address on every adapter (ARP
    /// flux), so traffic for tr1's address could arrive on tr0 and a failed adapter would look
    /// alive. arp_ignore=1: answer only for addresses of the adapter asked; arp_announce=2: use the
    /// outgoing adapter's own address in requests. The usual settings of multi-homed HA hosts.
    private func configureARP(_ namespace: String) {
        for scope in ["all", "default"] {
            shell.inside(
                namespace,
                ["sysctl", "-q", "-w", "net.ipv4.conf.\(scope).arp_ignore=1", "net.ipv4.conf.\(scope).arp_announce=2"])
        }
    }

    /// Starts the disk relay in vt-switch (so that `down` ends it with the namespace).
    private func startRelay() throws {
        guard !layout.diskNetworks.isEmpty else { return }
        try spawn(
            in: TestbedLayout.switchNamespace,
            [vigil, "testbed", "relay", configPath, "--dir", layout.directory]
                + syncedFiles.flatMap { ["--also", URL(fileURLWithPath: $0).standardizedFileURL.path] }
                + (relaySlowdown.map { ["--slow", DurationText.format($0)] } ?? []),
            output: "\(layout.directory)/relay.out")
    }

    func must(_ outcome: TestbedShell.Outcome) throws {
        guard outcome.succeeded else {
            throw TestbedError(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Starts the client's watch in vt-client (`vigil testbed watch`): every change of answer of the
    /// endpoints, with its time, goes to `clientLog`. It ends with the namespace.
    public func startClientWatch(_ endpoints: [String]) throws {
        guard !endpoints.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["ip", "netns", "exec", TestbedLayout.clientNamespace, vigil, "testbed", "watch"] + endpoints
        guard FileManager.default.createFile(atPath: clientLog, contents: nil),
            let output = FileHandle(forWritingAtPath: clientLog)
        else {
            throw TestbedError("cannot write \(clientLog)")
        }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw TestbedError("cannot start the client's watch: \(error)") }
    }

    /// What the client's watch saw: `MILLISECONDS ENDPOINT ANSWER` lines.
    public var clientLog: String { "\(layout.directory)/client.log" }

    // MARK: hosts

    /// A node's links as after a boot: veth pairs present, only boot and standby addresses, up.
    public func boot(_ node: String) throws {
        let namespace = layout.namespace(of: node)
        let sw = TestbedLayout.switchNamespace
        for link in layout.links(of: node) {
            if !shell.ip(namespace, "link show \(link.adapter)", allowFailure: true).succeeded {
                try must(
                    shell.ip(
                        nil, "link add \(link.adapter) netns \(namespace) type veth peer name \(link.port) netns \(sw)")
                )
            }
            shell.ip(namespace, "addr flush dev \(link.adapter)")
            for address in link.addresses { shell.ip(namespace, "addr add \(address) dev \(link.adapter)") }
            shell.ip(sw, "link set \(link.port) master \(layout.bridge(of: link.network)) up")
            shell.ip(namespace, "link set \(link.adapter) up")
        }
        for network in layout.diskNetworks where config.node(named: node)?.networks.contains(network.name) ?? false {
            try setDiskPath(network.name, of: node, up: true)
        }
    }

    /// A crash: every process in the node's namespace SIGKILLed, its addresses gone, its links down.
    /// Returns the processes killed.
    @discardableResult
    public func crash(_ node: String) -> [Int32] {
        let namespace = layout.namespace(of: node)
        let pids = processes(in: namespace)
        for pid in pids { kill(pid, SIGKILL) }
        for link in layout.links(of: node) {
            shell.ip(namespace, "link set \(link.adapter) down", allowFailure: true)
            shell.ip(namespace, "addr flush dev \(link.adapter)", allowFailure: true)
            shell.ip(TestbedLayout.switchNamespace, "link set \(link.port) down", allowFailure: true)
        }
        return pids
    }

    /// Fails (`up == false`) or repairs one adapter: an IP adapter's link in the node's namespace, or
    /// a disk endpoint's path to the disk.
    public func setAdapter(_ adapter: String, of node: String, up: Bool) throws {
        guard let interface = config.node(named: node)?.interfaces.first(where: { $0.name == adapter }),
            let network = config.network(named: interface.network)
        else {
            throw TestbedError("\(node) has no interface \(adapter)")
        }
        if network.isIP {
            try must(shell.ip(layout.namespace(of: node), "link set \(adapter) \(up ? "up" : "down")"))
        } else if network.isSharedDisk {
            try setDiskPath(network.name, of: node, up: up)
        } else {
            throw TestbedError(
                "\(adapter) of \(node) is a serial line; the test bed has none (map it to a disk heartbeat)")
        }
    }

    /// Fails or repairs a network for one node (or every node): the switch ends of its adapters, or
    /// its disk paths.
    public func setNetwork(_ name: String, node: String?, up: Bool) throws {
        guard let network = config.network(named: name) else { throw TestbedError("no network \(name)") }
        for target in config.nodes where node == nil || target.name == node {
            guard target.networks.contains(name) else { continue }
            if network.isSharedDisk {
                try setDiskPath(name, of: target.name, up: up)
                continue
            }
            for link in layout.links(of: target.name) where link.network == name {
                try must(shell.ip(TestbedLayout.switchNamespace, "link set \(link.port) \(up ? "up" : "down")"))
            }
        }
    }

    func setDiskPath(_ network: String, of node: String, up: Bool) throws {
        let marker = layout.diskFault(network, of: node)
        if up {
            if FileManager.default.fileExists(atPath: marker) { try FileManager.default.removeItem(atPath: marker) }
        } else {
            guard FileManager.default.createFile(atPath: marker, contents: Data()) else {
                throw TestbedError("cannot write \(marker)")
            }
        }
    }

    /// Cuts `network` between sides: side K > 0 moves to bridge `bNET-K`; nodes not named stay on
    /// side 0 with the client. On a disk network the relay keeps each side to itself.
    public func partition(_ name: String, sides: [[String]]) throws {
        guard let network = config.network(named: name) else { throw TestbedError("no network \(name)") }
        if network.isSharedDisk {
            let text = sides.enumerated().flatMap { side, nodes in nodes.map { "\($0) \(side)\n" } }.joined()
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(layout.diskDirectory)/\(name).partition"))
            return
        }
        let sw = TestbedLayout.switchNamespace
        for (side, nodes) in sides.enumerated() {
            let bridge = layout.bridge(of: name, side: side)
            if side > 0, !shell.ip(sw, "link show \(bridge)", allowFailure: true).succeeded {
                try must(shell.ip(sw, "link add \(bridge) type bridge"))
                shell.ip(sw, "link set \(bridge) up")
            }
            for link in layout.links where link.network == name && nodes.contains(link.node) {
                try must(shell.ip(sw, "link set \(link.port) master \(bridge)"))
            }
        }
    }

    /// Drops every IPv4 packet from `from`'s adapters to `to`'s on an IP network (and back,
    /// `bothWays`): nft rules on the switch's bridge ports (table `bridge vigilcuts`), which hold
    /// across partitions since they name ports, not bridges. ARP still passes: a one-way cut of
    /// every frame would also stop the other way's unicast once its ARP entries expired (the
    /// answers to the sender's ARP requests are lost), which is not one-way loss.
    public func cut(_ name: String, from: String, to: String, bothWays: Bool) throws {
        guard let network = config.network(named: name) else { throw TestbedError("no network \(name)") }
        guard network.isIP else {
            throw TestbedError(
                "cut works on IP networks on the test bed; \(name) is not one (fail_interface cuts a disk path)")
        }
        for node in [from, to] where config.node(named: node) == nil { throw TestbedError("no node \(node)") }
        var cuts = currentCuts()
        cuts.insert(CutRule(network: name, from: from, to: to))
        if bothWays { cuts.insert(CutRule(network: name, from: to, to: from)) }
        try applyCuts(cuts)
    }

    /// One direction of a cut (`cut`), as the test bed's cut file keeps it: `NETWORK FROM TO`.
    struct CutRule: Hashable, Comparable {
        var network: String
        var from: String
        var to: String
        var line: String { "\(network) \(from) \(to)" }
        static func < (a: Self, b: Self) -> Bool { a.line < b.line }
    }

    private var cutsFile: String { "\(layout.directory)/cuts" }

    private func currentCuts() -> Set<CutRule> {
        let text = (try? String(contentsOfFile: cutsFile, encoding: .utf8)) ?? ""
        return Set(
            text.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ").map(String.init)
                return words.count == 3 ? CutRule(network: words[0], from: words[1], to: words[2]) : nil
            })
    }

    /// Replaces the switch's cut rules with `cuts` (none: the table goes).
    private func applyCuts(_ cuts: Set<CutRule>) throws {
        let sw = TestbedLayout.switchNamespace
        shell.run(["ip", "netns", "exec", sw, "nft", "delete", "table", "bridge", "vigilcuts"], allowFailure: true)
        try Data(cuts.sorted().map { $0.line + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: cutsFile))
        guard !cuts.isEmpty else { return }
        var rules: [String] = []
        for cut in cuts.sorted() {
            for out in layout.links where out.network == cut.network && out.node == cut.from {
                for into in layout.links where into.network == cut.network && into.node == cut.to {
                    rules.append("    iifname \"\(out.port)\" oifname \"\(into.port)\" ether type ip drop")
                }
            }
        }
        let ruleset = """
            table bridge vigilcuts {
              chain forward {
                type filter hook forward priority -10; policy accept;
            \(rules.joined(separator: "\n"))
              }
            }

            """
        let path = "\(layout.directory)/cuts.nft"
        try Data(ruleset.utf8).write(to: URL(fileURLWithPath: path))
        try must(shell.run(["ip", "netns", "exec", sw, "nft", "-f", path], allowFailure: true))
    }

    /// Undoes partitions and cuts on a network, or on all.
    public func heal(_ name: String?) throws {
        let cuts = currentCuts()
        let kept = cuts.filter { name != nil && $0.network != name }
        if kept != cuts { try applyCuts(kept) }
        let sw = TestbedLayout.switchNamespace
        for network in config.networks where name == nil || network.name == name {
            if network.isSharedDisk {
                let sides = "\(layout.diskDirectory)/\(network.name).partition"
                if FileManager.default.fileExists(atPath: sides) { try FileManager.default.removeItem(atPath: sides) }
                continue
            }
            guard network.isIP else { continue }
            for link in layout.links where link.network == network.name {
                try must(shell.ip(sw, "link set \(link.port) master \(layout.bridge(of: network.name))"))
            }
            for side in 1...max(1, config.nodes.count) {
                shell.ip(sw, "link del \(layout.bridge(of: network.name, side: side))", allowFailure: true)
            }
        }
    }

    /// Loses `lossPercent` of the packets and delays the rest by `delay` on the switch ends of
    /// `node`'s adapters on `network` (or every node's); `nil` for both clears it.
    public func impair(_ network: String, node: String?, lossPercent: Int?, delay: Duration?) throws {
        let sw = TestbedLayout.switchNamespace
        for link in layout.links where link.network == network && (node == nil || link.node == node) {
            if lossPercent == nil && delay == nil {
                shell.run(["tc", "-n", sw, "qdisc", "del", "dev", link.port, "root"], allowFailure: true)
                continue
            }
            var netem = ["tc", "-n", sw, "qdisc", "replace", "dev", link.port, "root", "netem"]
            if let lossPercent { netem += ["loss", "\(lossPercent)%"] }
            if let delay {
                netem += [
                    "delay",
                    "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)ms",
                ]
            }
            let outcome = shell.run(netem, allowFailure: true)
            if outcome.output.contains("qdisc kind is unknown") {
                throw TestbedError("this kernel has no netem (sch_netem): loss and delay cannot be made here")
            }
            try must(outcome)
        }
    }
}

/// A test bed operation that could not be carried out.
public struct TestbedError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
