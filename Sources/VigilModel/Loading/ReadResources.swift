import Yams

/// Reading service addresses, applications, storage and resource groups.
extension ConfigReader {
    mutating func readResources(_ top: FieldSet, into config: inout ClusterConfig) {
        for (path, node) in entries(top, "service_addresses", nameKey: "label") {
            if let value = readServiceAddress(node, path: path) { config.serviceAddresses.append(value) }
        }
        for (path, node) in entries(top, "applications", nameKey: "name") {
            if let value = readApplication(node, path: path) { config.applications.append(value) }
        }
        for (path, node) in entries(top, "volume_groups", nameKey: "name") {
            if let value = readVolumeGroup(node, path: path) { config.volumeGroups.append(value) }
        }
        for (path, node) in entries(top, "filesystems", nameKey: "mount_point") {
            if let value = readFilesystem(node, path: path) { config.filesystems.append(value) }
        }
        for (path, node) in entries(top, "nfs_exports", nameKey: "path") {
            if let value = readExport(node, path: path) { config.nfsExports.append(value) }
        }
        let groupLimit = ConfigLimits.maximumResourceGroups
        for (path, node) in entries(top, "resource_groups", nameKey: "name", limit: groupLimit) {
            if let value = readGroup(node, path: path) { config.resourceGroups.append(value) }
        }
    }

    mutating func readServiceAddress(_ node: YAMLNode, path: String) -> ServiceAddress? {
        let keys = ["label", "address", "network"]
        guard let set = fields(node, path: path, allowed: keys, required: keys) else { return nil }
        let label = string(set, "label")
        let address = address(set, "address")
        let network = string(set, "network")
        guard let label, let address, let network else { return nil }
        return ServiceAddress(label: label, address: address, network: network)
    }

    static let applicationKeys = [
        "name", "start", "stop", "monitor", "start_timeout", "stop_timeout", "monitor_timeout",
        "monitor_interval", "restart_count",
    ]

    mutating func readApplication(_ node: YAMLNode, path: String) -> Application? {
        let required = ["name", "start", "stop"]
        guard let set = fields(node, path: path, allowed: Self.applicationKeys, required: required) else {
            return nil
        }
        let name = string(set, "name")
        let start = string(set, "start")
        let stop = string(set, "stop")
        var application = Application(name: name ?? "", start: start ?? "", stop: stop ?? "")
        application.monitor = string(set, "monitor")
        if let value = duration(set, "start_timeout") { application.startTimeout = value }
        if let value = duration(set, "stop_timeout") { application.stopTimeout = value }
        if let value = duration(set, "monitor_timeout") { application.monitorTimeout = value }
        if let value = duration(set, "monitor_interval") { application.monitorInterval = value }
        if let value = int(set, "restart_count", range: ConfigLimits.restartCount) { application.restartCount = value }
        guard name != nil, start != nil, stop != nil else { return nil }
        return application
    }

    mutating func readVolumeGroup(_ node: YAMLNode, path: String) -> VolumeGroup? {
        guard let set = fields(node, path: path, allowed: ["name", "concurrent"], required: ["name"]) else {
            return nil
        }
        let name = string(set, "name")
        let concurrent = bool(set, "concurrent")
        guard let name else { return nil }
        return VolumeGroup(name: name, concurrent: concurrent ?? false)
    }

    static let filesystemKeys = ["mount_point", "device", "volume_group", "type", "fsck", "recovery"]

    mutating func readFilesystem(_ node: YAMLNode, path: String) -> Filesystem? {
        let required = ["mount_point", "device"]
        guard let set = fields(node, path: path, allowed: Self.filesystemKeys, required: required) else {
            return nil
        }
        let mountPoint = string(set, "mount_point")
        let device = string(set, "device")
        let volumeGroup = string(set, "volume_group")
        let type = string(set, "type")
        let fsck = bool(set, "fsck")
        let recovery = choice(set, "recovery", of: Filesystem.RecoveryMethod.self)
        guard let mountPoint, let device else { return nil }
        return Filesystem(
            mountPoint: mountPoint, device: device, volumeGroup: volumeGroup, type: type ?? "ext4",
            fsck: fsck ?? true, recovery: recovery ?? .sequential)
    }

    mutating func readExport(_ node: YAMLNode, path: String) -> NFSExport? {
        let keys = ["path", "clients", "options"]
        guard let set = fields(node, path: path, allowed: keys, required: ["path"]) else { return nil }
        let exportPath = string(set, "path")
        let clients = string(set, "clients")
        let options = string(set, "options")
        guard let exportPath else { return nil }
        return NFSExport(path: exportPath, clients: clients ?? "*", options: options ?? "rw,sync")
    }

    static let groupKeys = [
        "name", "policy", "nodes", "service_addresses", "volume_groups", "filesystems", "nfs_exports",
        "applications", "inactive_takeover", "filesystems_before_addresses",
    ]

    mutating func readGroup(_ node: YAMLNode, path: String) -> ResourceGroup? {
        let required = ["name", "policy", "nodes"]
        guard let set = fields(node, path: path, allowed: Self.groupKeys, required: required) else { return nil }
        let name = string(set, "name")
        let policy = choice(set, "policy", of: ResourceGroup.Policy.self)
        let nodes = stringList(set, "nodes")
        var group = ResourceGroup(name: name ?? "", policy: policy ?? .cascading, nodes: nodes ?? [])
        group.serviceAddresses = stringList(set, "service_addresses") ?? []
        group.volumeGroups = stringList(set, "volume_groups") ?? []
        group.filesystems = stringList(set, "filesystems") ?? []
        group.nfsExports = stringList(set, "nfs_exports") ?? []
        group.applications = stringList(set, "applications") ?? []
        if let value = bool(set, "inactive_takeover") { group.inactiveTakeover = value }
        if let value = bool(set, "filesystems_before_addresses") { group.filesystemsBeforeAddresses = value }
        guard name != nil, policy != nil, nodes != nil else { return nil }
        return group
    }
}
