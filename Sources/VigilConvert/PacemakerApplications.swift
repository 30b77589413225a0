import VigilModel

/// Pacemaker primitives that run programs (systemd, service, lsb, ocf agents) as applications, and
/// fence agents as the nodes' fence commands.
extension PacemakerBuilder {
    mutating func addApplication(
        _ primitive: XMLElement, id: String, attributes: [String: String], unit: PacemakerUnit,
        to group: inout ResourceGroup
    ) {
        let kind = primitive["class"] ?? ""
        let type = primitive["type"] ?? ""
        let quoted = KeepalivedMachine.shellQuoted(type)
        let commands: (start: String, stop: String, monitor: String)
        switch kind {
        case "systemd", "service":
            commands = (
                "systemctl start \(quoted)", "systemctl stop \(quoted)", "systemctl is-active --quiet \(quoted)"
            )
        case "lsb":
            let script = KeepalivedMachine.shellQuoted("/etc/init.d/\(type)")
            commands = ("\(script) start", "\(script) stop", "\(script) status")
        default:
            let provider = primitive["provider"] ?? "heartbeat"
            let environment =
                (["OCF_ROOT=/usr/lib/ocf", "OCF_RESOURCE_INSTANCE=\(KeepalivedMachine.shellQuoted(id))"]
                + attributes.keys.sorted().map {
                    "OCF_RESKEY_\($0)=\(KeepalivedMachine.shellQuoted(attributes[$0] ?? ""))"
                })
                .joined(separator: " ")
            let agent = KeepalivedMachine.shellQuoted("/usr/lib/ocf/resource.d/\(provider)/\(type)")
            commands = (
                "\(environment) \(agent) start", "\(environment) \(agent) stop", "\(environment) \(agent) monitor"
            )
            note(
                .assumed, primitive.line,
                "\(id) (ocf:\(provider):\(type)) runs its resource agent as an application; "
                    + "the agent must be installed on every node")
        }
        var application = Application(name: "", start: commands.start, stop: commands.stop, monitor: commands.monitor)
        var names = Set(config.applications.map(\.name))
        application.name = ConvertedNames.unique(ConvertedNames.identifier(id, fallback: "application"), in: &names)
        readOperations(primitive, id: id, into: &application)
        let threshold =
            PacemakerCIB.pairs(of: primitive, set: "meta_attributes").values["migration-threshold"]
            ?? unit.meta["migration-threshold"] ?? defaults["migration-threshold"]
        if let threshold, let value = PacemakerCIB.score(threshold), value >= 1 {
            application.restartCount = min(1000, value - 1)
        } else {
            note(
                .assumed, primitive.line,
                "\(id) has no migration-threshold (Pacemaker restarts it on its node "
                    + "for ever): Vigil restarts it \(application.restartCount) times, then moves the group")
        }
        config.applications.append(application)
        group.applications.append(application.name)
    }

    /// `<op name="start|stop|monitor" interval= timeout=>`: the application's timings.
    mutating func readOperations(_ primitive: XMLElement, id: String, into application: inout Application) {
        for operation in primitive.child("operations")?.children("op") ?? [] {
            let timeout = PacemakerCIB.duration(operation["timeout"])
            switch operation["name"] {
            case "start": if let timeout { application.startTimeout = timeout }
            case "stop": if let timeout { application.stopTimeout = timeout }
            case "monitor":
                if let timeout { application.monitorTimeout = timeout }
                if let interval = PacemakerCIB.duration(operation["interval"]), interval > .zero {
                    application.monitorInterval = interval
                }
            default:
                note(.notConverted, operation.line, "\(id)'s \(operation["name"] ?? "") operation is not converted")
            }
        }
    }

    /// A `fence_*` agent's command line (`--ip=... --username=... --action=off`) becomes the fence
    /// command of each node in `pcmk_host_list` (or `pcmk_host_map`, with the node's plug).
    mutating func readFencing(_ primitive: XMLElement) {
        let id = primitive["id"] ?? ""
        let type = primitive["type"] ?? ""
        let attributes = PacemakerCIB.pairs(of: primitive, set: "instance_attributes").values
        guard type.hasPrefix("fence_"), type.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            note(
                .notConverted, primitive.line,
                "stonith \(id) (\(type)) is not converted: only fence_* agents are; "
                    + "give each node a fence command")
            return
        }
        let renamed = ["ipaddr": "ip", "login": "username", "passwd": "password"]
        var options: [String] = []
        for key in attributes.keys.sorted() where !key.hasPrefix("pcmk_") && key != "action" {
            let value = attributes[key] ?? ""
            let option = renamed[key] ?? key
            let flag = ["1", "true", "yes", "on"].contains(value.lowercased()) && ["lanplus", "ssl"].contains(option)
            options.append(flag ? "--\(option)" : "--\(option)=\(KeepalivedMachine.shellQuoted(value))")
        }
        var targets: [(node: String, plug: String?)] = []
        if let list = attributes["pcmk_host_list"] {
            targets = list.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" }).map { (String($0), nil) }
        } else if let map = attributes["pcmk_host_map"] {
            targets = map.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "," }).compactMap { entry in
                let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
        }
        guard !targets.isEmpty else {
            note(
                .mustAdd, primitive.line,
                "stonith \(id) does not say which nodes it fences (pcmk_host_list): "
                    + "add each node's fence command")
            return
        }
        for target in targets {
            guard let index = config.nodes.firstIndex(where: { $0.name == target.node }) else {
                note(.notConverted, primitive.line, "stonith \(id) fences \(target.node), which is not in <nodes>")
                continue
            }
            let plug = target.plug.map { ["--plug=\(KeepalivedMachine.shellQuoted($0))"] } ?? []
            config.nodes[index].fenceCommand = ([type] + options + plug + ["--action=off"]).joined(separator: " ")
        }
    }

    mutating func reportMissing() {
        if config.nodes.isEmpty {
            note(.mustAdd, 0, "the CIB lists no nodes (<nodes>): add the cluster's nodes")
        }
        if !config.networks.contains(where: \.isIP) {
            note(
                .mustAdd, 0,
                "no IPaddr2 resource says which network the nodes share: add a network and each "
                    + "node's interface on it")
        }
        for node in config.nodes {
            for interface in node.interfaces where interface.address == nil {
                note(
                    .mustAdd, 0,
                    "node \(node.name) has no address on network \(interface.network) (the CIB does "
                        + "not hold it; corosync.conf does): pass --address \(node.name)=ADDRESS")
            }
        }
    }
}
