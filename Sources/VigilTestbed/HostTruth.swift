import Foundation
import VigilModel
import VigilRuntime

#if canImport(Glibc)
import Glibc
#endif

/// What the hosts of the test bed really hold, read from the kernel rather than from the daemons:
/// the IPv4 addresses in every node's namespace (`ip -4 -o addr show`), which namespace runs each
/// application's process, and who answers a TCP connection from the client namespace.
public struct HostTruth: Sendable {
    public let layout: TestbedLayout
    public let shell: TestbedShell
    /// The `vigil` binary, whose `demo-service probe` connects from the client namespace.
    public let vigil: String

    public init(layout: TestbedLayout, shell: TestbedShell, vigil: String) {
        self.layout = layout
        self.shell = shell
        self.vigil = vigil
    }

    var config: ClusterConfig { layout.config }

    /// Where an address is: node and device.
    public struct Place: Sendable, Hashable, CustomStringConvertible {
        public var node: String
        public var device: String
        public var description: String { "\(node)/\(device)" }
    }

    /// Every address that moves or belongs to a node's service label: label -> address.
    public var serviceAddresses: [(label: String, address: IPv4Address)] {
        config.serviceAddresses.map { ($0.label, $0.address) }
            + config.nodes.flatMap(\.interfaces).filter { $0.role == .service }.compactMap { interface in
                interface.address.map { (interface.label, $0) }
            }
    }

    /// The IPv4 addresses of every node's namespace, by address.
    public func addresses() -> [IPv4Address: [Place]] {
        addresses(of: config.nodes.map(\.name))
    }

    /// The IPv4 addresses of the namespaces of `nodes`, read one after the other in that order.
    func addresses(of nodes: [String]) -> [IPv4Address: [Place]] {
        var found: [IPv4Address: [Place]] = [:]
        let existing = Set(Testbed.namespaces(shell: shell))
        for node in nodes.compactMap({ config.node(named: $0) })
        where existing.contains(layout.namespace(of: node.name)) {
            let output = shell.ip(layout.namespace(of: node.name), "-4 -o addr show", allowFailure: true).output
            for entry in AddressEntry.parse(output) {
                found[entry.address, default: []].append(Place(node: node.name, device: entry.device))
            }
        }
        return found
    }

    /// Service addresses held by more than one namespace: one line per address.
    ///
    /// The namespaces are read one after the other, so one reading can straddle a handoff: the
    /// old owner read before it let go, the new one after it took over, though the two never held
    /// the address together. An address seen twice is therefore read again at once from its
    /// holders in the opposite order (the newer holder first): an old owner that still has it
    /// after the new one was seen with it held it together with the new one.
    public func duplicates() -> [String] {
        let held = addresses()
        return serviceAddresses.compactMap { label, address in
            let places = held[address] ?? []
            let nodes = places.map(\.node)
            guard Set(nodes).count > 1 else { return nil }
            let again = addresses(of: nodes.reversed())[address] ?? []
            guard Set(again.map(\.node)).count > 1 else { return nil }
            return
                "service address \(label) (\(address)) held by \(again.map(\.description).joined(separator: " and "))"
        }
    }

    /// An application as the test bed sees it, from its start command's `--listen` and `--pid-file`.
    public struct ApplicationProbe: Sendable {
        public var name: String
        public var listen: (address: String, port: String)?
        public var pidFile: String?

        /// The pid file of the application on `node` (`$VIGIL_NODE` replaced).
        public func pidFile(on node: String) -> String? {
            pidFile.map {
                $0.replacingOccurrences(of: "${VIGIL_NODE}", with: node).replacingOccurrences(
                    of: "$VIGIL_NODE", with: node)
            }
        }
    }

    public func probe(of application: Application) -> ApplicationProbe {
        let words = application.start.split(whereSeparator: \.isWhitespace).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        func value(after flag: String) -> String? {
            guard let index = words.firstIndex(of: flag), index + 1 < words.count else { return nil }
            return words[index + 1]
        }
        let listen = value(after: "--listen").flatMap { text -> (String, String)? in
            let parts = text.split(separator: ":")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
        return ApplicationProbe(name: application.name, listen: listen, pidFile: value(after: "--pid-file"))
    }

    /// The nodes whose namespace runs `application`'s process (its pid file names a live process in
    /// that node's network namespace).
    public func nodesRunning(_ application: Application) -> Set<String> {
        let probe = probe(of: application)
        var running: Set<String> = []
        for node in config.nodes {
            guard let file = probe.pidFile(on: node.name),
                let text = try? String(contentsOfFile: file, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
                kill(pid, 0) == 0
            else { continue }
            if Self.networkNamespace(ofProcess: pid)
                == Self.networkNamespace(path: "/run/netns/\(layout.namespace(of: node.name))")
            {
                running.insert(node.name)
            }
        }
        return running
    }

    /// Connects from the client namespace (or `namespace`) and returns the line the service
    /// answered, or nil.
    public func ask(_ address: String, port: String, from namespace: String = TestbedLayout.clientNamespace)
        -> String?
    {
        let outcome = shell.inside(
            namespace,
            [vigil, "demo-service", "probe", "\(address):\(port)", "--timeout", "500ms"], allowFailure: true)
        guard outcome.succeeded else { return nil }
        return outcome.output.split(whereSeparator: \.isNewline).last.map(String.init)
    }

    /// A public boot address of `node` that the client can reach.
    public func clientReachableAddress(of node: String) -> String? { clientReachableAddresses(of: node).first }

    /// Every public boot address of `node`, in configured order: a service that listens on all of
    /// the node's addresses answers on those whose adapter works.
    public func clientReachableAddresses(of node: String) -> [String] {
        let publicNetworks = Set(layout.clientLinks.map(\.network))
        return config.node(named: node)?.interfaces.filter { $0.role == .boot && publicNetworks.contains($0.network) }
            .compactMap { $0.address?.description } ?? []
    }

    static func networkNamespace(ofProcess pid: Int32) -> UInt64? { networkNamespace(path: "/proc/\(pid)/ns/net") }

    static func networkNamespace(path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}
