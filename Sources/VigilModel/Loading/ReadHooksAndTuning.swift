import Yams

/// Reading event hooks, timing settings and the quorum policy.
extension ConfigReader {
    /// `hooks:` maps event names (`ClusterEventName` raw values) to their commands.
    mutating func readHooks(_ node: YAMLNode) -> [ClusterEventName: EventHooks] {
        guard let set = fields(node, path: "hooks", allowed: nil) else { return [:] }
        let allowed = ClusterEventName.allCases.map(\.rawValue)
        var hooks: [ClusterEventName: EventHooks] = [:]
        for field in set.fields {
            guard let event = ClusterEventName(rawValue: field.key) else {
                error(
                    field.keyMark, Self.unknownValueMessage(field.key, for: "the event name in hooks", allowed: allowed)
                )
                continue
            }
            if field.value.isNull { continue }
            if let value = readEventHooks(field.value, path: set.path(field.key)) { hooks[event] = value }
        }
        return hooks
    }

    static let eventHookKeys = ["pre", "post", "notify", "recovery", "timeout"]

    mutating func readEventHooks(_ node: YAMLNode, path: String) -> EventHooks? {
        guard let set = fields(node, path: path, allowed: Self.eventHookKeys) else { return nil }
        var hooks = EventHooks()
        hooks.pre = stringList(set, "pre") ?? []
        hooks.post = stringList(set, "post") ?? []
        hooks.notify = stringList(set, "notify") ?? []
        if let value = duration(set, "timeout") { hooks.timeout = value }
        if let recovery = set.value("recovery") {
            let keys = ["command", "retries"]
            if let fields = fields(recovery, path: set.path("recovery"), allowed: keys, required: keys) {
                let command = string(fields, "command")
                let retries = int(fields, "retries", range: ConfigLimits.recoveryRetries)
                if let command, let retries { hooks.recovery = RecoveryHook(command: command, retries: retries) }
            }
        }
        return hooks
    }

    static let tuningKeys = [
        "preset", "heartbeat", "config_too_long", "dead_man_switch", "release_allowance", "observers",
        "hardware_watchdog",
    ]

    mutating func readTuning(_ node: YAMLNode) -> Tuning? {
        guard let set = fields(node, path: "tuning", allowed: Self.tuningKeys) else { return nil }
        // The preset first: every other setting written overrides its part of it.
        var tuning = (choice(set, "preset", of: TuningPreset.self) ?? .default).tuning
        if let value = duration(set, "config_too_long") { tuning.configTooLong = value }
        if let value = duration(set, "dead_man_switch") { tuning.tripInterval = value }
        if let value = duration(set, "release_allowance") { tuning.releaseAllowance = value }
        if let value = duration(set, "hardware_watchdog") { tuning.hardwareWatchdog = value }
        if let value = int(set, "observers", range: ConfigLimits.observers) { tuning.observers = value }
        if let heartbeat = set.value("heartbeat"),
            let types = fields(heartbeat, path: set.path("heartbeat"), allowed: nil),
            within(ConfigLimits.maximumNetworks, types.fields.count, types.path, heartbeat.mark)
        {
            for field in types.fields where !field.value.isNull {
                let defaults = tuning.heartbeat(forNetworkType: field.key)
                if let value = readHeartbeat(field.value, path: types.path(field.key), defaults: defaults) {
                    tuning.heartbeats[field.key] = value
                }
            }
        }
        return tuning
    }

    /// One network type's heartbeat; a setting left out keeps that type's default.
    mutating func readHeartbeat(_ node: YAMLNode, path: String, defaults: HeartbeatSettings) -> HeartbeatSettings? {
        guard let set = fields(node, path: path, allowed: ["interval", "missed_beats"]) else { return nil }
        var settings = defaults
        if let value = duration(set, "interval") { settings.interval = value }
        if let value = int(set, "missed_beats", range: ConfigLimits.missedBeats) { settings.missedBeats = value }
        return settings
    }

    /// `quorum: {policy: disk, tiebreaker: dhb}`: the policy is required once the section is
    /// written (left out entirely, the cluster uses `majority`). Whether the tiebreaker names a disk
    /// network on every node is `Verifier`'s job.
    mutating func readQuorum(_ node: YAMLNode) -> (policy: QuorumPolicy, tiebreaker: String?)? {
        let keys = ["policy", "tiebreaker"]
        guard let set = fields(node, path: "quorum", allowed: keys, required: ["policy"]) else { return nil }
        let policy = choice(set, "policy", of: QuorumPolicy.self)
        let tiebreaker = string(set, "tiebreaker")
        guard let policy else { return nil }
        return (policy, tiebreaker)
    }
}
