import VigilModel

/// Pacemaker primitives as Vigil resources, and the groups that hold them.
extension PacemakerBuilder {
    mutating func buildGroups() {
        var names = Set<String>()
        for unit in units where unit.mergedInto == nil {
            let name = ConvertedNames.unique(ConvertedNames.identifier(unit.name, fallback: "group"), in: &names)
            var group = ResourceGroup(
                name: name, policy: unit.concurrent ? .concurrent : .cascading, nodes: [], inactiveTakeover: true)
            group.nodes = orderedNodes(unit)
            for primitive in unit.primitives { add(primitive, unit: unit, to: &group) }
            let resources =
                group.serviceAddresses.count + group.volumeGroups.count + group.filesystems.count
                + group.nfsExports.count + group.applications.count
            // A group of resources none of which converted is left out (each one has its note).
            guard resources > 0 else { continue }
            if !unit.concurrent { group.policy = policy(unit) }
            config.resourceGroups.append(group)
        }
    }

    /// Nodes with a preference first (highest first), then the others in CIB order; `-INFINITY`
    /// leaves a node out, and so does no preference in an opt-in (`symmetric-cluster=false`) cluster.
    mutating func orderedNodes(_ unit: PacemakerUnit) -> [String] {
        let all = config.nodes.map(\.name)
        let allowed = all.filter { node in
            let score = unit.scores[node] ?? 0
            return score > -PacemakerCIB.infinity && (symmetric || score > 0)
        }
        for node in unit.scores.keys.sorted() where !all.contains(node) {
            note(.notConverted, unit.line, "a location of \(unit.name) names node \(node), which is not in <nodes>")
        }
        return allowed.enumerated().sorted { lhs, rhs in
            let (a, b) = (unit.scores[lhs.element] ?? 0, unit.scores[rhs.element] ?? 0)
            return a != b ? a > b : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// Rotating (stays where it runs) when its stickiness is at least its highest preference,
    /// cascading (goes back to the preferred node) otherwise.
    mutating func policy(_ unit: PacemakerUnit) -> ResourceGroup.Policy {
        let memberStickiness = unit.primitives.compactMap {
            PacemakerCIB.pairs(of: $0, set: "meta_attributes").values["resource-stickiness"]
        }
        let text = unit.meta["resource-stickiness"] ?? memberStickiness.first ?? defaults["resource-stickiness"]
        let stickiness = PacemakerCIB.score(text) ?? 0
        let preference = unit.scores.values.max() ?? 0
        let rotating = stickiness > 0 && stickiness >= preference
        note(
            .assumed, unit.line,
            "group \(unit.name) is \(rotating ? "rotating" : "cascading"): stickiness "
                + "\(text ?? "0") \(rotating ? "is at least" : "is below") its highest location preference "
                + "\(preference)"
        )
        return rotating ? .rotating : .cascading
    }

    mutating func add(_ primitive: XMLElement, unit: PacemakerUnit, to group: inout ResourceGroup) {
        let id = primitive["id"] ?? ""
        let attributes = PacemakerCIB.pairs(of: primitive, set: "instance_attributes").values
        let kind = primitive["class"] ?? ""
        let type = primitive["type"] ?? ""
        switch (kind, type) {
        case ("ocf", "IPaddr2"), ("ocf", "IPaddr"):
            addAddress(primitive, id: id, attributes: attributes, to: &group)
        case ("ocf", "Filesystem"):
            addFilesystem(primitive, id: id, attributes: attributes, to: &group)
        case ("ocf", "LVM-activate"), ("ocf", "LVM"):
            guard let name = attributes["vgname"] ?? attributes["volgrpname"] else {
                note(.notConverted, primitive.line, "\(id) names no volume group (vgname); not converted")
                return
            }
            let shared = attributes["activation_mode"] == "shared"
            config.volumeGroups.append(VolumeGroup(name: name, concurrent: shared && group.policy == .concurrent))
            group.volumeGroups.append(name)
        case ("ocf", "exportfs"):
            guard let directory = attributes["directory"] else {
                note(.notConverted, primitive.line, "\(id) names no directory; not converted")
                return
            }
            config.nfsExports.append(
                NFSExport(
                    path: directory, clients: attributes["clientspec"] ?? "*",
                    options: attributes["options"] ?? "rw,sync"))
            group.nfsExports.append(directory)
        case ("systemd", _), ("service", _), ("lsb", _), ("ocf", _):
            addApplication(primitive, id: id, attributes: attributes, unit: unit, to: &group)
        default:
            note(
                .notConverted, primitive.line,
                "\(id) (\(kind):\(type)) is not converted: Vigil has no such "
                    + "resource agent class; make it an application with start, stop and monitor commands")
        }
        let metaKnown: Set = ["resource-stickiness", "migration-threshold"]
        let meta = PacemakerCIB.pairs(of: primitive, set: "meta_attributes").values
        for key in meta.keys.sorted() where !metaKnown.contains(key) {
            note(.notConverted, primitive.line, "\(id)'s meta attribute \(key) is not converted")
        }
    }

    mutating func addAddress(
        _ primitive: XMLElement, id: String, attributes: [String: String], to group: inout ResourceGroup
    ) {
        guard let address = attributes["ip"].flatMap({ IPv4Address($0) }) else {
            note(.notConverted, primitive.line, "\(id) has no IPv4 ip; not converted (Vigil's addresses are IPv4)")
            return
        }
        let adapter = attributes["nic"] ?? "eth0"
        let network = ConvertedNames.identifier(adapter, fallback: "lan")
        if config.network(named: network) == nil {
            let prefix = attributes["cidr_netmask"].flatMap { Int($0) }.flatMap { (8...30).contains($0) ? $0 : nil }
            if prefix == nil {
                note(
                    .assumed, primitive.line,
                    "network \(network) has netmask 255.255.255.0 (\(id) has no "
                        + "cidr_netmask); correct it if it differs")
            }
            let mask = IPv4Address(UInt32.max << UInt32(32 - (prefix ?? 24)))
            config.networks.append(Network(name: network, type: "ether", kind: .ip(attribute: .public, netmask: mask)))
            for index in config.nodes.indices {
                let label = ConvertedNames.unique("\(config.nodes[index].name)_\(network)", in: &labels)
                config.nodes[index].interfaces.append(
                    Interface(name: adapter, label: label, role: .boot, network: network))
            }
        }
        let label = ConvertedNames.unique(ConvertedNames.identifier(id, fallback: "address"), in: &labels)
        config.serviceAddresses.append(ServiceAddress(label: label, address: address, network: network))
        group.serviceAddresses.append(label)
    }

    mutating func addFilesystem(
        _ primitive: XMLElement, id: String, attributes: [String: String], to group: inout ResourceGroup
    ) {
        guard let directory = attributes["directory"], let device = attributes["device"] else {
            note(.notConverted, primitive.line, "\(id) needs device and directory; not converted")
            return
        }
        if attributes["options"] != nil {
            note(.notConverted, primitive.line, "\(id)'s mount options are not converted: Vigil mounts with defaults")
        }
        // /dev/VG/LV names its volume group; so does /dev/mapper/VG-LV.
        let parts = device.split(separator: "/").map(String.init)
        let volumeGroup = group.volumeGroups.first { vg in
            (parts.count == 3 && parts[1] == vg) || device.hasPrefix("/dev/mapper/\(vg.replacingDashes)-")
        }
        config.filesystems.append(
            Filesystem(
                mountPoint: directory, device: device, volumeGroup: volumeGroup, type: attributes["fstype"] ?? "ext4"))
        // A group that configures its address before its first filesystem keeps that order.
        if group.filesystems.isEmpty && !group.serviceAddresses.isEmpty { group.filesystemsBeforeAddresses = false }
        group.filesystems.append(directory)
    }
}

extension String {
    /// A volume group's name as device-mapper writes it (`-` doubled).
    var replacingDashes: String { split(separator: "-", omittingEmptySubsequences: false).joined(separator: "--") }
}
