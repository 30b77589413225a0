import VigilModel

/// keepalived.conf to Vigil (issue 14). Each file describes one machine, so each file is one node;
/// the files of every node of a pair or more give the whole cluster:
///
/// - a VRRP instance, or a `vrrp_sync_group` of instances, is a resource group with the virtual
///   addresses as its service addresses (IPv4 only); the instances' `interface`s are the networks;
/// - the instance's priorities on the nodes are the group's node order (highest first);
/// - `nopreempt` makes the group `rotating` (never falls back), otherwise it is `cascading` (falls
///   back to the highest-priority node), with `inactive_takeover` as keepalived starts anywhere;
/// - `track_script` and `track_process` are applications whose monitor is the script (or a `pgrep`);
///   keepalived did not start them, so their start and stop are `true`;
/// - `unicast_src_ip`/`mcast_src_ip` are the nodes' addresses; a `unicast_peer` no file claims is
///   reported, and taken as the address of the one node left without one.
///
/// Everything else is reported with its line (`ConversionNote`).
public enum KeepalivedMapping {
    public static func convert(
        _ inputs: [ConversionInput], options: ConversionOptions = ConversionOptions()
    ) throws(ConversionError) -> ConversionResult {
        guard let first = inputs.first else { throw ConversionError(file: "keepalived", line: 0, "no file to convert") }
        var machines: [KeepalivedMachine] = []
        for input in inputs {
            let statements = try KeepalivedParser.parse(input.text, file: input.file)
            machines.append(KeepalivedMachine(file: input.file, statements: statements))
        }
        var builder = KeepalivedBuilder(machines: machines, options: options)
        builder.build()
        var config = builder.config
        var notes = machines.flatMap(\.notes) + builder.notes
        ConversionAdditions.apply(options, defaultName: "keepalived", file: first.file, to: &config, notes: &notes)
        return ConversionResult(config: config, notes: notes)
    }
}

/// The cluster built from the machines, with the notes about it.
struct KeepalivedBuilder {
    var machines: [KeepalivedMachine]
    let options: ConversionOptions
    var config = ClusterConfig(name: "keepalived", id: 1)
    var notes: [ConversionNote] = []
    /// The node name of each machine, in order.
    var names: [String] = []
    /// The network of each instance, by instance name.
    var networkOf: [String: String] = [:]
    var labels = Set<String>()

    init(machines: [KeepalivedMachine], options: ConversionOptions) {
        self.machines = machines
        self.options = options
    }

    mutating func note(_ kind: ConversionNote.Kind, _ file: String, _ line: Int, _ message: String) {
        notes.append(ConversionNote(kind, file: file, line: line, message))
    }

    mutating func build() {
        nameNodes()
        buildNetworks()
        buildNodes()
        ConversionAdditions.applyAddresses(options, to: &config, notes: &notes, file: machines.first?.file ?? "")
        inferPeerAddresses()
        buildGroups()
        reportUnused()
        reportMissing()
    }

    mutating func nameNodes() {
        var taken = Set<String>()
        for (index, machine) in machines.enumerated() {
            let given = index < options.nodeNames.count ? options.nodeNames[index] : nil
            let stem = machine.file.split(separator: "/").last.map(String.init) ?? machine.file
            let base = given ?? machine.routerID ?? (stem.hasSuffix(".conf") ? String(stem.dropLast(5)) : stem)
            let name = ConvertedNames.unique(
                ConvertedNames.identifier(base, fallback: "node\(index + 1)"), in: &taken)
            if given == nil {
                let source = machine.routerID != nil ? "its router_id" : "the file's name"
                note(.assumed, machine.file, 0, "this file is node \(name) (from \(source); name it with --node)")
            }
            names.append(name)
        }
    }

    /// One network per adapter named by the instances of the first file that has each instance.
    mutating func buildNetworks() {
        for machine in machines {
            for instance in machine.instances where networkOf[instance.name] == nil {
                let adapter = instance.interface ?? "eth0"
                let network = ConvertedNames.identifier(adapter, fallback: "lan")
                networkOf[instance.name] = network
                if config.network(named: network) == nil {
                    config.networks.append(
                        Network(
                            name: network, type: "ether",
                            kind: .ip(
                                attribute: .public,
                                netmask: netmask(of: network, line: instance.line, file: machine.file))))
                }
            }
        }
    }

    /// The shortest prefix of the network's virtual addresses (every one of them in its subnet), or
    /// /24 when none states one.
    mutating func netmask(of network: String, line: Int, file: String) -> IPv4Address {
        var best: (prefix: Int, address: KeepalivedMachine.VirtualAddress, file: String)?
        for machine in machines {
            for instance in machine.instances
            where ConvertedNames.identifier(instance.interface ?? "eth0", fallback: "lan") == network {
                for address in instance.addresses {
                    guard let prefix = address.prefix, (8..<32).contains(prefix) else { continue }
                    if best == nil || prefix < best?.prefix ?? 33 { best = (prefix, address, machine.file) }
                }
            }
        }
        guard let best else {
            note(
                .assumed, file, line,
                "network \(network) has netmask 255.255.255.0: keepalived.conf does not "
                    + "state it; correct it in networks if it differs")
            return IPv4Address(0xFFFF_FF00)
        }
        let mask = IPv4Address(UInt32.max << UInt32(32 - best.prefix))
        note(
            .assumed, best.file, best.address.line,
            "network \(network) has netmask \(mask), the prefix of "
                + "\(best.address.address)/\(best.prefix); correct it in networks if the network's own differs")
        return mask
    }

    mutating func buildNodes() {
        for (index, machine) in machines.enumerated() {
            var node = Node(name: names[index])
            for instance in machine.instances {
                guard let network = networkOf[instance.name] else { continue }
                let adapter = instance.interface ?? "eth0"
                if let at = node.interfaces.firstIndex(where: { $0.network == network }) {
                    if node.interfaces[at].address == nil { node.interfaces[at].address = instance.sourceAddress }
                    continue
                }
                let label = ConvertedNames.unique(
                    ConvertedNames.identifier("\(node.name)_\(adapter)", fallback: "\(node.name)_if"), in: &labels)
                node.interfaces.append(
                    Interface(
                        name: adapter, label: label, role: .boot, address: instance.sourceAddress, network: network))
            }
            config.nodes.append(node)
        }
    }

    /// The `unicast_peer` addresses on each network that no node has.
    func unclaimedPeers(on network: String) -> [(address: IPv4Address, file: String, line: Int)] {
        let known = Set(config.nodes.flatMap(\.interfaces).compactMap(\.address))
        var peers: [(address: IPv4Address, file: String, line: Int)] = []
        for machine in machines {
            for instance in machine.instances where networkOf[instance.name] == network {
                for peer in instance.peers where !known.contains(peer) && !peers.contains(where: { $0.address == peer })
                {
                    peers.append((peer, machine.file, instance.line))
                }
            }
        }
        return peers
    }

    /// A network with one node left without an address and one peer address nobody has: that
    /// node's address (the usual pair, where each file names the other as its unicast peer).
    mutating func inferPeerAddresses() {
        for network in config.networks.map(\.name) {
            let peers = unclaimedPeers(on: network)
            let without = config.nodes.indices.filter { index in
                config.nodes[index].interfaces.contains { $0.network == network && $0.address == nil }
            }
            guard peers.count == 1, without.count == 1, let peer = peers.first, let index = without.first,
                let at = config.nodes[index].interfaces.firstIndex(where: { $0.network == network })
            else { continue }
            config.nodes[index].interfaces[at].address = peer.address
            note(
                .assumed, peer.file, peer.line,
                "node \(config.nodes[index].name) has address \(peer.address) on "
                    + "\(network): the unicast_peer no other file claims")
        }
    }
}
