import ArgumentParser
import Foundation
import VigilModel

/// `vigil init`: writes a starter configuration from the nodes named and this host's subnets, and
/// only one that `vigil verify` accepts.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter configuration for the nodes named, from this host's networks.",
        discussion: """
            Each --node names a node and its addresses (NAME=ADDR[,ADDR...]); each address must be on a subnet \
            of one of this host's interfaces, which becomes a network of the cluster (so run it on one of the \
            nodes). --disk adds a disk heartbeat on a shared disk, and with two nodes its tiebreaker; each \
            --service adds a service address and a cascading group for it. The file is verified before it is \
            written; an existing file is kept unless --force is given. Prints the next steps.

            Example: vigil init --name pair --node alpha=192.0.2.11,198.51.100.11 \
            --node beta=192.0.2.12,198.51.100.12 --disk /dev/disk/by-id/vigil-hb --service web=192.0.2.21
            """)

    @Option(help: "The cluster's name.")
    var name: String

    @Option(help: ArgumentHelp("The cluster id (1 to 2147483647; default: from the name).", valueName: "n"))
    var id: Int?

    @Option(
        help: ArgumentHelp(
            "A node and its addresses, one per network (repeat for each node).", valueName: "name=addr,..."))
    var node: [String] = []

    @Option(help: ArgumentHelp("A shared disk for the disk heartbeat (and tiebreaker).", valueName: "device"))
    var disk: String?

    @Option(help: ArgumentHelp("A service address and the group that moves it (repeatable).", valueName: "group=addr"))
    var service: [String] = []

    @Option(help: ArgumentHelp("Where to write the configuration.", valueName: "path"))
    var out = LocalClusterNames.standardConfigPath

    @Flag(help: "Replace the file if it exists.")
    var force = false

    func validate() throws {
        if let id, !(1...2_147_483_647).contains(id) { throw ValidationError("--id must be from 1 to 2147483647") }
        if node.isEmpty { throw ValidationError("name each node with --node NAME=ADDR[,ADDR...]") }
    }

    /// The starter configuration from the options and the interfaces given.
    func starter(hostInterfaces: [StarterConfiguration.HostInterface]) throws -> StarterConfiguration {
        let nodes = try node.map { text in
            let (name, value) = try Self.split(text, option: "--node", example: "alpha=192.0.2.11")
            let addresses = try value.split(separator: ",", omittingEmptySubsequences: false).map { part in
                guard let address = IPv4Address(String(part)) else {
                    throw ValidationError(
                        "--node \(text): \(NameRules.quoted(String(part))) is not an IPv4 address")
                }
                return address
            }
            return StarterConfiguration.Node(name: name, addresses: addresses)
        }
        let services = try service.map { text in
            let (name, value) = try Self.split(text, option: "--service", example: "web=192.0.2.21")
            guard let address = IPv4Address(value) else {
                throw ValidationError("--service \(text): \(NameRules.quoted(value)) is not an IPv4 address")
            }
            return StarterConfiguration.Service(name: name, address: address)
        }
        return StarterConfiguration(
            clusterName: name, clusterID: id, nodes: nodes, services: services, disk: disk,
            hostInterfaces: hostInterfaces)
    }

    /// The file's text, verified: the report's lines to print and whether it has errors.
    func configuration(hostInterfaces: [StarterConfiguration.HostInterface]) throws -> (
        yaml: String, report: [String], failed: Bool
    ) {
        let yaml: String
        do {
            yaml = try starter(hostInterfaces: hostInterfaces).yaml()
        } catch let problem as StarterConfiguration.Problem {
            throw SetupError("init: \(problem.description)")
        }
        let report = VerifyReport(yaml: yaml, file: out)
        return (yaml, report.textLines(), report.errorCount > 0)
    }

    func run() throws {
        let (yaml, report, failed) = try configuration(hostInterfaces: HostInterfaces.current())
        guard !failed else {
            for line in report { printToStandardError(line) }
            throw SetupError("init: the configuration made does not verify (above); nothing was written")
        }
        do {
            try AtomicFile.write(yaml, to: out, mode: 0o644, replacing: force)
        } catch {
            throw SetupError("init: \(error.description); give --force to replace it, or --out another path")
        }
        for line in report where !line.hasPrefix("timing:") { print(line) }
        print("init: wrote \(out)")
        let names = node.compactMap { $0.split(separator: "=").first.map(String.init) }
        print("next:")
        print("  1. review \(out) (adapter names, applications), then: vigil verify \(out)")
        print(
            "  2. vigil keygen   (once, on this node), then copy \(out) and /etc/vigil/cluster.key to "
                + "\(names.joined(separator: ", ")) at the same paths")
        print("  3. on every node: systemctl enable --now vigild, then: vigil start")
        print("  4. vigil status")
    }

    /// `NAME=VALUE` split at its first `=`, both parts non-empty.
    static func split(_ text: String, option: String, example: String) throws -> (String, String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex,
            text.index(after: equals) != text.endIndex
        else {
            throw ValidationError("\(option) \(NameRules.quoted(text)): expected NAME=VALUE, e.g. \(example)")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}
