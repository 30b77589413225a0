/// Writes a `ClusterConfig` in Vigil's YAML format (docs/configuration.md), the way the examples are
/// written: one flow mapping per network, interface, address, resource; groups as block mappings.
/// What it writes, `ConfigLoader` reads back to an equal configuration (tested on examples/*.yaml):
/// the converters (`vigil convert`) write through here, and snapshots and configuration history can.
///
/// Every field is written except those equal to what the loader would assume when it is left out
/// (an empty list, a tuning setting equal to its preset's, the `majority` quorum without a
/// tiebreaker), so that a written file stays as short as a hand-written one.
public enum ConfigWriter {
    /// The configuration as YAML text, ending in a newline. `header` lines are written first as
    /// `# ` comments.
    public static func yaml(_ config: ClusterConfig, header: [String] = []) -> String {
        var lines = header.map { $0.isEmpty ? "#" : "# \($0)" }
        if !lines.isEmpty { lines.append("") }
        lines.append("format: \(ConfigFormat.current)")
        lines.append("cluster: {name: \(scalar(config.name)), id: \(config.id)}")
        lines += quorumLines(config)
        lines += tuningLines(config.tuning)
        // Required keys, so written even when empty (`[]`: the loader reads an empty list).
        lines.append(config.networks.isEmpty ? "networks: []" : "networks:")
        lines += config.networks.map { "  - \(flow(networkFields($0)))" }
        lines.append(config.nodes.isEmpty ? "nodes: []" : "nodes:")
        for node in config.nodes { lines += nodeLines(node) }
        lines += section("service_addresses", config.serviceAddresses) {
            [("label", scalar($0.label)), ("address", "\($0.address)"), ("network", scalar($0.network))]
        }
        lines += section("applications", config.applications, applicationFields)
        lines += section("volume_groups", config.volumeGroups) {
            [("name", scalar($0.name))] + ($0.concurrent ? [("concurrent", "true")] : [])
        }
        lines += section("filesystems", config.filesystems, filesystemFields)
        lines += section("nfs_exports", config.nfsExports) {
            [("path", scalar($0.path)), ("clients", scalar($0.clients)), ("options", scalar($0.options))]
        }
        if !config.resourceGroups.isEmpty {
            lines.append("resource_groups:")
            for group in config.resourceGroups { lines += groupLines(group) }
        }
        lines += hookLines(config.hooks)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A key and its value, already written as YAML.
    typealias Field = (key: String, value: String)

    static func flow(_ fields: [Field]) -> String {
        "{" + fields.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }

    static func section<Element>(_ key: String, _ elements: [Element], _ fields: (Element) -> [Field]) -> [String] {
        guard !elements.isEmpty else { return [] }
        return ["\(key):"] + elements.map { "  - \(flow(fields($0)))" }
    }

    static func list(_ values: [String]) -> String { "[" + values.map(scalar).joined(separator: ", ") + "]" }

    static func duration(_ value: Duration) -> String { DurationText.format(value) }

    static func quorumLines(_ config: ClusterConfig) -> [String] {
        guard config.quorum != .majority || config.tiebreaker != nil else { return [] }
        var fields: [Field] = [("policy", config.quorum.rawValue)]
        if let tiebreaker = config.tiebreaker { fields.append(("tiebreaker", scalar(tiebreaker))) }
        return ["quorum: \(flow(fields))"]
    }

    /// The settings that differ from the preset's, after the preset when it is not `default`.
    static func tuningLines(_ tuning: Tuning) -> [String] {
        let base = tuning.preset.tuning
        var lines: [String] = []
        if tuning.preset != .default { lines.append("  preset: \(tuning.preset.rawValue)") }
        if !tuning.heartbeats.isEmpty {
            lines.append("  heartbeat:")
            for (type, settings) in tuning.heartbeats.sorted(by: { $0.key < $1.key }) {
                let fields: [Field] = [
                    ("interval", duration(settings.interval)), ("missed_beats", "\(settings.missedBeats)"),
                ]
                lines.append("    \(scalar(type)): \(flow(fields))")
            }
        }
        if tuning.configTooLong != base.configTooLong {
            lines.append("  config_too_long: \(duration(tuning.configTooLong))")
        }
        if tuning.tripInterval != base.tripInterval {
            lines.append("  dead_man_switch: \(duration(tuning.tripInterval))")
        }
        if tuning.releaseAllowance != base.releaseAllowance {
            lines.append("  release_allowance: \(duration(tuning.releaseAllowance))")
        }
        if tuning.observers != base.observers { lines.append("  observers: \(tuning.observers)") }
        if let hardware = tuning.hardwareWatchdog { lines.append("  hardware_watchdog: \(duration(hardware))") }
        return lines.isEmpty ? [] : ["tuning:"] + lines
    }

    static func networkFields(_ network: Network) -> [Field] {
        var fields: [Field] = [("name", scalar(network.name)), ("type", scalar(network.type))]
        switch network.kind {
        case .ip(let attribute, let netmask):
            fields += [("attribute", attribute.rawValue), ("netmask", "\(netmask)")]
        case .serial:
            break
        case .disk(let device):
            fields.append(("device", scalar(device)))
        }
        return fields
    }

    static func nodeLines(_ node: Node) -> [String] {
        var lines = ["  - name: \(scalar(node.name))"]
        if let fence = node.fenceCommand { lines.append("    fence: \(scalar(fence))") }
        guard !node.interfaces.isEmpty else { return lines }
        lines.append("    interfaces:")
        for interface in node.interfaces {
            var fields: [Field] = [("name", scalar(interface.name)), ("label", scalar(interface.label))]
            fields.append(("role", interface.role.rawValue))
            if let address = interface.address { fields.append(("address", "\(address)")) }
            if let device = interface.device { fields.append(("device", scalar(device))) }
            fields.append(("network", scalar(interface.network)))
            lines.append("      - \(flow(fields))")
        }
        return lines
    }

    static func applicationFields(_ application: Application) -> [Field] {
        var fields: [Field] = [
            ("name", scalar(application.name)), ("start", scalar(application.start)),
            ("stop", scalar(application.stop)),
        ]
        if let monitor = application.monitor { fields.append(("monitor", scalar(monitor))) }
        return fields + [
            ("start_timeout", duration(application.startTimeout)), ("stop_timeout", duration(application.stopTimeout)),
            ("monitor_timeout", duration(application.monitorTimeout)),
            ("monitor_interval", duration(application.monitorInterval)),
            ("restart_count", "\(application.restartCount)"),
        ]
    }

    static func filesystemFields(_ filesystem: Filesystem) -> [Field] {
        var fields: [Field] = [("mount_point", scalar(filesystem.mountPoint)), ("device", scalar(filesystem.device))]
        if let volumeGroup = filesystem.volumeGroup { fields.append(("volume_group", scalar(volumeGroup))) }
        return fields + [
            ("type", scalar(filesystem.type)), ("fsck", "\(filesystem.fsck)"),
            ("recovery", filesystem.recovery.rawValue),
        ]
    }

    static func groupLines(_ group: ResourceGroup) -> [String] {
        var lines = [
            "  - name: \(scalar(group.name))", "    policy: \(group.policy.rawValue)",
            "    nodes: \(list(group.nodes))",
        ]
        let lists: [(String, [String])] = [
            ("service_addresses", group.serviceAddresses), ("volume_groups", group.volumeGroups),
            ("filesystems", group.filesystems), ("nfs_exports", group.nfsExports),
            ("applications", group.applications),
        ]
        for (key, values) in lists where !values.isEmpty { lines.append("    \(key): \(list(values))") }
        if group.inactiveTakeover { lines.append("    inactive_takeover: true") }
        if !group.filesystemsBeforeAddresses { lines.append("    filesystems_before_addresses: false") }
        return lines
    }

    static func hookLines(_ hooks: [ClusterEventName: EventHooks]) -> [String] {
        guard !hooks.isEmpty else { return [] }
        var lines = ["hooks:"]
        for (event, hook) in hooks.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(event.rawValue):")
            if !hook.pre.isEmpty { lines.append("    pre: \(list(hook.pre))") }
            if !hook.post.isEmpty { lines.append("    post: \(list(hook.post))") }
            if !hook.notify.isEmpty { lines.append("    notify: \(list(hook.notify))") }
            if let recovery = hook.recovery {
                let fields: [Field] = [("command", scalar(recovery.command)), ("retries", "\(recovery.retries)")]
                lines.append("    recovery: \(flow(fields))")
            }
            lines.append("    timeout: \(duration(hook.timeout))")
        }
        return lines
    }

    /// A string as a YAML scalar: plain when it is unambiguously a string in a flow context (letters,
    /// digits and `_ - . / @ +`, not a word YAML reads as a boolean, null or number), otherwise
    /// double-quoted with `\`, `"` and control characters escaped.
    public static func scalar(_ text: String) -> String {
        let plainCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./@+")
        let ambiguous = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]
        let isPlain =
            !text.isEmpty && text.allSatisfy { plainCharacters.contains($0) }
            && !ambiguous.contains(text.lowercased()) && Double(text) == nil && Int(text) == nil
            && !(text.first.map { "-.@".contains($0) } ?? true)
        return isPlain ? text : quoted(text)
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\x" + String(repeating: "0", count: max(0, 2 - hex.count)) + hex
                } else if scalar.value == 0xFEFF || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    result += "\\u" + String(scalar.value, radix: 16, uppercase: true)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
