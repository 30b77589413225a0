/// What changed between two configurations, in the file's own terms: things added and removed by
/// kind and name, and each field changed with its old and new value (`vigil sync --preview`,
/// `vigil config diff`). Semantic: the order of keys, comments and spelling of the file do not
/// count, only what the cluster would run differently.
///
///     + group db2
///     ~ group web: nodes ghost1,ghost2 -> ghost1,ghost2,ghost3
///     ~ tuning.heartbeat.ether.interval 150ms -> 100ms
///     - interface ghost4/tr1
public struct ConfigDifference: Sendable, Equatable {
    /// One change, as one line.
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable, Equatable {
            case added = "+"
            case removed = "-"
            case changed = "~"
        }

        public var kind: Kind
        /// What changed: `group web`, `interface ghost4/tr1`, `tuning.heartbeat.ether.interval`.
        public var subject: String
        /// The field of `subject` that changed (`nodes`), `nil` for a whole thing added or removed
        /// and for settings that are fields themselves (tuning, cluster settings).
        public var field: String?
        /// The old and new values of a changed field, as written in the file.
        public var old: String?
        public var new: String?

        public var description: String {
            switch kind {
            case .added, .removed: return "\(kind.rawValue) \(subject)"
            case .changed:
                let values = "\(old ?? "(none)") -> \(new ?? "(none)")"
                if let field { return "~ \(subject): \(field) \(values)" }
                return "~ \(subject) \(values)"
            }
        }
    }

    /// Every change, in the file's order of sections: cluster, tuning, networks, nodes,
    /// interfaces, service addresses, storage, applications, groups, hooks.
    public var changes: [Change]

    public var isEmpty: Bool { changes.isEmpty }
    /// How much changed, as `config diff` and `snapshot diff` head it: `no difference`, `1 change`,
    /// `N changes`.
    public var count: String {
        changes.isEmpty ? "no difference" : "\(changes.count) change\(changes.count == 1 ? "" : "s")"
    }

    /// The changes that turn `old` into `new`.
    public init(from old: ClusterConfig, to new: ClusterConfig) {
        var changes: [Change] = []
        func compare(_ kind: String, _ old: [(String, Fields)], _ new: [(String, Fields)]) {
            changes += Self.compare(kind: kind, old: old, new: new)
        }
        changes += Self.settings("cluster", Self.clusterFields(old), Self.clusterFields(new))
        changes += Self.settings("tuning", Self.tuningFields(old), Self.tuningFields(new))
        compare(
            "network", old.networks.map { ($0.name, Self.fields($0)) }, new.networks.map { ($0.name, Self.fields($0)) })
        compare("node", old.nodes.map { ($0.name, Self.fields($0)) }, new.nodes.map { ($0.name, Self.fields($0)) })
        compare("interface", Self.interfaces(of: old), Self.interfaces(of: new))
        compare(
            "service address", old.serviceAddresses.map { ($0.label, Self.fields($0)) },
            new.serviceAddresses.map { ($0.label, Self.fields($0)) })
        compare(
            "volume group", old.volumeGroups.map { ($0.name, [("concurrent", "\($0.concurrent)")]) },
            new.volumeGroups.map { ($0.name, [("concurrent", "\($0.concurrent)")]) })
        compare(
            "filesystem", old.filesystems.map { ($0.mountPoint, Self.fields($0)) },
            new.filesystems.map { ($0.mountPoint, Self.fields($0)) })
        compare(
            "nfs export", old.nfsExports.map { ($0.path, Self.fields($0)) },
            new.nfsExports.map { ($0.path, Self.fields($0)) })
        compare(
            "application", old.applications.map { ($0.name, Self.fields($0)) },
            new.applications.map { ($0.name, Self.fields($0)) })
        compare(
            "group", old.resourceGroups.map { ($0.name, Self.fields($0)) },
            new.resourceGroups.map { ($0.name, Self.fields($0)) })
        compare("hooks", Self.hooks(of: old), Self.hooks(of: new))
        self.changes = changes
    }

    /// A thing's fields in the file's order, each rendered as the file writes it.
    typealias Fields = [(String, String)]

    /// Things of one kind matched by name: removed ones first, then added, then changed fields.
    private static func compare(kind: String, old: [(String, Fields)], new: [(String, Fields)]) -> [Change] {
        let oldByName = Dictionary(old, uniquingKeysWith: { first, _ in first })
        let newByName = Dictionary(new, uniquingKeysWith: { first, _ in first })
        var changes: [Change] = []
        for (name, _) in old where newByName[name] == nil {
            changes.append(Change(kind: .removed, subject: "\(kind) \(name)"))
        }
        for (name, _) in new where oldByName[name] == nil {
            changes.append(Change(kind: .added, subject: "\(kind) \(name)"))
        }
        for (name, fields) in new {
            guard let before = oldByName[name] else { continue }
            changes += changed(subject: "\(kind) \(name)", old: before, new: fields, asField: true)
        }
        return changes
    }

    /// Settings that are fields of the file's section themselves (`tuning.dead_man_switch`).
    private static func settings(_ section: String, _ old: Fields, _ new: Fields) -> [Change] {
        changed(subject: section, old: old, new: new, asField: false)
    }

    private static func changed(subject: String, old: Fields, new: Fields, asField: Bool) -> [Change] {
        let before = Dictionary(old, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new, uniquingKeysWith: { first, _ in first })
        var names = old.map(\.0)
        for (name, _) in new where !names.contains(name) { names.append(name) }
        return names.compactMap { name in
            let was = before[name]
            let now = after[name]
            guard was != now else { return nil }
            if asField { return Change(kind: .changed, subject: subject, field: name, old: was, new: now) }
            return Change(kind: .changed, subject: "\(subject).\(name)", old: was, new: now)
        }
    }

    // MARK: Each kind's fields, named as in the file.

    private static func clusterFields(_ config: ClusterConfig) -> Fields {
        [
            ("name", config.name), ("id", "\(config.id)"), ("quorum", config.quorum.rawValue),
            ("tiebreaker", config.tiebreaker ?? "(none)"),
        ]
    }

    /// The tuning as it applies: every network type either configuration uses gets its effective
    /// heartbeat, so that a preset or a default that changes a type's interval shows on that type.
    private static func tuningFields(_ config: ClusterConfig) -> Fields {
        let tuning = config.tuning
        var fields: Fields = [("preset", tuning.preset.rawValue)]
        var types = Set(tuning.heartbeats.keys)
        for network in config.networks { types.insert(network.type) }
        for type in types.sorted() {
            let beat = tuning.heartbeat(forNetworkType: type)
            fields.append(("heartbeat.\(type).interval", DurationText.format(beat.interval)))
            fields.append(("heartbeat.\(type).missed_beats", "\(beat.missedBeats)"))
        }
        fields += [
            ("dead_man_switch", DurationText.format(tuning.tripInterval)),
            ("release_allowance", DurationText.format(tuning.releaseAllowance)),
            ("config_too_long", DurationText.format(tuning.configTooLong)),
            ("observers", "\(tuning.observers)"),
            ("hardware_watchdog", tuning.hardwareWatchdog.map(DurationText.format) ?? "none"),
        ]
        return fields
    }

    private static func fields(_ network: Network) -> Fields {
        var fields: Fields = [("type", network.type)]
        switch network.kind {
        case .ip(let attribute, let netmask):
            fields += [("attribute", attribute.rawValue), ("netmask", netmask.description)]
        case .serial:
            fields += [("kind", "serial")]
        case .disk(let device):
            fields += [("device", device)]
        }
        return fields
    }

    private static func fields(_ node: Node) -> Fields {
        [("fence", node.fenceCommand ?? "(none)")]
    }

    /// Interfaces by `NODE/ADAPTER`, or `NODE/ADAPTER (LABEL)` where a node lists one adapter twice
    /// (its boot address and its own service address, as in the seed).
    private static func interfaces(of config: ClusterConfig) -> [(String, Fields)] {
        config.nodes.flatMap { node in
            node.interfaces.map { interface in
                let shared = node.interfaces.filter { $0.name == interface.name }.count > 1
                let name = "\(node.name)/\(interface.name)" + (shared ? " (\(interface.label))" : "")
                var fields: Fields = [("label", interface.label), ("role", interface.role.rawValue)]
                fields.append(("network", interface.network))
                if let address = interface.address { fields.append(("address", address.description)) }
                if let device = interface.device { fields.append(("device", device)) }
                return (name, fields)
            }
        }
    }

    private static func fields(_ address: ServiceAddress) -> Fields {
        [("address", address.address.description), ("network", address.network)]
    }

    private static func fields(_ filesystem: Filesystem) -> Fields {
        [
            ("device", filesystem.device), ("volume_group", filesystem.volumeGroup ?? "(none)"),
            ("type", filesystem.type), ("fsck", "\(filesystem.fsck)"), ("recovery", filesystem.recovery.rawValue),
        ]
    }

    private static func fields(_ export: NFSExport) -> Fields {
        [("clients", export.clients), ("options", export.options)]
    }

    private static func fields(_ application: Application) -> Fields {
        [
            ("start", application.start), ("stop", application.stop), ("monitor", application.monitor ?? "(none)"),
            ("start_timeout", DurationText.format(application.startTimeout)),
            ("stop_timeout", DurationText.format(application.stopTimeout)),
            ("monitor_timeout", DurationText.format(application.monitorTimeout)),
            ("monitor_interval", DurationText.format(application.monitorInterval)),
            ("restart_count", "\(application.restartCount)"),
        ]
    }

    private static func fields(_ group: ResourceGroup) -> Fields {
        func list(_ names: [String]) -> String { names.isEmpty ? "(none)" : names.joined(separator: ",") }
        return [
            ("policy", group.policy.rawValue), ("nodes", list(group.nodes)),
            ("service_addresses", list(group.serviceAddresses)), ("volume_groups", list(group.volumeGroups)),
            ("filesystems", list(group.filesystems)), ("nfs_exports", list(group.nfsExports)),
            ("applications", list(group.applications)), ("inactive_takeover", "\(group.inactiveTakeover)"),
            ("filesystems_before_addresses", "\(group.filesystemsBeforeAddresses)"),
        ]
    }

    private static func hooks(of config: ClusterConfig) -> [(String, Fields)] {
        config.hooks.keys.sorted().map { event in
            let hooks = config.hooks[event]!
            func list(_ commands: [String]) -> String {
                commands.isEmpty ? "(none)" : commands.map { "'\($0)'" }.joined(separator: ", ")
            }
            return (
                event.rawValue,
                [
                    ("pre", list(hooks.pre)), ("post", list(hooks.post)), ("notify", list(hooks.notify)),
                    ("recovery", hooks.recovery.map { "'\($0.command)' (retries \($0.retries))" } ?? "(none)"),
                    ("timeout", DurationText.format(hooks.timeout)),
                ]
            )
        }
    }
}
